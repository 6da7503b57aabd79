"""`kg eval tests/gold/authors`: pairwise precision and recall of author merges on labelled names."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from kg.cli import app
from kg.ingest import ingest

SERVING = "We schedule LLM inference requests on GPU clusters and page the KV cache to raise throughput."
CLINIC = "We answer patient questions in medical consultations with a dialogue agent."
RECORDS = [
    {"id": "x:1", "title": "Zorb: Serving Fast", "authors": ["Wei Lin", "Ann Lee"], "abstract": SERVING, "year": 2025},
    {"id": "x:2", "title": "Quill: Paging", "authors": ["Wei Lin", "Ann Lee"], "abstract": SERVING, "year": 2025},
    {"id": "x:3", "title": "Medic: Asking Patients", "authors": ["Wei Lin", "Cy Dee"], "abstract": CLINIC,
     "year": 2025},
]


def test_the_author_table_scores_pairs_and_names_against_the_labels(tmp_path):
    corpus = tmp_path / "shared" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "mlsys.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    (corpus / "sysconf-2017.jsonl").write_text("")
    ids = [p.id for p in sorted(ingest([corpus / "mlsys.jsonl"]).papers, key=lambda p: p.title)]
    medic, quill, zorb = ids
    gold = tmp_path / "authors"
    gold.mkdir()
    # The labeller: the clinic paper is someone else; the second labeller thinks all three are one person.
    (gold / "h1.jsonl").write_text(json.dumps({"key": "wei lin", "name": "Wei Lin",
                                               "people": [sorted([quill, zorb]), [medic]]}) + "\n")
    (gold / "h2.jsonl").write_text(json.dumps({"key": "wei lin", "name": "Wei Lin",
                                               "people": [sorted([quill, zorb, medic])]}) + "\n")
    result = CliRunner().invoke(app, ["eval", str(gold), "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    # Three papers: kg keeps them on one node (a build this small never splits a name by topic).
    assert result.stdout == (
        "1 labelled names (h1), 2 people (1 names are two or more people); pairs of one name's papers\n"
        "resolution             precision  recall  wrong merges  missed merges  names merged wrongly  names split wrongly\n"
        "---------------------  ---------  ------  ------------  -------------  --------------------  -------------------\n"
        "kg                     0.333      1.000   2             0              1                     0\n"
        "one node per name      0.333      1.000   2             0              1                     0\n"
        "labeller h2 (1 names)  0.333      1.000   2             0              1                     0\n"
        "merged wrongly: wei lin\n")
    bad = gold / "h1.jsonl"
    bad.write_text('{"key": "wei lin", "people": []}\n')
    result = CliRunner().invoke(app, ["eval", str(gold), "--corpus", str(corpus)])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: {bad}:1: people must be a non-empty list of non-empty lists of paper ids\n")
