"""Questions asked of a built graph from the CLI: `kg stats`, `kg show`, `kg top`, `kg path`.

Each function takes the graph first and returns plain data (dicts and lists) that the CLI renders as a
table or as JSON.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from kg.errors import KgError, NotFoundError
from kg.lookup import NameIndex
from kg.schema import CITATION_EDGES

TOP_KINDS = {"systems": "System", "authors": "Author", "techniques": "Technique", "models": "Model",
             "hardware": "Hardware", "datasets": "Dataset",
             "benchmarks": "Benchmark", "papers": "Paper", "organizations": "Organization"}
TOP_MEASURES = ("degree", "pagerank", "citations", "papers")
# Edges by which a paper points at an entity it talks about ("cites" it, in the graph's sense).
_CITING = ("MENTIONS", "USES", *CITATION_EDGES)
# Hub nodes that would make every shortest path trivially "both are cs.LG papers".
_PATH_SKIP = ("Category",)


def _label(G: nx.MultiDiGraph, n: str) -> str:
    return G.nodes[n].get("name") or n


def _papers_of(G: nx.MultiDiGraph, n: str) -> set[str]:
    kind = G.nodes[n].get("type")
    if kind == "Paper":
        return {n}
    if kind == "Author":
        return {v for _, v, d in G.out_edges(n, data=True) if d["type"] == "AUTHORED"}
    found = {u for u, _, d in G.in_edges(n, data=True) if G.nodes[u].get("type") == "Paper"}
    found |= {f"paper:{d['paper']}" for _, _, d in G.in_edges(n, data=True) if d.get("paper")}
    return found


def _citing_papers(G: nx.MultiDiGraph, n: str) -> set[str]:
    """Papers that mention, use, compare with, build on or integrate into `n` (not the ones introducing it)."""
    kind = G.nodes[n].get("type")
    if kind == "Author":
        introduced = {v for p in _papers_of(G, n) for _, v, d in G.out_edges(p, data=True)
                      if d["type"] == "INTRODUCES"}
        return set().union(*(_citing_papers(G, s) for s in introduced)) if introduced else set()
    found = set()
    for u, _, d in G.in_edges(n, data=True):
        if d["type"] in _CITING:
            found.add(f"paper:{d['paper']}" if d.get("paper") else u)
    return found


def stats(G: nx.MultiDiGraph, *, limit: int = 5) -> dict[str, Any]:
    """Counts of nodes by label and edges by type, and short top lists."""
    nodes = Counter(d["type"] for _, d in G.nodes(data=True))
    edges = Counter(d["type"] for _, _, d in G.edges(data=True))
    tops = {}
    for what, by in (("systems", "citations"), ("techniques", "papers"), ("authors", "papers")):
        tops[f"{what} by {by}"] = [{"name": r["name"], by: r["score"]} for r in top(G, what, by=by, limit=limit)]
    return {
        "nodes": dict(sorted(nodes.items())),
        "edges": dict(sorted(edges.items())),
        "total_nodes": G.number_of_nodes(),
        "total_edges": G.number_of_edges(),
        "top": tops,
    }


def top(G: nx.MultiDiGraph, what: str, *, by: str = "degree", limit: int = 10) -> list[dict[str, Any]]:
    """The highest-ranked entities of one kind. Measures: degree (edges in the whole graph), pagerank (on
    the graph with parallel edges collapsed into weights), citations (papers that mention, use, compare
    with, build on or integrate into it; for an author, those citing systems the author introduced), and
    papers (papers that author, introduce, mention or use it)."""
    if what not in TOP_KINDS:
        raise KgError(f"cannot rank {what!r}; allowed: {', '.join(TOP_KINDS)}")
    if by not in TOP_MEASURES:
        raise KgError(f"unknown measure {by!r}; allowed: {', '.join(TOP_MEASURES)}")
    if limit < 1:
        raise KgError(f"--limit must be at least 1, got {limit}")
    label = TOP_KINDS[what]
    members = sorted(n for n, d in G.nodes(data=True) if d.get("type") == label)
    if by == "pagerank":
        simple = nx.DiGraph()
        simple.add_nodes_from(sorted(G.nodes))
        for u, v, d in G.edges(data=True):
            w = d.get("weight", 1) if d["type"] == "CO_AUTHOR" else 1
            for a, b in ((u, v), (v, u)) if d["type"] == "CO_AUTHOR" else ((u, v),):
                prev = simple.get_edge_data(a, b, {}).get("weight", 0)
                simple.add_edge(a, b, weight=prev + w)
        ranks = _pagerank(simple)
        score = {n: round(ranks.get(n, 0.0), 6) for n in members}
    elif by == "degree":
        score = {n: G.degree(n) for n in members}
    elif by == "citations":
        score = {n: len(_citing_papers(G, n)) for n in members}
    else:
        score = {n: len(_papers_of(G, n)) for n in members}
    ranked = sorted(members, key=lambda n: (-score[n], _label(G, n).casefold(), n))[:limit]
    return [{"rank": i, "id": n, "name": _label(G, n), "score": score[n]} for i, n in enumerate(ranked, 1)]


def _pagerank(G: nx.DiGraph, *, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> dict[str, float]:
    """Weighted PageRank by power iteration (dangling mass spread evenly). networkx's own needs scipy,
    a large dependency for a loop this small."""
    n = G.number_of_nodes()
    if n == 0:
        return {}
    out_weight = {u: sum(d["weight"] for _, _, d in G.out_edges(u, data=True)) for u in G}
    rank = dict.fromkeys(G, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(rank[u] for u in G if out_weight[u] == 0) / n
        new = dict.fromkeys(G, (1.0 - alpha) / n + dangling)
        for u, v, d in G.edges(data=True):
            new[v] += alpha * rank[u] * d["weight"] / out_weight[u]
        if sum(abs(new[u] - rank[u]) for u in G) < n * tol:
            return new
        rank = new
    return rank


def _paper_row(G: nx.MultiDiGraph, p: str) -> dict[str, Any]:
    d = G.nodes[p]
    return {"id": p, "title": d.get("title") or d.get("name"), "year": d.get("year")}


def show(G: nx.MultiDiGraph, name: str) -> dict[str, Any]:
    """An entity card: what it is, its papers, its neighbours by edge type, and the evidence sentences."""
    n = NameIndex(G).find(name)
    data = G.nodes[n]
    kind = data["type"]
    attrs = {k: v for k, v in sorted(data.items()) if k not in ("type", "name", "abstract")}
    card: dict[str, Any] = {"id": n, "type": kind, "name": data.get("name"), "attributes": attrs}
    if kind == "Paper":
        card["abstract"] = data.get("abstract", "")

    relations: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for u, v, d in sorted(G.in_edges(n, data=True), key=lambda e: (e[2]["type"], e[0], e[2].get("paper", ""))):
        relations[f"<-{d['type']}"].append(_edge_row(G, u, d))
    for u, v, d in sorted(G.out_edges(n, data=True), key=lambda e: (e[2]["type"], e[1], e[2].get("paper", ""))):
        relations[f"{d['type']}->"].append(_edge_row(G, v, d))
    if kind == "Author":
        co = []
        for u, v, d in [*G.in_edges(n, data=True), *G.out_edges(n, data=True)]:
            if d["type"] == "CO_AUTHOR":
                other = v if u == n else u
                co.append({"id": other, "name": _label(G, other), "weight": d["weight"], "papers": d["papers"]})
        card["coauthors"] = sorted(co, key=lambda r: (-r["weight"], r["name"].casefold(), r["id"]))
        relations.pop("<-CO_AUTHOR", None)
        relations.pop("CO_AUTHOR->", None)
    card["neighbours"] = dict(sorted(relations.items()))
    card["papers"] = [_paper_row(G, p) for p in sorted(_papers_of(G, n), key=lambda p: (
        -(G.nodes[p].get("year") or 0), G.nodes[p].get("name", "").casefold(), p)) if p in G]
    return card


def _edge_row(G: nx.MultiDiGraph, other: str, d: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"id": other, "name": _label(G, other), "type": G.nodes[other].get("type")}
    for key in ("weight", "position", "inferred", "factor", "metric", "paper", "evidence"):
        if key in d:
            row[key] = d[key]
    if "paper" in d and f"paper:{d['paper']}" in G:
        row["paper_title"] = _label(G, f"paper:{d['paper']}")
    return row


def path(G: nx.MultiDiGraph, source: str, target: str, *, max_hops: int | None = None) -> list[dict[str, Any]]:
    """The shortest connection between two entities, edge by edge with evidence. Category nodes are not
    passed through (every paper has one), unless they are an end."""
    index = NameIndex(G)
    a, b = index.find(source), index.find(target)
    if a == b:
        raise KgError(f"{source!r} and {target!r} are the same entity ({a})")
    keep = [n for n, d in G.nodes(data=True) if d.get("type") not in _PATH_SKIP or n in (a, b)]
    view = nx.Graph()
    view.add_nodes_from(keep)
    keep_set = set(keep)
    for u, v in G.edges():
        if u in keep_set and v in keep_set:
            view.add_edge(u, v)
    try:
        nodes = nx.shortest_path(view, a, b)
    except nx.NetworkXNoPath:
        raise NotFoundError(f"no connection between {_label(G, a)!r} and {_label(G, b)!r} in the graph") from None
    if max_hops is not None and len(nodes) - 1 > max_hops:
        raise NotFoundError(f"{_label(G, a)!r} and {_label(G, b)!r} are {len(nodes) - 1} hops apart, "
                            f"more than --max-hops {max_hops}")
    steps = []
    for u, v in zip(nodes, nodes[1:]):
        forward = G.get_edge_data(u, v) or {}
        backward = G.get_edge_data(v, u) or {}
        no_edge: tuple[Any, dict[str, Any], str] = (None, {}, "->")
        key, d, direction = next(
            ((k, dd, "->") for k, dd in sorted(forward.items())),
            next(((k, dd, "<-") for k, dd in sorted(backward.items())), no_edge),
        )
        steps.append({
            "from": u, "from_name": _label(G, u), "edge": d.get("type", key), "direction": direction,
            "to": v, "to_name": _label(G, v), "evidence": d.get("evidence"), "factor": d.get("factor"),
            "weight": d.get("weight"),
        })
    return steps
