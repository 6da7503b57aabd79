"""How fast the HTML views open: time from navigation to the first drawing after the layout settles, in
headless Chromium with the network off (kg.sinks.headless, the same code the browser tests use).

Views: the whole seed graph, the ego view of vLLM with 2 hops, and a synthetic 2,000-node co-author graph.
The baseline, measured in the same run and browser, is a one-node page: the cost of loading and starting
vis-network itself. Each view is opened --repeat times; the median is printed with its ratio to the
baseline.

    python benchmarks/bench_viz.py               # seeds from ../shared/seeds
    python benchmarks/bench_viz.py --graph kg-out --repeat 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from kg.select import Selection
from kg.sinks.headless import Page
from kg.sinks.html import viz

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def synthetic(n: int, *, seed: int = 7) -> nx.MultiDiGraph:
    """A co-author graph shaped like real ones: preferential attachment, about 2 edges per node."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    for i in range(n):
        G.add_node(f"author:a{i:05d}", type="Author", name=f"Author {i}")
    for u, v in nx.barabasi_albert_graph(n, 2, seed=rng.randrange(1 << 30)).edges():
        a, b = sorted((f"author:a{u:05d}", f"author:a{v:05d}"))
        G.add_edge(a, b, key="CO_AUTHOR", type="CO_AUTHOR", weight=rng.randint(1, 4), papers=["x"])
    return G


def seed_graph(graph: str | None, tmp: Path) -> nx.MultiDiGraph:
    if graph:
        from kg.config import graph_path
        from kg.graphio import read_graph

        return read_graph(graph_path(graph))
    from kg.pipeline import build

    if not SEEDS.is_dir():
        sys.exit(f"no seed listings at {SEEDS}; pass --graph")
    return build([SEEDS], out=tmp / "build").graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", help="a graph file or build directory (default: build the seeds)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=2000, help="size of the synthetic graph")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        G = seed_graph(args.graph, tmp)
        one = nx.MultiDiGraph()
        one.add_node("system:x", type="System", name="x")
        pages = {}
        started = time.perf_counter()
        pages["baseline (1 node)"] = viz(one, tmp / "base.html")
        pages["seed graph, all"] = viz(G, tmp / "all.html")
        pages["vLLM ego, 2 hops"] = viz(G, tmp / "ego.html", selection=Selection(system=("vLLM",), hops=2))
        pages[f"synthetic {args.nodes:,} authors"] = viz(synthetic(args.nodes), tmp / "big.html")
        written = time.perf_counter() - started
        print(f"wrote {len(pages)} views in {written:.2f} s")

        sizes = {label: result.path.stat().st_size for label, result in pages.items()}
        times: dict[str, list[float]] = {label: [] for label in pages}
        with Page() as page:
            for _ in range(args.repeat):
                for label, result in pages.items():
                    times[label].append(page.open(result.path))
                    if page.console_errors():
                        sys.exit(f"{label}: console errors: {page.console_errors()}")

    base = statistics.median(times["baseline (1 node)"])
    print(f"\n{'view':<26} {'nodes':>6} {'edges':>6} {'size':>8} {'drawn (median)':>15} {'vs baseline':>12}")
    for label, result in pages.items():
        median = statistics.median(times[label])
        size = sizes[label]
        print(f"{label:<26} {result.nodes:>6} {result.edges:>6} {size / 1e6:>6.2f}MB {median:>13.2f} s "
              f"{median / base:>11.1f}x")
    print(f"\n(time from navigation start to the first drawing after stabilisation, {args.repeat} runs each)")


if __name__ == "__main__":
    main()
