"""Syncing a built graph to Neo4j, and running Cypher on the server.

`sync` applies `cypher/schema.cypher`, then MERGEs nodes and relationships in `UNWIND $rows` batches, one
transaction per batch. Every kg-written node and relationship carries `kg_hash`, a hash of its
properties: a row whose hash is unchanged is matched but not written, which makes a second sync a
no-op and lets a sync cut half-way simply be run again. Relationships are MERGEd on their graph key
(`kg_key`), so parallel citation edges from different papers stay distinct and nothing is duplicated.
`prune=True` deletes only nodes and relationships that carry `kg_hash`/`kg_key` and are no longer in
the graph.

Labels and relationship types cannot be query parameters in Cypher; they are taken from the fixed
schema in `kg.schema` (never from data) and checked against it before they reach query text. Every
value travels as a parameter.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.config import Neo4jSettings
from kg.errors import GraphError, Neo4jSyncError, QueryError
from kg.schema import EDGE_TYPES, NODE_PROPERTIES, NODE_TYPES
from kg.sinks.embedded import Result

# (stage, done, total): stage is "nodes", "relationships" or "prune"; counts are rows.
Progress = Callable[[str, int, int], None]

_IDENT = re.compile(r"^[A-Z][A-Za-z_]*$")
_SKIP_NODE = {"type", "id"}
_SKIP_EDGE = {"type", "source", "target", "key"}


@dataclass(frozen=True, slots=True)
class Changes:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync did; `changed` is 0 when the server already held the graph."""

    nodes: Changes
    relationships: Changes
    batches: int
    database: str
    uri: str

    @property
    def changed(self) -> int:
        return self.nodes.changed + self.relationships.changed


@dataclass(slots=True)
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def freeze(self) -> Changes:
        return Changes(self.created, self.updated, self.unchanged, self.deleted)


def _label(name: str) -> str:
    """A node label for query text: only the schema's, so data can never inject Cypher."""
    if name not in NODE_TYPES or not _IDENT.match(name):
        raise GraphError(f"node type {name!r} is not in the schema; allowed: {', '.join(NODE_TYPES)}")
    return name


def _rel_type(name: str) -> str:
    if name not in EDGE_TYPES or not _IDENT.match(name):
        raise GraphError(f"edge type {name!r} is not in the schema; allowed: {', '.join(EDGE_TYPES)}")
    return name


