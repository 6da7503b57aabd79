"""Scoring author resolution against the labelled same-name cases of tests/gold/authors/.

Each labelled name partitions its papers into people. For every pair of that name's papers the gold says
"same person" or not, and so does the resolution; precision of merges is the share of pairs kg put on one
node that are one person, recall the share of one person's pairs kept on one node (pairwise, as in S2AND's
evaluation). One node per name, what kg did before, is scored beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from kg.errors import EvalError
from kg.gold import repo_root

# The labellers whose labels are the gold, first found wins; the others are scored against it (agreement).
# h2's labels set the thresholds of kg/authors.py, so h2 is never the gold.
PRIMARY = ("h1", "h3")


@dataclass(slots=True)
class PairScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    false_merge_names: list[str] = field(default_factory=list)
    false_split_names: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "tp": self.tp,
                "fp": self.fp, "fn": self.fn, "false_merge_names": self.false_merge_names,
                "false_split_names": self.false_split_names}


@dataclass(slots=True)
class AuthorEval:
    primary: str
    names: int
    people: int
    homonym_names: int
    scores: dict[str, PairScore]
    agreement: dict[str, PairScore]  # labeller -> their labels scored against the primary's
    agreement_names: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"primary": self.primary, "names": self.names, "people": self.people,
                "homonym_names": self.homonym_names, "scores": {k: v.to_dict() for k, v in self.scores.items()},
                "agreement": {k: v.to_dict() for k, v in self.agreement.items()},
                "agreement_names": self.agreement_names}


def read_labels(gold_dir: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """labeller -> name key -> record."""
    files = sorted(Path(gold_dir).glob("*.jsonl"))
    if not files:
        raise EvalError(f"{gold_dir} holds no labelled author files")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for path in files:
        mine = out.setdefault(path.stem, {})
        for i, row in _keyed(path):
            people = row.get("people")
            if not (isinstance(people, list) and people and all(isinstance(p, list) and p for p in people)):
                raise EvalError(f"{path}:{i}: people must be a non-empty list of non-empty lists of paper ids")
            mine[row["key"]] = row
    return out


def _keyed(path: Path):
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise EvalError(f"{path}:{i}: not valid JSON ({err.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get("key"), str):
                raise EvalError(f"{path}:{i}: a labelled name must be an object with a string \"key\"")
            yield i, row


def _same(partition: list[list[str]]) -> dict[tuple[str, str], bool]:
    person = {p: i for i, group in enumerate(partition) for p in group}
    return {(a, b): person[a] == person[b] for a, b in combinations(sorted(person), 2)}


def _score(gold: dict[str, list[list[str]]], pred: dict[str, list[list[str]]]) -> PairScore:
    s = PairScore()
    for key in sorted(gold):
        g, p = _same(gold[key]), _same(pred[key])
        merged_wrong = split_wrong = False
        for pair, same in g.items():
            if p.get(pair, False) and same:
                s.tp += 1
            elif p.get(pair, False):
                s.fp += 1
                merged_wrong = True
            elif same:
                s.fn += 1
                split_wrong = True
        if merged_wrong:
            s.false_merge_names.append(key)
        if split_wrong:
            s.false_split_names.append(key)
    return s


def evaluate_authors(gold_dir: Path | None = None, shared: Path | None = None) -> AuthorEval:
    """Resolve the authors of the seeds and the corpus and score them on the labelled names."""
    from kg.authors import resolve_authors
    from kg.ingest import ingest
    from kg.ingest.names import author_key

    gold_dir = Path(gold_dir) if gold_dir else repo_root() / "tests" / "gold" / "authors"
    shared = Path(shared) if shared else repo_root().parent / "shared"
    labels = read_labels(gold_dir)
    primary = next((p for p in PRIMARY if p in labels), None)
    if primary is None:
        raise EvalError(f"{gold_dir} has none of {', '.join(p + '.jsonl' for p in PRIMARY)} (the primary labels)")
    files = [*sorted((shared / "seeds").glob("*.txt")), shared / "corpus" / "mlsys.jsonl",
             shared / "corpus" / "sysconf-2017.jsonl"]
    missing = [str(f) for f in files[-2:] if not f.is_file()]
    if missing:
        raise EvalError(f"{missing[0]} is missing: give --corpus DIR (the labels name corpus and seed papers)")
    papers = ingest([str(f) for f in files]).papers
    res = resolve_authors(papers, author_key)
    gold = {k: r["people"] for k, r in labels[primary].items()}
    predicted: dict[str, list[list[str]]] = {}
    one_node: dict[str, list[list[str]]] = {}
    for key, people in gold.items():
        ids = sorted(p for person in people for p in person)
        nodes: dict[str, list[str]] = {}
        for pid in ids:
            if (pid, key) not in res.of:
                raise EvalError(f"{gold_dir / (primary + '.jsonl')}: paper {pid} of {key!r} is not in the "
                                "seeds and corpus any more (relabel the name)")
            nodes.setdefault(res.of[pid, key], []).append(pid)
        predicted[key] = list(nodes.values())
        one_node[key] = [ids]
    agreement: dict[str, PairScore] = {}
    agreed: dict[str, int] = {}
    for name, rows in sorted(labels.items()):
        mine = {k: r["people"] for k, r in rows.items() if k in gold}
        if name != primary and mine:
            agreement[name] = _score({k: gold[k] for k in mine}, mine)
            agreed[name] = len(mine)
    return AuthorEval(primary=primary, names=len(gold), people=sum(len(p) for p in gold.values()),
                      homonym_names=sum(1 for p in gold.values() if len(p) > 1),
                      scores={"kg": _score(gold, predicted), "one node per name": _score(gold, one_node)},
                      agreement=agreement, agreement_names=agreed)
