"""`kg eval`: precision, recall and F1 of extractions against a hand-annotated gold file.

Names match case- and punctuation-insensitively (`Megatron-LM` = `megatron lm`) and through aliases:
within one paper, every spelling that a gold entry, a predicted mention or a vocabulary entry of
`kg/data/` lists for one thing is the same thing (`QST` = `Quantized Side Tuning`, `LoRA` =
`low-rank adaptation`). Relations are scored as (source, type, target) and untyped as (source, target);
a source that is the paper itself is written `@paper` in the gold file.

Where predictions come from when none are given: the gold file names each paper's seed file
(`source`); those files are read with `kg.ingest.ingest` from `seeds` (default `../shared/seeds`
beside the repository) and the papers whose id is in the gold file are extracted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import EvalError
from kg.gold import json_objects

FIELDS = ("systems_introduced", "systems_mentioned", "models", "hardware", "datasets", "benchmarks",
          "techniques")
RELATION_FIELDS = ("relations", "relations_untyped")
SPLITS = ("dev", "heldout")
_KIND = {"systems_introduced": "system", "systems_mentioned": "system", "models": "model",
         "hardware": "hardware", "datasets": "dataset", "benchmarks": "benchmark",
         "techniques": "technique"}


@dataclass(frozen=True, slots=True)
class FieldScore:
    field: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def to_row(self) -> dict[str, Any]:
        return {"field": self.field, "P": round(self.precision, 3), "R": round(self.recall, 3),
                "F1": round(self.f1, 3), "support": self.support}


@dataclass(frozen=True, slots=True)
class PaperErrors:
    """What one paper got wrong, per field: names missed (in gold only) and extra (predicted only)."""

    id: str
    title: str | None
    missed: dict[str, list[str]] = field(default_factory=dict)
    extra: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class EvalReport:
    split: str | None
    papers: int
    scores: tuple[FieldScore, ...]
    errors: tuple[PaperErrors, ...] = ()
    missing: tuple[str, ...] = ()  # gold ids with no prediction (scored as all missed)
    # (tp, fp, fn) per field for each paper, in the fields' order: what the bootstrap resamples.
    per_paper: tuple[tuple[tuple[int, int, int], ...], ...] = ()

    def score(self, name: str) -> FieldScore:
        for s in self.scores:
            if s.field == name:
                return s
        raise KeyError(name)

    def rows(self) -> list[dict[str, Any]]:
        return [s.to_row() for s in self.scores]


def read_gold(path: Path) -> list[dict[str, Any]]:
    """The gold lines, checked: each needs `id`, `split` in dev/heldout and list-valued fields."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"gold file {path} does not exist")
    out = []
    for i, row in json_objects(path, 'each line must be a JSON object with a string "id"'):
        if row.get("split", "dev") not in SPLITS:
            raise EvalError(f"{path}:{i}: split {row.get('split')!r} is not one of dev, heldout")
        for f in (*FIELDS, "relations"):
            if not isinstance(row.get(f, []), list):
                raise EvalError(f"{path}:{i}: {f} must be a list")
        for r in row.get("relations", []):
            if not (isinstance(r, list) and len(r) >= 3 and all(isinstance(x, str) for x in r[:3])):
                raise EvalError(f"{path}:{i}: a relation must be [source, type, target], got {r!r}")
        row["_line"] = i
        out.append(row)
    if not out:
        raise EvalError(f"gold file {path} has no papers")
    return out


