"""Merging: one paper seen several times becomes one record with every source and the richest
fields.

Records join when they share an arXiv id or a normalized title. A title-less record (an
abstract-only entry) joins the titled paper whose abstract is most similar to its own, by Jaccard
similarity of word bigrams, when that similarity is at least SIMILARITY and at least MARGIN times
the second-best candidate. The numbers come from the seed listings: the ten abstract-only entries
score 0.245-1.0 against the paper they are a version of (arXiv versions reword whole sentences and
change numbers), while no two different papers score above 0.122, and no abstract-only entry scores
above 0.079 against any paper but its own.

Every field is chosen as a maximum under a fixed order (never "first seen"), so merging is
independent of input order and idempotent: merging an already merged record again with new records
gives what merging everything at once gives, with one exception. Whether a title-less record joins a
paper depends on the other candidates (MARGIN): one that joined paper X alone stays apart when a
second paper with the same abstract comes in the same merge, but once merged into X's record it can
no longer be told apart, so merging that record with the second paper later keeps it in X. Only the
unmerged records give the same answer in both cases.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from kg.ingest.names import author_key
from kg.model import AuthorRef, Merge, Paper, Source, normalize_title, paper_id

SIMILARITY = 0.18
MARGIN = 2.0
# Bigrams shared by more than this many abstract-only records ("of the") do not pick candidates; the
# exact similarity of each candidate still counts them.
_MAX_POSTINGS = 64
_WORD_RE = re.compile(r"\w+")


def bigrams(text: str) -> frozenset[str]:
    words = _WORD_RE.findall(text.casefold())
    return frozenset(f"{a} {b}" for a, b in zip(words, words[1:]))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the word-bigram sets of two abstracts (0..1)."""
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _sort_key(p: Paper) -> tuple:
    return (p.sources, p.id, p.title or "", p.abstract)


def combine(members: Sequence[Paper]) -> Paper:
    """One record from several records of the same paper, each field the richest by a fixed order."""
    titles = [p.title for p in members if p.title]
    title = max(titles, key=lambda t: (len(t.split()), len(t), t)) if titles else None
    arxiv_ids = sorted({p.arxiv_id for p in members if p.arxiv_id})
    arxiv_id = arxiv_ids[0] if arxiv_ids else None

    def author_rank(p: Paper) -> tuple:
        printed = [a.name for a in p.authors if not a.inferred]
        return (len(printed), not p.authors_truncated, printed)

    best = max(members, key=author_rank)
    printed = tuple(a for a in best.authors if not a.inferred)
    owners = sorted({o for p in members for o in p.profile_owners})
    inferred = sorted({a.name for p in members for a in p.authors if a.inferred} | set(owners))
    seen = {author_key(a.name) for a in printed}
    extra = []
    for name in inferred:
        if author_key(name) not in seen:
            seen.add(author_key(name))
            extra.append(AuthorRef(name, inferred=True))

    def date_rank(p: Paper) -> tuple:
        # A date with a year beats a fuller one without (`Mar 3` from a trending list must not take the
        # year away from `2024` or `2024-03-01` of another listing); then the most complete, then the earliest.
        known = (p.month is not None) + (p.day is not None)
        return (p.year is None, -known, p.year or 0, p.month or 0, p.day or 0)

    dated = min(members, key=date_rank)
    categories = sorted({p.category for p in members if p.category})
    orgs = sorted({o.strip() for p in members if p.org for o in p.org.split(",") if o.strip()})
    abstract = max((p.abstract for p in members), key=lambda a: (len(a), a))
    # paper_id normalizes the title, which is costly; a member with the same title (and no arXiv
    # id) already carries the id the merged record gets.
    same = next((p.id for p in members if not arxiv_id and title and p.title == title and not p.arxiv_id), None)
    return Paper(
        id=same or paper_id(arxiv_id=arxiv_id, title=title, abstract=abstract),
        title=title,
        authors=printed + tuple(extra),
        authors_truncated=best.authors_truncated,
        year=dated.year,
        month=dated.month,
        day=dated.day,
        category=categories[0] if categories else None,
        has_code=any(p.has_code for p in members),
        org=", ".join(orgs) or None,
        abstract=abstract,
        sources=tuple(sorted({s for p in members for s in p.sources})),
        arxiv_id=arxiv_id,
        profile_owners=tuple(owners),
    )


def _where(p: Paper) -> str:
    s: Source = p.sources[0]
    return f"{s.file}:{s.line}"


