"""Trends: papers per period for techniques, systems and baselines; their bursts; what is rising.

A *series* counts, per period (a year, or a month where papers have one), the distinct papers that
use or introduce a technique, that introduce, mention, compare with, build on or integrate into a
system, or that compare with a system (the system as a *baseline*).

Bursts are found with Kleinberg's two-state automaton over batches ("Bursty and hierarchical structure in
streams", KDD 2002, section 4, the form CiteSpace uses): in each period t, r_t of the d_t papers carry
the item; the base state emits at the item's overall rate p0 = R/D, the burst state at s * p0; entering
the burst state costs gamma * ln(n) for n periods, and the cheapest state sequence (Viterbi) marks the
bursts. A burst's weight is the cost it saves over staying in the base state. Periods without any paper
(the years between two listings) are left out of the automaton, so a burst never spans a gap for free.

We use s = 2 (a doubling of the item's share) and gamma = 0.5, not Kleinberg's 1: with monthly batches of
10-300 papers, gamma = 1 lets only items seen in dozens of papers a month burst (one item on the corpus
graph's 18 months), while 0.5 finds the items a reader would call rising (SGLang, FlashInfer, MLX,
linear attention on the corpus) and still none in a series of steady counts. CiteSpace exposes gamma
for the same reason; so does `kg trends --gamma`.

*Rising* items are those in a burst during the most recent periods (the last `RECENT` months, or the
last year), by burst weight; *rising baselines* are the rising items of kind baseline.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.errors import SelectionError
from kg.schema import CITATION_EDGES

__all__ = ["Burst", "Series", "Trends", "bursts", "trends"]

KINDS = ("technique", "system", "baseline")
BY = ("auto", "year", "month")
BURST_S = 2.0
BURST_GAMMA = 0.5
# How many of the latest periods count as "recent" for the rising list.
RECENT = {"month": 3, "year": 1}
# `by="auto"` counts months only when this many distinct months are known (else a year is one period).
AUTO_MONTHS = 12
_SYSTEM_EDGES = ("INTRODUCES", "MENTIONS", *CITATION_EDGES)


@dataclass(frozen=True, slots=True)
class Burst:
    start: str
    end: str
    weight: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "weight": round(self.weight, 3)}


@dataclass(slots=True)
class Series:
    kind: str
    id: str
    name: str
    counts: list[int]
    bursts: list[Burst] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts)

    def to_dict(self, periods: list[str]) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "total": self.total,
                "counts": dict(zip(periods, self.counts)), "bursts": [b.to_dict() for b in self.bursts]}


@dataclass(slots=True)
class Trends:
    by: str
    periods: list[str]
    papers: list[int]  # papers per period (the d_t of the burst model)
    series: list[Series]
    rising: list[tuple[Series, Burst]]
    baselines_by_year: dict[str, list[tuple[str, int]]]
    left_out: int  # papers with no year (or no month, by month)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "periods": [{"period": p, "papers": n} for p, n in zip(self.periods, self.papers)],
            "series": [s.to_dict(self.periods) for s in self.series],
            "rising": [{"kind": s.kind, "id": s.id, "name": s.name, "total": s.total, **b.to_dict()}
                       for s, b in self.rising],
            "rising_baselines": [{"id": s.id, "name": s.name, "total": s.total, **b.to_dict()}
                                 for s, b in self.rising if s.kind == "baseline"],
            "baselines_by_year": {y: [{"name": n, "papers": c} for n, c in rows]
                                  for y, rows in self.baselines_by_year.items()},
            "left_out": self.left_out,
        }


def bursts(counts: list[int], totals: list[int], *, s: float = BURST_S, gamma: float = BURST_GAMMA) -> list[tuple[int, int, float]]:
    """Kleinberg's two-state batched burst detection: (first, last, weight) index ranges of the bursts."""
    n, big_r, big_d = len(counts), sum(counts), sum(totals)
    if n == 0 or big_r == 0 or big_d == 0:
        return []
    p = [big_r / big_d, min(s * big_r / big_d, 0.9999)]
    if p[0] >= p[1]:  # the item is in nearly every paper: it cannot burst above its own rate
        return []

    def cost(state: int, r: int, d: int) -> float:
        # -ln of the binomial likelihood without the C(d, r) term, which both states share.
        return -(r * math.log(p[state]) + (d - r) * math.log(1 - p[state]))

    up = gamma * math.log(n) if n > 1 else gamma
    # The first period: starting in the burst state costs the same as entering it.
    best = [cost(0, counts[0], totals[0]), up + cost(1, counts[0], totals[0])]
    back: list[tuple[int, int]] = [(0, 0)]
    for t in range(1, n):
        stay0, from1 = best[0], best[1]          # into state 0: free from either state
        into0 = (0, stay0) if stay0 <= from1 else (1, from1)
        into1 = (1, best[1]) if best[1] <= best[0] + up else (0, best[0] + up)
        back.append((into0[0], into1[0]))
        best = [into0[1] + cost(0, counts[t], totals[t]), into1[1] + cost(1, counts[t], totals[t])]
    state = 0 if best[0] <= best[1] else 1
    states = [0] * n
    for t in range(n - 1, -1, -1):
        states[t] = state
        state = back[t][state] if t > 0 else 0
    found, t = [], 0
    while t < n:
        if states[t] == 1:
            start = t
            while t + 1 < n and states[t + 1] == 1:
                t += 1
            weight = sum(cost(0, counts[i], totals[i]) - cost(1, counts[i], totals[i]) for i in range(start, t + 1))
            found.append((start, t, weight))
        t += 1
    return found


