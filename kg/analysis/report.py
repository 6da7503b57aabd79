"""What the reading-group report says, as data: counts, top lists, lineage, communities, each claim with
the evidence it rests on (`kg.sinks.report` renders it).

Every claim carries `evidence`: a list of statements `{"paper", "title", "year", "sentence", "source"}`,
the sentence a paper states it in and the listing line the paper was read from. The page links each claim
to those statements, so a reader can check any number on it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

from kg.explore import top
from kg.schema import CITATION_EDGES

__all__ = ["communities", "counts", "evidence_of", "lineage", "statement", "top_with_evidence"]

# Edges by which a paper speaks of a system, technique, model, hardware or dataset.
_SPEAKS = ("INTRODUCES", "MENTIONS", "USES", *CITATION_EDGES)


def statement(G: nx.MultiDiGraph, paper_node: str, sentence: str | None) -> dict[str, Any]:
    d = G.nodes.get(paper_node, {})
    sources = d.get("sources") or []
    return {"paper": paper_node.removeprefix("paper:"), "title": d.get("title") or d.get("name") or paper_node,
            "year": d.get("year"), "sentence": sentence or "", "source": sources[0] if sources else None}


def evidence_of(G: nx.MultiDiGraph, node: str, *, limit: int = 3, edge_types: tuple[str, ...] = _SPEAKS) -> list[dict[str, Any]]:
    """Up to `limit` statements of papers about `node`, newest first, one per paper."""
    seen: dict[str, dict[str, Any]] = {}
    for u, _, d in sorted(G.in_edges(node, data=True), key=lambda e: (e[0], e[2].get("paper", ""), e[2]["type"])):
        if d["type"] not in edge_types:
            continue
        paper = f"paper:{d['paper']}" if d.get("paper") else u
        if paper in G and paper not in seen and d.get("evidence"):
            seen[paper] = statement(G, paper, d["evidence"])
    rows = sorted(seen.values(), key=lambda s: (-(s["year"] or 0), s["title"].casefold(), s["paper"]))
    return rows[:limit]


def counts(G: nx.MultiDiGraph) -> dict[str, Any]:
    nodes = Counter(d["type"] for _, d in G.nodes(data=True))
    edges = Counter(d["type"] for _, _, d in G.edges(data=True))
    years = sorted({y for _, y in G.nodes(data="year") if isinstance(y, int)})
    return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items())),
            "years": [years[0], years[-1]] if years else None}


def top_with_evidence(G: nx.MultiDiGraph, what: str, *, by: str, limit: int = 10) -> list[dict[str, Any]]:
    """`kg top` rows, each with the statements of a few papers behind its count."""
    return [{**row, "evidence": evidence_of(G, row["id"])} for row in top(G, what, by=by, limit=limit)]


def lineage(G: nx.MultiDiGraph, *, roots: int = 5, children: int = 8, depth: int = 2) -> list[dict[str, Any]]:
    """The most built-on systems and what builds on them, `depth` levels down, each link with its evidence."""
    built_on: dict[str, set[str]] = defaultdict(set)
    for u, v, d in G.edges(data=True):
        if d["type"] == "BUILDS_ON":
            built_on[v].add(d.get("paper") or u)
    order = sorted(built_on, key=lambda n: (-len(built_on[n]), (G.nodes[n].get("name") or n).casefold(), n))

    def grow(node: str, level: int, path: frozenset[str]) -> list[dict[str, Any]]:
        if level > depth:
            return []
        links: dict[str, dict[str, Any]] = {}
        for u, _, d in sorted(G.in_edges(node, data=True), key=lambda e: (e[0], e[2].get("paper", ""))):
            if d["type"] != "BUILDS_ON" or u in path:
                continue
            paper = f"paper:{d['paper']}" if d.get("paper") else u
            child = links.setdefault(u, {"id": u, "name": G.nodes[u].get("name") or u, "type": G.nodes[u]["type"],
                                         "evidence": []})
            child["evidence"].append(statement(G, paper, d.get("evidence")))
        kids = sorted(links.values(), key=lambda c: (-len(built_on.get(c["id"], ())), c["name"].casefold(), c["id"]))
        for kid in kids[:children]:
            kid["children"] = grow(kid["id"], level + 1, path | {kid["id"]}) if kid["type"] == "System" else []
        return kids[:children] + ([{"more": len(kids) - children}] if len(kids) > children else [])

    return [{"id": n, "name": G.nodes[n].get("name") or n, "papers": len(built_on[n]),
             "children": grow(n, 1, frozenset({n}))} for n in order[:roots]]


def communities(G: nx.MultiDiGraph, *, limit: int = 8, members: int = 6, systems: int = 5,
                seed: int = 0) -> list[dict[str, Any]]:
    """Co-author communities (Louvain on CO_AUTHOR weighted by joint papers, fixed seed and node order so
    the same graph gives the same groups), largest first, with their main authors and systems."""
    H = nx.Graph()
    authors = sorted(n for n, d in G.nodes(data=True) if d.get("type") == "Author")
    H.add_nodes_from(authors)
    for u, v, d in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
        if d["type"] == "CO_AUTHOR":
            H.add_edge(u, v, weight=d.get("weight", 1))
    H.remove_nodes_from([n for n in authors if H.degree(n) == 0])
    if H.number_of_nodes() == 0:
        return []
    groups = nx.community.louvain_communities(H, weight="weight", seed=seed)
    groups = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))[:limit]
    out = []
    for i, group in enumerate(groups, 1):
        papers_of = {a: {v for _, v, d in G.out_edges(a, data=True) if d["type"] == "AUTHORED"} for a in group}
        papers = set().union(*papers_of.values())
        main = sorted(group, key=lambda a: (-len(papers_of[a]), (G.nodes[a].get("name") or a).casefold(), a))
        talked: dict[str, dict[str, str]] = defaultdict(dict)  # system -> paper -> sentence
        introduced: Counter[str] = Counter()
        for p in sorted(papers):
            for _, s, d in G.out_edges(p, data=True):
                if G.nodes[s].get("type") == "System" and d["type"] in ("INTRODUCES", "MENTIONS"):
                    talked[s].setdefault(p, d.get("evidence", ""))
                    introduced[s] += d["type"] == "INTRODUCES"
        ranked = sorted(talked, key=lambda s: (-introduced[s], -len(talked[s]), (G.nodes[s].get("name") or s).casefold(), s))
        out.append({
            "community": i, "authors": len(group), "papers": len(papers),
            "main_authors": [{"id": a, "name": G.nodes[a].get("name") or a, "papers": len(papers_of[a])}
                             for a in main[:members]],
            "systems": [{"id": s, "name": G.nodes[s].get("name") or s, "introduced": introduced[s],
                         "papers": len(talked[s]),
                         "evidence": [statement(G, p, talked[s][p]) for p in sorted(talked[s])[:2]]}
                        for s in ranked[:systems]],
        })
    return out
