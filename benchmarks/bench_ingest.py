"""Ingest throughput and memory on generated compact listings (the costliest format to parse).

    python benchmarks/bench_ingest.py                 # 10k, 50k, 100k entries
    python benchmarks/bench_ingest.py --sizes 2000    # quick

For each size it prints, all measured in the same run:
- baseline: plain binary line iteration over the same file (records/s);
- parse: `read_records` consumed without keeping records (records/s, ratio to baseline, peak
  traced memory): this must stay flat as the file grows, because parsing streams;
- ingest: the full `ingest` call (parse + merge). Merging keeps every paper in memory, so its peak
  grows with the number of papers; that is expected and reported.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from kg.ingest import ingest, read_records

FIRST = ["Ana", "Bo", "Chen", "Dmitri", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jun", "Kofi", "Lena", "Mateo",
         "Nia", "Omar", "Priya", "Quinn", "Rui", "Sven", "Tariq", "Uma", "Vera", "Wei", "Ximena", "Yusuf", "Zoe"]
LAST = ["Abara", "Baek", "Castro", "Dubois", "Eze", "Fischer", "Gupta", "Haddad", "Ito", "Jensen", "Kowalski",
        "Lindqvist", "Mensah", "Novak", "Okafor", "Petrov", "Quintero", "Rossi", "Sato", "Tanaka", "Ueda",
        "Visser", "Wielgus", "Xu", "Yilmaz", "Zhou"]
WORDS = ["scalable", "serving", "training", "sparse", "attention", "kernels", "cache", "offloading", "pipeline",
         "parallelism", "quantized", "models", "speculative", "decoding", "heterogeneous", "clusters", "memory",
         "efficient", "adaptive", "scheduling", "compilers", "tensor", "graph", "learning", "inference"]
ACRONYMS = ["LLMs", "DNNs", "GPUs", "MoE", "TPUs", "RAG"]


def generate(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            title = f"System{i}: " + " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(4, 9)))
            if rng.random() < 0.3:
                title += " for " + rng.choice(ACRONYMS)
            names = [f"{rng.choice(FIRST)} {rng.choice('ABCDEFGH')}. {rng.choice(LAST)}" if rng.random() < 0.2
                     else f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(3)]
            tail = " et al." if rng.random() < 0.6 else ""
            abstract = " ".join(rng.choice(WORDS) for _ in range(120)) + f". It is {rng.randint(2, 40)}.5x faster."
            f.write(f"LG{rng.choice(['Jan', 'May', 'Oct'])} {rng.randint(1, 28)}, {rng.randint(2015, 2025)}\n")
            f.write(f"{title}{', '.join(names)}{tail}\n{abstract}\n")


def baseline(path: Path) -> float:
    start = time.perf_counter()
    with path.open("rb") as f:
        for _ in f:
            pass
    return time.perf_counter() - start


def parse(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    count = sum(1 for _ in read_records(path, "compact"))
    return time.perf_counter() - start, count


def peak(fn) -> int:
    tracemalloc.start()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    args = ap.parse_args()
    print(f"{'entries':>8} {'MB':>7} {'baseline rec/s':>15} {'parse rec/s':>12} {'ratio':>7} "
          f"{'parse peak MiB':>15} {'ingest rec/s':>13} {'ingest peak MiB':>16}")
    with tempfile.TemporaryDirectory() as d:
        for n in args.sizes:
            path = Path(d) / f"compact_{n}.txt"
            generate(path, n)
            t_base = baseline(path)
            t_parse, count = parse(path)
            assert count == n, f"parsed {count} of {n}"
            parse_peak = peak(lambda: sum(1 for _ in read_records(path, "compact")))
            start = time.perf_counter()
            result = ingest([path])
            t_ingest = time.perf_counter() - start
            assert result.report.papers == n
            del result
            ingest_peak = peak(lambda: ingest([path]))
            print(f"{n:>8} {path.stat().st_size / 2**20:>7.1f} {n / t_base:>15,.0f} {n / t_parse:>12,.0f} "
                  f"{t_parse / t_base:>6.1f}x {parse_peak / 2**20:>15.2f} {n / t_ingest:>13,.0f} "
                  f"{ingest_peak / 2**20:>16.1f}")


if __name__ == "__main__":
    main()
