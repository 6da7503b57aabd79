"""Abstract-only list: one `Abstract:...` line per paper, nothing else. These records have no
title; merging attaches each to the titled paper it is a version of."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.ingest.lines import iter_lines
from kg.ingest.records import Warn, make_paper
from kg.ingest.text import clean_text
from kg.model import Paper, Skip, Source

PREFIX_RE = re.compile(r"^\s*Abstract\s*:\s*", re.I)


def read_abstracts(path: str) -> Iterator[Paper | Skip | Warn]:
    for number, text in iter_lines(path):
        source = Source(path, number)
        if text is None:
            yield Skip(source, "line longer than 1 MiB")
            continue
        if not text.strip():
            continue
        m = PREFIX_RE.match(text)
        if not m:
            yield Skip(source, "not an `Abstract:` line")
            continue
        abstract = clean_text(text[m.end():])
        if not abstract:
            yield Skip(source, "entry breaks off: empty abstract")
            continue
        yield make_paper(source, title=None, abstract=abstract)