def read_predictions(path: Path) -> dict[str, dict[str, Any]]:
    """`kg extract -o` output: one Extraction object per line, by paper id."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"prediction file {path} does not exist")
    shape = 'each line must be an extraction object with a string "id"'
    return {row["id"]: row for _, row in json_objects(path, shape)}


def default_seeds() -> Path:
    return Path(__file__).resolve().parents[2] / "shared" / "seeds"


def predict(gold: list[dict[str, Any]], seeds: Path | None = None) -> dict[str, dict[str, Any]]:
    """Ingest the seed files the gold file names and extract the gold papers (the whole corpus of
    those files is extracted, so the corpus-level pass sees what it would in a real run)."""
    from kg.extract import extract

    seeds = Path(seeds) if seeds else default_seeds()
    files = sorted({seeds / f for row in gold for f in [row.get("source"), *row.get("also_in", [])] if f})
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise EvalError(f"seed file {missing[0]} named by the gold file does not exist (give --seeds DIR)")
    try:
        from kg.ingest import ingest
    except ImportError:
        raise EvalError("kg.ingest is not available; give a prediction file (kg extract ... -o PRED)") from None
    result = ingest([str(f) for f in files])
    return {e.id: e.to_dict() for e in extract(result.papers)}


def evaluate(gold: Path, pred: Path | None = None, *, split: str | None = None,
             seeds: Path | None = None) -> EvalReport:
    """Score `pred` (a `kg extract -o` file), or a fresh extraction of the gold papers, against `gold`."""
    if split is not None and split not in SPLITS:
        raise EvalError(f"split {split!r} is not one of dev, heldout")
    rows = read_gold(Path(gold))
    preds = read_predictions(Path(pred)) if pred is not None else predict(rows, seeds)
    return score(rows, preds, split=split)


def score(gold_rows: Iterable[dict[str, Any]], preds: dict[str, dict[str, Any]], *,
          split: str | None = None) -> EvalReport:
    from kg.extract.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    counts = {f: [0, 0, 0] for f in (*FIELDS, *RELATION_FIELDS)}
    per_paper: list[tuple[tuple[int, int, int], ...]] = []
    errors: list[PaperErrors] = []
    missing: list[str] = []
    n = 0
    for row in gold_rows:
        if split and row.get("split", "dev") != split:
            continue
        n += 1
        before = {f: tuple(c) for f, c in counts.items()}
        pred = preds.get(row["id"])
        if pred is None:
            missing.append(row["id"])
            pred = {}
        groups = _Groups()
        # Vocabulary spellings, then gold and predicted alias lists, all join groups of forms.
        gold_sets: dict[str, list[list[str]]] = {}
        pred_sets: dict[str, list[list[str]]] = {}
        for f in FIELDS:
            gold_sets[f] = [_forms(x) for x in row.get(f, [])]
            pred_sets[f] = [_forms(x) for x in pred.get(f, [])]
            for forms in gold_sets[f] + pred_sets[f]:
                ent = None
                for form in forms:
                    ent = ent or gaz.lookup(_KIND[f], form)
                if ent is not None and f != "models":
                    forms = forms + [ent.name, *ent.aliases]
                groups.union(forms)
        missed: dict[str, list[str]] = {}
        extra: dict[str, list[str]] = {}
        for f in FIELDS:
            g = {groups.find(forms[0]): forms[0] for forms in gold_sets[f] if forms}
            p = {groups.find(forms[0]): forms[0] for forms in pred_sets[f] if forms}
            _count(counts[f], g, p, f, missed, extra)
        g_rel = {(_src(groups, r[0]), r[1], groups.find(r[2])): f"{r[0]} {r[1]} {r[2]}" for r in row.get("relations", [])}
        p_rel = {}
        for r in pred.get("relations", []):
            src = "@paper" if r.get("source_kind") == "paper" else r["source"]
            p_rel[(_src(groups, src), r["type"], groups.find(r["target"]))] = f"{src} {r['type']} {r['target']}"
        _count(counts["relations"], g_rel, p_rel, "relations", missed, extra)
        g_un = {(k[0], k[2]): v for k, v in g_rel.items()}
        p_un = {(k[0], k[2]): v for k, v in p_rel.items()}
        _count(counts["relations_untyped"], g_un, p_un, "relations_untyped", missed, extra)
        if missed or extra:
            errors.append(PaperErrors(row["id"], row.get("title"), missed, extra))
        per_paper.append(tuple((c[0] - b[0], c[1] - b[1], c[2] - b[2])
                               for c, b in ((counts[f], before[f]) for f in (*FIELDS, *RELATION_FIELDS))))
    scores = tuple(FieldScore(f, *counts[f]) for f in (*FIELDS, *RELATION_FIELDS))
    return EvalReport(split=split, papers=n, scores=scores, errors=tuple(errors), missing=tuple(missing),
                      per_paper=tuple(per_paper))


def bootstrap(report: EvalReport, *, rounds: int = 1000, seed: int = 0) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of each field's F1, resampling the report's papers with replacement
    (seeded: the same report gives the same intervals)."""
    import random

    rng = random.Random(seed)
    names = [s.field for s in report.scores]
    n = len(report.per_paper)
    samples: dict[str, list[float]] = {f: [] for f in names}
    if n == 0:
        return {f: (0.0, 0.0) for f in names}
    for _ in range(rounds):
        tot = [[0, 0, 0] for _ in names]
        for _ in range(n):
            paper = report.per_paper[rng.randrange(n)]
            for t, c in zip(tot, paper):
                t[0] += c[0]
                t[1] += c[1]
                t[2] += c[2]
        for f, t in zip(names, tot):
            samples[f].append(FieldScore(f, *t).f1)
    out = {}
    for f, vals in samples.items():
        vals.sort()
        out[f] = (round(vals[int(0.025 * rounds)], 3), round(vals[min(rounds - 1, int(0.975 * rounds))], 3))
    return out


