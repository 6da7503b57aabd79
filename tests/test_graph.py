"""Resolution, graph building and exploring, on hand-written records (no ingest or extraction)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graph_records import extractions, papers, profiles
from kg.cli import app
from kg.errors import GraphError, NotFoundError
from kg.explore import path, show, stats, top
from kg.graph import build_graph, validate
from kg.graphio import graph_to_data, read_graph, write_graph
from kg.ingest.names import author_key
from kg.authors import resolve_authors
from kg.resolve import AliasRule, load_alias_rules, resolve


def make_graph(ps=None, exs=None, rules=()):
    ps = papers() if ps is None else ps
    exs = extractions() if exs is None else exs
    res = resolve(exs, rules=rules)
    G, report = build_graph(ps, profiles(), exs, res, author_key=author_key, authors=resolve_authors(ps, author_key))
    return G, res, report


def test_spellings_of_one_system_become_one_node_named_by_its_introducing_paper():
    _, res, _ = make_graph()
    bagpipe = res.entities["system:bagpipe"]
    assert bagpipe.name == "BagPipe"
    assert res.entity_id("System", "Bagpipe's") == "system:bagpipe"
    ibp = res.entity_id("System", "Invariant Bit Packing")
    assert ibp == res.entity_id("System", "IBP") == "system:ibp"
    assert res.entities["system:ibp"].aliases == ("Invariant Bit Packing",)
    reasons = {(m.kept, m.merged): m.reason for m in res.merges}
    assert reasons[("system:bagpipe", "Bagpipe")] == "same name ignoring case, punctuation and possessive"
    assert reasons[("system:ibp", "Invariant Bit Packing")] == "alias defined in paper t-bbb"


def test_gazetteer_key_gives_the_id():
    _, res, _ = make_graph()
    assert res.entity_id("System", "pytorch") == "system:pytorch"


def test_forbid_rule_keeps_names_apart_and_says_so():
    rule = AliasRule("no-ibp", "forbid", "System", ("IBP", "Invariant Bit Packing"))
    _, res, _ = make_graph(rules=[rule])
    assert res.entity_id("System", "IBP") != res.entity_id("System", "Invariant Bit Packing")
    assert any(m.reason == "not merged: forbidden by alias rule no-ibp" for m in res.merges)


def test_merge_rule_joins_names():
    rule = AliasRule("one", "merge", "System", ("HugeCTR", "PyTorch"), name="Torch+CTR")
    _, res, _ = make_graph(rules=[rule])
    assert res.entity_id("System", "HugeCTR") == res.entity_id("System", "PyTorch")
    assert res.entities[res.entity_id("System", "HugeCTR")].name == "Torch+CTR"


def test_default_alias_rules_load():
    rules = load_alias_rules()
    assert rules and all(r.id for r in rules)


def test_graph_follows_the_schema():
    G, _, report = make_graph()
    assert validate(G) == []
    assert report.dropped == []
    counts = {}
    for _, d in G.nodes(data=True):
        counts[d["type"]] = counts.get(d["type"], 0) + 1
    assert counts["Paper"] == 3
    assert counts["Author"] == 4  # K.V. Rashmi and K. V. Rashmi are one author
    assert counts["Organization"] == 2


def test_coauthorship_is_weighted_by_shared_papers():
    G, _, _ = make_graph()
    a, b = sorted(["author:ada-lovelace", "author:k-v-rashmi"])
    d = G.get_edge_data(a, b)["CO_AUTHOR"]
    assert d["weight"] == 2 and d["papers"] == ["t-aaa", "t-bbb"]


def test_profile_metrics_land_on_the_author():
    G, _, _ = make_graph()
    grace = G.nodes["author:grace-hopper"]
    assert (grace["h_index"], grace["citations"], grace["profile"]) == (50, 2836, True)
    assert G.get_edge_data("author:grace-hopper", "paper:t-aaa")["AUTHORED"]["inferred"] is True


def test_citation_edges_carry_factor_metric_and_evidence():
    G, _, _ = make_graph()
    d = G.get_edge_data("system:bagpipe", "system:hugectr")["COMPARES_WITH|t-aaa"]
    assert (d["factor"], d["metric"], d["paper"]) == ("2.1x", "throughput", "t-aaa")
    assert d["evidence"] == "BagPipe outperforms HugeCTR by 2.1x in throughput."
    # A paper that introduces no system is itself the source.
    assert G.has_edge("paper:t-ccc", "system:hugectr", key="COMPARES_WITH|t-ccc")


def test_evidence_offsets_slice_the_abstract():
    G, _, _ = make_graph()
    for u, v, d in G.edges(data=True):
        if "evidence" in d and d.get("field", "abstract") == "abstract":
            paper = f"paper:{d['paper']}" if "paper" in d else u
            abstract = G.nodes[paper]["abstract"]
            assert abstract[d["start"]:d["end"]] == d["evidence"]


def test_same_records_in_any_order_give_the_same_bytes(tmp_path):
    G1, _, _ = make_graph()
    G2, _, _ = make_graph(list(reversed(papers())), list(reversed(extractions())))
    write_graph(G1, tmp_path / "a.json")
    write_graph(G2, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert graph_to_data(read_graph(tmp_path / "a.json")) == graph_to_data(G1)


def test_show_gives_a_card_with_evidence():
    G, _, _ = make_graph()
    card = show(G, "hugectr")
    assert card["id"] == "system:hugectr" and card["type"] == "System"
    rows = card["neighbours"]["<-COMPARES_WITH"]
    assert [r["id"] for r in rows] == ["paper:t-ccc", "system:bagpipe"]
    assert rows[1]["factor"] == "2.1x" and rows[1]["paper_title"] == "BagPipe: Accelerating Recommendation Training"
    assert {p["id"] for p in card["papers"]} == {"paper:t-aaa", "paper:t-ccc"}


def test_show_author_lists_coauthors_by_weight():
    G, _, _ = make_graph()
    card = show(G, "Ada Lovelace")
    assert [(c["name"], c["weight"]) for c in card["coauthors"]] == [("K. V. Rashmi", 2), ("Grace Hopper", 1)]


def test_unknown_name_suggests():
    G, _, _ = make_graph()
    with pytest.raises(NotFoundError) as err:
        show(G, "HugeCRT")
    assert str(err.value) == "no entity named 'HugeCRT'; did you mean: HugeCTR?"


def test_top_and_stats():
    G, _, _ = make_graph()
    rows = top(G, "systems", by="citations", limit=2)
    assert [(r["name"], r["score"]) for r in rows] == [("HugeCTR", 2), ("PyTorch", 2)]
    s = stats(G)
    assert s["nodes"]["Paper"] == 3 and s["edges"]["CO_AUTHOR"] == 3
    assert top(G, "systems", by="pagerank", limit=1)[0]["score"] > 0


def test_path_prints_each_hop():
    G, _, _ = make_graph()
    steps = path(G, "Alan Turing", "IBP")
    assert steps[0]["from_name"] == "Alan Turing" and steps[-1]["to_name"] == "IBP"
    assert all(s["edge"] for s in steps)


runner = CliRunner()


def test_cli_missing_graph(tmp_path):
    res = runner.invoke(app, ["stats", "--graph", str(tmp_path / "nope.json")])
    assert res.exit_code == 1
    assert res.output.strip() == (f"Error: no graph at {tmp_path / 'nope.json'}: run `kg build PATH...` first, "
                                  "or point --graph/KG_GRAPH at one")


def test_cli_empty_graph(tmp_path):
    import networkx as nx

    write_graph(nx.MultiDiGraph(), tmp_path / "g.json")
    res = runner.invoke(app, ["show", "x", "--graph", str(tmp_path / "g.json")])
    assert res.exit_code == 1
    assert res.output.strip() == (f"Error: the graph at {tmp_path / 'g.json'} is empty: build it from listings "
                                  "that contain papers")


def test_cli_not_a_graph(tmp_path):
    (tmp_path / "g.json").write_text(json.dumps({"nodes": []}))
    res = runner.invoke(app, ["top", "systems", "--graph", str(tmp_path / "g.json")])
    assert res.exit_code == 1
    assert "is not a kg graph file" in res.output


def test_cli_show_unknown_name_and_json(tmp_path):
    G, _, _ = make_graph()
    write_graph(G, tmp_path / "graph.json")
    res = runner.invoke(app, ["show", "HugeCRT", "--graph", str(tmp_path)])
    assert res.exit_code == 1 and res.output.strip() == "Error: no entity named 'HugeCRT'; did you mean: HugeCTR?"
    res = runner.invoke(app, ["top", "systems", "--by", "citations", "--json", "--graph", str(tmp_path)])
    assert res.exit_code == 0
    assert [r["name"] for r in json.loads(res.output)][:2] == ["HugeCTR", "PyTorch"]
    res = runner.invoke(app, ["top", "systems", "--by", "fame", "--graph", str(tmp_path)])
    assert res.exit_code == 1
    assert res.output.strip() == "Error: unknown measure 'fame'; allowed: degree, pagerank, citations, papers"


def test_graph_file_is_compact_sorted_json_in_pieces(tmp_path, monkeypatch):
    import kg.graphio as graphio

    from test_query import HOSTILE, sample_graph

    G = sample_graph()
    G.nodes["system:vllm"]["aliases"] = [HOSTILE, "é\u2028", ""]
    G.graph["note"] = HOSTILE
    monkeypatch.setattr(graphio, "_PIECE", 3)  # pieces end inside the node and edge lists
    written = write_graph(G, tmp_path / "graph.json").read_text(encoding="utf-8")
    assert written == json.dumps(graph_to_data(G), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
