"""The corpus gold: our own annotations of `../shared/corpus/` papers, joined with the corpus text.

Annotation records (`tests/gold/corpus/annotations/*.jsonl`, written by `tools/annotate.py`) hold a corpus
`id`, hashes of the title and abstract they were made on, typed entities with the character offsets of each
written form, and relations; never the text. `load_corpus_gold` joins them with the corpus files and fails
loudly (`EvalError` naming the annotation file and line) when a record no longer matches: an unknown id, a
changed abstract, or an offset whose characters are not the name.

The result is in the shape `kg.evaluate.score` reads (one gold row per paper, keyed by the id `kg ingest`
gives the paper), plus the split each paper belongs to (`test` or `train`) from `sample.json`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import EvalError
from kg.model import Paper

CORPUS_FILES = ("mlsys.jsonl", "sysconf-2017.jsonl")
# Annotation type -> the extraction field it is scored as.
TYPE_FIELDS = {"system_introduced": "systems_introduced", "system_mentioned": "systems_mentioned",
               "model": "models", "hardware": "hardware", "dataset": "datasets", "benchmark": "benchmarks",
               "technique": "techniques"}
# The second annotators of the doubly annotated test papers (each took half of them).
SECOND = ("d1", "d2")


@dataclass(frozen=True, slots=True)
class CorpusGold:
    """Gold rows by paper id (`kg ingest` ids), the papers themselves, and the second annotation of the
    doubly annotated test papers (same shape) for agreement."""

    rows: dict[str, dict[str, Any]]
    papers: dict[str, Paper]
    second: dict[str, dict[str, Any]]
    all_papers: tuple[Paper, ...]  # the whole ingested corpus, for the corpus-level pass

    def split(self, name: str) -> list[dict[str, Any]]:
        return [r for _, r in sorted(self.rows.items()) if r["split"] == name]


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


def default_gold_dir() -> Path:
    return repo_root() / "tests" / "gold" / "corpus"


def default_corpus_dir() -> Path:
    return repo_root().parent / "shared" / "corpus"


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def read_corpus(corpus_dir: Path) -> tuple[dict[str, dict[str, Any]], dict[str, tuple[str, int]]]:
    """Corpus records by id, and where each was read (file path as given to ingest, 1-based line)."""
    records: dict[str, dict[str, Any]] = {}
    where: dict[str, tuple[str, int]] = {}
    for name in CORPUS_FILES:
        path = corpus_dir / name
        if not path.is_file():
            raise EvalError(f"corpus file {path} does not exist (give --corpus DIR)")
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                r = json.loads(line)
                records[r["id"]] = r
                where[r["id"]] = (str(path), i)
    return records, where


def check_record(ann: dict[str, Any], rec: dict[str, Any], loc: str) -> None:
    """Raise `EvalError` at `loc` when the annotation was not made on this corpus record."""
    if ann.get("abstract_sha1") != _sha(rec.get("abstract") or "") or \
            ann.get("title_sha1") != _sha(rec.get("title") or ""):
        raise EvalError(f"{loc}: {ann['id']}: the corpus title or abstract changed since it was annotated")
    for ent in ann.get("entities", []):
        forms = [ent.get("text") or ent["name"], *ent.get("aliases", [])]
        spans = ent.get("spans", [])
        if len(spans) != len(forms):
            raise EvalError(f"{loc}: {ann['id']}: entity {ent['name']!r} needs one span per written form")
        for form, (fld, s, e) in zip(forms, spans):
            got = (rec.get(fld) or "")[s:e]
            if got.casefold() != form.casefold():
                raise EvalError(f"{loc}: {ann['id']}: offsets {fld}[{s}:{e}] hold {got!r}, not {form!r}")


def gold_row(ann: dict[str, Any]) -> dict[str, Any]:
    """An annotation record in the gold-row shape of `tests/gold/gold.jsonl`."""
    row: dict[str, Any] = {f: [] for f in TYPE_FIELDS.values()}
    for ent in ann.get("entities", []):
        fld = TYPE_FIELDS.get(ent["type"])
        if fld is None:
            raise EvalError(f"{ann['id']}: unknown entity type {ent['type']!r}")
        item: Any = ent["name"]
        if fld == "systems_introduced" or ent.get("aliases") or ent.get("text"):
            item = {"name": ent["name"], "aliases": [*ent.get("aliases", []),
                                                      *([ent["text"]] if ent.get("text") else [])]}
        row[fld].append(item)
    row["relations"] = [[r["source"], r["type"], r["target"], r.get("factor"), r.get("metric")]
                        for r in ann.get("relations", [])]
    return row


def json_objects(path: Path, shape: str):
    """(line number, object) for each non-blank line of a JSONL file; `shape` ends the error for a line
    that is not an object with a string "id" (each reader words what it expects)."""
    with Path(path).open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise EvalError(f"{path}:{i}: not valid JSON ({err.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                raise EvalError(f"{path}:{i}: {shape}")
            yield i, row


def read_annotations(path: Path) -> list[tuple[str, dict[str, Any]]]:
    shape = 'an annotation must be an object with a string "id"'
    return [(f"{path}:{i}", ann) for i, ann in json_objects(path, shape)]


def load_corpus_gold(gold_dir: Path | None = None, corpus_dir: Path | None = None) -> CorpusGold:
    """Every annotated corpus paper as a gold row (`split`: test or train), checked against the corpus."""
    from kg.ingest import ingest

    gold_dir = Path(gold_dir) if gold_dir else default_gold_dir()
    corpus_dir = Path(corpus_dir) if corpus_dir else default_corpus_dir()
    sample_path = gold_dir / "sample.json"
    if not sample_path.is_file():
        raise EvalError(f"{sample_path} does not exist: not a corpus gold directory")
    sample = json.loads(sample_path.read_text(encoding="utf-8"))
    split_of = {i: "test" for i in sample["test"]} | {i: "train" for i in sample["train"]}
    records, where = read_corpus(corpus_dir)
    result = ingest([str(corpus_dir / n) for n in CORPUS_FILES])
    by_source = {(s.file, s.line): p for p in result.papers for s in p.sources}
    primary: dict[str, dict[str, Any]] = {}
    second: dict[str, dict[str, Any]] = {}
    papers: dict[str, Paper] = {}
    files = sorted((gold_dir / "annotations").glob("*.jsonl"))
    if not files:
        raise EvalError(f"{gold_dir / 'annotations'} holds no annotation files")
    for path in files:
        for loc, ann in read_annotations(path):
            rec = records.get(ann["id"])
            if rec is None:
                raise EvalError(f"{loc}: {ann['id']} is not a record of {corpus_dir}")
            check_record(ann, rec, loc)
            paper = by_source.get(where[ann["id"]])
            if paper is None:
                raise EvalError(f"{loc}: {ann['id']} was not ingested from {where[ann['id']][0]}")
            row = gold_row(ann) | {"id": paper.id, "title": paper.title, "corpus_id": ann["id"],
                                   "split": split_of.get(ann["id"], "train"),
                                   "annotator": ann.get("annotator")}
            # The second annotators' first papers repeat test papers: those records measure agreement.
            # A paper annotated twice otherwise (a list taken over) keeps the first file's record, in
            # sorted file order, and the other one measures agreement too.
            if ann.get("annotator") in SECOND and ann["id"] in set(sample.get("double", [])):
                second.setdefault(paper.id, row)
            elif paper.id in primary:
                second.setdefault(paper.id, row)
            else:
                primary[paper.id] = row
            papers[paper.id] = paper
    # A doubly annotated paper whose primary annotation is not in yet is scored on the second one.
    for pid, row in second.items():
        primary.setdefault(pid, row)
    second = {pid: row for pid, row in second.items() if primary[pid] is not row}
    return CorpusGold(rows=primary, papers=papers, second=second, all_papers=result.papers)
