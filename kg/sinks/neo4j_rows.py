"""The rows `kg sync` and `kg sync --bulk` write to Neo4j, and the content hash that tells which are new.

Every node row carries its schema properties (None for absent ones, so an update removes what the graph
no longer has) and `kg_hash`; every relationship row also carries `kg_key`, its key in the graph. The
hash covers a row's label or type, its endpoints and all its properties, so the server's set of hashes
tells exactly which rows are already there: a sync sends only the others, and a resync with nothing to
change reads hashes and writes nothing.

Labels and relationship types cannot be query parameters in Cypher; they are taken from the fixed schema
in `kg.schema` (never from data) and checked against it before they reach query text or a file name.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

import networkx as nx

from kg.errors import GraphError
from kg.schema import EDGE_TYPES, NODE_PROPERTIES, NODE_TYPES

_IDENT = re.compile(r"^[A-Z][A-Za-z_]*$")
_SKIP_NODE = {"type", "id"}
_SKIP_EDGE = {"type", "source", "target", "key"}
# Compact, key-sorted JSON: the same properties always give the same text, whatever order they came in.
_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def label(name: str) -> str:
    """A node label for query text: only the schema's, so data can never inject Cypher."""
    if name not in NODE_TYPES or not _IDENT.match(name):
        raise GraphError(f"node type {name!r} is not in the schema; allowed: {', '.join(NODE_TYPES)}")
    return name


def rel_type(name: str) -> str:
    if name not in EDGE_TYPES or not _IDENT.match(name):
        raise GraphError(f"edge type {name!r} is not in the schema; allowed: {', '.join(EDGE_TYPES)}")
    return name


def content_hash(head: list[Any], props: Mapping[str, Any]) -> str:
    """sha1 of `head` (label or type and endpoints) and the non-null properties."""
    text = _encode([head, {k: v for k, v in props.items() if v is not None}])
    return hashlib.sha1(text.encode()).hexdigest()


def _plain(value: Any) -> Any:
    # An empty list is stored as no property: neo4j-admin import cannot tell the two apart, and a
    # database must hold the same whether it was loaded by `kg sync` or `kg sync --bulk`.
    if isinstance(value, list | tuple):
        return list(value) or None
    return value


def node_rows(G: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """Rows to write per label, sorted by id: `{id, hash, props}`."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for n in sorted(G.nodes):
        d = G.nodes[n]
        lab = label(d.get("type", ""))
        props: dict[str, Any] = dict.fromkeys(NODE_PROPERTIES[lab])
        props.update({k: _plain(v) for k, v in d.items() if k not in _SKIP_NODE})
        props["id"] = n
        rows.setdefault(lab, []).append({"id": n, "hash": content_hash([lab], props), "props": props})
    return rows


def edge_rows(G: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Rows to write per (type, source label, target label), sorted: `{source, target, key, hash, props}`."""
    rows: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    types = {n: d.get("type", "") for n, d in G.nodes(data=True)}
    checked: dict[tuple[str, str, str], tuple[str, str, str]] = {}  # each group validated once
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=itemgetter(0, 1, 2)):
        raw = (d.get("type", ""), types[u], types[v])
        group = checked.get(raw)
        if group is None:
            etype, a, b = rel_type(raw[0]), label(raw[1]), label(raw[2])
            if (a, b) not in EDGE_TYPES[etype][0]:
                raise GraphError(f"edge {u!r} -> {v!r} ({k!r}): {etype} may not join {a} to {b}")
            group = checked[raw] = (etype, a, b)
        props: dict[str, Any] = dict.fromkeys(EDGE_TYPES[group[0]][2])
        props.update({x: _plain(y) for x, y in d.items() if x not in _SKIP_EDGE})
        props["kg_key"] = k
        rows.setdefault(group, []).append(
            {"source": u, "target": v, "key": k, "hash": content_hash([group[0], u, v], props), "props": props})
    return rows


def graph_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    """Nodes per label and relationships per type, as `sync` writes them (for comparisons)."""
    counts: dict[str, int] = {}
    for _, d in G.nodes(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    for _, _, d in G.edges(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    return dict(sorted(counts.items()))


def schema_statements() -> list[str]:
    """The statements of `cypher/schema.cypher`, one per `;`, comments dropped."""
    from kg.query import read_cypher_file

    text = read_cypher_file("schema.cypher")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [s.strip() for s in body.split(";") if s.strip()]


def part(node: str, parts: int) -> int:
    """A node's partition: stable across runs and machines (crc32, not Python's salted hash)."""
    return zlib.crc32(node.encode()) % parts if parts > 1 else 0


def schedule(rows: list[dict[str, Any]], parts: int, same_label: bool) -> list[list[list[dict[str, Any]]]]:
    """Phases of jobs for `parts` writers such that no two jobs of a phase touch the same node.

    Creating a relationship locks both endpoints, so two transactions sharing a node can deadlock. Rows
    are bucketed by (partition of source, partition of target); phase p runs the buckets (i, i+p mod n),
    which share no source and no target partition ("mix and batch"). When both ends have the same label a
    node can be a source in one bucket and a target in another, so only the diagonal phase is parallel and
    the other buckets run as one job after it."""
    if parts <= 1:
        return [[rows]] if rows else []
    buckets: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in rows:
        buckets.setdefault((part(row["source"], parts), part(row["target"], parts)), []).append(row)
    phases: list[list[list[dict[str, Any]]]] = []
    if same_label:
        phases.append([buckets[(i, i)] for i in range(parts) if (i, i) in buckets])
        rest = [r for (i, j), b in sorted(buckets.items()) if i != j for r in b]
        phases.append([rest] if rest else [])
    else:
        for p in range(parts):
            phases.append([buckets[(i, (i + p) % parts)] for i in range(parts) if (i, (i + p) % parts) in buckets])
    return [ph for ph in phases if ph]


__all__ = ["content_hash", "edge_rows", "graph_counts", "label", "node_rows", "part", "rel_type", "schedule",
           "schema_statements"]
