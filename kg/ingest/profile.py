"""Author profile page: a header (owner, category, h-index, papers, citations, novelty, AI score)
and entries of category+date(+Code), title, authors (` et al.`, ` · org`), abstract.

The owner wrote every paper on the page, so an owner hidden behind `et al.` is appended to the
authors with `inferred=True`, and every paper carries the owner in `profile_owners`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.ingest.categories import category_code
from kg.ingest.listing import MetaEntry, Preamble, meta_entries
from kg.ingest.names import author_key, normalize_author
from kg.ingest.records import Warn, author_refs, make_paper, split_et_al, split_org
from kg.model import AuthorRef, Paper, Profile, Skip, Source

_METRICS = {
    "h_index": re.compile(r"^h-?index\s*(\d[\d,]*)$", re.I),
    "papers": re.compile(r"^(\d[\d,]*)\s*papers$", re.I),
    "citations": re.compile(r"^(\d[\d,]*)\s*citations$", re.I),
    "novelty": re.compile(r"^novelty\s*(\d+)\s*%$", re.I),
    "ai_score": re.compile(r"^ai\s*score\s*(\d+)$", re.I),
}
_CATEGORY_RE = re.compile(r"^[A-Za-z][A-Za-z.-]{0,15}$")


def parse_header(path: str, lines: tuple[tuple[int, str], ...]) -> tuple[Profile | None, list[Warn]]:
    """The profile header, from the non-blank lines before the first entry."""
    warnings: list[Warn] = []
    if not lines:
        return None, warnings
    first_line, owner = lines[0][0], normalize_author(lines[0][1])
    values: dict[str, int | None] = dict.fromkeys(_METRICS)
    category: str | None = None
    for number, text in lines[1:]:
        text = text.strip()
        for key, pattern in _METRICS.items():
            m = pattern.match(text)
            if m and values[key] is None:
                values[key] = int(m.group(1).replace(",", ""))
                break
        else:
            if category is None and _CATEGORY_RE.match(text) and category_code(text):
                category = category_code(text)
            elif not re.match(r"^\d[\d,]*\s+Papers$", text):
                warnings.append(Warn(Source(path, number), f"unrecognised profile header line {text[:60]!r}"))
    profile = Profile(
        name=owner,
        category=category,
        h_index=values["h_index"],
        papers=values["papers"],
        citations=values["citations"],
        novelty=values["novelty"],
        ai_score=values["ai_score"],
        source=Source(path, first_line),
    )
    return profile, warnings


def looks_like_author_line(text: str) -> bool:
    body, _ = split_org(text)
    body, _ = split_et_al(body)
    parts = [p.strip() for p in body.split(",")]
    return bool(parts) and all(0 < len(p) <= 80 and 1 <= len(p.split()) <= 6 for p in parts) and not body.endswith(".")


def _paper(path: str, entry: MetaEntry, owner: str | None) -> Iterator[Paper | Skip | Warn]:
    source = Source(path, entry.line)
    if entry.meta.category is None:
        yield Warn(source, f"unknown category code {entry.meta.raw_category!r}")
    if len(entry.lines) < 2 or not looks_like_author_line(entry.lines[1]):
        yield Skip(source, "entry breaks off: no author line after the title")
        return
    if len(entry.lines) < 3:
        yield Skip(source, "entry breaks off: no abstract")
        return
    body, org = split_org(entry.lines[1])
    body, truncated = split_et_al(body)
    authors = author_refs([n for n in body.split(",") if n.strip()])
    owners: tuple[str, ...] = ()
    if owner:
        owners = (owner,)
        if author_key(owner) not in {author_key(a.name) for a in authors}:
            authors = (*authors, AuthorRef(owner, inferred=True))
    yield make_paper(
        source,
        title=entry.clean(0),
        abstract=entry.abstract(2),
        authors=authors,
        authors_truncated=truncated,
        year=entry.meta.year,
        month=entry.meta.month,
        day=entry.meta.day,
        category=entry.meta.category,
        has_code=entry.meta.has_code,
        org=org,
        profile_owners=owners,
    )


def read_profile(path: str) -> Iterator[Paper | Profile | Skip | Warn]:
    owner: str | None = None
    for entry in meta_entries(path, preamble=True):
        if isinstance(entry, Preamble):
            profile, warnings = parse_header(path, entry.lines)
            yield from warnings
            if profile is not None:
                owner = profile.name
                yield profile
        elif isinstance(entry, MetaEntry):
            yield from _paper(path, entry, owner)
        else:
            yield entry
