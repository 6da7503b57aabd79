"""JSON Lines: our own record format (what `kg ingest -o` writes): one `Paper.to_dict()` per line,
optionally followed by profile lines `{"type": "profile", ...}` so a rebuild keeps author metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.atomic import write_atomic
from kg.errors import IngestError, KgError
from kg.ingest.lines import iter_lines
from kg.ingest.names import INNER_CAPITAL_PREFIXES, normalize_author
from kg.ingest.records import Warn
from kg.ingest.text import normalize_space
from kg.model import AuthorRef, Paper, Profile, Skip, Source, paper_id

PAPER_KEYS = (
    "id", "title", "authors", "authors_truncated", "year", "month", "day", "category", "has_code", "org",
    "abstract", "sources", "arxiv_id", "profile_owners",
)


class _Bad(Exception):
    pass


# Every sink stores integers in 64 bits (Neo4j, the embedded engine); and Python refuses to convert a
# string of more than 4300 digits at all (a ValueError from deep inside `json.loads`). The decoder hands
# each integer over as its digits, so a longer one is refused before it is ever converted.
_INT_DIGITS = len(str(2**63))


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) <= _INT_DIGITS:
        value = int(digits)
        if -(2**63) <= value < 2**63:
            return value
    size = len(digits.lstrip("-"))
    raise _Bad(f"integer of {size} digits is out of range (at most 64 bits)")


def _opt(d: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = d.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool) and kind is int):
        raise _Bad(f"field {key!r} must be {getattr(kind, '__name__', kind)}, not {type(value).__name__}")
    return value


# "TedZadouri" -> "Ted Zadouri", but "DavidDeWitt" -> "David DeWitt" (a prefix after a given name is part of
# the surname; at the start, "DiZhang", it is the given name).
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])")


def rejoin_letters(authors: Any) -> list[str] | None:
    """The author list of a record written by iterating over one string ("T", "e", "d", ..., ","): the names
    again, split at the commas and at a capital glued to a lower-case letter. None for a normal list."""
    if not (isinstance(authors, list) and len(authors) >= 4
            and all(isinstance(a, str) and len(a) == 1 for a in authors)):
        return None
    names = []
    for part in "".join(authors).split(","):
        cuts = [m.start() for m in _GLUED.finditer(part)
                if not any(part[:m.start()].endswith(pre) and part[:m.start() - len(pre)].strip()
                           for pre in INNER_CAPITAL_PREFIXES)]
        words = [part[i:j] for i, j in zip([0, *cuts], [*cuts, len(part)])]
        if part.strip():
            names.append(" ".join(w.strip() for w in words if w.strip()))
    return names


_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _date_parts(d: dict[str, Any]) -> tuple[int | None, int | None, int | None]:
    """year, month, day: the record's own fields, else its ISO `date` ("2025-03-18", as the corpus and
    many exports write it). A date that is not ISO is left out rather than guessed."""
    year, month, day = d.get("year"), d.get("month"), d.get("day")
    date = _opt(d, "date", str)
    if date and (m := _ISO_DATE.fullmatch(date.strip())):
        y, mo, da = (int(g) if g else None for g in m.groups())
        if year is None or year == y:
            year = y
            if month is None and mo and 1 <= mo <= 12:
                month = mo
                if day is None and da and 1 <= da <= 31:
                    day = da
    return year, month, day


def paper_from_json(d: Any, source: Source) -> Paper:
    """Validate one decoded JSON object and build the Paper; raises _Bad with the reason."""
    if not isinstance(d, dict):
        raise _Bad("a record must be a JSON object")
    title = _opt(d, "title", str)
    abstract = _opt(d, "abstract", str) or ""
    if not title and not abstract:
        raise _Bad("record has neither title nor abstract")
    authors = _opt(d, "authors", list) or []
    refs = []
    for a in authors:
        if isinstance(a, str):
            a = {"name": a}
        if not isinstance(a, dict) or not isinstance(a.get("name"), str):
            raise _Bad("each author must be {\"name\": str, \"inferred\": bool}")
        if normalize_author(a["name"]):
            refs.append(AuthorRef(normalize_author(a["name"]), bool(a.get("inferred", False))))
    sources = []
    for s in _opt(d, "sources", list) or []:
        if not isinstance(s, dict) or not isinstance(s.get("file"), str) or not isinstance(s.get("line"), int):
            raise _Bad("each source must be {\"file\": str, \"line\": int}")
        sources.append(Source(s["file"], s["line"]))
    owners = _opt(d, "profile_owners", list) or []
    if not all(isinstance(o, str) for o in owners):
        raise _Bad("profile_owners must be a list of names")
    for key in ("year", "month", "day"):
        _opt(d, key, int)
    year, month, day = _date_parts(d)
    arxiv_id = _opt(d, "arxiv_id", str)
    return Paper(
        id=paper_id(arxiv_id=arxiv_id, title=title, abstract=abstract),
        title=normalize_space(title) if title else None,
        authors=tuple(refs),
        authors_truncated=bool(d.get("authors_truncated", False)),
        year=year,
        month=month,
        day=day,
        category=_opt(d, "category", str),
        has_code=bool(d.get("has_code", False)),
        org=_opt(d, "org", str),
        abstract=normalize_space(abstract),
        sources=tuple(sorted(set(sources))) or (source,),
        arxiv_id=arxiv_id,
        profile_owners=tuple(sorted({normalize_author(o) for o in owners})),
    )


def profile_from_json(d: dict[str, Any]) -> Profile:
    if not isinstance(d.get("name"), str) or not isinstance(d.get("source"), dict):
        raise _Bad("a profile line needs \"name\" and \"source\"")
    for key in ("h_index", "papers", "citations", "novelty", "ai_score"):
        _opt(d, key, int)
    try:
        return Profile.from_dict(d)
    except (KeyError, TypeError) as err:
        raise _Bad(f"bad profile line ({err})") from None


def read_jsonl(path: str) -> Iterator[Paper | Profile | Skip | Warn]:
    for number, text in iter_lines(path):
        source = Source(path, number)
        if text is None:
            yield Skip(source, "line longer than 1 MiB")
            continue
        if not text.strip():
            continue
        try:
            d = json.loads(text, parse_int=_parse_int)
        except (json.JSONDecodeError, RecursionError) as err:
            yield Skip(source, f"not valid JSON ({getattr(err, 'msg', 'nested too deeply')})")
            continue
        except _Bad as err:
            yield Skip(source, f"not a paper record: {err}")
            continue
        letters = rejoin_letters(d.get("authors")) if isinstance(d, dict) else None
        if letters is not None:
            d = {**d, "authors": letters}
            yield Warn(source, f"authors were stored one letter per entry; read as {'; '.join(letters)}")
        try:
            if isinstance(d, dict) and d.get("type") == "profile":
                yield profile_from_json(d)
            else:
                yield paper_from_json(d, source)
        except _Bad as err:
            yield Skip(source, f"not a paper record: {err}")


def write_jsonl(papers: Iterable[Paper], path: str | Path, *, profiles: Iterable[Profile] = ()) -> int:
    """Write one `Paper.to_dict()` per line (keys in the README's order), then one line per profile.
    Returns the number of papers written."""
    count = 0

    def lines() -> Iterator[str]:
        nonlocal count
        for p in papers:
            yield json.dumps(p.to_dict(), ensure_ascii=False) + "\n"
            count += 1
        for prof in profiles:
            yield json.dumps({"type": "profile", **prof.to_dict()}, ensure_ascii=False) + "\n"

    # Written whole beside the old file and renamed over it: a kill or a full disk mid-way leaves the
    # previous records as they were (they are the only copy of an earlier build's input).
    try:
        write_atomic(path, lines())
    except KgError as err:
        raise IngestError(str(err)) from None
    return count
