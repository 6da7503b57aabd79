"""The listing formats and their detection from the first bytes of a file."""

from __future__ import annotations

import json
import re
from enum import Enum
from pathlib import Path

from kg.errors import FormatError
from kg.ingest.lines import peek_text
from kg.ingest.records import META_RE
from kg.ingest.trending import BANNER_RE


class Format(str, Enum):
    PROFILE = "profile"
    COMPACT = "compact"
    ABSTRACTS = "abstracts"
    TRENDING = "trending"
    ARXIV = "arxiv"
    BIBTEX = "bibtex"
    JSONL = "jsonl"

    def __str__(self) -> str:
        return self.value


FORMAT_NAMES = ", ".join(f.value for f in Format)
_METRIC_RE = re.compile(r"^(?:h-?index\s*\d|\d[\d,]*\s*papers$|\d[\d,]*\s*citations$|novelty\s*\d)", re.I)
_BIB_RE = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]")
# The opening of a JSON object: a brace, then a quoted key and its colon.
_JSON_OBJECT_START = re.compile(r'\{\s*"(?:[^"\\]|\\.)*"\s*:')


def parse_format(value: str | Format | None) -> Format | None:
    if value is None or isinstance(value, Format):
        return value
    try:
        return Format(value.strip().lower())
    except ValueError:
        raise FormatError(f"unknown format {value!r}; choose one of {FORMAT_NAMES}") from None


def _first_lines(text: str, n: int) -> list[str]:
    lines = [ln.strip() for ln in text.splitlines()]
    return [ln for ln in lines if ln][:n]


def detect_text(text: str) -> Format | None:
    """The format of a listing from its first bytes, or None."""
    lines = _first_lines(text, 16)
    if not lines:
        return None
    first = lines[0]
    if first.startswith("<"):
        head = text[:4096]
        if "<feed" in head and "http://www.w3.org/2005/Atom" in head:
            return Format.ARXIV
        return None
    if first.startswith("{"):
        try:
            # Integers are not converted: one too long to convert (a 5000-digit year) is still JSON,
            # and the reader reports that record alone.
            json.loads(first, parse_int=len)
            return Format.JSONL
        except ValueError:
            # A first record longer than the peek window (a 120 kB title) is cut: it is JSONL if it
            # opens like a JSON object, and the reader, which reads it whole, decides the rest.
            cut = len(lines) == 1 and not text.endswith("\n")
            if first.startswith('{"id"') or first.startswith('{"type"') or (
                    cut and _JSON_OBJECT_START.match(first)):
                return Format.JSONL
    for line in lines:
        if line.startswith("%"):
            continue
        if _BIB_RE.match(line):
            return Format.BIBTEX
        break
    if re.match(r"^Abstract\s*:", first, re.I):
        return Format.ABSTRACTS
    if META_RE.match(first):
        return Format.COMPACT
    if any(_METRIC_RE.match(ln) for ln in lines[1:10]):
        return Format.PROFILE
    if BANNER_RE.match(first) or first.startswith("Subscribe"):
        return Format.TRENDING
    if len(lines) >= 2 and len(lines[0]) <= 300 and len(lines[1]) >= 200 and not META_RE.match(lines[1]):
        return Format.TRENDING
    return None


def detect_format(path: str | Path) -> Format:
    """Detect the format of a listing file by peeking at its first 64 KiB. Raises FormatError naming
    the file and the formats tried, IngestError for binary or undecodable files."""
    text = peek_text(path)
    if not text.strip():
        raise FormatError(f"{path}: empty file; nothing to detect (formats: {FORMAT_NAMES})")
    fmt = detect_text(text)
    if fmt is None:
        raise FormatError(
            f"{path}: unknown listing format; tried {FORMAT_NAMES} (use --format to choose one)"
        )
    return fmt
