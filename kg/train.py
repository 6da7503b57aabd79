"""`kg train`: fit the learned tagger on the corpus gold's train split, deterministically.

1. The whole corpus (`../shared/corpus/`) is extracted by the rules once, so the rules' verdicts and the
   corpus-level names are what a real run sees; the candidates of each annotated train paper are labelled
   by the gold (`kg.extract.learned.training_rows`). Test papers are never read here.
2. Model selection: papers are dealt into 5 folds by sorted id; for each regularisation strength in `GRID`
   the tagger is fitted on four folds and its relabelled extractions scored on the fifth with
   `kg.evaluate.score`, next to the rules alone. The strength with the best mean F1 over the fields wins.
3. The final fit on all train papers is written to `kg/data/tagger.json`: weights rounded to 4 decimals,
   keys sorted, so the same repository and corpus give the same bytes (`kg train --check` verifies).

scikit-learn (an optional dependency, `pip install -e '.[train]'`) does the fitting; extraction only reads
the JSON file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.evaluate import FIELDS as EVAL_FIELDS
from kg.evaluate import score
from kg.extract.candidates import FIELDS
from kg.extract.gazetteer import norm
from kg.extract.learned import CLASSES, Relabeler, Tagger, default_path, relation_rows, training_rows
from kg.extract.pairs import REL_CLASSES
from kg.model import Extraction, Paper

GRID = (0.3, 1.0)
THRESHOLDS = (0.3, 0.5)
DROPS = (0.7, 0.9)
FOLDS = 5
INNER = 5
REL_C = 1.0  # relation typing: fewer rows, one strength (not selected)
MIN_PAPERS = 2  # a feature seen in fewer training papers gets no weight
SCORED = (*EVAL_FIELDS, "relations")


class TrainError(KgError):
    """Training could not run (scikit-learn missing, no annotations)."""


@dataclass(slots=True)
class TrainReport:
    papers: int
    candidates: int
    features: int
    chosen_c: float
    cv: dict[str, dict[str, float]] = field(default_factory=dict)  # model -> field -> mean F1
    path: Path | None = None
    sha1: str = ""
    label_counts: dict[str, int] = field(default_factory=dict)
    threshold: float = 0.5
    drop: float = 0.95


def rules_extractions(papers: Sequence[Paper]) -> dict[str, Extraction]:
    from kg.extract import extract

    return {e.id: e for e in extract(papers, tagger="rules")}


def _fit(rows: list[tuple[list[str], str]], c: float, classes: Sequence[str] = CLASSES) -> Tagger:
    try:
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise TrainError("kg train needs scikit-learn: pip install -e '.[train]'") from None
    vocab = sorted({f for feats, _ in rows for f in feats})
    index = {f: i for i, f in enumerate(vocab)}
    indptr, indices = [0], []
    for feats, _ in rows:
        indices.extend(sorted(index[f] for f in set(feats) if f in index))
        indptr.append(len(indices))
    X = csr_matrix((np.ones(len(indices)), np.array(indices, dtype=np.int64), np.array(indptr)),
                   shape=(len(rows), len(vocab)))
    y = np.array([classes.index(lab) for _, lab in rows])
    clf = LogisticRegression(C=c, max_iter=2000, tol=1e-6, fit_intercept=False)
    # One BLAS thread: OpenBLAS splits sums by thread count, and the optimum it converges to moved by up
    # to 7e-4 between 1 and 2 threads, enough to change rounded weights; one thread gives the same bytes
    # on every machine with the pinned numpy/scipy/scikit-learn.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        clf.fit(X, y)
    present = [int(k) for k in clf.classes_]
    weights: dict[str, list[float]] = {}
    for j, f in enumerate(vocab):
        row = [0.0] * len(classes)
        if len(present) == 2:  # a binary fit has one row of weights, for the second class
            row[present[1]] = round(float(clf.coef_[0, j]), 4) + 0.0
            if any(row):
                weights[f] = row
            continue
        for ci, k in enumerate(present):
            row[k] = round(float(clf.coef_[ci, j]), 4) + 0.0
        if any(row):
            weights[f] = row
    # A class with no training example can never win.
    if len(present) < len(classes):
        bias = weights.setdefault("bias", [0.0] * len(classes))
        for k in range(len(classes)):
            if k not in present:
                bias[k] = -50.0
    return Tagger(tuple(classes), weights, "fit")


def _prune(rows_by_paper: dict[str, list[tuple[list[str], str]]], ids: Sequence[str]) -> list[tuple[list[str], str]]:
    df: Counter[str] = Counter()
    for pid in ids:
        df.update({f for feats, _ in rows_by_paper[pid] for f in feats})
    keep = {f for f, n in df.items() if n >= MIN_PAPERS or f == "bias"}
    return [([f for f in feats if f in keep], lab) for pid in ids for feats, lab in rows_by_paper[pid]]


def _f1s(gold_rows: list[dict[str, Any]], preds: dict[str, dict[str, Any]]) -> dict[str, float]:
    rep = score(gold_rows, preds)
    return {f: rep.score(f).f1 for f in SCORED}


def train(*, gold_dir: Path | None = None, corpus_dir: Path | None = None, out: Path | None = None,
          grid: Sequence[float] = GRID, thresholds: Sequence[float] = THRESHOLDS,
          drops: Sequence[float] = DROPS, folds: int = FOLDS, fixed_drops: dict[str, float] | None = None,
          seed_gold: Path | None | bool = None,
          progress: Callable[[str], None] | None = None) -> TrainReport:
    from kg.extract import build_nlp
    from kg.gold import load_corpus_gold

    say = progress or (lambda _msg: None)
    gold = load_corpus_gold(gold_dir, corpus_dir)
    train_rows = gold.split("train")
    if not train_rows:
        raise TrainError("the corpus gold has no train papers")
    say(f"extracting {len(gold.all_papers)} corpus papers with the rules")
    rules = rules_extractions(gold.all_papers)
    papers = dict(gold.papers)
    # The seed gold's dev papers train too (its held-out quarter never does): they are the listings
    # users feed us, and their names have no offsets but need none here.
    seed_rows, seed_papers = _seed_dev(seed_gold)
    if seed_rows:
        say(f"extracting {len(seed_papers)} seed papers with the rules")
        rules.update(rules_extractions(seed_papers))
        papers.update({p.id: p for p in seed_papers})
        train_rows = train_rows + [r for r in seed_rows if r["id"] not in gold.rows]
    gaz = build_nlp().get_pipe("kg_extract").gaz
    ids = sorted(r["id"] for r in train_rows)
    by_id = {r["id"]: r for r in train_rows}

    def rows_for(pids: Sequence[str]) -> dict[str, list[tuple[list[str], str]]]:
        """Training rows whose lexicon features come from the other papers only (5 groups, each read
        with the lexicon of the other four), as at prediction time, when a new paper's names were not
        among the annotations: otherwise the lexicon would name every training entity and the model
        would learn to trust it blindly."""
        out: dict[str, list[tuple[list[str], str]]] = {}
        for g in range(INNER):
            part = [pid for i, pid in enumerate(pids) if i % INNER == g]
            lexicon = build_lexicon([by_id[pid] for i, pid in enumerate(pids) if i % INNER != g])
            rl = Relabeler(gaz, Tagger(tuple(CLASSES), {}, "empty", lexicon))
            out.update({pid: training_rows(rl, papers[pid], rules[pid], by_id[pid]) for pid in part})
        return out

    plain = Relabeler(gaz, Tagger(tuple(CLASSES), {}, "empty"))
    rel_rows = {pid: relation_rows(plain, papers[pid], rules[pid], by_id[pid]) for pid in ids}
    cv: dict[str, dict[str, float]] = {}
    best_c, best_t, best_d = grid[0], thresholds[0], drops[0]
    per_class = dict(fixed_drops or {})
    if folds > 1 and (len(grid) > 1 or len(thresholds) > 1 or len(drops) > 1):
        fold_of = {pid: i % folds for i, pid in enumerate(ids)}
        sums: dict[str, Counter[str]] = {}
        for k in range(folds):
            held = [by_id[pid] for pid in ids if fold_of[pid] == k]
            fit_ids = [pid for pid in ids if fold_of[pid] != k]
            sums.setdefault("rules", Counter()).update(
                _f1s(held, {r["id"]: rules[r["id"]].to_dict() for r in held}))
            lexicon = build_lexicon([by_id[pid] for pid in fit_ids])
            fold_rows = rows_for(fit_ids)
            rel_weights = _fit(_prune(rel_rows, fit_ids), REL_C, REL_CLASSES).weights
            for c in grid:
                say(f"fold {k + 1}/{folds}, C={c}")
                fitted = _fit(_prune(fold_rows, fit_ids), c)
                for t in thresholds:
                    for d in drops:
                        rl = Relabeler(gaz, Tagger(tuple(CLASSES), fitted.weights, "cv", lexicon=lexicon,
                                                   none_threshold=t, rel_weights=rel_weights,
                                                   drop_threshold=d))
                        preds = {r["id"]: rl.relabel(papers[r["id"]], rules[r["id"]]).to_dict() for r in held}
                        sums.setdefault(f"learned C={c} t={t} d={d}", Counter()).update(_f1s(held, preds))
        cv = {m: {f: round(v / folds, 3) for f, v in s.items()} for m, s in sums.items()}
        best_c, best_t, best_d = max(((c, t, d) for c in grid for t in thresholds for d in drops),
                                     key=lambda x: (sum(cv[f"learned C={x[0]} t={x[1]} d={x[2]}"].values()),
                                                    -x[0], x[1], x[2]))
        # Then each class its own drop threshold: the one with that field's best F1 at the chosen C, t.
        per_class = {f: max(drops, key=lambda d: (cv[f"learned C={best_c} t={best_t} d={d}"][f], d))
                     for f in FIELDS}
    say(f"final fit on {len(ids)} papers, C={best_c}, none threshold {best_t}")
    lexicon = build_lexicon(train_rows)
    by_paper = rows_for(ids)
    rows = _prune(by_paper, ids)
    tagger = _fit(rows, best_c)
    rel = _fit(_prune(rel_rows, ids), REL_C, REL_CLASSES)
    labels = Counter(lab for _, lab in rows)
    body = {"classes": list(CLASSES), "c": best_c, "none_threshold": best_t, "drop_threshold": best_d,
            "drop_thresholds": per_class,
            "papers": len(ids),
            "lexicon": lexicon, "weights": tagger.weights, "rel_classes": list(REL_CLASSES),
            "rel_weights": rel.weights}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    sha = hashlib.sha1(text.encode()).hexdigest()
    body["version"] = sha[:12]
    data = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    out = Path(out) if out else default_path()
    _write_atomic(out, data)
    # The corpus's name token counts (author resolution's commonness of a name), beside the weights.
    from kg.authors import NAME_COUNTS, name_token_counts
    from kg.ingest.names import author_key

    counts = name_token_counts(gold.all_papers, author_key)
    _write_atomic(out.parent / NAME_COUNTS, json.dumps(counts, sort_keys=True, separators=(",", ":")) + "\n")
    return TrainReport(papers=len(ids), candidates=len(rows), features=len(tagger.weights), chosen_c=best_c,
                       cv=cv, path=out, sha1=hashlib.sha1(data.encode()).hexdigest(),
                       label_counts=dict(sorted(labels.items())), threshold=best_t, drop=best_d)


def build_lexicon(rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Written form -> the class the annotations gave it most often (ties in field order). A system a
    paper introduces is a mentioned system everywhere else."""
    counts: dict[str, Counter[str]] = {}
    for r in rows:
        for fld in FIELDS:
            lab = "systems_mentioned" if fld == "systems_introduced" else fld
            for item in r.get(fld, []):
                forms = [item] if isinstance(item, str) else [item.get("name"), item.get("text"),
                                                                *item.get("aliases", [])]
                for form in {f.strip() for f in forms if f and f.strip()}:
                    if len(norm(form)) >= 3:
                        counts.setdefault(form, Counter())[lab] += 1
    return {form: min(c, key=lambda lab: (-c[lab], FIELDS.index(lab))) for form, c in sorted(counts.items())}


