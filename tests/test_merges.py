"""`kg merges`: the review list, and decisions that survive a rebuild and a sync and show in `kg show`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()

PAPERS = [
    {"title": "Zorb: Serving Models Fast", "authors": ["Wei Lin", "Ann Lee"], "year": 2024,
     "abstract": "We present Zorb, a serving system. Zorb is 2x faster than vLLM and builds on PyTorch."},
    {"title": "Quill: Paging Caches", "authors": ["Wei Lin", "Bo Chen"], "year": 2025,
     "abstract": "We present Quill, which pages the KV cache. Quill outperforms Zorb-S and vLLM by 3x."},
    {"title": "Zorb-S: A Smaller Zorb", "authors": ["Cy Dee"], "year": 2025,
     "abstract": "We present Zorb-S, a small serving system. Zorb-S runs on Jetson Orin and compares with vLLM."},
]


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def built(tmp_path):
    src = tmp_path / "papers.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in PAPERS))
    out = tmp_path / "out"
    invoke("build", str(src), "--out", str(out), "--model", "rules")
    return src, out


def test_the_list_names_every_merge_with_its_reason(built):
    _, out = built
    assert invoke("merges", "-g", str(out), "--label", "System") == (
        "kind   type    kept     id              other  reason\n"
        "-----  ------  -------  --------------  -----  ----------------------------------\n"
        "merge  System  PyTorch  system:pytorch  Torch  known alias (gazetteer id pytorch)\n"
        "1 rows\n")
    rows = json.loads(invoke("merges", "-g", str(out), "--json", "--label", "Author"))
    # Two papers of Wei Lin without a shared co-author: a build this small never splits a name by topic.
    assert [(r["kind"], r["name"], r["reason"]) for r in rows] == [
        ("join", "Wei Lin", "a build of fewer than 100 papers (one person unless a decision splits it)")]


def test_a_join_and_a_split_are_recorded_applied_at_once_and_kept_by_later_builds(built):
    src, out = built
    assert invoke("merges", "join", "Zorb", "Zorb-S", "-g", str(out), "--note", "one project") == (
        f"recorded join-1 in {out / 'merges.jsonl'}; {out / 'graph.json'} re-resolved (13 nodes)\n")
    assert invoke("merges", "split", "Wei Lin", "Quill: Paging Caches", "-g", str(out)) == (
        f"recorded split-2 in {out / 'merges.jsonl'}; {out / 'graph.json'} re-resolved (14 nodes)\n")
    lines = (out / "merges.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["join-1", "split-2"]
    # A later build of the directory (with the same or more files) applies both.
    invoke("build", str(src), "--out", str(out), "--model", "rules")
    card = invoke("show", "Zorb", "-g", str(out), "--no-evidence").splitlines()
    assert card[:3] == ["Zorb  [System]  system:zorb", "  aliases: Zorb-S",
                        f"  decisions: join-1 ({out / 'merges.jsonl'}:1): joined: Zorb + Zorb-S"]
    people = json.loads(invoke("merges", "-g", str(out), "--json", "--kind", "split"))
    assert [(r["kept"], r["merged"], r["reason"]) for r in people] == [
        ("author:wei-lin", "author:wei-lin-2", "decision split-2")]
    other = invoke("show", "author:wei-lin-2", "-g", str(out)).splitlines()
    assert other[:3] == ["Wei Lin  [Author]  author:wei-lin-2", "  homonym_of: author:wei-lin",
                         "  split_reason: decision split-2"]


def test_a_decision_file_of_ones_own_is_applied_and_bad_decisions_are_one_line(built, tmp_path):
    src, out = built
    mine = tmp_path / "mine.jsonl"
    mine.write_text(json.dumps({"id": "mine-1", "action": "merge", "label": "System", "names": ["Quill", "Zorb"],
                                "name": "Quill"}) + "\n")
    invoke("build", str(src), "--out", str(out), "--model", "rules", "--decisions", str(mine))
    assert invoke("show", "Quill", "-g", str(out)).splitlines()[1] == "  aliases: Zorb"
    for args, message in (
        (["join", "Zorb-S", "Wei Lin"], "Error: cannot join 'Zorb-S' (System) with 'Wei Lin' (Author): only "
                                        "entities of one type join\n"),
        (["split", "vLLM", "VLLM-X"], "Error: 'VLLM-X' is not a merged spelling of vLLM (system:vllm); its "
                                      "spellings: none\n"),
        (["join", "Nowhere", "vLLM"], "Error: no node named 'Nowhere' in the graph\n"),
    ):
        result = runner.invoke(app, ["merges", *args, "-g", str(out)])
        assert (result.exit_code, result.stderr) == (1, message)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "action": "merge", "label": "Author", "names": ["Wei Lin"]}\n')
    result = runner.invoke(app, ["build", str(src), "--out", str(out), "--decisions", str(bad)])
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        1, f"Error: {bad}:1: author rule 'x' needs action merge or forbid, one name and the papers it is about")


@pytest.mark.neo4j
def test_a_decision_reaches_neo4j_on_the_next_sync(built, neo4j_server, neo4j_driver, monkeypatch):
    _, out = built
    for k, v in (("KG_NEO4J_URI", neo4j_server.uri), ("KG_NEO4J_USER", neo4j_server.user),
                 ("KG_NEO4J_PASSWORD", neo4j_server.password), ("KG_NEO4J_DATABASE", neo4j_server.database)):
        monkeypatch.setenv(k, v)
    invoke("merges", "join", "Zorb", "Zorb-S", "-g", str(out))
    invoke("sync", "--graph", str(out), "--prune")
    rec = neo4j_driver.execute_query("MATCH (s:System {name: 'Zorb'}) RETURN s.aliases AS a, s.decisions AS d").records
    assert [(r["a"], r["d"]) for r in rec] == [
        (["Zorb-S"], [f"join-1 ({out / 'merges.jsonl'}:1): joined: Zorb + Zorb-S"])]
    assert neo4j_driver.execute_query("MATCH (s:System {name: 'Zorb-S'}) RETURN count(s) AS c").records[0]["c"] == 0


def test_a_typo_is_kept_apart_and_listed_as_a_near_miss():
    import networkx as nx

    from kg.review import near_misses

    G = nx.MultiDiGraph()
    for nid, name in (("system:huggingface", "HuggingFace"), ("system:hugginface", "HugginFace"),
                      ("system:actquant", "ActQuant"), ("system:arcquant", "ARCQuant"), ("system:arc", "ARC"),
                      ("system:arm", "ARM")):
        G.add_node(nid, type="System", name=name)
    assert [(r["name"], r["other"]) for r in near_misses(G)] == [("HugginFace", "HuggingFace")]


def test_a_decision_prints_what_it_recorded_as_json(built):
    _, out = built
    data = json.loads(invoke("merges", "join", "Zorb", "Zorb-S", "-g", str(out), "--json"))
    assert data["file"] == str(out / "merges.jsonl") and data["graph"] == str(out / "graph.json")
    assert data["nodes"] == 13
    assert data["decision"] == json.loads((out / "merges.jsonl").read_text().splitlines()[0])