def _hash(props: Mapping[str, Any]) -> str:
    text = json.dumps({k: v for k, v in props.items() if v is not None}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()


def _node_props(label: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    # Every schema property is sent, None for absent ones: `SET n += {p: null}` removes a property the
    # graph no longer has, while properties a user added on the server by hand survive.
    props: dict[str, Any] = {k: None for k in NODE_PROPERTIES[label]}
    props.update({k: _plain(v) for k, v in attrs.items() if k not in _SKIP_NODE})
    return props


def _edge_props(etype: str, attrs: Mapping[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {k: None for k in EDGE_TYPES[etype][2]}
    props.update({k: _plain(v) for k, v in attrs.items() if k not in _SKIP_EDGE})
    return props


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def node_rows(G: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """Rows to write per label, sorted by id: `{id, hash, props}`."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for n in sorted(G.nodes):
        d = G.nodes[n]
        label = _label(d.get("type", ""))
        props = _node_props(label, d)
        props["id"] = n
        rows.setdefault(label, []).append({"id": n, "hash": _hash({"label": label, **props}),
                                           "props": props})
    return rows


def edge_rows(G: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Rows to write per (type, source label, target label), sorted: `{source, target, key, hash, props}`."""
    rows: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        etype = _rel_type(d.get("type", ""))
        a, b = _label(G.nodes[u].get("type", "")), _label(G.nodes[v].get("type", ""))
        if (a, b) not in EDGE_TYPES[etype][0]:
            raise GraphError(f"edge {u!r} -> {v!r} ({k!r}): {etype} may not join {a} to {b}")
        props = _edge_props(etype, d)
        props["kg_key"] = k
        rows.setdefault((etype, a, b), []).append(
            {"source": u, "target": v, "key": k, "hash": _hash({"type": etype, **props}), "props": props})
    return rows


def graph_counts(G: nx.MultiDiGraph) -> dict[str, int]:
    """Nodes per label and relationships per type, as `sync` writes them (for comparisons)."""
    counts: dict[str, int] = {}
    for _, d in G.nodes(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    for _, _, d in G.edges(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    return dict(sorted(counts.items()))


def _node_query(label: str) -> str:
    return (
        f"UNWIND $rows AS row MERGE (n:{_label(label)} {{id: row.id}}) "
        "WITH n, row, (n.kg_hash IS NULL OR n.kg_hash <> row.hash) AS changed "
        "FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET n += row.props, n.kg_hash = row.hash) "
        "RETURN count(*) AS matched, sum(CASE WHEN changed THEN 1 ELSE 0 END) AS written"
    )


def _edge_query(etype: str, a: str, b: str) -> str:
    return (
        f"UNWIND $rows AS row MATCH (a:{_label(a)} {{id: row.source}}) "
        f"MATCH (b:{_label(b)} {{id: row.target}}) "
        f"MERGE (a)-[r:{_rel_type(etype)} {{kg_key: row.key}}]->(b) "
        "WITH r, row, (r.kg_hash IS NULL OR r.kg_hash <> row.hash) AS changed "
        "FOREACH (_ IN CASE WHEN changed THEN [1] ELSE [] END | SET r += row.props, r.kg_hash = row.hash) "
        "RETURN count(*) AS matched, sum(CASE WHEN changed THEN 1 ELSE 0 END) AS written"
    )


def schema_statements() -> list[str]:
    """The statements of `cypher/schema.cypher`, one per `;`, comments dropped."""
    from kg.query import read_cypher_file

    text = read_cypher_file("schema.cypher")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [s.strip() for s in body.split(";") if s.strip()]


def _batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def safe_uri(uri: str) -> str:
    """`uri` fit to print: whatever stands before an `@` (a user and password) is masked. The user part
    may hold `/`, `?` or `@` unescaped, so the secret runs from the scheme to the last `@`."""
    at = uri.rfind("@")
    if at < 0:
        return uri
    scheme = uri.find("://")
    head = uri[:scheme + 3] if 0 <= scheme < at else ""
    return f"{head}***@{uri[at + 1:]}"


class _Session:
    """One driver plus the error translation every call needs. A URI with a user or password in it is
    refused before the driver sees it (the driver would quote it back in its errors): every message
    below may then name `settings.uri`, since it carries no secret."""

    def __init__(self, settings: Neo4jSettings, *, retry_seconds: float) -> None:
        shown = safe_uri(settings.uri)
        if shown != settings.uri:
            # The driver refuses user info in the URI anyway; saying so beats its generic error.
            raise Neo4jSyncError(f"invalid Neo4j URI {shown!r}: give the user and password with --user / "
                                 "--password (KG_NEO4J_USER / KG_NEO4J_PASSWORD), not in the URI")
        if not settings.password:
            raise Neo4jSyncError("no Neo4j password: set KG_NEO4J_PASSWORD (`kg sync` also takes --password)")
        try:
            from neo4j import GraphDatabase
        except ImportError as err:  # pragma: no cover - neo4j is a dependency
            raise Neo4jSyncError(f"the Neo4j driver is missing: pip install neo4j ({err})") from None
        self.settings = settings
        self.batches_done = 0
        self.batches_total = 0
        try:
            self.driver = GraphDatabase.driver(
                settings.uri, auth=(settings.user, settings.password), connection_timeout=10,
                max_transaction_retry_time=retry_seconds, connection_acquisition_timeout=30)
        except Exception as err:  # noqa: BLE001 - the driver raises ValueError/ConfigurationError
            raise Neo4jSyncError(f"invalid Neo4j URI {settings.uri!r} ({_one_line(err)}): check --uri / "
                                 "KG_NEO4J_URI, e.g. bolt://127.0.0.1:7687") from None

    def close(self) -> None:
        self.driver.close()

    def error(self, err: Exception) -> Neo4jSyncError:
        from neo4j.exceptions import (
            AuthError,
            ClientError,
            DriverError,
            Neo4jError,
            ServiceUnavailable,
            SessionExpired,
        )

        s = self.settings
        code = getattr(err, "code", "") or ""
        if isinstance(err, AuthError) or code.startswith("Neo.ClientError.Security.Unauthorized"):
            return Neo4jSyncError(f"Neo4j at {s.uri} rejected user {s.user!r}: check --user/--password "
                                  "(KG_NEO4J_USER / KG_NEO4J_PASSWORD)")
        if code == "Neo.ClientError.Database.DatabaseNotFound":
            return Neo4jSyncError(f"Neo4j at {s.uri} has no database {s.database!r}: check --database / "
                                  "KG_NEO4J_DATABASE (Community edition has only 'neo4j')")
        # Any driver-side failure (not a server answer) is the connection: refused, reset, or a commit
        # whose outcome never came back.
        if isinstance(err, ServiceUnavailable | SessionExpired | DriverError | OSError):
            if self.batches_done:
                return Neo4jSyncError(
                    f"connection to Neo4j at {s.uri} lost after {self.batches_done} of {self.batches_total} "
                    "batches: check the server, then run `kg sync` again (it resumes without duplicates)")
            return Neo4jSyncError(f"cannot reach Neo4j at {s.uri}: check that the server is running and "
                                  "--uri / KG_NEO4J_URI")
        if isinstance(err, ClientError | Neo4jError):
            return Neo4jSyncError(f"Neo4j at {s.uri} refused a statement: {code} {_one_line(err)}")
        return Neo4jSyncError(f"Neo4j at {s.uri} failed: {type(err).__name__}: {_one_line(err)}")

    def execute(self, cypher: str, params: Mapping[str, Any] | None = None) -> Any:
        try:
            return self.driver.execute_query(cypher, parameters_=dict(params or {}),
                                             database_=self.settings.database)
        except Exception as err:  # noqa: BLE001 - translated to one Neo4jSyncError below
            from neo4j.exceptions import ClientError

            if isinstance(err, ClientError) and not _is_setup_error(err):
                raise QueryError(f"Neo4j: {_one_line(err)}") from None
            raise self.error(err) from None

    def check(self) -> None:
        """Reach the server, log in and open the database, so each failure gets its own message."""
        self.execute("RETURN 1")


def _is_setup_error(err: Exception) -> bool:
    code = getattr(err, "code", "") or ""
    return code.startswith("Neo.ClientError.Security.") or code == "Neo.ClientError.Database.DatabaseNotFound"


def _one_line(err: Exception) -> str:
    message = getattr(err, "message", None) or str(err)
    return " ".join(str(message).split())


def sync(graph: nx.MultiDiGraph | str | Path, settings: Neo4jSettings, *, batch_size: int = 1000,
         prune: bool = False, progress: Progress | None = None, retry_seconds: float = 15.0) -> SyncResult:
    """Write `graph` (a graph or a graph file) to Neo4j; see the module docstring for the guarantees."""
    if batch_size < 1:
        raise Neo4jSyncError(f"batch size must be at least 1, got {batch_size}")
    if not isinstance(graph, nx.MultiDiGraph):
        from kg.graphio import read_graph

        graph = read_graph(graph)
    nodes, edges = node_rows(graph), edge_rows(graph)
    n_nodes = sum(len(r) for r in nodes.values())
    n_edges = sum(len(r) for r in edges.values())
    session = _Session(settings, retry_seconds=retry_seconds)
    try:
        session.check()
        for statement in schema_statements():
            session.execute(statement)
        session.batches_total = sum(-(-len(r) // batch_size) for r in [*nodes.values(), *edges.values()])
        node_tally, edge_tally = _Tally(), _Tally()
        done = 0
        for label, rows in nodes.items():
            query = _node_query(label)
            for batch in _batches(rows, batch_size):
                _write(session, query, batch, node_tally, "nodes_created")
                done += len(batch)
                if progress:
                    progress("nodes", done, n_nodes)
        done = 0
        for (etype, a, b), rows in edges.items():
            query = _edge_query(etype, a, b)
            for batch in _batches(rows, batch_size):
                _write(session, query, batch, edge_tally, "relationships_created")
                done += len(batch)
                if progress:
                    progress("relationships", done, n_edges)
        if prune:
            _prune(session, graph, nodes, batch_size, node_tally, edge_tally, progress)
        return SyncResult(node_tally.freeze(), edge_tally.freeze(), session.batches_done,
                          settings.database, settings.uri)
    finally:
        session.close()


def _write(session: _Session, query: str, batch: Sequence[Mapping[str, Any]], tally: _Tally,
           counter: str) -> None:
    res = session.execute(query, {"rows": list(batch)})
    record = res.records[0]
    matched, written = record["matched"], record["written"] or 0
    if matched != len(batch):
        # Only relationships can miss: an endpoint node is not on the server.
        raise Neo4jSyncError(f"{len(batch) - matched} relationships of a batch found no endpoint node on the "
                             "server; run `kg sync` again to write the missing nodes first")
    created = getattr(res.summary.counters, counter)
    tally.created += created
    tally.updated += written - created
    tally.unchanged += len(batch) - written
    session.batches_done += 1


def _prune(session: _Session, G: nx.MultiDiGraph, nodes: Mapping[str, list[dict[str, Any]]], batch_size: int,
           node_tally: _Tally, edge_tally: _Tally, progress: Progress | None) -> None:
    keep_edges = {(u, v, k) for u, v, k in G.edges(keys=True)}
    stale_rels: list[str] = []
    for etype in EDGE_TYPES:
        res = session.execute(
            f"MATCH (a)-[r:{_rel_type(etype)}]->(b) WHERE r.kg_key IS NOT NULL "
            "RETURN a.id AS source, b.id AS target, r.kg_key AS key, elementId(r) AS eid")
        stale_rels += [r["eid"] for r in res.records
                       if (r["source"], r["target"], r["key"]) not in keep_edges]
    stale_nodes: list[str] = []
    for label in NODE_TYPES:
        keep = {row["id"] for row in nodes.get(label, [])}
        res = session.execute(f"MATCH (n:{_label(label)}) WHERE n.kg_hash IS NOT NULL "
                              "RETURN n.id AS id, elementId(n) AS eid")
        stale_nodes += [r["eid"] for r in res.records if r["id"] not in keep]
    total, done = len(stale_rels) + len(stale_nodes), 0
    session.batches_total += -(-len(stale_rels) // batch_size) + -(-len(stale_nodes) // batch_size)
    for batch in _batches(sorted(stale_rels), batch_size):
        res = session.execute("UNWIND $ids AS eid MATCH ()-[r]->() WHERE elementId(r) = eid DELETE r",
                              {"ids": list(batch)})
        edge_tally.deleted += res.summary.counters.relationships_deleted
        session.batches_done += 1
        done += len(batch)
        if progress:
            progress("prune", done, total)
    for batch in _batches(sorted(stale_nodes), batch_size):
        res = session.execute("UNWIND $ids AS eid MATCH (n) WHERE elementId(n) = eid DETACH DELETE n",
                              {"ids": list(batch)})
        node_tally.deleted += res.summary.counters.nodes_deleted
        # A pruned node's relationships go with it (they were kg-written, or hang on a kg node).
        edge_tally.deleted += res.summary.counters.relationships_deleted
        session.batches_done += 1
        done += len(batch)
        if progress:
            progress("prune", done, total)


def _value(value: Any) -> Any:
    from neo4j.graph import Node, Relationship
    from neo4j.graph import Path as GraphPath

    if isinstance(value, Node | Relationship):
        return {k: _value(v) for k, v in sorted(dict(value).items()) if not k.startswith("kg_")}
    if isinstance(value, GraphPath):
        return [_value(n) for n in value.nodes]
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


def run(settings: Neo4jSettings, cypher: str, params: Mapping[str, Any] | None = None, *,
        retry_seconds: float = 15.0) -> Result:
    """Run one Cypher statement on the server; results as plain Python values."""
    session = _Session(settings, retry_seconds=retry_seconds)
    try:
        res = session.execute(cypher, params)
        columns = tuple(res.keys)
        return Result(columns, tuple(tuple(_value(v) for v in rec.values()) for rec in res.records))
    finally:
        session.close()


def server_counts(settings: Neo4jSettings, *, retry_seconds: float = 15.0) -> dict[str, int]:
    """kg-written nodes per label and relationships per type on the server (the counts `sync` writes)."""
    session = _Session(settings, retry_seconds=retry_seconds)
    try:
        counts: dict[str, int] = {}
        for label in NODE_TYPES:
            res = session.execute(f"MATCH (n:{_label(label)}) WHERE n.kg_hash IS NOT NULL "
                                  "RETURN count(n) AS c")
            counts[label] = res.records[0]["c"]
        for etype in EDGE_TYPES:
            res = session.execute(f"MATCH ()-[r:{_rel_type(etype)}]->() WHERE r.kg_key IS NOT NULL "
                                  "RETURN count(r) AS c")
            counts[etype] = res.records[0]["c"]
        return {k: v for k, v in sorted(counts.items()) if v}
    finally:
        session.close()


__all__ = ["Changes", "SyncResult", "edge_rows", "graph_counts", "node_rows", "run", "safe_uri",
           "schema_statements", "server_counts", "sync"]
