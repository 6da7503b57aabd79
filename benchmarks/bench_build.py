"""Build time and peak memory of `kg build` at 10k, 50k and 100k papers, and the incremental rebuild.

The corpus is the seed listings' papers repeated with numbered titles (so every copy is a distinct paper
with the seeds' real abstracts and authors), written per size as two JSON Lines files: 99% of the papers,
and every 100th paper held out. Each build runs in a fresh process so its peak RSS is its own. The full
build reads both files into an empty directory. The incremental figure builds the 99% into another
directory, then times adding the 1% (the extraction cache reuses the other records; target: < 5% of the
full build) and checks that the directory then holds the same bytes as the full build. The baseline,
measured in the same run on the same abstracts, is spaCy's bare tokenizer (`spacy.blank("en")` with no
components).

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


def make_corpus(n: int, path: Path, new: Path) -> None:
    """`n` papers: every 100th into `new` (the 1% a rebuild adds), the others into `path`."""
    from kg.ingest import ingest
    from kg.model import paper_id

    base = [p.to_dict() for p in ingest([SEEDS]).papers]
    with path.open("w", encoding="utf-8") as fh, new.open("w", encoding="utf-8") as fn:
        lines = {fh: 0, fn: 0}
        for i in range(n):
            d = dict(base[i % len(base)])
            copy = i // len(base)
            if copy:
                d["title"] = f"{d['title'] or 'Untitled'} (copy {copy})"
            d["id"] = paper_id(title=d["title"]) if d["title"] else f"{d['id']}-{copy}"
            out = fn if i % 100 == 99 else fh
            lines[out] += 1
            d["sources"] = [{"file": Path(out.name).name, "line": lines[out]}]
            out.write(json.dumps(d) + "\n")


def child(jobs: str, out: str, *corpus: str) -> None:
    from kg.pipeline import build

    t0 = time.perf_counter()
    result = build(list(corpus), out=out, n_process=int(jobs))
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "papers": result.ingest.papers,
                      "nodes": result.graph.number_of_nodes(), "edges": result.graph.number_of_edges(),
                      "extracted": result.extracted, "reused": result.reused}))


def run_child(jobs: int, out: Path, *corpus: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", str(jobs), str(out), *map(str, corpus)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir() if p.is_file())
    return names == sorted(p.name for p in b.iterdir() if p.is_file()) and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names)


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
    parser.add_argument("--jobs", "-j", type=int, default=2, help="extraction processes (the targets are for 2 cores)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            corpus, new = Path(tmp) / f"papers-{n}.jsonl", Path(tmp) / f"new-{n}.jsonl"
            make_corpus(n, corpus, new)
            baseline = tokenizer_baseline(corpus)
            full = run_child(args.jobs, Path(tmp) / f"out-{n}", corpus, new)
            run_child(args.jobs, Path(tmp) / f"inc-{n}", corpus)  # the build the 1% is added to
            inc = run_child(args.jobs, Path(tmp) / f"inc-{n}", new)
            same = same_files(Path(tmp) / f"inc-{n}", Path(tmp) / f"out-{n}")
            rows.append((n, full, baseline, inc, same))
    first = rows[0]
    print(f"{'papers':>8} {'seconds':>9} {'papers/s':>9} {'peak MB':>8} {'nodes':>8} {'edges':>9} "
          f"{'s/paper vs first':>17} {'tokenizer papers/s':>19} {'build/tokenizer':>16} "
          f"{'+1% s':>7} {'+1% of full':>12} {'target':>7} {'extracted':>10} {'same bytes':>11}")
    for n, r, baseline, inc, same in rows:
        rate = n / r["seconds"]
        growth = (r["seconds"] / n) / (first[1]["seconds"] / first[0])
        print(f"{n:>8} {r['seconds']:>9.1f} {rate:>9.0f} {r['peak_mb']:>8.0f} {r['nodes']:>8} {r['edges']:>9} "
              f"{growth:>17.2f} {baseline:>19.0f} {rate / baseline:>16.3f} "
              f"{inc['seconds']:>7.1f} {100 * inc['seconds'] / r['seconds']:>11.1f}% {'< 5%':>7} "
              f"{inc['extracted']:>10} {'yes' if same else 'NO':>11}")
    print(f"targets (issue #14, 2 cores, -j {args.jobs} here): 100k papers in < 60 s (1,667 papers/s) and < 1,024 MB "
          "peak; +1% new papers in < 5% of a full build; memory growing linearly")


if __name__ == "__main__":
    main()