def _seed_dev(seed_gold: Path | None | bool) -> tuple[list[dict[str, Any]], list[Paper]]:
    """The seed gold's dev rows and the papers of the seed files they name (none when `seed_gold` is
    False, or when the default file or its seeds are not there)."""
    from kg.evaluate import default_seeds, read_gold
    from kg.gold import repo_root
    from kg.ingest import ingest

    if seed_gold is False:
        return [], []
    path = Path(seed_gold) if isinstance(seed_gold, (str, Path)) else repo_root() / "tests" / "gold" / "gold.jsonl"
    seeds = default_seeds()
    if not path.is_file() or not seeds.is_dir():
        return [], []
    rows = [r for r in read_gold(path) if r.get("split", "dev") == "dev"]
    files = sorted({seeds / f for r in rows for f in [r.get("source"), *r.get("also_in", [])] if f})
    result = ingest([str(f) for f in files])
    return rows, list(result.papers)


def _write_atomic(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the weights are package data
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def shipped_choice() -> tuple[float, float, float, dict[str, float]]:
    """The regularisation strength and thresholds the shipped weights were fitted with (what
    `kg train --check` and `--no-select` refit)."""
    try:
        d = json.loads(default_path().read_text(encoding="utf-8"))
        return (float(d["c"]), float(d.get("none_threshold", 0.5)), float(d.get("drop_threshold", 0.95)),
                {k: float(v) for k, v in d.get("drop_thresholds", {}).items()})
    except (OSError, ValueError, KeyError):
        return GRID[-1], THRESHOLDS[0], DROPS[0], {}
