"""Build time and peak memory of `kg build` at 10k, 50k and 100k papers.

The corpus is the seed listings' papers repeated with numbered titles (so every copy is a distinct paper
with the seeds' real abstracts and authors), written as one JSON Lines file per size. Each size is built in
a fresh process so its peak RSS is its own. The baseline, measured in the same run on the same abstracts,
is spaCy's bare tokenizer (`spacy.blank("en")` with no components).

    python benchmarks/bench_build.py                 # 10k, 50k, 100k
    python benchmarks/bench_build.py --sizes 2000 5000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def make_corpus(n: int, path: Path) -> None:
    from kg.ingest import ingest
    from kg.model import paper_id

    base = [p.to_dict() for p in ingest([SEEDS]).papers]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            d = dict(base[i % len(base)])
            copy = i // len(base)
            if copy:
                d["title"] = f"{d['title'] or 'Untitled'} (copy {copy})"
            d["id"] = paper_id(title=d["title"]) if d["title"] else f"{d['id']}-{copy}"
            d["sources"] = [{"file": path.name, "line": i + 1}]
            fh.write(json.dumps(d) + "\n")


def child(corpus: str, out: str) -> None:
    from kg.pipeline import build

    t0 = time.perf_counter()
    result = build([corpus], out=out)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "papers": result.ingest.papers,
                      "nodes": result.graph.number_of_nodes(), "edges": result.graph.number_of_edges()}))


def tokenizer_baseline(corpus: Path) -> float:
    import spacy

    texts = [json.loads(line)["abstract"] for line in corpus.open(encoding="utf-8")]
    nlp = spacy.blank("en")
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256):
        pass
    return len(texts) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"papers-{n}.jsonl"
            make_corpus(n, corpus)
            baseline = tokenizer_baseline(corpus)
            proc = subprocess.run([sys.executable, __file__, "--child", str(corpus), str(Path(tmp) / f"out-{n}")],
                                  capture_output=True, text=True, check=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append((n, r, baseline))
    first = rows[0]
    print(f"{'papers':>8} {'seconds':>9} {'papers/s':>9} {'peak MB':>8} {'nodes':>8} {'edges':>9} "
          f"{'s/paper vs first':>17} {'tokenizer papers/s':>19} {'build/tokenizer':>16}")
    for n, r, baseline in rows:
        rate = n / r["seconds"]
        growth = (r["seconds"] / n) / (first[1]["seconds"] / first[0])
        print(f"{n:>8} {r['seconds']:>9.1f} {rate:>9.0f} {r['peak_mb']:>8.0f} {r['nodes']:>8} {r['edges']:>9} "
              f"{growth:>17.2f} {baseline:>19.0f} {rate / baseline:>16.3f}")


if __name__ == "__main__":
    main()
