"""BibTeX as Zotero and DBLP export it: `@article`/`@inproceedings` entries delimited by braces or (as
BibTeX also allows) parentheses, braced or quoted values,
`#` concatenation, `@string` macros, `and`-separated authors in `Last, First` or `First Last` form,
LaTeX accents. Read entry by entry: only one entry (at most 1 MiB) is held at a time.

A small parser of our own rather than a dependency: we need line numbers for every entry and
one-entry-at-a-time streaming, which the common libraries (bibtexparser) do not give."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.ingest.categories import category_code
from kg.ingest.lines import iter_lines
from kg.ingest.names import normalize_author
from kg.ingest.records import MONTHS, Warn, make_paper, mentions_code
from kg.ingest.text import clean_text
from kg.model import AuthorRef, Paper, Skip, Source

MAX_ENTRY_CHARS = 1 << 20
_START_RE = re.compile(r"^\s*@\s*([A-Za-z]+)\s*([{(])")
# `@article{key,` alone on a line: an entry header even inside an unclosed value.
_HEADER_RE = re.compile(r"^@[A-Za-z]+[{(][^\s,{}()]+,\s*$")
_NAME_RE = re.compile(r"[A-Za-z_][\w:.+-]*")
_ARXIV_RE = re.compile(r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*)(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?", re.I)
_NEW_ID_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.I)
_AND_RE = re.compile(r"\s+and\s+", re.I)


class BibSyntaxError(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


def _depth_change(line: str, depth: int, paren: bool, quoted: bool) -> tuple[int, bool]:
    """The nesting depth after `line`, and whether a quoted value is still open. In an entry opened
    with `(` that parenthesis is depth 1 and closes only outside braces and quotes (BibTeX's rule:
    `title = "Foo (Bar)"` does not close it)."""
    escaped = False
    for ch in line:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif paren and depth == 1:
            if ch == '"':
                quoted = not quoted
            elif ch == ")" and not quoted:
                depth = 0
    return depth, quoted


def raw_entries(path: str) -> Iterator[tuple[int, str] | Skip]:
    """Yield `(start_line, entry_text)` for each `@...{...}` or `@...(...)` block; broken blocks become
    Skips."""
    start = 0
    parts: list[str] = []
    size = 0
    depth = 0
    too_big = False
    paren = quoted = False
    for number, text in iter_lines(path):
        if text is None:
            if start:
                too_big = True
            else:
                yield Skip(Source(path, number), "line longer than 1 MiB")
            continue
        if start and (
            (depth == 1 and _START_RE.match(text) and not (parts and parts[-1].rstrip().endswith(("=", "#"))))
            or _HEADER_RE.match(text)
        ):
            # A new entry where the previous one should have closed: it broke off.
            closer = "parenthesis" if paren else "brace"
            yield Skip(Source(path, start), f"entry breaks off (no closing {closer} before the next entry)")
            start = 0
        if not start:
            if not _START_RE.match(text):
                continue  # text between entries is a comment in BibTeX
            start, parts, size, depth, too_big = number, [], 0, 0, False
            opener = _START_RE.match(text)
            assert opener is not None
            paren, quoted = opener.group(2) == "(", False
            if paren:  # the parenthesis is depth 1; scanning restarts after it
                depth, quoted = _depth_change(text[opener.end():], 1, True, False)
            else:
                depth, quoted = _depth_change(text, 0, False, False)
        else:
            depth, quoted = _depth_change(text, depth, paren, quoted)
        if not too_big:
            size += len(text) + 1
            if size > MAX_ENTRY_CHARS:
                too_big, parts = True, []
            else:
                parts.append(text)
        if depth <= 0:
            if too_big:
                yield Skip(Source(path, start), "entry longer than 1 MiB")
            else:
                yield start, "\n".join(parts)
            start = 0
    if start:
        what = "parentheses" if paren else "braces"
        yield Skip(Source(path, start), f"entry breaks off at end of file (unbalanced {what})")


def _braced(text: str, i: int) -> tuple[str, int]:
    depth = 0
    j = i
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
        j += 1
    raise BibSyntaxError(i, "unbalanced braces in a value")


def _quoted(text: str, i: int) -> tuple[str, int]:
    depth = 0
    j = i + 1
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            return text[i + 1 : j], j + 1
        j += 1
    raise BibSyntaxError(i, "unterminated quoted value")


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _value(text: str, i: int, macros: dict[str, str]) -> tuple[str, int]:
    pieces: list[str] = []
    while True:
        i = _skip_ws(text, i)
        if i >= len(text):
            raise BibSyntaxError(i, "missing value")
        ch = text[i]
        if ch == "{":
            piece, i = _braced(text, i)
        elif ch == '"':
            piece, i = _quoted(text, i)
        elif ch.isdigit():
            m = re.compile(r"\d+").match(text, i)
            assert m is not None
            piece, i = m.group(0), m.end()
        else:
            m = _NAME_RE.match(text, i)
            if not m:
                raise BibSyntaxError(i, f"unexpected {ch!r} where a value should be")
            name = m.group(0).lower()
            piece, i = macros.get(name, name), m.end()
        pieces.append(piece)
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == "#":
            i += 1
            continue
        return "".join(pieces), i


def parse_entry(text: str, macros: dict[str, str]) -> tuple[str, str, dict[str, str]]:
    """(`type`, `key`, fields with lower-case names) of one entry; raw values (LaTeX kept)."""
    m = _START_RE.match(text)
    if not m:
        raise BibSyntaxError(0, "not an entry")
    kind = m.group(1).lower()
    close = ")" if m.group(2) == "(" else "}"
    i = m.end()
    fields: dict[str, str] = {}
    key = ""
    if kind not in ("string", "preamble", "comment"):
        j = text.find(",", i)
        if j < 0:
            body = text[i:].strip().rstrip(close).strip()
            if body and "=" not in body:
                return kind, body, fields
            raise BibSyntaxError(i, "entry has no key")
        key = text[i:j].strip()
        i = j + 1
    elif kind != "string":
        return kind, key, fields
    while True:
        i = _skip_ws(text, i)
        while i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
        if i >= len(text):
            raise BibSyntaxError(i, "entry does not close")
        if text[i] == close:
            return kind, key, fields
        nm = _NAME_RE.match(text, i)
        if not nm:
            raise BibSyntaxError(i, f"unexpected {text[i]!r} where a field name should be")
        name = nm.group(0).lower()
        i = _skip_ws(text, nm.end())
        if i >= len(text) or text[i] != "=":
            raise BibSyntaxError(i, f"field {name!r} has no '='")
        value, i = _value(text, i + 1, macros)
        fields[name] = value


def _plain(value: str) -> str:
    return clean_text(value).replace("{", "").replace("}", "").strip()


def _split_depth0(value: str) -> list[str]:
    """Split an author field on ` and ` outside braces (`{Barnes and Noble, Inc.}` stays one)."""
    out: list[str] = []
    depth = 0
    last = 0
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            m = _AND_RE.match(value, i)
            if m and i > last:
                out.append(value[last:i])
                last = i = m.end()
                continue
        i += 1
    out.append(value[last:])
    return [p.strip() for p in out if p.strip()]


def bib_authors(value: str) -> tuple[tuple[AuthorRef, ...], bool]:
    """Authors of a BibTeX `author` field, and whether it ended in `and others`."""
    names: list[AuthorRef] = []
    truncated = False
    for part in _split_depth0(" ".join(value.split())):
        if part.lower() == "others":
            truncated = True
            continue
        pieces = [p.strip() for p in _split_commas(part)]
        if len(pieces) == 2:
            part = f"{pieces[1]} {pieces[0]}"
        elif len(pieces) >= 3:
            part = f"{pieces[2]} {pieces[0]} {pieces[1]}"
        name = normalize_author(part)
        if name:
            names.append(AuthorRef(name))
    return tuple(names), truncated


def _split_commas(value: str) -> list[str]:
    out, depth, last = [], 0, 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(value[last:i])
            last = i + 1
    out.append(value[last:])
    return out


def _month(value: str) -> int | None:
    v = value.strip().lower()
    if v.isdigit():
        n = int(v)
        return n if 1 <= n <= 12 else None
    return MONTHS.get(v[:3])


def _arxiv_id(fields: dict[str, str]) -> str | None:
    eprint = fields.get("eprint", "").strip()
    archive = (fields.get("archiveprefix", "") + fields.get("eprinttype", "")).lower()
    if eprint and (archive in ("", "arxiv") or "arxiv" in archive):
        m = _NEW_ID_RE.match(eprint) or _ARXIV_RE.search(eprint)
        if m:
            return m.group(1)
    for name in ("journal", "url", "note", "doi", "howpublished", "volume"):
        m = _ARXIV_RE.search(fields.get(name, ""))
        if m:
            return m.group(1)
    doi = fields.get("doi", "")
    m = re.search(r"10\.48550/arxiv\.(\d{4}\.\d{4,5})", doi, re.I)
    return m.group(1) if m else None


def read_bibtex(path: str) -> Iterator[Paper | Skip | Warn]:
    macros: dict[str, str] = {}
    for item in raw_entries(path):
        if isinstance(item, Skip):
            yield item
            continue
        line, text = item
        source = Source(path, line)
        try:
            kind, key, fields = parse_entry(text, macros)
        except BibSyntaxError as err:
            at = line + text.count("\n", 0, err.offset)
            yield Skip(source, f"malformed entry (line {at}: {err})")
            continue
        if kind == "string":
            macros.update({k: v for k, v in fields.items()})
            continue
        if kind in ("comment", "preamble"):
            continue
        title = _plain(fields.get("title", ""))
        if not title:
            yield Skip(source, f"entry {key!r} has no title")
            continue
        authors, truncated = bib_authors(fields.get("author", ""))
        year_m = re.search(r"\d{4}", fields.get("year", ""))
        day_m = re.fullmatch(r"\s*(\d{1,2})\s*", fields.get("day", ""))
        code_text = " ".join(fields.get(k, "") for k in ("note", "howpublished", "url", "code", "annote"))
        yield make_paper(
            source,
            title=title,
            abstract=clean_text(fields.get("abstract", "")).replace("{", "").replace("}", ""),
            authors=authors,
            authors_truncated=truncated,
            year=int(year_m.group(0)) if year_m else None,
            month=_month(fields.get("month", "")),
            day=int(day_m.group(1)) if day_m and 1 <= int(day_m.group(1)) <= 31 else None,
            category=category_code(fields.get("primaryclass", "").strip()) if fields.get("primaryclass") else None,
            has_code="code" in fields or mentions_code(code_text),
            org=_plain(fields["institution"]) if kind == "techreport" and fields.get("institution") else None,
            arxiv_id=_arxiv_id(fields),
        )
