"""`kg eval` and `kg train`: scoring extraction and author resolution against our gold, and fitting the tagger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kg.cli import GraphOption, JsonOption, _load, app, echo_json, handles_errors, table
from kg.errors import KgError

@app.command("eval")
@handles_errors
def eval_cmd(
    gold: Path = typer.Argument(..., help="Gold file (JSON Lines, see tests/gold/GUIDELINE.md), or the corpus "
                                "gold directory tests/gold/corpus."),
    pred: Path | None = typer.Argument(None, help="Predictions from `kg extract -o`; default: extract the "
                                       "gold papers from the seed files the gold file names."),
    split: str | None = typer.Option(None, "--split", help="Score only dev or heldout papers (a gold file), "
                                     "or test, train or all (the corpus gold; default test)."),
    corpus: Path | None = typer.Option(None, "--corpus", envvar="KG_CORPUS",
                                       help="Folder of the corpus files [default: ../shared/corpus]."),
    model: str = typer.Option("learned,rules", "--model", help="Corpus gold: the taggers to score, "
                              "comma-separated (learned, rules, or a weights file)."),
    seeds: Path | None = typer.Option(None, "--seeds", envvar="KG_SEEDS",
                                      help="Folder of the seed files (default ../shared/seeds)."),
    errors: bool = typer.Option(False, "--errors", help="Also list what each paper missed or added."),
    quality: bool = typer.Option(False, "--quality", help="Corpus gold: also build the corpus graph and report "
                                 "wrong types and wrong merges on the annotated papers."),
    as_json: bool = typer.Option(False, "--json", help="Author gold and --quality: print JSON."),
) -> None:
    """Precision, recall and F1 of extraction per field against a gold file or the corpus gold; precision
    and recall of author merges against the labelled same-name authors (tests/gold/authors)."""
    from kg.evaluate import evaluate

    if gold.is_dir() and not (gold / "sample.json").exists() and any(gold.glob("h*.jsonl")):
        _eval_authors(gold, corpus.parent if corpus else None, as_json)
        return
    if gold.is_dir():
        if quality:
            _eval_quality(gold, corpus, split or "test", model.split(",")[0], as_json)
            return
        _eval_corpus(gold, corpus, split or "test", [m for m in model.split(",") if m])
        return

    report = evaluate(gold, pred, split=split, seeds=seeds)
    typer.echo(f"{report.papers} papers" + (f" ({report.split})" if report.split else ""))
    typer.echo(table(report.rows(), ["field", "P", "R", "F1", "support"]))
    if report.missing:
        typer.echo(f"{len(report.missing)} gold papers had no prediction: {', '.join(report.missing)}")
    if errors:
        for e in report.errors:
            typer.echo(f"{e.id} {e.title or ''}")
            for f, names in e.missed.items():
                typer.echo(f"  missed {f}: {'; '.join(names)}")
            for f, names in e.extra.items():
                typer.echo(f"  extra  {f}: {'; '.join(names)}")


@app.command("train")
@handles_errors
def train_cmd(
    gold: Path | None = typer.Option(None, "--gold", help="Corpus gold directory [default: tests/gold/corpus]."),
    corpus: Path | None = typer.Option(None, "--corpus", envvar="KG_CORPUS",
                                       help="Folder of the corpus files [default: ../shared/corpus]."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Weights file [default: kg/data/tagger.json]."),
    select: bool = typer.Option(True, "--select/--no-select", help="Choose the regularisation by 5-fold "
                                "cross-validation on the train split (off: refit with the shipped choice)."),
    check: bool = typer.Option(False, "--check", help="Refit into a temporary file and fail unless it equals "
                               "the shipped weights byte for byte."),
) -> None:
    """Fit the learned tagger on the corpus gold's train split (deterministic: same data, same bytes)."""
    import tempfile

    from kg.extract.learned import default_path
    from kg.train import DROPS, GRID, THRESHOLDS, shipped_choice, train

    c, t, d, per_class = shipped_choice()
    refit = not select or check
    grid, thresholds, drops = ((c,), (t,), (d,)) if refit else (GRID, THRESHOLDS, DROPS)
    target = out or default_path()
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "tagger.json" if check else target
        report = train(gold_dir=gold, corpus_dir=corpus, out=dest, grid=grid, thresholds=thresholds, drops=drops,
                       fixed_drops=per_class if refit else None,
                       progress=lambda msg: typer.echo(msg, err=True))
        if report.cv:
            names = list(next(iter(report.cv.values())))
            typer.echo(f"cross-validation on {report.papers} train papers ({len(names)} fields, mean F1 of 5 folds)")
            typer.echo(table([{"model": m, **{f: f"{v:.3f}" for f, v in s.items()}} for m, s in report.cv.items()],
                             ["model", *names]))
        typer.echo(f"fitted C={report.chosen_c}, add below none {report.threshold}, drop from none "
                   f"{report.drop}, on {report.papers} papers, {report.candidates} candidates "
                   f"({', '.join(f'{k} {v}' for k, v in report.label_counts.items())}), {report.features} features")
        if check:
            from kg.authors import NAME_COUNTS

            same = dest.read_bytes() == target.read_bytes() if target.exists() else False
            if not same:
                raise KgError(f"kg train --check: the refit differs from {target}")
            names, shipped = dest.parent / NAME_COUNTS, target.parent / NAME_COUNTS
            if not shipped.exists() or names.read_bytes() != shipped.read_bytes():
                raise KgError(f"kg train --check: the name counts differ from {shipped}")
            typer.echo(f"identical to {target} (sha1 {report.sha1[:12]})")
        else:
            typer.echo(f"wrote {report.path} (sha1 {report.sha1[:12]})")


