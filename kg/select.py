"""Selecting a subgraph: the one function behind `kg viz` and `kg export`.

`select(G, Selection(...))` returns a new graph (the input is never touched) and a record of what each
step dropped and why. The steps run in this order, and the order is part of the contract:

1. names (`center`, `author`, `system`, `technique`) are resolved with `kg.lookup` (unknown names raise
   `NotFoundError` with "did you mean" suggestions);
2. `edge_types` keeps only edges of those types, *before* the neighbourhood is taken, so `--hops` walks
   only along them;
3. `since`/`until` keep papers whose year is in range (a paper with no known year is dropped when a bound
   is given: nothing shows it is in range). Every other node is kept only while it stays connected to a
   kept paper: directly, or through an edge whose `paper`/`papers` attribute names one. CO_AUTHOR and
   AFFILIATED_WITH edges are recounted over the kept papers, and citation edges stated by a dropped paper
   go;
4. `min_weight` drops CO_AUTHOR edges lighter than it;
5. the neighbourhood: everything within `hops` steps of a center, ignoring edge direction (no center:
   the whole graph);
6. `types` keeps nodes of those labels (after the walk, so `--center vLLM --hops 2 --type System` finds
   the systems two steps away through papers);
   When `edge_types` is given too, nodes this leaves with no edge go as well;
7. `limit` keeps the N most connected nodes: centers first, then by degree, ties broken by id.

Steps 2-4 filter edges; a node they leave with no edge at all goes too (centers always stay), so that
`--edge-type CO_AUTHOR` does not keep every paper as a lone dot. A selection that ends empty raises
`SelectionError` naming the step that emptied it and what is there instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg.errors import SelectionError
from kg.schema import EDGE_TYPES, NODE_TYPES


@dataclass(frozen=True, slots=True)
class Selection:
    """What to keep. Empty tuples and None mean "no constraint"."""

    center: tuple[str, ...] = ()
    hops: int = 1
    types: tuple[str, ...] = ()
    edge_types: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    system: tuple[str, ...] = ()
    technique: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    min_weight: int | None = None
    limit: int | None = None

    @property
    def names(self) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
        """Every name to resolve, with the node types it may match (None: any)."""
        return (
            *((n, None) for n in self.center),
            *((n, ("Author",)) for n in self.author),
            *((n, ("System",)) for n in self.system),
            *((n, ("Technique",)) for n in self.technique),
        )


@dataclass(frozen=True, slots=True)
class Drop:
    """Nodes and edges one step removed, and why (`step` names the option: `limit`, `since`, ...)."""

    step: str
    reason: str
    nodes: tuple[str, ...] = ()
    edges: int = 0


@dataclass(frozen=True, slots=True)
class Selected:
    graph: nx.MultiDiGraph
    centers: tuple[str, ...] = ()
    dropped: tuple[Drop, ...] = field(default_factory=tuple)

    def summary(self) -> list[str]:
        """One line per step that dropped something, for the CLI."""
        lines = []
        for d in self.dropped:
            parts = []
            if d.nodes:
                parts.append(f"{len(d.nodes)} node{'s' if len(d.nodes) != 1 else ''}")
            if d.edges:
                parts.append(f"{d.edges} edge{'s' if d.edges != 1 else ''}")
            line = f"{d.step}: dropped {' and '.join(parts)} ({d.reason})"
            if d.step == "limit":
                shown = ", ".join(d.nodes[:10]) + (", ..." if len(d.nodes) > 10 else "")
                line += f": {shown}"
            lines.append(line)
        return lines


def select(G: nx.MultiDiGraph, selection: Selection | None = None) -> Selected:
    """The subgraph of `G` that `selection` describes; see the module docstring for the rules."""
    sel = selection or Selection()
    _check(G, sel)
    centers = _resolve(G, sel)
    H = G.copy()
    dropped: list[Drop] = []

    if sel.edge_types:
        wanted = set(sel.edge_types)
        gone = [(u, v, k) for u, v, k, t in H.edges(keys=True, data="type") if t not in wanted]
        H.remove_edges_from(gone)
        _record(dropped, "edge-type", f"not {', '.join(sel.edge_types)}", [], len(gone))
        _drop_isolated(H, centers, dropped, "edge-type", "no edge of the kept types")
        _nonempty(G, H, "--edge-type", _present_edge_types(G))

    if sel.since is not None or sel.until is not None:
        _filter_years(G, H, sel, centers, dropped)

    if sel.min_weight is not None:
        gone = [
            (u, v, k)
            for u, v, k, d in H.edges(keys=True, data=True)
            if d.get("type") == "CO_AUTHOR" and int(d.get("weight", 0)) < sel.min_weight
        ]
        H.remove_edges_from(gone)
        _record(dropped, "min-weight", f"co-authorship weight below {sel.min_weight}", [], len(gone))
        _drop_isolated(H, centers, dropped, "min-weight", "no co-author left at that weight")

    if centers:
        if not any(c in H for c in centers):
            names = ", ".join(G.nodes[c].get("name", c) for c in centers)
            raise SelectionError(f"the selection matched nothing: the filters dropped the center ({names}) itself")
        keep = _within(H, [c for c in centers if c in H], sel.hops)
        gone_nodes = sorted(set(H) - keep)
        edges_before = H.number_of_edges()
        H.remove_nodes_from(gone_nodes)
        _record(dropped, "hops", f"more than {sel.hops} hop{'s' if sel.hops != 1 else ''} from the center",
                gone_nodes, edges_before - H.number_of_edges())

    if sel.types:
        wanted = set(sel.types)
        gone_nodes = sorted(n for n, t in H.nodes(data="type") if t not in wanted)
        edges_before = H.number_of_edges()
        H.remove_nodes_from(gone_nodes)
        _record(dropped, "type", f"not {', '.join(sel.types)}", gone_nodes, edges_before - H.number_of_edges())
        if sel.edge_types:
            _drop_isolated(H, centers, dropped, "type", "no edge left to a node of the kept types")
        present = sorted({t for _, t in G.nodes(data="type") if t})
        _nonempty(G, H, "--type", f"the graph has {', '.join(present)}" if not centers else
                  f"within {sel.hops} hop{'s' if sel.hops != 1 else ''} there are "
                  f"{', '.join(_types_near(G, centers, sel.hops))}")

    if sel.limit is not None and H.number_of_nodes() > sel.limit:
        ranked = sorted(H, key=lambda n: (n not in centers, -H.degree(n), n))
        gone_nodes = sorted(ranked[sel.limit:])
        edges_before = H.number_of_edges()
        H.remove_nodes_from(gone_nodes)
        _record(dropped, "limit", f"kept the {sel.limit} most connected", gone_nodes,
                edges_before - H.number_of_edges())

    if H.number_of_nodes() == 0:
        raise SelectionError("the selection matched nothing; loosen --since/--until, --type or --edge-type")
    return Selected(graph=H, centers=tuple(centers), dropped=tuple(dropped))


def _check(G: nx.MultiDiGraph, sel: Selection) -> None:
    for option, values, allowed in (("--type", sel.types, NODE_TYPES), ("--edge-type", sel.edge_types, EDGE_TYPES)):
        for value in values:
            if value not in allowed:
                close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.5)
                if not close:
                    close = [a for a in allowed if a.casefold() == value.casefold()]
                hint = f"did you mean {close[0]}? " if close else ""
                raise SelectionError(f"unknown {option} {value!r}: {hint}allowed: {', '.join(allowed)}")
    if sel.hops < 0:
        raise SelectionError(f"--hops must be 0 or more, not {sel.hops}")
    if sel.limit is not None and sel.limit < 1:
        raise SelectionError(f"--limit must be 1 or more, not {sel.limit}")
    if sel.since is not None and sel.until is not None and sel.since > sel.until:
        raise SelectionError(f"--since {sel.since} is after --until {sel.until}")


def _resolve(G: nx.MultiDiGraph, sel: Selection) -> list[str]:
    names = sel.names
    if not names:
        return []
    from kg.lookup import NameIndex

    index = NameIndex(G)
    centers: list[str] = []
    for name, types in names:
        node = index.find(name, types=types)
        if node not in centers:
            centers.append(node)
    return centers


def _record(dropped: list[Drop], step: str, reason: str, nodes: list[str], edges: int) -> None:
    if nodes or edges:
        dropped.append(Drop(step, reason, tuple(nodes), edges))


def _drop_isolated(H: nx.MultiDiGraph, centers: list[str], dropped: list[Drop], step: str, reason: str) -> None:
    lone = sorted(n for n in H if H.degree(n) == 0 and n not in centers)
    H.remove_nodes_from(lone)
    _record(dropped, step, reason, lone, 0)


def _nonempty(G: nx.MultiDiGraph, H: nx.MultiDiGraph, option: str, hint: str) -> None:
    if H.number_of_nodes() == 0:
        raise SelectionError(f"the selection matched nothing after {option}: {hint}")


def _present_edge_types(G: nx.MultiDiGraph) -> str:
    return "the graph has " + ", ".join(sorted({t for *_, t in G.edges(data="type") if t}))


def _types_near(G: nx.MultiDiGraph, centers: list[str], hops: int) -> list[str]:
    return sorted({G.nodes[n].get("type", "?") for n in _within(G, centers, hops)})


def _within(G: nx.MultiDiGraph, centers: Iterable[str], hops: int) -> set[str]:
    """Nodes at most `hops` undirected steps from any center (breadth-first, both edge directions)."""
    seen = set(centers)
    frontier = list(seen)
    for _ in range(hops):
        nxt = []
        for node in frontier:
            for other in (*G.successors(node), *G.predecessors(node)):
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    return seen


def _filter_years(G: nx.MultiDiGraph, H: nx.MultiDiGraph, sel: Selection, centers: list[str],
                  dropped: list[Drop]) -> None:
    lo = sel.since if sel.since is not None else -(10**9)
    hi = sel.until if sel.until is not None else 10**9
    papers = [n for n, t in H.nodes(data="type") if t == "Paper"]
    kept = {n for n in papers if isinstance(H.nodes[n].get("year"), int) and lo <= H.nodes[n]["year"] <= hi}
    gone_papers = sorted(set(papers) - kept)
    edges_before = H.number_of_edges()
    H.remove_nodes_from(gone_papers)
    span = f"{sel.since if sel.since is not None else '...'}-{sel.until if sel.until is not None else '...'}"
    _record(dropped, "since/until", f"papers outside {span} or with no year", gone_papers,
            edges_before - H.number_of_edges())

    def names_kept(value: object) -> list[str]:
        refs = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        return [r for r in refs if r in kept or f"paper:{r}" in kept]

    # Edges that stand for papers: recount them over the kept papers, or drop them.
    gone_edges = []
    for u, v, k, d in list(H.edges(keys=True, data=True)):
        if "paper" in d and not names_kept(d["paper"]):
            gone_edges.append((u, v, k))
        elif isinstance(d.get("papers"), list):
            still = names_kept(d["papers"])
            if not still:
                gone_edges.append((u, v, k))
            elif len(still) != len(d["papers"]):
                H.edges[u, v, k]["papers"] = still
                if "weight" in d:
                    H.edges[u, v, k]["weight"] = len(still)
    H.remove_edges_from(gone_edges)

    # Entities stay while connected to a kept paper, directly or through a paper-backed edge.
    anchored = set(kept) | set(centers)
    for u, v, d in H.edges(data=True):
        if u in kept or v in kept or names_kept(d.get("paper")) or names_kept(d.get("papers")):
            anchored.update((u, v))
    loose = sorted(set(H) - anchored)
    H.remove_nodes_from(loose)
    if loose or gone_edges:
        dropped.append(Drop("since/until", f"not connected to a paper from {span}", tuple(loose), len(gone_edges)))
    years = sorted({y for _, y in G.nodes(data="year") if isinstance(y, int)})
    hint = f"papers span {years[0]}-{years[-1]}" if years else "no paper has a known year"
    _nonempty(G, H, "--since/--until", hint)
