"""The entry framing shared by profile pages and compact listings: each entry starts at a
category+date line (`LGJan 30, 2025Code`) and runs to the next one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, overload

from kg.ingest.lines import iter_lines
from kg.ingest.records import EntryMeta, Warn, parse_meta
from kg.ingest.text import clean_text
from kg.model import Skip, Source

# An entry is a handful of lines; more means the framing is lost (e.g. a missing date line), and
# holding them would let one broken entry grow without bound.
MAX_ENTRY_LINES = 64


@dataclass(frozen=True, slots=True)
class MetaEntry:
    line: int
    meta: EntryMeta
    lines: tuple[str, ...]  # the non-blank lines after the meta line

    def clean(self, index: int, text: str | None = None) -> str:
        return clean_text(self.lines[index] if text is None else text)

    def abstract(self, start: int) -> str:
        return clean_text(" ".join(self.lines[start:]))


@dataclass(frozen=True, slots=True)
class Preamble:
    """Non-blank lines before the first entry (a profile header), with their line numbers."""

    lines: tuple[tuple[int, str], ...]


# Only a caller that asks for the preamble has to handle one.
@overload
def meta_entries(path: str, *, preamble: Literal[False] = False) -> Iterator[MetaEntry | Skip | Warn]: ...
@overload
def meta_entries(path: str, *, preamble: bool) -> Iterator[MetaEntry | Preamble | Skip | Warn]: ...
def meta_entries(path: str, *, preamble: bool = False) -> Iterator[MetaEntry | Preamble | Skip | Warn]:
    head: list[tuple[int, str]] = []
    current: tuple[int, EntryMeta] | None = None
    body: list[str] = []
    overflow = False
    seen_entry = False

    def finish() -> MetaEntry | Skip | None:
        if current is None:
            return None
        if overflow:
            return Skip(Source(path, current[0]), f"entry has more than {MAX_ENTRY_LINES} lines")
        return MetaEntry(current[0], current[1], tuple(body))

    for number, text in iter_lines(path):
        if text is None:
            yield Skip(Source(path, number), "line longer than 1 MiB")
            continue
        if not text.strip():
            continue
        meta = parse_meta(text)
        if meta is not None:
            done = finish()
            if done is not None:
                yield done
            elif not seen_entry and preamble:
                yield Preamble(tuple(head))
            elif head:
                yield Skip(Source(path, head[0][0]), "text before the first entry")
            seen_entry = True
            current, body, overflow = (number, meta), [], False
            continue
        if current is None:
            if len(head) < MAX_ENTRY_LINES:
                head.append((number, text))
            continue
        if len(body) < MAX_ENTRY_LINES:
            body.append(text)
        else:
            overflow = True
    done = finish()
    if done is not None:
        yield done
    elif not seen_entry and head:
        if preamble:
            yield Preamble(tuple(head))
        else:
            yield Skip(Source(path, head[0][0]), "no entry found (no category+date line)")
