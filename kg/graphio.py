"""Reading and writing the graph file that `kg build` produces and every other command reads.

The file is node-link JSON with nodes sorted by id, edges by (source, target, key) and keys sorted, so
the same graph always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import write_atomic
from kg.errors import GraphError

FORMAT = "kg-graph"
VERSION = 1


def graph_to_data(G: nx.MultiDiGraph) -> dict[str, Any]:
    nodes = [{"id": n, **G.nodes[n]} for n in sorted(G.nodes)]
    edges = [
        {"source": u, "target": v, "key": k, **d}
        for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    meta = {k: G.graph[k] for k in sorted(G.graph)}
    return {"format": FORMAT, "version": VERSION, "graph": meta, "nodes": nodes, "edges": edges}


def data_to_graph(data: dict[str, Any], *, where: str = "graph data") -> nx.MultiDiGraph:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GraphError(f"{where} is not a kg graph file (expected a JSON object with format {FORMAT!r})")
    G = nx.MultiDiGraph()
    G.graph.update(data.get("graph", {}))
    for node in data.get("nodes", []):
        attrs = dict(node)
        G.add_node(attrs.pop("id"), **attrs)
    for edge in data.get("edges", []):
        attrs = dict(edge)
        u, v, k = attrs.pop("source"), attrs.pop("target"), attrs.pop("key")
        G.add_edge(u, v, key=k, **attrs)
    return G


def write_graph(G: nx.MultiDiGraph, path: str | Path) -> Path:
    path = Path(path)
    # Streamed in pieces (not one string of the whole graph) to a temporary file renamed over the old
    # one: a reader never sees half a graph, and a kill or a full disk leaves the previous graph.
    return write_atomic(path, _encode(graph_to_data(G)))


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_PIECE = 2000  # nodes or edges per written piece


def _encode(data: dict[str, Any]) -> Iterator[str]:
    """`data` as compact JSON with sorted keys and a newline, in pieces of a few thousand items. Each item
    is encoded by the C encoder (`JSONEncoder.encode`); `iterencode`, which streams, runs in pure Python
    and took a tenth of a 100k-paper build. The bytes are the same either way."""
    yield "{"
    for i, key in enumerate(sorted(data)):
        value = data[key]
        yield ("," if i else "") + _ENCODER.encode(key) + ":"
        if isinstance(value, list):
            yield "["
            for j in range(0, len(value), _PIECE):
                yield ("," if j else "") + ",".join(map(_ENCODER.encode, value[j:j + _PIECE]))
            yield "]"
        else:
            yield _ENCODER.encode(value)
    yield "}\n"


def read_graph_data(path: str | Path) -> dict[str, Any]:
    """The graph file as its JSON object (nodes and edges as dicts), checked to be a non-empty kg graph:
    for readers that do not need a networkx graph (the embedded engine's loader)."""
    path = Path(path)
    if not path.exists():
        raise GraphError(f"no graph at {path}: run `kg build PATH...` first, or point --graph/KG_GRAPH at one")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GraphError(f"cannot read graph file {path}: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GraphError(f"{path} is not a kg graph file (expected a JSON object with format {FORMAT!r})")
    if not data.get("nodes"):
        raise GraphError(f"the graph at {path} is empty: build it from listings that contain papers")
    return data


def read_graph(path: str | Path) -> nx.MultiDiGraph:
    """Load a graph file; a missing, unreadable or empty graph is a `GraphError` naming the path."""
    return data_to_graph(read_graph_data(path), where=str(path))
