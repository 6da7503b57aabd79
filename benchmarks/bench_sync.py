"""Sync throughput to Neo4j at several batch sizes, and the embedded engine's load time, on one generated
schema-conforming graph (default: about 40,000 nodes and 210,000 relationships).

    python benchmarks/bench_sync.py                 # full run (minutes on 2 cores)
    python benchmarks/bench_sync.py --papers 2000   # quick look

Uses the server in KG_NEO4J_URI/USER/PASSWORD when set, else starts the test server from tools/neo4j
(run `bash tools/neo4j/fetch.sh` first). Ratios are against the batch-size-100 run of this same
invocation (sync) and against reading the same graph file (embedded load), never against stored numbers.
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


def _server():
    import neo4j_server as ns

    external = ns.external_from_env(dict(os.environ))
    if external is not None:
        return external, None
    home = Path(tempfile.mkdtemp(prefix="kg-bench-neo4j-"))
    server = ns.start_managed(home)
    return server, server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--papers", type=int, default=24000, help="papers in the generated graph")
    ap.add_argument("--batch-sizes", default="100,1000,10000")
    args = ap.parse_args()

    import neo4j

    from kg.sinks import embedded
    from kg.sinks.neo4j import sync

    G = generate(args.papers)
    n, e = G.number_of_nodes(), G.number_of_edges()
    print(f"graph: {n} nodes, {e} relationships ({n + e} items)")

    server, managed = _server()
    try:
        settings = server.settings()
        rows = []
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            for size in (int(s) for s in args.batch_sizes.split(",")):
                _wipe_data(driver)
                t0 = time.perf_counter()
                first = sync(G, settings, batch_size=size)
                t1 = time.perf_counter()
                again = sync(G, settings, batch_size=size)
                t2 = time.perf_counter()
                assert first.nodes.created == n and first.relationships.created == e, first
                assert again.changed == 0, again
                rows.append((size, t1 - t0, t2 - t1))
            _wipe_data(driver)
        base = (n + e) / rows[0][1]
        print()
        print(f"{'batch size':>10}  {'first sync s':>12}  {'items/s':>9}  {'vs 100':>7}  "
              f"{'no-op sync s':>12}  {'items/s':>9}")
        for size, first_s, noop_s in rows:
            rate = (n + e) / first_s
            print(f"{size:>10}  {first_s:>12.2f}  {rate:>9.0f}  {rate / base:>6.2f}x  {noop_s:>12.2f}  "
                  f"{(n + e) / noop_s:>9.0f}")
    finally:
        if managed is not None:
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