def _period_of(data: dict[str, Any], by: str) -> str | None:
    year = data.get("year")
    if not isinstance(year, int):
        return None
    if by == "year":
        return f"{year:04d}"
    month = data.get("month")
    return f"{year:04d}-{month:02d}" if isinstance(month, int) and 1 <= month <= 12 else None


def _all_periods(seen: set[str], by: str) -> list[str]:
    """Every period from the first to the last seen, gaps included, so the time axis is honest."""
    if not seen:
        return []
    first, last = min(seen), max(seen)
    if by == "year":
        return [f"{y:04d}" for y in range(int(first), int(last) + 1)]
    (y, m), (y1, m1) = (tuple(map(int, first.split("-"))), tuple(map(int, last.split("-"))))
    out = []
    while (y, m) <= (y1, m1):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def trends(G: nx.MultiDiGraph, *, by: str = "auto", kinds: tuple[str, ...] = KINDS, min_papers: int = 5,
           since: int | None = None, until: int | None = None, limit: int | None = None,
           gamma: float = BURST_GAMMA) -> Trends:
    """Series, bursts and the rising list of `G`. `min_papers` drops items seen in fewer papers
    overall; `limit` keeps the `limit` largest series of each kind (bursts are computed on all)."""
    if gamma < 0:
        raise SelectionError(f"--gamma must be at least 0, not {gamma}")
    if min_papers < 1:
        raise SelectionError(f"--min-papers must be at least 1, not {min_papers}")
    if by not in BY:
        raise SelectionError(f"--by must be one of {', '.join(BY)}, not {by!r}")
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise SelectionError(f"unknown kind {bad[0]!r}; choose from {', '.join(KINDS)}")
    papers = {n: d for n, d in G.nodes(data=True) if d.get("type") == "Paper" and isinstance(d.get("year"), int)
              and (since is None or d["year"] >= since) and (until is None or d["year"] <= until)}
    if by == "auto":
        months = {_period_of(d, "month") for d in papers.values()} - {None}
        by = "month" if len(months) >= AUTO_MONTHS else "year"
    period = {n: p for n, d in papers.items() if (p := _period_of(d, by)) is not None}
    left_out = sum(1 for _, d in G.nodes(data=True) if d.get("type") == "Paper") - len(period)
    periods = _all_periods(set(period.values()), by)
    if not periods:
        raise SelectionError("no paper has a known year" + (" in that range" if since or until else "")
                             + ": nothing to trend")
    index = {p: i for i, p in enumerate(periods)}
    totals = [0] * len(periods)
    for p in period.values():
        totals[index[p]] += 1

    hits: dict[tuple[str, str], set[str]] = defaultdict(set)
    for u, v, d in G.edges(data=True):
        kind_v = G.nodes[v].get("type")
        paper = f"paper:{d['paper']}" if d.get("paper") else u
        if paper not in period:
            continue
        if kind_v == "Technique" and d["type"] in ("USES", "INTRODUCES") and "technique" in kinds:
            hits[("technique", v)].add(paper)
        elif kind_v == "System" and d["type"] in _SYSTEM_EDGES:
            if "system" in kinds:
                hits[("system", v)].add(paper)
            if d["type"] == "COMPARES_WITH" and "baseline" in kinds:
                hits[("baseline", v)].add(paper)

    busy = [i for i, n in enumerate(totals) if n]
    series: list[Series] = []
    for (kind, node), found in hits.items():
        if len(found) < min_papers:
            continue
        counts = [0] * len(periods)
        for p in found:
            counts[index[period[p]]] += 1
        s = Series(kind=kind, id=node, name=G.nodes[node].get("name") or node, counts=counts)
        found_bursts = bursts([counts[i] for i in busy], [totals[i] for i in busy], gamma=gamma)
        s.bursts = [Burst(periods[busy[a]], periods[busy[b]], w) for a, b, w in found_bursts]
        series.append(s)
    series.sort(key=lambda s: (KINDS.index(s.kind), -s.total, s.name.casefold(), s.id))

    recent = set(periods[-RECENT[by]:])
    rising = [(s, b) for s in series for b in s.bursts if b.end in recent]
    rising.sort(key=lambda x: (-x[1].weight, KINDS.index(x[0].kind), x[0].name.casefold(), x[0].id))
    if limit is not None:
        kept: dict[str, int] = defaultdict(int)
        shown = []
        for s in series:
            if kept[s.kind] < limit:
                kept[s.kind] += 1
                shown.append(s)
        series = shown
    return Trends(by=by, periods=periods, papers=totals, series=series, rising=rising,
                  baselines_by_year=_baselines_by_year(G, papers), left_out=left_out)


def _baselines_by_year(G: nx.MultiDiGraph, papers: dict[str, dict[str, Any]], top: int = 5) -> dict[str, list[tuple[str, int]]]:
    """The systems most compared against in each year (distinct papers), the field's baselines by period."""
    per: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for u, v, d in G.edges(data=True):
        if d["type"] != "COMPARES_WITH":
            continue
        paper = f"paper:{d['paper']}" if d.get("paper") else u
        if paper in papers:
            per[papers[paper]["year"]][v].add(paper)
    out = {}
    for year in sorted(per):
        rows = sorted(((G.nodes[v].get("name") or v, len(ps)) for v, ps in per[year].items()),
                      key=lambda r: (-r[1], r[0].casefold()))
        out[f"{year:04d}"] = rows[:top]
    return out