def _match_abstracts(records: list[Paper], groups: _Groups, titled: list[int], untitled: list[int]) -> dict[int, tuple[int, float]]:
    """For each title-less group root, the titled group root it is a version of, and the score."""
    query_sets = {q: bigrams(records[q].abstract) for q in untitled}
    index: dict[str, list[int]] = defaultdict(list)
    for q, grams in query_sets.items():
        for g in grams:
            index[g].append(q)
    top: dict[int, list[tuple[float, int]]] = defaultdict(list)  # q -> [(score, titled root)] best two
    by_root: dict[int, list[int]] = defaultdict(list)
    for i in titled:
        by_root[groups.find(i)].append(i)
    for root in sorted(by_root):
        scores: dict[int, float] = {}
        for i in by_root[root]:
            grams = bigrams(records[i].abstract)
            if not grams:
                continue
            counts: Counter[int] = Counter()
            for g in grams:
                posting = index.get(g)
                if posting and len(posting) <= _MAX_POSTINGS:
                    counts.update(posting)
            for q, shared in counts.items():
                if shared < 2:
                    continue  # one shared bigram is a coincidence; its score could not matter
                qs = query_sets[q]
                score = len(qs & grams) / len(qs | grams)
                if score > scores.get(q, 0.0):
                    scores[q] = score
        for q, score in scores.items():
            best = top[q]
            best.append((score, -root))
            best.sort(reverse=True)
            del best[2:]
    matches: dict[int, tuple[int, float]] = {}
    for q in untitled:
        best = top.get(q, [])
        if not best:
            continue
        score, neg_root = best[0]
        second = best[1][0] if len(best) > 1 else 0.0
        if score >= SIMILARITY and score >= MARGIN * second:
            matches[q] = (-neg_root, score)
    return matches


def merge_papers(papers: Sequence[Paper]) -> tuple[tuple[Paper, ...], tuple[Merge, ...]]:
    """Merge records of the same paper; returns the papers sorted by id and what merged, and why."""
    records = sorted(papers, key=_sort_key)
    groups = _Groups(len(records))
    first_by_key: dict[str, int] = {}
    arxiv_of: dict[int, str | None] = {}
    reason: dict[int, str] = {}

    def root_arxiv(i: int) -> str | None:
        return arxiv_of.get(groups.find(i))

    def join(i: int, key: str, why: str) -> None:
        j = first_by_key.setdefault(key, i)
        if j == i or groups.find(i) == groups.find(j):
            return
        a, b = root_arxiv(i), root_arxiv(j)
        if a and b and a != b:
            return  # one title, two arXiv ids: two papers that share a title
        groups.union(i, j)
        arxiv_of[groups.find(i)] = a or b
        reason.setdefault(i, why)

    for i, p in enumerate(records):
        arxiv_of[i] = p.arxiv_id
    for i, p in enumerate(records):
        if p.arxiv_id:
            join(i, "arxiv:" + p.arxiv_id, "same arXiv id")
    for i, p in enumerate(records):
        norm = normalize_title(p.title) if p.title else ""
        if norm:
            join(i, "title:" + norm, "same title")
    for i, p in enumerate(records):
        if not p.title and not p.arxiv_id:
            join(i, "abstract:" + " ".join(p.abstract.casefold().split()), "same abstract")

    titled = [i for i, p in enumerate(records) if p.title or p.arxiv_id]
    untitled_roots = sorted({groups.find(i) for i, p in enumerate(records) if not (p.title or p.arxiv_id)})
    untitled_roots = [r for r in untitled_roots if not (records[r].title or records[r].arxiv_id)]
    if titled and untitled_roots:
        # Each title-less group is represented by its own root record's abstract.
        untitled_members: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(records):
            if not (p.title or p.arxiv_id):
                untitled_members[groups.find(i)].append(i)
        for q, (root, score) in _match_abstracts(records, groups, titled, untitled_roots).items():
            for i in untitled_members[q]:
                reason.setdefault(i, f"abstract-only entry is a version of this paper (similarity {score:.2f})")
            reason[q] = f"abstract-only entry is a version of this paper (similarity {score:.2f})"
            groups.union(q, root)

    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(records)):
        members[groups.find(i)].append(i)
    out: list[Paper] = []
    merges: list[Merge] = []
    for root, idx in members.items():
        paper = combine([records[i] for i in idx])
        out.append(paper)
        # The first titled record stands for the paper; the others are reported as merged into it.
        ordered = sorted(idx, key=lambda i: (not (records[i].title or records[i].arxiv_id), _sort_key(records[i])))
        for n, i in enumerate(ordered[1:], start=1):
            r = records[i]
            if not (r.title or r.arxiv_id):
                why = reason.get(i, "same abstract")
            elif r.arxiv_id and any(records[j].arxiv_id == r.arxiv_id for j in ordered[:n]):
                why = "same arXiv id"
            else:
                why = "same title"
            merges.append(Merge(paper.id, _where(r), why))
    out.sort(key=lambda p: p.id)
    merges.sort(key=lambda m: (m.kept, m.merged))
    return tuple(out), tuple(merges)
