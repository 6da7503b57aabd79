"""arXiv API Atom feed (`http://export.arxiv.org/api/query?...`).

Streamed with expat in 64 KiB chunks (it reports the line each `<entry>` starts on, which
ElementTree's iterparse does not). DTDs are refused, so no entity expansion can blow up memory.
arXiv gives no code link: `has_code` is true only when the author comment points at code
(`Code: https://github.com/...`, `code is available at ...`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from kg.errors import IngestError, ParseError
from kg.ingest.categories import category_code
from kg.ingest.names import normalize_author
from kg.ingest.records import Warn, make_paper, mentions_code
from kg.ingest.text import clean_text
from kg.model import AuthorRef, Paper, Skip, Source

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
CHUNK = 1 << 16
MAX_FIELD_CHARS = 1 << 20
_ID_RE = re.compile(r"arxiv\.org/abs/(?P<id>(?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?/?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class _Refused(Exception):
    pass


class _Entry:
    __slots__ = ("line", "fields", "authors", "affiliations", "categories", "primary", "too_big")

    def __init__(self, line: int) -> None:
        self.line = line
        self.fields: dict[str, str] = {}
        self.authors: list[str] = []
        self.affiliations: list[str] = []
        self.categories: list[str] = []
        self.primary: str | None = None
        self.too_big = False


def _to_paper(path: str, e: _Entry) -> Paper | Skip | Warn:
    source = Source(path, e.line)
    if e.too_big:
        return Skip(source, "entry field longer than 1 MiB")
    raw_id = e.fields.get("id", "").strip()
    title = clean_text(e.fields.get("title", ""))
    if not title:
        return Skip(source, "entry has no title")
    m = _ID_RE.search(raw_id)
    arxiv_id = m.group("id") if m else None
    year = month = day = None
    d = _DATE_RE.match(e.fields.get("published", "").strip())
    if d:
        year, month, day = int(d.group(1)), int(d.group(2)), int(d.group(3))
    category = category_code(e.primary) if e.primary else None
    if category is None:
        category = next((c for c in map(category_code, e.categories) if c), None)
    orgs: list[str] = []
    for a in e.affiliations:
        a = clean_text(a)
        if a and a not in orgs:
            orgs.append(a)
    return make_paper(
        source,
        title=title,
        abstract=clean_text(e.fields.get("summary", "")),
        authors=tuple(AuthorRef(normalize_author(n)) for n in e.authors if normalize_author(n)),
        year=year,
        month=month,
        day=day,
        category=category,
        has_code=mentions_code(e.fields.get("comment", "")),
        org=", ".join(orgs) or None,
        arxiv_id=arxiv_id,
    )


def read_arxiv(path: str) -> Iterator[Paper | Skip | Warn]:
    parser = expat.ParserCreate(namespace_separator=" ")
    out: list[Paper | Skip | Warn] = []
    stack: list[str] = []
    text: list[str] = []
    text_len = 0
    state: dict[str, _Entry | bool | None] = {"entry": None, "feed": False}

    def refuse(*_: object) -> None:
        raise _Refused

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal text_len
        stack.append(name)
        entry = state["entry"]
        if name == f"{ATOM} feed":
            state["feed"] = True
        elif name == f"{ATOM} entry":
            state["entry"] = _Entry(parser.CurrentLineNumber)
        elif isinstance(entry, _Entry):
            if name == f"{ARXIV} primary_category":
                entry.primary = attrs.get("term")
            elif name == f"{ATOM} category" and attrs.get("term"):
                entry.categories.append(attrs["term"])
        text.clear()
        text_len = 0

    def data(chunk: str) -> None:
        nonlocal text_len
        entry = state["entry"]
        if not isinstance(entry, _Entry):
            return
        text_len += len(chunk)
        if text_len > MAX_FIELD_CHARS:
            entry.too_big = True
            text.clear()
            return
        text.append(chunk)

    def end(name: str) -> None:
        stack.pop()
        entry = state["entry"]
        if name == f"{ATOM} entry" and isinstance(entry, _Entry):
            out.append(_to_paper(path, entry))
            state["entry"] = None
        elif isinstance(entry, _Entry):
            value = "".join(text)
            parent = stack[-1] if stack else ""
            if parent == f"{ATOM} entry":
                local = name.split(" ")[-1]
                if local in ("id", "title", "summary", "published", "comment"):
                    entry.fields[local] = value
            elif parent == f"{ATOM} author":
                if name == f"{ATOM} name":
                    entry.authors.append(value)
                elif name == f"{ARXIV} affiliation":
                    entry.affiliations.append(value)
        text.clear()

    parser.StartElementHandler = start
    parser.CharacterDataHandler = data
    parser.EndElementHandler = end
    parser.buffer_text = True

    try:
        f = Path(path).open("rb")
    except OSError as err:
        raise IngestError(f"{path}: cannot read ({err.strerror or err})") from None
    with f:
        while True:
            chunk = f.read(CHUNK)
            final = not chunk
            try:
                parser.Parse(chunk, final)
            except _Refused:
                raise ParseError(path, parser.CurrentLineNumber, "DOCTYPE/entity declarations are not allowed in an Atom feed") from None
            except expat.ExpatError as err:
                yield from out
                out.clear()
                entry = state["entry"]
                reason = expat.errors.messages[err.code] if err.code else str(err)
                if not state["feed"]:
                    raise ParseError(path, err.lineno, f"not an Atom feed (XML error: {reason})") from None
                if isinstance(entry, _Entry):
                    yield Skip(Source(path, entry.line), f"entry breaks off (XML error at line {err.lineno}: {reason})")
                else:
                    yield Skip(Source(path, err.lineno), f"XML error: {reason}; rest of the feed not read")
                return
            except UnicodeError:
                raise IngestError(f"{path}: not UTF-8 text") from None
            yield from out
            out.clear()
            if final:
                break
    if not state["feed"]:
        raise ParseError(path, 1, "not an Atom feed (no <feed> element in the Atom namespace)")
