"""Compact listing: three lines per entry (category+date, title glued to the author list, abstract).

The hard part is where the title ends: `...Static Attributed GraphsKay Liu, Yingtong Dou, Yue Zhao
et al.`. Titles carry commas, colons and trailing acronyms (`...of Large DNNs` + `John Thorpe`), so no
single regex works. `split_title_authors` scores every place where an author list could start (an
upper-case letter glued to the preceding character) by the shape of the list that follows it and by
author names already seen elsewhere in the input, and keeps the best.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.ingest.listing import meta_entries
from kg.ingest.names import MAX_NAME_CHARS, author_key, name_shape
from kg.ingest.records import Warn, author_refs, make_paper, split_et_al, split_org
from kg.model import Paper, Skip, Source


@dataclass(frozen=True, slots=True)
class Split:
    title: str
    authors: tuple[str, ...]
    truncated: bool
    org: str | None


def _candidates(text: str) -> Iterator[int]:
    """Offsets where a glued author list may start: an upper-case letter that begins a word-like
    token (followed by a lower-case letter or a dot) and is glued to a non-space character."""
    for i in range(1, len(text) - 1):
        ch, prev, nxt = text[i], text[i - 1], text[i + 1]
        if not ch.isupper() or prev.isspace() or prev in "-/'’(":
            continue
        if nxt.islower() or nxt == "." or (nxt == " " and i + 2 < len(text) and text[i + 2].isupper()):
            yield i


def _score(first: str, known_rest: int, count: int, known: frozenset[str], glue_prev: str) -> float:
    """The score of a seam whose author list is all names: `first` is the name glued to the title,
    `known_rest` how many of the others are known, `count` how many names there are in all."""
    score = 0.0
    # Names seen elsewhere in the input are the strongest evidence; the first name matters most
    # because it is the one glued to the title.
    if known:
        if author_key(first) in known:
            score += 4.0
        score += known_rest * 0.5
    # A lower-case letter or an acronym plural (`DNNs`) before the glue point is the usual seam;
    # an upper-case letter before it means the title ended in an acronym (`...LLMXupeng`).
    if glue_prev.islower() or glue_prev.isdigit() or glue_prev in ")?!.":
        score += 1.0
    # Prefer the longer author list (an earlier seam) when nothing else decides: a title word that
    # looks like a name (`...Survey Kay`) is rarer than an author list of plain names.
    score += 0.01 * count
    return score


def _tails(parts: list[str], known: frozenset[str]) -> list[int | None]:
    """For each comma-separated part k, how many of the parts after it are known names, or None when
    one of them is not a name (then no seam in part k or before it can give an author list). One pass
    from the right, so each part is looked at once however many seams there are."""
    tails: list[int | None] = [None] * len(parts)
    known_after = 0
    for k in range(len(parts) - 1, -1, -1):
        tails[k] = known_after
        name = parts[k].strip()
        if k == 0 or not name_shape(name):
            break
        if known and author_key(name) in known:
            known_after += 1
    return tails


def split_title_authors(line: str, known: Iterable[str] = frozenset()) -> Split | None:
    """Split `TitleFirst Author, Second Author et al. · org` into its parts; None when no seam
    gives a plausible author list. `known` holds author keys (see `names.author_key`).

    Linear in the length of the line: the names after the part a seam falls in are judged once for
    all seams (`_tails`), and the name glued to the title is only cut out when it is short enough to
    be one (`MAX_NAME_CHARS`), so a long title with many glued capitals costs no more than a short one."""
    known_keys = known if isinstance(known, frozenset) else frozenset(known)
    body, org = split_org(line.strip())
    body, truncated = split_et_al(body)
    body = body.rstrip()
    parts = body.split(",")
    tails = _tails(parts, known_keys)
    # Where each part ends (`stops`, at its comma) and where its last name character is (`ends`): the
    # name glued to the title runs from the seam to there (the seam itself is never a space).
    stops, ends = [], []
    start = 0
    for part in parts:
        stops.append(start + len(part))
        ends.append(start + len(part.rstrip()))
        start += len(part) + 1
    best: tuple[float, int] | None = None
    k = 0
    for i in _candidates(body):
        while i >= stops[k]:
            k += 1
        known_rest = tails[k]
        # The title before the seam must have two characters; the seam follows a non-space, so
        # that is `i >= 2`.
        if known_rest is None or i < 2 or ends[k] - i > MAX_NAME_CHARS:
            continue
        first = body[i:ends[k]]
        if not name_shape(first):
            continue
        score = _score(first, known_rest, len(parts) - k, known_keys, body[i - 1])
        # Ties go to the earliest seam (the longest author list).
        if best is None or score > best[0]:
            best = (score, i)
    if best is None:
        return None
    i = best[1]
    return Split(body[:i].strip(), tuple(n.strip() for n in body[i:].split(",")), truncated, org)


def read_compact(path: str, *, known_authors: frozenset[str] = frozenset()) -> Iterator[Paper | Skip | Warn]:
    for entry in meta_entries(path):
        if isinstance(entry, Skip | Warn):
            yield entry
            continue
        source = Source(path, entry.line)
        if entry.meta.category is None:
            yield Warn(source, f"unknown category code {entry.meta.raw_category!r}")
        if len(entry.lines) < 2:
            yield Skip(source, "entry breaks off: no title/author line and abstract")
            continue
        split = split_title_authors(entry.lines[0], known_authors)
        if split is None:
            yield Skip(source, "cannot split the title from the author list")
            continue
        yield make_paper(
            source,
            title=entry.clean(0, split.title),
            abstract=entry.abstract(1),
            authors=author_refs(list(split.authors)),
            authors_truncated=split.truncated,
            year=entry.meta.year,
            month=entry.meta.month,
            day=entry.meta.day,
            category=entry.meta.category,
            has_code=entry.meta.has_code,
            org=split.org,
        )
