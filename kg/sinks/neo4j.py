"""Syncing a built graph to Neo4j, and running Cypher on the server.

`sync` applies `cypher/schema.cypher` (constraints first, so every MERGE is an index seek), reads the
content hashes of what kg wrote before (`kg_hash`, see `kg.sinks.neo4j_rows`), and writes only rows whose
hash the server lacks: a resync with nothing to change reads hashes and writes nothing, and a sync cut
half-way (every batch is one transaction) is finished by running it again. Writes are `UNWIND $rows`
MERGEs, so a retried or repeated batch never duplicates anything; relationships are MERGEd on their
graph key (`kg_key`) between endpoints found by element id. `workers` writers run at once on rows
scheduled so that no two concurrent transactions touch the same node (no lock waits, no deadlocks).
`prune=True` deletes only nodes and relationships that carry `kg_hash` and are no longer in the graph.

Labels and relationship types come from the fixed schema, never from data; every value is a parameter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.config import Neo4jSettings
from kg.errors import Neo4jSyncError, QueryError
from kg.schema import EDGE_TYPES, NODE_TYPES
from kg.sinks.embedded import Result
from kg.sinks.neo4j_rows import (
    edge_rows,
    graph_counts,
    label,
    node_rows,
    part,
    rel_type,
    schedule,
    schema_statements,
)

# (stage, done, total): stage is "nodes", "relationships" or "prune"; counts are rows.
Progress = Callable[[str, int, int], None]

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
    # Seconds per phase: "compare" (rows, hashes and the server's hashes), "nodes", "relationships",
    # "prune"; for benchmarks and --json, never in the text output (it would not be deterministic).
    seconds: Mapping[str, float] = field(default_factory=dict)

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
                max_transaction_retry_time=retry_seconds, connection_acquisition_timeout=30,
                # Reads of absent types are expected (a graph without BUILDS_ON); no warnings for them.
                notifications_min_severity="OFF")
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

    def columns(self, cypher: str) -> list[list[Any]]:
        """The one row of a query that returns `collect(...)` lists. Reading state this way is about ten
        times faster than one record per item: the driver decodes one list instead of a record each."""
        try:
            with self.driver.session(database=self.settings.database) as s:
                record = s.run(cypher).single()
        except Exception as err:  # noqa: BLE001 - translated like every other call
            raise self.error(err) from None
        return [list(v) for v in record.values()] if record is not None else []

    def check(self) -> None:
        """Reach the server, log in and open the database, so each failure gets its own message. The
        connectivity check does not retry: a server that is not there is said at once, not after the
        driver's retry time."""
        try:
            self.driver.verify_connectivity()
        except Exception as err:  # noqa: BLE001 - translated to one Neo4jSyncError
            raise self.error(err) from None
        self.execute("RETURN 1")


def _is_setup_error(err: Exception) -> bool:
    code = getattr(err, "code", "") or ""
    return code.startswith("Neo.ClientError.Security.") or code == "Neo.ClientError.Database.DatabaseNotFound"


def _one_line(err: Exception) -> str:
    message = getattr(err, "message", None) or str(err)
    return " ".join(str(message).split())


