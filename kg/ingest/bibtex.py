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


def _depth_change(line: str, depth: int, paren: bool, quoted: bool) -> tuple[int, bool, int | None]:
    """The nesting depth after `line`, whether a quoted value is still open, and where in `line` the
    depth first came down to 0 (the entry's closer), if it did. In an entry opened with `(` that
    parenthesis is depth 1 and closes only outside braces and quotes (BibTeX's rule:
    `title = "Foo (Bar)"` does not close it)."""
    escaped = False
    closer = None
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth <= 0 and closer is None:
                closer = i
        elif paren and depth == 1:
            if ch == '"':
                quoted = not quoted
            elif ch == ")" and not quoted:
                depth = 0
                if closer is None:
                    closer = i
    return depth, quoted, closer


# What follows a closing brace when the entry goes on after it: more closing braces and commas, then a
# field (`year = {2022}}}}},` + `abstract = {...}`). BibTeX ends the entry at the first brace and reads
# the rest as a comment, which silently drops every later field; a field name and `=` cannot be
# anything but a field, so the surplus braces are dropped instead and the entry read whole.
_SURPLUS_RE = re.compile(r"[\s},]*")
_FIELD_RE = re.compile(r"\s*([A-Za-z_][\w:.+-]*)\s*=")


def _reopen(line: str, closer: int) -> tuple[str, int]:
    """`line` without the closing braces from `closer` up to what follows them, and how many."""
    junk = _SURPLUS_RE.match(line, closer).group(0)
    return line[:closer] + junk.replace("}", "") + line[closer + len(junk):], junk.count("}")


def raw_entries(path: str) -> Iterator[tuple[int, str] | Skip | Warn]:
    """Yield `(start_line, entry_text)` for each `@...{...}` or `@...(...)` block; broken blocks become
    Skips. Surplus closing braces with a field after them are dropped with a Warn (see `_reopen`); a
    field outside any entry is a Warn too, so no field is ever passed over in silence."""
    start = 0
    parts: list[str] = []
    size = 0
    depth = 0
    too_big = False
    paren = quoted = False
    # A brace entry that closed on a line with a field before the brace: that line (number, depth
    # before it, where the brace is) and the blank lines since; the next non-blank line decides
    # whether the brace was a surplus one. A brace alone on its line is always the entry's end.
    held: tuple[int, int, int] | None = None
    blanks = 0

    def finish() -> tuple[int, str] | Skip:
        if too_big:
            return Skip(Source(path, start), "entry longer than 1 MiB")
        return start, "\n".join(parts)

    def reopen(number: int, before: int, closer: int, field: str) -> Warn:
        """Drop the surplus braces from the entry's last line, and rescan it from the depth before it."""
        nonlocal depth
        parts[-1], count = _reopen(parts[-1], closer)
        depth = _depth_change(parts[-1], before, False, False)[0]
        braces = "closing brace" if count == 1 else "closing braces"
        return Warn(Source(path, number),
                    f"{count} {braces} with no opening one ignored (the entry goes on with field {field!r})")

    for number, text in iter_lines(path):
        if held is not None:
            if text is not None and not text.strip():
                blanks += 1
                continue
            field = _FIELD_RE.match(text) if text is not None and not _START_RE.match(text) else None
            if field:
                yield reopen(*held, field.group(1))
                parts += [""] * blanks
                size += blanks
            else:
                yield finish()
                start = 0
            held, blanks = None, 0
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
            what = "parenthesis" if paren else "brace"
            yield Skip(Source(path, start), f"entry breaks off (no closing {what} before the next entry)")
            start = 0
        before = depth
        if not start:
            opener = _START_RE.match(text)
            if not opener:
                # Text between entries is a comment in BibTeX; a field there was meant to be inside one.
                field = _FIELD_RE.match(text)
                if field:
                    yield Warn(Source(path, number), f"field {field.group(1)!r} outside any entry ignored")
                continue
            start, parts, size, too_big = number, [], 0, False
            paren, quoted, before = opener.group(2) == "(", False, 0
            if paren:  # the parenthesis is depth 1; scanning restarts after it
                depth, quoted, closer = _depth_change(text[opener.end():], 1, True, False)
                closer = None if closer is None else closer + opener.end()
            else:
                depth, quoted, closer = _depth_change(text, 0, False, False)
        else:
            depth, quoted, closer = _depth_change(text, depth, paren, quoted)
        if not too_big:
            size += len(text) + 1
            if size > MAX_ENTRY_CHARS:
                too_big, parts = True, []
            else:
                parts.append(text)
        if depth <= 0 and not paren and not too_big and closer is not None:
            # A field after the closing brace on the same line: the brace (and any after it) was a
            # surplus one. Repeat for a line that then closes again further on.
            while depth <= 0 and closer is not None:
                field = _FIELD_RE.match(parts[-1], _SURPLUS_RE.match(parts[-1], closer).end())
                if field is None:
                    break
                yield reopen(number, before, closer, field.group(1))
                closer = _depth_change(parts[-1], before, False, False)[2]
            if depth <= 0 and closer is not None and parts[-1][:closer].strip():
                held = (number, before, closer)
                continue
        if depth <= 0:
            yield finish()
            start = 0
    if held is not None:
        yield finish()
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
        if isinstance(item, Skip | Warn):
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
