"""Author resolution: one node per person, not per name string.

Papers carrying the same normalized name are grouped by evidence that they are by one person, strongest
first (DBLP keeps numbered homonyms, "Wei Wang 0001"; S2AND clusters by co-authors, venues and text; we
have no affiliations or e-mails, so we use what the listings give):

1. a user's decision (`kg merges join|split`, a `merges.jsonl` line with label Author and `papers`);
2. the name's own profile page lists the paper (one person wrote every paper of a profile);
3. a shared co-author;
4. a co-author of one paper who wrote another paper with a co-author of the other (two groups that
   work together);
5. a rare name (`COMMON_NAME`: how many names share its first token times how many share its last, in
   the build or the corpus counts shipped in kg/data), or a build too small to compare topics;
6. similar topics: the TF-IDF cosine of the closest pair of the two groups' papers is at least `TOPIC_JOIN`;
7. one field: neither group is off the build's field (`OFF_FIELD`), unless the name is very common.

Groups that none of these join are different people: the largest keeps the name's id
(`author:zhihao-jia`), the others are numbered (`author:zhihao-jia-2`), each with the reason it was split.
Splitting needs every signal to be missing, because listings carry little evidence (three authors and
`et al.`, no affiliations) and a false split hides a person's work as surely as a false merge misleads.
The thresholds were set on the second labeller's labels (tests/gold/authors/h2.jsonl) and are scored
on the primary labels by `kg eval tests/gold/authors`.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.model import Merge, Paper, Profile

NAME_COUNTS = "name_counts.json"  # kg/data: name token counts of the corpus, written by `kg train`
from kg.schema import node_id, slug

# Cosine of the groups' TF-IDF topic vectors at or above which two groups of one name are one person.
# Chosen before the labelled set was read (tests/gold/authors/); `kg eval --authors` prints the
# precision and recall of merges for it and its neighbours.
TOPIC_JOIN = 0.12
# A group of papers is off the build's field when even its most typical paper is less like the build as a
# whole (the cosine with the centroid of every paper) than this share of the build's papers. Two groups of
# one name in the same field are kept as one person: without affiliations, nothing in a listing tells two
# LLM-serving researchers of one name apart, and a false split hides a person's work.
OFF_FIELD = 0.2
# How common a name is: the number of the build's distinct names that share its first token times the
# number that share its last (S2AND uses name counts the same way). Below this, a name is one person's
# unless a decision says otherwise: `Dan Alistarh` on a 2017 networking paper and on 2025 quantization
# papers is the same researcher, while `Yi Liu` on three unrelated groups' papers is three.
COMMON_NAME = 300
# A name this common (`Yi Liu`, `Qi Li`) is several people often enough that different topics alone split
# it, in the field or not.
VERY_COMMON_NAME = 3000
# Topic vectors and the build's field need a body of papers: a smaller build splits a name only by decision.
MIN_PAPERS_FOR_TOPICS = 100

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
_STOP = frozenset("""
a an and are as at be by can for from has have in into is it its of on or our over than that the their
these this those to under up we which while with via using use used based new novel propose proposed
present paper approach method methods show results result achieve achieves up also both however such
more most across between each other not only one two three first large high low data system systems
""".split())


@dataclass(slots=True)
class AuthorDecision:
    """`merge`: the name on these papers is one person; `forbid`: on these papers it is someone else."""

    id: str
    action: str
    key: str
    papers: tuple[str, ...]


@dataclass(slots=True)
class AuthorResolution:
    of: dict[tuple[str, str], str] = field(default_factory=dict)  # (paper id, author key) -> node id
    names: dict[str, str] = field(default_factory=dict)  # node id -> display name
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)  # node id -> homonym attributes
    merges: list[Merge] = field(default_factory=list)
    report: list[dict[str, Any]] = field(default_factory=list)  # splits and joins, for `kg merges`

    def node(self, paper: str, key: str) -> str:
        return self.of[paper, key]


class _Groups:
    def __init__(self, items: Sequence[str]) -> None:
        self.parent = {i: i for i in items}
        self.why: dict[str, str] = {}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str, why: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            ra, rb = min(ra, rb), max(ra, rb)
            self.parent[rb] = ra
            self.why.setdefault(ra, why)

    def groups(self) -> list[list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for x in self.parent:
            out[self.find(x)].append(x)
        return [sorted(g) for g in out.values()]


def _topic_vectors(papers: Sequence[Paper]) -> dict[str, dict[str, float]]:
    """Unit TF-IDF vectors of title + abstract words, idf over every paper of the build."""
    counts = {p.id: Counter(w for w in _WORD.findall(f"{p.title or ''} {p.abstract}".lower()) if w not in _STOP)
              for p in papers}
    df: Counter = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = len(counts)
    vectors = {}
    for pid, c in counts.items():
        v = {w: (1 + math.log(k)) * math.log((1 + n) / (1 + df[w])) for w, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[pid] = {w: x / norm for w, x in v.items()}
    return vectors


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(w, 0.0) for w, x in a.items())


def _field_affinity(vectors: dict[str, dict[str, float]]) -> tuple[dict[str, float], float]:
    """Each paper's cosine with the build's centroid, and the OFF_FIELD quantile of those."""
    total: dict[str, float] = defaultdict(float)
    for v in vectors.values():
        for w, x in v.items():
            total[w] += x
    norm = math.sqrt(sum(x * x for x in total.values())) or 1.0
    aff = {pid: sum(x * total.get(w, 0.0) for w, x in v.items()) / norm for pid, v in vectors.items()}
    ranked = sorted(aff.values())
    return aff, ranked[min(int(OFF_FIELD * len(ranked)), len(ranked) - 1)]


def _closest(vectors: dict[str, dict[str, float]], a: Sequence[str], b: Sequence[str]) -> float:
    """Single link: the two groups' most similar pair of papers (one person's papers vary in topic, but
    some pair of them is usually close)."""
    return max(_cosine(vectors[x], vectors[y]) for x in a for y in b)


def name_token_counts(papers: Sequence[Paper], author_key: Callable[[str], str]) -> dict[str, dict[str, int]]:
    """How many distinct names start (end) with each token: the `first` and `last` tables of commonness."""
    keys = {k for p in papers for a in p.authors if (k := author_key(a.name))}
    first = Counter(k.split()[0] for k in keys)
    last = Counter(k.split()[-1] for k in keys)
    return {"first": dict(sorted(first.items())), "last": dict(sorted(last.items()))}


def load_name_counts() -> dict[str, dict[str, int]]:
    """The corpus's name token counts shipped in kg/data (empty tables when absent): a small build of a
    few listings then knows that `Yi Liu` is a common name, as the corpus does."""
    from importlib import resources
    import json

    try:
        return json.loads(resources.files("kg.data").joinpath(NAME_COUNTS).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"first": {}, "last": {}}


def resolve_authors(papers: Sequence[Paper], author_key: Callable[[str], str], *,
                    decisions: Sequence[AuthorDecision] = (), topic_join: float = TOPIC_JOIN,
                    common_name: int = COMMON_NAME,
                    name_counts: dict[str, dict[str, int]] | None = None,
                    min_papers: int = MIN_PAPERS_FOR_TOPICS) -> AuthorResolution:
    """Group each name's papers into people (see the module docstring) and give each person a node id."""
    papers = sorted(papers, key=lambda p: p.id)
    by_key: dict[str, list[Paper]] = defaultdict(list)
    forms: dict[str, Counter] = defaultdict(Counter)
    keys_of: dict[str, list[str]] = {}
    for p in papers:
        ks = list(dict.fromkeys(k for k in (author_key(a.name) for a in p.authors) if k))
        keys_of[p.id] = ks
        for a in p.authors:
            k = author_key(a.name)
            if k:
                forms[k][a.name] += 1
        for k in ks:
            by_key[k].append(p)
    # Who wrote with whom, over the whole build (for the co-authors' co-authors test).
    partners: dict[str, set[str]] = defaultdict(set)
    for ks in keys_of.values():
        for k in ks:
            partners[k].update(ks)
    vectors: dict[str, dict[str, float]] | None = None
    aff: dict[str, float] = {}
    off_field = 0.0
    by_name: dict[str, list[AuthorDecision]] = defaultdict(list)
    for d in decisions:
        by_name[d.key].append(d)

    # Commonness counts: the build's own, or the shipped corpus counts where those are higher.
    shipped = load_name_counts() if name_counts is None else name_counts
    firsts = Counter(k.split()[0] for k in by_key)
    lasts = Counter(k.split()[-1] for k in by_key)
    for table, counts in ((firsts, shipped.get("first", {})), (lasts, shipped.get("last", {}))):
        for tok, n in counts.items():
            if n > table[tok]:
                table[tok] = n
    out = AuthorResolution()
    for key in sorted(by_key):
        counter = forms[key]
        display = min(counter, key=lambda n: (-counter[n], n))
        base = node_id("Author", slug(key))
        for other in sorted(set(counter) - {display}):
            out.merges.append(Merge(kept=base, merged=other, reason="same author name after normalizing "
                                                                    "initials, spacing and unicode"))
        mine = by_key[key]
        if len(mine) == 1:
            out.of[mine[0].id, key] = base
            out.names[base] = display
            continue
        ids = [p.id for p in mine]
        g = _Groups(ids)
        fenced: dict[str, str] = {}  # paper id -> decision id that keeps it apart
        for d in by_name.get(key, ()):
            if d.action == "forbid":
                for pid in d.papers:
                    fenced.setdefault(pid, d.id)
        for d in by_name.get(key, ()):
            if d.action == "merge":
                known = [pid for pid in d.papers if pid in g.parent]
                for pid in known[1:]:
                    g.union(known[0], pid, f"joined by decision {d.id}")

        def allowed(a: str, b: str) -> bool:
            return fenced.get(a) == fenced.get(b)

        owned = [p.id for p in mine if key in {author_key(o) for o in p.profile_owners}]
        for pid in owned[1:]:
            if allowed(owned[0], pid):
                g.union(owned[0], pid, "listed on the name's own profile page")
        co = {p.id: set(keys_of[p.id]) - {key} for p in mine}
        first_with: dict[str, str] = {}
        for pid in ids:
            for k in sorted(co[pid]):
                if k in first_with and allowed(first_with[k], pid):
                    g.union(first_with[k], pid, f"shared co-author {forms[k].most_common(1)[0][0]}")
                first_with.setdefault(k, pid)
        groups = g.groups()
        if len(groups) > 1:
            # Co-authors' co-authors, then topics, between the groups left.
            reach = {tuple(gr): set().union(*(partners[k] for pid in gr for k in co[pid])) - {key}
                     for gr in groups}
            team = {tuple(gr): set().union(*(co[pid] for pid in gr)) for gr in groups}
            for i, a in enumerate(groups):
                for b in groups[i + 1:]:
                    if not allowed(a[0], b[0]):
                        continue
                    link = sorted(team[tuple(a)] & reach[tuple(b)])
                    if link:
                        g.union(a[0], b[0], f"co-author {forms[link[0]].most_common(1)[0][0]} wrote with "
                                            "the other group's co-authors")
            groups = g.groups()
        commonness = firsts[key.split()[0]] * lasts[key.split()[-1]]
        very_common = commonness >= VERY_COMMON_NAME
        if len(groups) > 1 and (commonness < common_name or len(papers) < min_papers):
            for gr in groups[1:]:
                if allowed(groups[0][0], gr[0]):
                    g.union(groups[0][0], gr[0], "a rare name (one person unless a decision splits it)"
                            if commonness < common_name else
                            f"a build of fewer than {min_papers} papers (one person unless a decision "
                            "splits it)")
            groups = g.groups()
        if len(groups) > 1:
            if vectors is None:
                vectors = _topic_vectors(papers)
                aff, off_field = _field_affinity(vectors)
            for i, a in enumerate(groups):
                for b in groups[i + 1:]:
                    if not allowed(a[0], b[0]) or g.find(a[0]) == g.find(b[0]):
                        continue
                    sim = _closest(vectors, a, b)
                    if sim >= topic_join:
                        g.union(a[0], b[0], f"similar topics (cosine {sim:.2f} between their closest papers)")
                    elif not very_common and min(max(aff[p] for p in a), max(aff[p] for p in b)) >= off_field:
                        g.union(a[0], b[0], "one field: neither group is off the build's field")
            groups = g.groups()
        groups.sort(key=lambda gr: (-len(gr), gr[0]))
        nids = [base] + [f"{base}-{i}" for i in range(2, len(groups) + 1)]
        for nid, gr in zip(nids, groups):
            for pid in gr:
                out.of[pid, key] = nid
            out.names[nid] = display
        if len(groups) > 1:
            out.attrs[base] = {"homonyms": nids[1:]}
            if vectors is None:
                vectors = _topic_vectors(papers)
            for nid, gr in zip(nids[1:], groups[1:]):
                decided = fenced.get(gr[0]) or fenced.get(groups[0][0])
                reason = (f"decision {decided}" if decided else
                          f"no shared co-author with {base} (nor co-authors who wrote together), "
                          f"different topics (closest papers' cosine {_closest(vectors, gr, groups[0]):.2f}), "
                          "one of them off the build's field")
                out.attrs[nid] = {"homonym_of": base, "split_reason": reason}
                out.report.append({"kind": "split", "label": "Author", "kept": base, "merged": nid,
                                   "name": display, "papers": list(gr), "reason": reason})
        for gr in groups:
            root = g.find(gr[0])
            if len(gr) > 1 and root in g.why:
                out.report.append({"kind": "join", "label": "Author", "kept": out.of[gr[0], key], "name": display,
                                   "papers": list(gr), "reason": g.why[root]})
    return out


def profile_node(res: AuthorResolution, key: str, profile: Profile, papers: Sequence[Paper],
                 author_key: Callable[[str], str]) -> str:
    """The person a profile page belongs to: the one who wrote the papers listed on it."""
    base = node_id("Author", slug(key))
    counts = Counter(res.of[p.id, key] for p in papers
                     if (p.id, key) in res.of and key in {author_key(o) for o in p.profile_owners})
    return min(counts, key=lambda n: (-counts[n], n)) if counts else base
