#!/usr/bin/env python3
"""Draw the annotation sample of ../shared/corpus/ and fix its splits (run once; the output is committed).

usage: python tools/corpus_sample.py [CORPUS_DIR] > tests/gold/corpus/sample.json

Stratified so every kind of paper the users read is there: mlsys.jsonl by its first arXiv category and by
quarter (accelerators cs.AR, distributed cs.DC, kernels and compilers in cs.LG/cs.PF/cs.PL, ...), and
sysconf-2017.jsonl by conference. Within a stratum papers are drawn with a fixed seed, so the sample is
the same on every machine. The test split is drawn first, from both files, before any annotation exists;
no rule, feature or training run may look at it. `double` is the part of the test split that a second
annotator annotates for agreement.
"""
from __future__ import annotations

import json
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20261207
PLAN = {  # file -> (test, train)
    "mlsys.jsonl": (200, 820),
    "sysconf-2017.jsonl": (120, 480),
}
DOUBLE = 110


def stratum(rec: dict, name: str) -> str:
    if name == "mlsys.jsonl":
        cat = rec["venue_or_category"].split(";")[0].strip()
        month = (rec.get("date") or "0000-00")[:7]
        quarter = f"{month[:4]}Q{(int(month[5:7] or 1) - 1) // 3 + 1}"
        return f"{cat}|{quarter}"
    return rec["venue_or_category"]


def draw(records: list[dict], name: str, n: int, rng: random.Random) -> list[str]:
    """Proportional allocation over strata (largest remainder), then a seeded draw inside each."""
    groups: dict[str, list[str]] = defaultdict(list)
    for r in records:
        groups[stratum(r, name)].append(r["id"])
    total = len(records)
    quota = {k: n * len(v) / total for k, v in groups.items()}
    take = {k: int(q) for k, q in quota.items()}
    rest = n - sum(take.values())
    for k in sorted(quota, key=lambda k: (-(quota[k] - take[k]), k))[:rest]:
        take[k] += 1
    out: list[str] = []
    for k in sorted(groups):
        ids = sorted(groups[k])
        out.extend(rng.sample(ids, min(take[k], len(ids))))
    return sorted(out)


def main() -> None:
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "corpus")
    rng = random.Random(SEED)
    test: list[str] = []
    train: list[str] = []
    for name, (n_test, n_train) in PLAN.items():
        records = [json.loads(line) for line in (corpus / name).open(encoding="utf-8")]
        records = [r for r in records if (r.get("abstract") or "").strip()]
        t = draw(records, name, n_test, rng)
        test += t
        left = [r for r in records if r["id"] not in set(t)]
        train += draw(left, name, n_train, rng)
    double = sorted(rng.sample(sorted(test), DOUBLE))
    json.dump({"seed": SEED, "test": sorted(test), "train": sorted(train), "double": double},
              sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
