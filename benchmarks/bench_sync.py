"""Neo4j loads at their anchors, on generated schema-conforming graphs, with same-run baselines:

- `kg sync` into an empty database (default: about 41,000 nodes and 211,000 relationships) against a naive
  loop that MERGEs one row per transaction, measured in this run on a sample; target >= 50,000
  relationships/s in the relationship phase. Then a resync with nothing to change (target: a few seconds).
- `kg sync --bulk` (neo4j-admin database import, from the Maven jars through tools/neo4j/neo4j-admin) of a
  graph with about 1,000,000 relationships into a fresh home; target >= 300,000 records/s; then the server is
  started on it and `kg sync` must find nothing to write.
- The embedded engine's load time, against reading the same graph file.

    python benchmarks/bench_sync.py                          # full run (a few minutes on 2 cores)
    python benchmarks/bench_sync.py --papers 2000 --bulk-papers 10000   # quick look

Uses the server in KG_NEO4J_URI/USER/PASSWORD when set (then without the bulk part, which needs the
server's home), else starts the test server from tools/neo4j (run `bash tools/neo4j/fetch.sh` first).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from kg.graphio import read_graph, write_graph  # noqa: E402
from kg.schema import node_id  # noqa: E402


def generate(papers: int, seed: int = 7) -> nx.MultiDiGraph:
    """Papers with three authors each, co-authorship, categories, techniques, introduced systems and
    system comparisons: every label and edge type of the schema that sync writes in bulk."""
    rnd = random.Random(seed)
    G = nx.MultiDiGraph()
    authors = [node_id("Author", f"a{i}") for i in range(papers // 2)]
    for i, a in enumerate(authors):
        G.add_node(a, type="Author", name=f"Author {i}")
    cats = [node_id("Category", f"c{i}") for i in range(20)]
    for i, c in enumerate(cats):
        G.add_node(c, type="Category", name=f"cs.C{i}")
    techs = [node_id("Technique", f"t{i}") for i in range(200)]
    for i, t in enumerate(techs):
        G.add_node(t, type="Technique", name=f"technique {i}", key=f"t{i}", discovered=False, aliases=[])
    systems = [node_id("System", f"s{i}") for i in range(max(10, papers // 5))]
    for i, s in enumerate(systems):
        G.add_node(s, type="System", name=f"Sys{i}", aliases=[f"sys-{i}"])
    ev = {"evidence": "We compare it with the baseline.", "start": 0, "end": 33, "text": "it"}
    for i in range(papers):
        pid = f"24{i:07d}"
        p = node_id("Paper", pid)
        G.add_node(p, type="Paper", name=f"Paper {i}", title=f"Paper {i}", has_code=i % 3 == 0,
                   abstract=f"Abstract of paper {i}.", sources=[f"list.txt:{i + 1}"], year=2015 + i % 11)
        G.add_edge(p, rnd.choice(cats), key="IN_CATEGORY", type="IN_CATEGORY")
        G.add_edge(p, rnd.choice(techs), key="USES", type="USES", **ev)
        team = rnd.sample(authors, 3)
        for pos, a in enumerate(team, 1):
            G.add_edge(a, p, key="AUTHORED", type="AUTHORED", position=pos, inferred=False)
        for x in range(3):
            for y in range(x + 1, 3):
                u, v = sorted((team[x], team[y]))
                if G.has_edge(u, v, "CO_AUTHOR"):
                    e = G.edges[u, v, "CO_AUTHOR"]
                    e["weight"] += 1
                    e["papers"] = sorted([*e["papers"], pid])
                else:
                    G.add_edge(u, v, key="CO_AUTHOR", type="CO_AUTHOR", weight=1, papers=[pid])
        if i < len(systems):
            G.add_edge(p, systems[i], key="INTRODUCES", type="INTRODUCES", **ev)
            for target in rnd.sample(systems[: max(i, 1)], min(i, 3)):
                G.add_edge(systems[i], target, key=f"COMPARES_WITH|{pid}", type="COMPARES_WITH", paper=pid,
                           factor=f"{rnd.randint(2, 20)}x", **ev)
    return G


def _wipe_data(driver) -> None:
    # Data only: the constraints stay, so every timed run pays the same (cheap) schema check.
    with driver.session() as s:
        s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()


def _server(home: Path | None = None):
    import neo4j_server as ns

    if home is None:
        external = ns.external_from_env(dict(os.environ))
        if external is not None:
            return external, None
    home = home or Path(tempfile.mkdtemp(prefix="kg-bench-neo4j-"))
    server = ns.start_managed(home)
    return server, server


def naive(driver, G: nx.MultiDiGraph, items: int) -> float:
    """Items/s of the loop a first attempt writes: one auto-commit MERGE per node, then per relationship."""
    from kg.sinks.neo4j_rows import edge_rows, node_rows

    nodes = [(lab, r) for lab, rows in node_rows(G).items() for r in rows][: items // 2]
    ids = {r["id"] for _, r in nodes}
    rels = [(t, a, b, r) for (t, a, b), rows in edge_rows(G).items() for r in rows
            if r["source"] in ids and r["target"] in ids][: items // 2]
    t0 = time.perf_counter()
    with driver.session() as s:
        for lab, r in nodes:
            s.run(f"MERGE (n:{lab} {{id: $id}}) SET n += $props", id=r["id"], props=r["props"]).consume()
        for t, a, b, r in rels:
            s.run(f"MATCH (a:{a} {{id: $s}}) MATCH (b:{b} {{id: $t}}) MERGE (a)-[r:{t} {{kg_key: $k}}]->(b) SET r += $props",
                  s=r["source"], t=r["target"], k=r["key"], props=r["props"]).consume()
    return (len(nodes) + len(rels)) / (time.perf_counter() - t0)


def main() -> None:
    from kg.cli import quiet_driver_logs

    quiet_driver_logs()  # retried deadlocks between the two writers print nothing, as in `kg sync`
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--papers", type=int, default=24000, help="papers in the graph `kg sync` writes")
    ap.add_argument("--bulk-papers", type=int, default=115000, help="papers in the graph `--bulk` imports "
                    "(115,000 give about 1,000,000 relationships)")
    ap.add_argument("--naive-items", type=int, default=3000, help="rows the naive baseline writes")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    import neo4j

    from kg.sinks import embedded
    from kg.sinks.neo4j import sync
    from kg.sinks.neo4j_bulk import bulk_import
    from kg.sinks.neo4j_rows import schema_statements

    G = generate(args.papers)
    n, e = G.number_of_nodes(), G.number_of_edges()
    print(f"kg sync graph: {n} nodes, {e} relationships")
    server, managed = _server()
    try:
        settings = server.settings()
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            _wipe_data(driver)
            for statement in schema_statements():  # the naive loop gets the same indexes
                driver.execute_query(statement)
            base = naive(driver, G, args.naive_items)
            # Warm the server's JIT with one small sync, as on a server that has been up a while; the
            # cold figure is printed too.
            _wipe_data(driver)
            t0 = time.perf_counter()
            sync(generate(2000, seed=1), settings, workers=args.workers)
            cold = time.perf_counter() - t0
            _wipe_data(driver)
            t0 = time.perf_counter()
            first = sync(G, settings, workers=args.workers)
            t1 = time.perf_counter()
            again = sync(G, settings, workers=args.workers)
            t2 = time.perf_counter()
            _wipe_data(driver)
        assert first.nodes.created == n and first.relationships.created == e, first
        assert again.changed == 0, again
        sec = first.seconds
        rels_rate = e / sec["relationships"]
        print()
        print(f"{'':<40} {'measured':>12} {'target':>12}")
        print(f"{'naive per-row MERGE (baseline)':<40} {base:>10.0f}/s {'':>12}  items, on {args.naive_items} rows")
        print(f"{'kg sync, relationship phase':<40} {rels_rate:>10.0f}/s {'>= 50000/s':>12}  relationships "
              f"({e} in {sec['relationships']:.2f} s)")
        print(f"{'kg sync, node phase':<40} {n / sec['nodes']:>10.0f}/s {'':>12}  nodes ({sec['nodes']:.2f} s)")
        print(f"{'kg sync, whole run':<40} {(n + e) / (t1 - t0):>10.0f}/s {'':>12}  items in {t1 - t0:.2f} s "
              f"(compare {sec['compare']:.2f} s); {(n + e) / (t1 - t0) / base:.1f}x the naive loop")
        print(f"{'(warm-up: first sync on the fresh server)':<40} {cold:>11.2f}s {'':>12}  a 2,000-paper graph")
        print(f"{'kg sync again, nothing to change':<40} {t2 - t1:>11.2f}s {'a few s':>12}  "
              f"{again.nodes.unchanged + again.relationships.unchanged} unchanged, 0 written")
    finally:
        if managed is not None:
            managed.stop()

    if managed is None:
        print("\n--bulk skipped: it needs the home of a server this benchmark starts (KG_NEO4J_URI is set)")
    else:
        B = generate(args.bulk_papers)
        bn, be = B.number_of_nodes(), B.number_of_edges()
        home = Path(tempfile.mkdtemp(prefix="kg-bench-bulk-"))
        bulk = bulk_import(B, home, admin=str(REPO / "tools" / "neo4j" / "neo4j-admin"))
        print()
        print(f"kg sync --bulk graph: {bn} nodes, {be} relationships")
        print(f"{'neo4j-admin import (records/s)':<40} {bulk.records_per_second:>10.0f}/s {'>= 300000/s':>12}  "
              f"{bn + be} records in {bulk.import_seconds:.2f} s (JVM start included; CSV written in "
              f"{bulk.csv_seconds:.2f} s)")
        server, managed = _server(home)
        try:
            t0 = time.perf_counter()
            after = sync(B, server.settings(), workers=args.workers)
            t1 = time.perf_counter()
            assert after.changed == 0 and after.relationships.unchanged == be, after
            print(f"{'kg sync after --bulk, nothing to change':<40} {t1 - t0:>11.2f}s {'a few s':>12}  "
                  f"{bn + be} unchanged")
        finally:
            managed.stop()

    with tempfile.TemporaryDirectory() as tmp:
        path = write_graph(G, Path(tmp) / "graph.json")
        t0 = time.perf_counter()
        read_graph(path)
        t1 = time.perf_counter()
        embedded.load(G).close()
        t2 = time.perf_counter()
        embedded.query(path, "MATCH (n) RETURN count(n) AS c")  # builds the cache
        t3 = time.perf_counter()
        embedded.query(path, "MATCH (n) RETURN count(n) AS c")  # reuses it
        t4 = time.perf_counter()
    read_s = t1 - t0
    print()
    print(f"{'embedded engine':<36}  {'seconds':>7}  {'vs reading the graph file':>25}")
    timings = (("read graph.json (baseline)", read_s), ("load into LadybugDB (in memory)", t2 - t1),
               ("first kg query (read+load+cache)", t3 - t2), ("later kg query (cached db)", t4 - t3))
    for label, secs in timings:
        print(f"{label:<36}  {secs:>7.2f}  {secs / read_s:>24.2f}x")


if __name__ == "__main__":
    main()
