"""Building the NetworkX graph from papers, profiles, extractions and their resolution.

See kg/schema.py for labels, edge types and ids. The builder is deterministic: papers are visited in id
order, every collection is sorted, and no attribute depends on input order, so the same records always give
the same graph (and the same graph file, byte for byte).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from kg.authors import AuthorResolution, profile_node
from kg.model import Evidence, Extraction, Merge, Mention, Paper, Profile
from kg.resolve import Resolution
from kg.schema import CITATION_EDGES, EDGE_TYPES, NODE_TYPES, edge_key, node_id, slug

_RELATION_EDGE = {"compares_with": "COMPARES_WITH", "builds_on": "BUILDS_ON", "integrates_into": "INTEGRATES_INTO"}


@dataclass(slots=True)
class GraphReport:
    """What the builder did beyond adding nodes and edges: relation ends it could not place, etc."""

    dropped: list[str] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)


def _evidence(ev: Evidence, text: str) -> dict:
    return {"evidence": ev.sentence, "start": ev.start, "end": ev.end, "text": text, "field": ev.field}


def _clean(attrs: dict) -> dict:
    """Unknown values are absent, never None (GraphML and GEXF cannot hold None)."""
    return {k: v for k, v in attrs.items() if v is not None}


def build_graph(
    papers: Sequence[Paper],
    profiles: Sequence[Profile],
    extractions: Sequence[Extraction],
    resolution: Resolution,
    *,
    author_key: Callable[[str], str],
    authors: AuthorResolution,
) -> tuple[nx.MultiDiGraph, GraphReport]:
    G = nx.MultiDiGraph()
    report = GraphReport()
    by_id = {p.id: p for p in papers}

    # --- people and papers ---------------------------------------------------------------------------
    profile_by_key = {author_key(pr.name): pr for pr in sorted(profiles, key=lambda p: (p.name, p.source))}
    for nid in sorted(authors.names):
        G.add_node(nid, type="Author", name=authors.names[nid], **authors.attrs.get(nid, {}))
    for key, pr in sorted(profile_by_key.items()):
        nid = profile_node(authors, key, pr, papers, author_key)
        if nid not in G:
            G.add_node(nid, type="Author", name=pr.name)
        G.nodes[nid].update(_clean({
            "profile": True, "h_index": pr.h_index, "paper_count": pr.papers, "citations": pr.citations,
            "novelty": pr.novelty, "ai_score": pr.ai_score, "profile_category": pr.category,
        }))

    coauthors: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in sorted(papers, key=lambda p: p.id):
        pid = node_id("Paper", p.id)
        G.add_node(pid, **_clean({
            "type": "Paper", "name": p.title or f"(untitled {p.id})", "title": p.title or "", "year": p.year,
            "month": p.month, "day": p.day, "category": p.category, "has_code": p.has_code, "org": p.org,
            "abstract": p.abstract, "sources": [f"{s.file}:{s.line}" for s in sorted(p.sources)],
            "arxiv_id": p.arxiv_id, "authors_truncated": p.authors_truncated,
        }))
        seen: list[str] = []
        for position, a in enumerate(p.authors, 1):
            if not author_key(a.name):
                continue
            aid = authors.node(p.id, author_key(a.name))
            if aid in seen:
                continue
            seen.append(aid)
            G.add_edge(aid, pid, key="AUTHORED", type="AUTHORED", position=position, inferred=a.inferred)
        for i, first in enumerate(seen):
            for second in seen[i + 1:]:
                coauthors[min(first, second), max(first, second)].append(p.id)
        if p.category:
            cid = node_id("Category", slug(p.category))
            G.add_node(cid, type="Category", name=p.category)
            G.add_edge(pid, cid, key="IN_CATEGORY", type="IN_CATEGORY")
        for org in _orgs(p.org):
            oid = node_id("Organization", slug(org))
            G.add_node(oid, type="Organization", name=org)
            G.add_edge(pid, oid, key="AFFILIATED_WITH", type="AFFILIATED_WITH")
    for (first, second), pids in sorted(coauthors.items()):
        G.add_edge(first, second, key="CO_AUTHOR", type="CO_AUTHOR", weight=len(pids), papers=sorted(pids))

    # --- what the papers say -------------------------------------------------------------------------
    for ent in sorted(resolution.entities.values(), key=lambda e: e.id):
        attrs: dict[str, object] = {"type": ent.label, "name": ent.name}
        if ent.label != "Organization":
            attrs["aliases"] = list(ent.aliases)
        if ent.homonym_of:
            attrs.update({"homonym_of": ent.homonym_of, "split_reason": ent.split_reason})
        if ent.label == "Technique":
            attrs.update(_clean({"key": ent.key or ent.id.split(":", 1)[1], "discovered": ent.discovered,
                                 "parent": ent.parent.split(":", 1)[1] if ent.parent else None}))
        G.add_node(ent.id, **attrs)
    for ent in sorted(resolution.entities.values(), key=lambda e: e.id):
        if ent.parent and ent.parent in G and ent.parent != ent.id:
            G.add_edge(ent.id, ent.parent, key="SUBTOPIC_OF", type="SUBTOPIC_OF")
        if ent.variant_of and ent.variant_of in G and ent.variant_of != ent.id:
            G.add_edge(ent.id, ent.variant_of, key="VARIANT_OF", type="VARIANT_OF")

    def target(m: Mention, paper: str) -> str | None:
        from kg.resolve import MENTION_LABELS

        eid = resolution.mention_entity(MENTION_LABELS[m.kind], m, paper)
        return eid if eid in G else None

    def link(pid: str, edge_type: str, m: Mention) -> None:
        eid = target(m, pid.split(":", 1)[1])
        if eid is None:
            report.dropped.append(f"{pid}: {m.kind} {m.name!r} has no entity")
            return
        if G.has_edge(pid, eid, key=edge_type):
            return  # the first (earliest) evidence in the paper stands
        G.add_edge(pid, eid, key=edge_type, type=edge_type, **_evidence(m.evidence, m.text))

    for ex in sorted(extractions, key=lambda e: e.id):
        if ex.id not in by_id:
            report.dropped.append(f"extraction for unknown paper {ex.id}")
            continue
        pid = node_id("Paper", ex.id)
        for m in ex.systems_introduced:
            link(pid, "INTRODUCES", m)
        for m in ex.techniques:
            link(pid, "INTRODUCES" if m.introduced else "USES", m)
        for m in (*ex.systems_mentioned, *ex.models, *ex.hardware, *ex.datasets, *ex.benchmarks):
            link(pid, "MENTIONS", m)
        for r in ex.relations:
            edge_type = _RELATION_EDGE[r.type]
            src = pid if r.source_kind == "paper" else resolution.entity_id("System", r.source, ex.id)
            dst = resolution.entity_id("System", r.target, ex.id)
            if not src or not dst or src not in G or dst not in G or src == dst:
                report.dropped.append(f"{pid}: {r.type} {r.source!r} -> {r.target!r} has no system at one end")
                continue
            key = edge_key(edge_type, ex.id)
            if G.has_edge(src, dst, key=key):
                continue
            G.add_edge(src, dst, key=key, type=edge_type, paper=ex.id,
                       **_clean({"factor": r.factor, "metric": r.metric}), **_evidence(r.evidence, r.target))
    G.graph["schema"] = "kg/1"
    return G, report


def _orgs(tag: str | None) -> list[str]:
    if not tag:
        return []
    parts = tag if isinstance(tag, list) else tag.split(",")
    return sorted({p.strip() for p in parts if p.strip()})


def validate(G: nx.MultiDiGraph) -> list[str]:
    """Schema problems in a graph (empty when it is sound): unknown labels or edge types, missing required
    properties, edges whose ends have the wrong labels, citation edges without evidence."""
    problems = []
    for n, d in G.nodes(data=True):
        label = d.get("type")
        if label not in NODE_TYPES:
            problems.append(f"node {n}: unknown type {label!r}")
            continue
        for prop in ("name", *NODE_TYPES[label]):
            if prop not in d:
                problems.append(f"node {n}: missing {prop}")
    for u, v, k, d in G.edges(keys=True, data=True):
        et = d.get("type")
        if et not in EDGE_TYPES:
            problems.append(f"edge {u}->{v} [{k}]: unknown type {et!r}")
            continue
        pairs, required, _ = EDGE_TYPES[et]
        if (G.nodes[u].get("type"), G.nodes[v].get("type")) not in pairs:
            problems.append(f"edge {u}->{v} [{k}]: {et} cannot join {G.nodes[u].get('type')} to {G.nodes[v].get('type')}")
        for prop in required:
            if prop not in d:
                problems.append(f"edge {u}->{v} [{k}]: missing {prop}")
        if et in CITATION_EDGES and not d.get("evidence"):
            problems.append(f"edge {u}->{v} [{k}]: no evidence")
    return problems
