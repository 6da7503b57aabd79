"""Trending list: banner lines, then title line / abstract line pairs; no authors or dates. The last
banner word (`Subscribe`) is glued to the first title."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.ingest.lines import iter_lines
from kg.ingest.records import Warn, make_paper
from kg.ingest.text import clean_text
from kg.model import Paper, Skip, Source

BANNER_RE = re.compile(r"^Get trending papers\b", re.I)
_GLUED_BANNER_RE = re.compile(r"^Subscribe(?=\S)")
# A title is one line of a few words; a longer "title" means a line went missing and the pairs
# are out of step.
MAX_TITLE_CHARS = 400


def read_trending(path: str) -> Iterator[Paper | Skip | Warn]:
    pending: tuple[int, str] | None = None
    in_banner = True
    for number, text in iter_lines(path):
        if text is None:
            yield Skip(Source(path, number), "line longer than 1 MiB")
            if pending is not None:
                yield Skip(Source(path, pending[0]), "title without an abstract")
                pending = None
            continue
        text = text.strip()
        if not text:
            continue
        if in_banner:
            if BANNER_RE.match(text) or text == "Subscribe":
                continue
            in_banner = False
            text = _GLUED_BANNER_RE.sub("", text)
        if pending is None:
            if len(text) > MAX_TITLE_CHARS:
                yield Skip(Source(path, number), "expected a title line, found a paragraph")
                continue
            pending = (number, text)
            continue
        line, title = pending
        pending = None
        yield make_paper(Source(path, line), title=clean_text(title), abstract=clean_text(text))
    if pending is not None:
        yield Skip(Source(path, pending[0]), "entry breaks off: title without an abstract")