def _count(c: list[int], g: dict, p: dict, f: str, missed: dict[str, list[str]], extra: dict[str, list[str]]) -> None:
    tp = len(g.keys() & p.keys())
    c[0] += tp
    c[1] += len(p) - tp
    c[2] += len(g) - tp
    m = sorted(v for k, v in g.items() if k not in p)
    x = sorted(v for k, v in p.items() if k not in g)
    if m:
        missed[f] = m
    if x:
        extra[f] = x


def _src(groups: _Groups, name: str) -> str:
    return "@paper" if name == "@paper" else groups.find(name)


def _forms(x: Any) -> list[str]:
    if isinstance(x, str):
        return [x]
    if isinstance(x, dict):
        return [str(v) for v in [x.get("name"), x.get("text"), *x.get("aliases", [])] if v]
    raise EvalError(f"an entity must be a name or an object with \"name\", got {x!r}")


class _Groups:
    """Union-find over normalised spellings."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def _root(self, k: str) -> str:
        self.parent.setdefault(k, k)
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def find(self, name: str) -> str:
        from kg.extract.gazetteer import norm

        return self._root(norm(name) or name)

    def union(self, names: Iterable[str]) -> None:
        names = [n for n in names if n]
        if not names:
            return
        first = self.find(names[0])
        for n in names[1:]:
            r = self.find(n)
            if r != first:
                a, b = sorted((first, r))
                self.parent[b] = a
                first = a


@dataclass(frozen=True, slots=True)
class CorpusEval:
    """`kg eval` on the corpus gold: a report per tagger on one split, bootstrap intervals, and the
    agreement of the two annotators on the doubly annotated papers of that split (F1 of one against
    the other, per field)."""

    split: str
    reports: dict[str, EvalReport]
    intervals: dict[str, dict[str, tuple[float, float]]]
    agreement: EvalReport | None


def second_as_predictions(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Gold rows in the shape of extractions, so one annotator can be scored against the other."""
    out = {}
    for row in rows:
        pred = {f: row.get(f, []) for f in FIELDS}
        pred["relations"] = [{"source": r[0], "source_kind": "paper" if r[0] == "@paper" else "system",
                              "type": r[1], "target": r[2]} for r in row.get("relations", [])]
        out[row["id"]] = pred
    return out


def evaluate_corpus(gold_dir: Path | None = None, corpus_dir: Path | None = None, *, split: str = "test",
                    taggers: Iterable[str] = ("learned", "rules"), rounds: int = 1000) -> CorpusEval:
    from kg.extract import extract
    from kg.gold import load_corpus_gold

    if split not in ("test", "train", "all"):
        raise EvalError(f"split {split!r} is not one of test, train, all")
    gold = load_corpus_gold(gold_dir, corpus_dir)
    rows = [r for _, r in sorted(gold.rows.items()) if split == "all" or r["split"] == split]
    if not rows:
        raise EvalError(f"the corpus gold has no {split} papers yet")
    reports: dict[str, EvalReport] = {}
    intervals: dict[str, dict[str, tuple[float, float]]] = {}
    for t in taggers:
        preds = {e.id: e.to_dict() for e in extract(gold.all_papers, tagger=t)}
        rep = score(rows, preds)
        reports[t] = rep
        intervals[t] = bootstrap(rep, rounds=rounds)
    ids = {r["id"] for r in rows}
    pairs = [gold.rows[pid] for pid in sorted(gold.second) if pid in ids]
    agreement = score(pairs, second_as_predictions(gold.second[r["id"]] for r in pairs)) if pairs else None
    return CorpusEval(split=split, reports=reports, intervals=intervals, agreement=agreement)