def _eval_corpus(gold: Path, corpus: Path | None, split: str, taggers: list[str]) -> None:
    from kg.evaluate import evaluate_corpus

    ev = evaluate_corpus(gold, corpus, split=split, taggers=taggers)
    first = next(iter(ev.reports.values()))
    pairs = ev.agreement.papers if ev.agreement else 0
    typer.echo(f"{first.papers} papers ({split}); F1 with 95% bootstrap intervals; agreement: F1 of two "
               f"annotators on {pairs} doubly annotated papers")
    rows = []
    for s in first.scores:
        row: dict[str, Any] = {"field": s.field, "support": s.support}
        for t, rep in ev.reports.items():
            lo, hi = ev.intervals[t][s.field]
            row[t] = f"{rep.score(s.field).f1:.3f} [{lo:.2f}-{hi:.2f}]"
        row["agreement"] = f"{ev.agreement.score(s.field).f1:.3f}" if ev.agreement else "-"
        rows.append(row)
    typer.echo(table(rows, ["field", *ev.reports, "agreement", "support"]))


def _eval_authors(gold: Path, shared: Path | None, as_json: bool) -> None:
    from kg.evaluate_authors import evaluate_authors

    ev = evaluate_authors(gold, shared)
    if as_json:
        echo_json(ev.to_dict())
        return
    typer.echo(f"{ev.names} labelled names ({ev.primary}), {ev.people} people ({ev.homonym_names} names are two or "
               "more people); pairs of one name's papers")
    rows = [{"resolution": k, "precision": f"{s.precision:.3f}", "recall": f"{s.recall:.3f}",
             "wrong merges": s.fp, "missed merges": s.fn, "names merged wrongly": len(s.false_merge_names),
             "names split wrongly": len(s.false_split_names)} for k, s in ev.scores.items()]
    for who, a in ev.agreement.items():
        rows.append({"resolution": f"labeller {who} ({ev.agreement_names[who]} names)", "precision": f"{a.precision:.3f}",
                     "recall": f"{a.recall:.3f}", "wrong merges": a.fp, "missed merges": a.fn,
                     "names merged wrongly": len(a.false_merge_names), "names split wrongly": len(a.false_split_names)})
    typer.echo(table(rows))
    kg = ev.scores["kg"]
    for title, names in (("merged wrongly", kg.false_merge_names), ("split wrongly", kg.false_split_names)):
        if names:
            typer.echo(f"{title}: {', '.join(names)}")


def _eval_quality(gold: Path, corpus: Path | None, split: str, tagger: str, as_json: bool) -> None:
    from kg.evaluate_graph import graph_quality

    q = graph_quality(gold, corpus, split=split, tagger=tagger)
    if as_json:
        echo_json(q.to_dict())
        return
    typer.echo(f"graph of the whole corpus; {q.checked} mentions of {q.papers} annotated {split} papers on "
               f"{q.nodes} nodes checked against the annotations")
    typer.echo(f"wrong type: {len(q.wrong_type)} mentions ({len(q.wrong_type) / max(q.checked, 1):.1%})")
    for r in q.wrong_type:
        typer.echo(f"  {r['name']}: annotated {r['gold']}, node {r['node']} is {r['type']}")
    typer.echo(f"names the annotators wrote apart on one node: {len(q.wrong_merge)} nodes "
               f"({len(q.wrong_merge) / max(q.nodes, 1):.1%})")
    for r in q.wrong_merge:
        typer.echo(f"  {r['node']} ({r['name']}): {'; '.join(r['gold_names'])}")
    typer.echo(f"one annotated name on several nodes: {len(q.split_names)}")
    for r in q.split_names:
        typer.echo(f"  {r['name']}: {', '.join(r['nodes'])}")