def _batches(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _node_query(lab: str) -> str:
    return (f"UNWIND $rows AS row MERGE (n:{label(lab)} {{id: row.id}}) SET n += row.props, n.kg_hash = row.hash "
            "RETURN row.id AS id, elementId(n) AS eid")


def _edge_query(etype: str) -> str:
    # Endpoints by element id (read from the server, or returned by the node writes): a direct seek,
    # cheaper than two index lookups per row.
    return ("UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.s MATCH (b) WHERE elementId(b) = row.t "
            f"MERGE (a)-[r:{rel_type(etype)} {{kg_key: row.key}}]->(b) SET r += row.props, r.kg_hash = row.hash "
            "RETURN count(*) AS matched")


class _Writer:
    """Runs phases of jobs on `workers` threads, one session each; every batch is one transaction the
    driver retries on transient errors (safe: every write is a MERGE). The first failure stops the rest."""

    def __init__(self, session: _Session, workers: int, batch_size: int, progress: Progress | None) -> None:
        self.session, self.workers, self.batch_size, self.progress = session, workers, batch_size, progress
        self.lock = threading.Lock()
        self.failed: BaseException | None = None
        self.done: dict[str, int] = {}
        self.totals: dict[str, int] = {}

    def stage(self, name: str, total: int, already: int) -> None:
        self.totals[name], self.done[name] = total, already
        if self.progress and already:
            self.progress(name, already, total)

    def run(self, stage: str, query: str, jobs: list[list[dict[str, Any]]], tally: _Tally, counter: str,
            records: Callable[[list[Any]], None] | None = None) -> None:
        def job(rows: list[dict[str, Any]]) -> None:
            with self.session.driver.session(database=self.session.settings.database) as s:
                for batch in _batches(rows, self.batch_size):
                    if self.failed is not None:
                        return
                    try:
                        recs, counters = s.execute_write(_work, query, list(batch))
                    except BaseException as err:  # noqa: BLE001 - reported once, below
                        with self.lock:
                            self.failed = self.failed or err
                        return
                    self._count(stage, batch, recs, counters, tally, counter, records)

        if len(jobs) == 1 or self.workers == 1:
            for rows in jobs:
                job(rows)
        else:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(jobs))) as pool:
                list(pool.map(job, jobs))
        if self.failed is not None:
            raise self.session.error(self.failed) from None

    def _count(self, stage: str, batch: Sequence[dict[str, Any]], recs: list[Any], counters: Any, tally: _Tally,
               counter: str, records: Callable[[list[Any]], None] | None) -> None:
        with self.lock:
            if records is not None:
                records(recs)
            elif recs[0]["matched"] != len(batch):
                # Only relationships can miss: an endpoint node left the server after it was read.
                self.failed = self.failed or Neo4jSyncError(
                    f"{len(batch) - recs[0]['matched']} relationships of a batch found no endpoint node on "
                    "the server; run `kg sync` again")
                return
            created = getattr(counters, counter)
            tally.created += created
            tally.updated += len(batch) - created
            self.session.batches_done += 1
            self.done[stage] += len(batch)
            if self.progress:
                self.progress(stage, self.done[stage], self.totals[stage])


def _work(tx: Any, query: str, rows: list[dict[str, Any]]) -> tuple[list[Any], Any]:
    result = tx.run(query, rows=rows)
    recs = list(result)
    return recs, result.consume().counters


