"""`kg build` on the five seed listings: the graph issue's acceptance points."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from kg.cli import app
from kg.explore import show
from kg.graph import validate
from kg.pipeline import build
from kg.schema import CITATION_EDGES

runner = CliRunner()


def test_284_papers(seed_graph):
    assert sum(1 for _, d in seed_graph.nodes(data=True) if d["type"] == "Paper") == 284


def test_vllm_card_lists_papers_that_compare_with_or_mention_it(seed_graph, seed_build):
    card = show(seed_graph, "vLLM")
    assert card["type"] == "System"
    citing = {}
    for rel in ("<-COMPARES_WITH", "<-MENTIONS"):
        for row in card["neighbours"].get(rel, []):
            paper = f"paper:{row['paper']}" if "paper" in row else row["id"]
            assert row["evidence"], row
            citing.setdefault(paper, row["evidence"])
    assert len(citing) >= 8
    # Each sentence is a real sentence of that paper's abstract (or title).
    for paper, sentence in citing.items():
        d = seed_graph.nodes[paper]
        assert sentence in d["abstract"] or sentence in d["title"]
    res = runner.invoke(app, ["show", "vLLM", "--graph", str(seed_build.out)])
    assert res.exit_code == 0
    assert res.output.startswith("vLLM  [System]  system:vllm\n")
    assert res.output.count('      "') >= 8


def test_zhihao_jia_card_lists_coauthors_with_weights(seed_graph, seed_build):
    card = show(seed_graph, "Zhihao Jia")
    assert card["type"] == "Author"
    assert len(card["coauthors"]) >= 5
    assert all(c["weight"] >= 1 and len(c["papers"]) == c["weight"] for c in card["coauthors"])
    weights = [c["weight"] for c in card["coauthors"]]
    assert weights == sorted(weights, reverse=True)
    res = runner.invoke(app, ["show", "Zhihao Jia", "--graph", str(seed_build.out)])
    assert res.exit_code == 0
    assert f"Co-authors ({len(card['coauthors'])}):\nname" in res.output


def test_well_known_systems_are_introduced_by_their_papers(seed_graph):
    for name, title_word in (("Punica", "Punica"), ("FlashInfer", "FlashInfer"), ("vLLM", "PagedAttention")):
        card = show(seed_graph, name)
        assert card["type"] == "System", name
        introducers = card["neighbours"].get("<-INTRODUCES", [])
        assert any(title_word in row["name"] for row in introducers), (name, introducers)


def test_speculative_decoding_is_used_by_at_least_8_papers(seed_graph):
    card = show(seed_graph, "speculative decoding")
    assert card["id"] == "technique:speculative-decoding" and card["type"] == "Technique"
    users = {row["id"] for rel in ("<-USES", "<-INTRODUCES") for row in card["neighbours"].get(rel, [])}
    assert len(users) >= 8


def test_schema_holds_and_every_citation_edge_has_evidence(seed_graph, seed_build):
    assert validate(seed_graph) == []
    data = json.loads((seed_build.out / "graph.json").read_text(encoding="utf-8"))
    ids = {n["id"] for n in data["nodes"]}
    dangling = [e for e in data["edges"] if e["source"] not in ids or e["target"] not in ids]
    assert dangling == []
    for u, v, d in seed_graph.edges(data=True):
        if d["type"] in CITATION_EDGES:
            assert d["evidence"] and d["paper"], (u, v, d)


def _files(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def test_two_builds_of_the_same_input_give_identical_files(seed_build, seeds_dir, tmp_path):
    again = build([seeds_dir], out=tmp_path / "again")
    assert _files(again.out) == _files(seed_build.out)


def test_a_then_b_equals_a_plus_b(seeds_dir, seed_build, tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    # Keep the paths the one-step build saw, so sources compare equal.
    files = sorted(p for p in seeds_dir.iterdir() if p.suffix == ".txt")
    build(files[:3], out=tmp_path / "inc")
    build(files[3:], out=tmp_path / "inc")
    whole = build(files, out=tmp_path / "whole")
    assert _files(tmp_path / "inc") == _files(whole.out)


def test_build_summary_and_explain_merges(seeds_dir, tmp_path):
    res = runner.invoke(app, ["build", str(seeds_dir), "--out", str(tmp_path / "o"), "--explain-merges"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert any(line.startswith("Graph: 284 papers, ") for line in lines)
    assert any("<- 'Bagpipe'" in line or "<-" in line for line in lines)
    assert lines[-1] == f"Wrote {tmp_path / 'o' / 'graph.json'}"


def test_build_of_nothing_is_a_clear_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    res = runner.invoke(app, ["build", str(empty), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1].startswith("Error: no papers were read from ")


def test_build_copy_is_independent(seed_build, tmp_path):
    # Graph commands read a copied build directory the same way.
    shutil.copytree(seed_build.out, tmp_path / "copy")
    res = runner.invoke(app, ["stats", "--json", "--graph", str(tmp_path / "copy")])
    assert res.exit_code == 0
    assert json.loads(res.output)["nodes"]["Paper"] == 284
