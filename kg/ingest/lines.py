"""Streaming line reading with a hard cap per line, and the checks that turn binary or undecodable
files into one clear error instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import IngestError, ParseError

# A listing line is at most an abstract; a longer "line" is broken input (or a hostile file) and is
# skipped without ever being held whole in memory.
MAX_LINE_BYTES = 1 << 20
# What detection peeks at.
PEEK_BYTES = 64 * 1024


# ParseErrors (a place in a file), so that a caller can say where a file it passes over went wrong.
def decode_error(path: str, raw: bytes, err: UnicodeDecodeError, line: int, offset: int) -> ParseError:
    byte = raw[err.start]
    return ParseError(path, line, f"not UTF-8 text (byte 0x{byte:02x} at offset {offset + err.start}); "
                      "listings must be UTF-8")


def binary_error(path: str, line: int, offset: int) -> ParseError:
    return ParseError(path, line, f"binary file (NUL byte at offset {offset}); expected a text listing")


def iter_lines(path: str | Path, *, max_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str | None]]:
    """Yield `(line_number, text)` for every line (1-based, newline stripped). A line longer than
    `max_bytes` yields `(line_number, None)` and is drained in small chunks."""
    name = str(path)
    try:
        f = open(path, "rb")
    except OSError as err:
        raise IngestError(f"{name}: cannot read ({err.strerror or err})") from None
    with f:
        number = 0
        offset = 0
        while True:
            raw = f.readline(max_bytes + 1)
            if not raw:
                return
            number += 1
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                size = len(raw)
                while True:
                    chunk = f.readline(1 << 16)
                    size += len(chunk)
                    if not chunk or chunk.endswith(b"\n"):
                        break
                offset += size
                yield number, None
                continue
            nul = raw.find(b"\x00")
            if nul >= 0:
                raise binary_error(name, number, offset + nul)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise decode_error(name, raw, err, number, offset) from None
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            offset += len(raw)
            yield number, text.rstrip("\r\n")


def peek_text(path: str | Path) -> str:
    """The first bytes of a file as text, for format detection. Raises IngestError for binary or
    non-UTF-8 content."""
    name = str(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(PEEK_BYTES)
    except OSError as err:
        raise IngestError(f"{name}: cannot read ({err.strerror or err})") from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise binary_error(name, raw.count(b"\n", 0, nul) + 1, nul)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        # A multi-byte character cut by the peek window is not an error.
        if err.start < len(raw) - 3 or err.reason != "unexpected end of data":
            raise decode_error(name, raw, err, raw.count(b"\n", 0, err.start) + 1, 0) from None
        text = raw[: err.start].decode("utf-8")
    return text.removeprefix("\ufeff")