def sync(graph: nx.MultiDiGraph | str | Path, settings: Neo4jSettings, *, batch_size: int = 5000,
         prune: bool = False, progress: Progress | None = None, retry_seconds: float = 15.0,
         workers: int = 2) -> SyncResult:
    """Write `graph` (a graph or a graph file) to Neo4j; see the module docstring for the guarantees."""
    if batch_size < 1:
        raise Neo4jSyncError(f"batch size must be at least 1, got {batch_size}")
    if workers < 1:
        raise Neo4jSyncError(f"workers must be at least 1, got {workers}")
    if not isinstance(graph, nx.MultiDiGraph):
        from kg.graphio import read_graph

        graph = read_graph(graph)
    clock = [time.perf_counter()]
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        clock.append(time.perf_counter())
        seconds[name] = clock[-1] - clock[-2]

    nodes, edges = node_rows(graph), edge_rows(graph)
    session = _Session(settings, retry_seconds=retry_seconds)
    try:
        session.check()
        for statement in schema_statements():
            session.execute(statement)
        eids: dict[str, str] = {}
        node_jobs: list[tuple[str, list[list[dict[str, Any]]]]] = []
        node_tally, edge_tally = _Tally(), _Tally()
        for lab, rows in nodes.items():
            ids, got, found = session.columns(
                f"MATCH (n:{label(lab)}) WHERE n.kg_hash IS NOT NULL AND n.id IS NOT NULL "
                "RETURN collect(n.id) AS ids, collect(n.kg_hash) AS hashes, collect(elementId(n)) AS eids")
            have = dict(zip(ids, got, strict=True))
            eids.update(zip(ids, found, strict=True))
            pending = [r for r in rows if have.get(r["id"]) != r["hash"]]
            node_tally.unchanged += len(rows) - len(pending)
            by_part: dict[int, list[dict[str, Any]]] = {}
            for r in pending:
                by_part.setdefault(part(r["id"], workers), []).append(r)
            if by_part:
                node_jobs.append((lab, [by_part[k] for k in sorted(by_part)]))
        edge_jobs: list[tuple[str, list[list[list[dict[str, Any]]]]]] = []
        hashes: dict[str, set[str]] = {}
        for etype in sorted({t for t, _, _ in edges}):
            hashes[etype] = set(session.columns(f"MATCH ()-[r:{rel_type(etype)}]->() WHERE r.kg_hash IS NOT NULL "
                                                "RETURN collect(r.kg_hash) AS hashes")[0])
        for (etype, a, b), rows in edges.items():
            pending = [r for r in rows if r["hash"] not in hashes[etype]]
            edge_tally.unchanged += len(rows) - len(pending)
            if not hashes[etype]:
                # None only matters for removing a property an earlier sync wrote; with no kg
                # relationship of this type on the server, leaving them out saves a fifth of the time.
                pending = [{**r, "props": {k: v for k, v in r["props"].items() if v is not None}}
                           for r in pending]
            if pending:
                edge_jobs.append((etype, schedule(pending, workers, same_label=a == b)))
        n_nodes, n_edges = sum(map(len, nodes.values())), sum(map(len, edges.values()))
        session.batches_total = (
            sum(-(-len(j) // batch_size) for _, jobs in node_jobs for j in jobs)
            + sum(-(-len(j) // batch_size) for _, phases in edge_jobs for ph in phases for j in ph))
        writer = _Writer(session, workers, batch_size, progress)
        lap("compare")
        writer.stage("nodes", n_nodes, node_tally.unchanged)

        def remember(recs: list[Any]) -> None:
            for rec in recs:
                eids[rec[0]] = rec[1]

        for lab, jobs in node_jobs:
            writer.run("nodes", _node_query(lab), jobs, node_tally, "nodes_created", remember)
        lap("nodes")
        writer.stage("relationships", n_edges, edge_tally.unchanged)
        for etype, phases in edge_jobs:
            query = _edge_query(etype)
            for jobs in phases:
                sent = [[{"s": eids[r["source"]], "t": eids[r["target"]], "key": r["key"], "hash": r["hash"],
                          "props": r["props"]} for r in job] for job in jobs]
                writer.run("relationships", query, sent, edge_tally, "relationships_created")
        lap("relationships")
        if prune:
            _prune(session, nodes, edges, batch_size, node_tally, edge_tally, progress)
            lap("prune")
        return SyncResult(node_tally.freeze(), edge_tally.freeze(), session.batches_done,
                          settings.database, settings.uri, seconds)
    finally:
        session.close()


def _prune(session: _Session, nodes: Mapping[str, list[dict[str, Any]]],
           edges: Mapping[tuple[str, str, str], list[dict[str, Any]]], batch_size: int, node_tally: _Tally,
           edge_tally: _Tally, progress: Progress | None) -> None:
    keep: dict[str, set[str]] = {}
    for (etype, _, _), rows in edges.items():
        keep.setdefault(etype, set()).update(r["hash"] for r in rows)
    stale_rels: list[str] = []
    for etype in EDGE_TYPES:
        seen: set[str] = set()
        got, found = session.columns(f"MATCH ()-[r:{rel_type(etype)}]->() WHERE r.kg_hash IS NOT NULL "
                                     "RETURN collect(r.kg_hash) AS hashes, collect(elementId(r)) AS eids")
        for h, eid in sorted(zip(got, found, strict=True), key=lambda x: x[1]):
            # A second relationship with the same content (left by an old or concurrent sync) goes too.
            if h not in keep.get(etype, ()) or h in seen:
                stale_rels.append(eid)
            seen.add(h)
    stale_nodes: list[str] = []
    for lab in NODE_TYPES:
        ids = {row["id"] for row in nodes.get(lab, [])}
        got, found = session.columns(f"MATCH (n:{label(lab)}) WHERE n.kg_hash IS NOT NULL AND n.id IS NOT NULL "
                                     "RETURN collect(n.id) AS ids, collect(elementId(n)) AS eids")
        stale_nodes += [eid for nid, eid in zip(got, found, strict=True) if nid not in ids]
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
        for lab in NODE_TYPES:
            res = session.execute(f"MATCH (n:{label(lab)}) WHERE n.kg_hash IS NOT NULL AND n.id IS NOT NULL "
                                  "RETURN count(n) AS c")
            counts[lab] = res.records[0]["c"]
        for etype in EDGE_TYPES:
            res = session.execute(f"MATCH ()-[r:{rel_type(etype)}]->() WHERE r.kg_key IS NOT NULL "
                                  "RETURN count(r) AS c")
            counts[etype] = res.records[0]["c"]
        return {k: v for k, v in sorted(counts.items()) if v}
    finally:
        session.close()


__all__ = ["Changes", "SyncResult", "edge_rows", "graph_counts", "node_rows", "run", "safe_uri",
           "schema_statements", "server_counts", "sync"]
