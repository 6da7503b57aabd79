"""The comparison matrix: systems x the baselines they compare with, each cell a stated comparison.

A cell is one COMPARES_WITH statement of one paper: the factor and metric it states (when it states
any), the paper, the evidence sentence and where the paper was read. A row is the system the paper
introduces (or the paper itself when it introduces none, as in the graph); a column is a baseline.
Columns are ordered by how many papers compare with the baseline (the field's most used baselines
first), rows by how many baselines they are compared with; ties by name, so the order is stable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.errors import SelectionError
from kg.lookup import NameIndex

__all__ = ["Matrix", "matrix", "papers_on_technique"]


@dataclass(frozen=True, slots=True)
class Cell:
    system: str
    system_id: str
    baseline: str
    baseline_id: str
    factor: str | None
    metric: str | None
    paper: str
    paper_title: str
    year: int | None
    evidence: str
    source: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system, "baseline": self.baseline, "factor": self.factor, "metric": self.metric,
                "paper": self.paper, "evidence": self.evidence, "system_id": self.system_id,
                "baseline_id": self.baseline_id, "paper_title": self.paper_title, "year": self.year,
                "source": self.source}


@dataclass(frozen=True, slots=True)
class Axis:
    """A row (system) or column (baseline): its node, and how many papers and statements it has."""

    id: str
    name: str
    type: str
    papers: int
    comparisons: int
    with_factor: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "papers": self.papers,
                "comparisons": self.comparisons, "with_factor": self.with_factor}


@dataclass(slots=True)
class Matrix:
    rows: list[Axis]
    columns: list[Axis]
    cells: list[Cell]
    # Before --rows/--columns cut the table: how big the whole selection was.
    total_rows: int = 0
    total_columns: int = 0
    total_cells: int = 0
    filters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": [r.to_dict() for r in self.rows], "columns": [c.to_dict() for c in self.columns],
                "cells": [c.to_dict() for c in self.cells], "filters": self.filters,
                "total": {"rows": self.total_rows, "columns": self.total_columns, "cells": self.total_cells}}

    def grid(self) -> dict[tuple[str, str], list[Cell]]:
        """Cells by (row id, column id), in the matrix's order."""
        out: dict[tuple[str, str], list[Cell]] = defaultdict(list)
        for c in self.cells:
            out[(c.system_id, c.baseline_id)].append(c)
        return out


def papers_on_technique(G: nx.MultiDiGraph, technique: str) -> set[str]:
    """Paper ids (without `paper:`) that use or introduce `technique` or one of its subtopics."""
    root = NameIndex(G).find(technique, types=("Technique",))
    wanted, frontier = {root}, [root]
    while frontier:  # subtopics point at their parent: walk the SUBTOPIC_OF edges backwards
        node = frontier.pop()
        for child, _, d in G.in_edges(node, data=True):
            if d["type"] == "SUBTOPIC_OF" and child not in wanted:
                wanted.add(child)
                frontier.append(child)
    return {u.removeprefix("paper:") for t in wanted for u, _, d in G.in_edges(t, data=True)
            if d["type"] in ("USES", "INTRODUCES") and G.nodes[u].get("type") == "Paper"}


def _source(G: nx.MultiDiGraph, paper: str) -> str | None:
    sources = G.nodes.get(f"paper:{paper}", {}).get("sources") or []
    return sources[0] if sources else None


def matrix(G: nx.MultiDiGraph, *, systems: Sequence[str] = (), baselines: Sequence[str] = (),
           technique: str | None = None, since: int | None = None, until: int | None = None,
           rows: int | None = None, columns: int | None = None) -> Matrix:
    """The comparison matrix of `G`, optionally limited to some systems (rows), baselines (columns),
    papers on a technique, papers of a year range, and the top `rows` x `columns`."""
    if since is not None and until is not None and since > until:
        raise SelectionError(f"--since {since} is after --until {until}")
    index = NameIndex(G) if systems or baselines else None
    row_ids = {index.find(s, types=("System",)) for s in systems} if index else set()
    col_ids = {index.find(b, types=("System",)) for b in baselines} if index else set()
    on_topic = papers_on_technique(G, technique) if technique else None

    cells: list[Cell] = []
    for u, v, d in G.edges(data=True):
        if d["type"] != "COMPARES_WITH":
            continue
        paper = d.get("paper") or u.removeprefix("paper:")
        node = G.nodes.get(f"paper:{paper}", {})
        year = node.get("year") if isinstance(node.get("year"), int) else None
        if (since is not None or until is not None) and year is None:
            continue
        if (since is not None and year < since) or (until is not None and year > until):  # type: ignore[operator]
            continue
        if on_topic is not None and paper not in on_topic:
            continue
        if (row_ids and u not in row_ids) or (col_ids and v not in col_ids):
            continue
        cells.append(Cell(system=G.nodes[u].get("name") or u, system_id=u, baseline=G.nodes[v].get("name") or v,
                          baseline_id=v, factor=d.get("factor"), metric=d.get("metric"), paper=paper,
                          paper_title=node.get("title") or paper, year=year, evidence=d.get("evidence", ""),
                          source=_source(G, paper)))

    all_columns = _axes(G, cells, lambda c: c.baseline_id)
    kept_columns = all_columns[:columns] if columns else all_columns
    keep_col = {c.id for c in kept_columns}
    in_columns = [c for c in cells if c.baseline_id in keep_col]
    all_rows = _axes(G, in_columns, lambda c: c.system_id, spread=lambda c: c.baseline_id)
    kept_rows = all_rows[:rows] if rows else all_rows
    keep_row = {r.id for r in kept_rows}
    col_order = {c.id: i for i, c in enumerate(kept_columns)}
    row_order = {r.id: i for i, r in enumerate(kept_rows)}
    shown = sorted((c for c in in_columns if c.system_id in keep_row),
                   key=lambda c: (row_order[c.system_id], col_order[c.baseline_id], c.paper, c.factor or "",
                                  c.metric or "", c.evidence))
    # Columns no kept row uses would be empty: drop them (rows were chosen among the kept columns).
    used = {c.baseline_id for c in shown}
    kept_columns = [c for c in kept_columns if c.id in used]
    filters = {k: v for k, v in (("systems", list(systems)), ("baselines", list(baselines)),
                                 ("technique", technique), ("since", since), ("until", until),
                                 ("rows", rows), ("columns", columns)) if v not in (None, [])}
    return Matrix(rows=kept_rows, columns=kept_columns, cells=shown, total_rows=len(_axes(G, cells, lambda c: c.system_id)),
                  total_columns=len(all_columns), total_cells=len(cells), filters=filters)


def _axes(G: nx.MultiDiGraph, cells: Iterable[Cell], key, spread=None) -> list[Axis]:
    """Rows or columns with their counts, most used first. `spread` (for rows): order by how many
    distinct columns a row reaches before how many papers it has."""
    papers: dict[str, set[str]] = defaultdict(set)
    reach: dict[str, set[str]] = defaultdict(set)
    count: dict[str, int] = defaultdict(int)
    factored: dict[str, int] = defaultdict(int)
    for c in cells:
        k = key(c)
        papers[k].add(c.paper)
        count[k] += 1
        factored[k] += c.factor is not None
        if spread is not None:
            reach[k].add(spread(c))
    axes = [Axis(id=k, name=G.nodes[k].get("name") or k, type=G.nodes[k].get("type", ""), papers=len(papers[k]),
                 comparisons=count[k], with_factor=factored[k]) for k in papers]
    axes.sort(key=lambda a: (-len(reach[a.id]), -a.papers, -a.comparisons, a.name.casefold(), a.id))
    return axes
