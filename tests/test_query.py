"""The embedded engine and `kg query` on small hand-built graphs (no server needed).

`sample_graph()` is shared with the Neo4j tests: a schema-conforming graph of invented papers whose
names include quotes, backslashes, braces, Cypher keywords and non-ASCII text.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import GraphError, QueryError
from kg.graphio import write_graph
from kg.query import load_query, parse_params, query
from kg.schema import node_id
from kg.sinks import embedded

HOSTILE = [
    "Cy O'Neil",
    'Dee "DQ" Back\\slash',
    "Eve } {Brace",
    "MATCH (n) DETACH DELETE n",
    "Émile Ünï 名前",
    "RETURN 1 AS `x`; //",
]


def _paper(G, pid, title, year, *, has_code=False, org=None, category="cs.DC"):
    attrs = dict(type="Paper", name=title, title=title, has_code=has_code, abstract=f"About {title}.",
                 sources=[f"listing.txt:{len(G) + 1}"], year=year)
    if org:
        attrs["org"] = org
    G.add_node(node_id("Paper", pid), **attrs)
    G.add_node(node_id("Category", category), type="Category", name=category)
    G.add_edge(node_id("Paper", pid), node_id("Category", category), key="IN_CATEGORY", type="IN_CATEGORY")
    if org:
        G.add_node(node_id("Organization", org), type="Organization", name=org)
        G.add_edge(node_id("Paper", pid), node_id("Organization", org), key="AFFILIATED_WITH",
                   type="AFFILIATED_WITH")


def _authors(G, pid, names):
    ids = []
    for pos, name in enumerate(names, 1):
        aid = node_id("Author", name.casefold().replace(" ", "-"))
        G.add_node(aid, type="Author", name=name)
        G.add_edge(aid, node_id("Paper", pid), key="AUTHORED", type="AUTHORED", position=pos, inferred=False)
        ids.append(aid)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            u, v = sorted((a, b))
            if G.has_edge(u, v, key="CO_AUTHOR"):
                e = G.edges[u, v, "CO_AUTHOR"]
                e["weight"] += 1
                e["papers"] = sorted([*e["papers"], pid])
            else:
                G.add_edge(u, v, key="CO_AUTHOR", type="CO_AUTHOR", weight=1, papers=[pid])


def _system(G, name, aliases=()):
    G.add_node(node_id("System", name.casefold()), type="System", name=name, aliases=list(aliases))
    return node_id("System", name.casefold())


def _technique(G, key, name, parent=None):
    attrs = dict(type="Technique", name=name, key=key, discovered=False, aliases=[])
    if parent:
        attrs["parent"] = parent
    G.add_node(node_id("Technique", key), **attrs)
    if parent:
        G.add_edge(node_id("Technique", key), node_id("Technique", parent), key="SUBTOPIC_OF",
                   type="SUBTOPIC_OF")
    return node_id("Technique", key)


def _ev(text="We show it.", start=0):
    return {"evidence": text, "start": start, "end": start + len(text), "text": text.split()[0]}


def _cite(G, etype, src, dst, pid, factor=None, metric=None):
    attrs = dict(type=etype, paper=pid, **_ev(f"{src} vs {dst}."))
    if factor:
        attrs["factor"] = factor
    if metric:
        attrs["metric"] = metric
    G.add_edge(src, dst, key=f"{etype}|{pid}", **attrs)


def sample_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.graph["schema"] = "kg/1"
    _paper(G, "2401.00001", "TurboServe: Fast LLM Serving", 2024, has_code=True, org="uw")
    _paper(G, "2402.00002", "Paged'Attn } Revisited", 2024, org="cmu")
    _paper(G, "2303.00003", 'Speculating "Fast" \\ Slow', 2023, has_code=True, org="uw")
    _paper(G, "2305.00004", "MATCH (n) RETURN n: a Survey", 2023)
    _paper(G, "t-0123456789ab", "Adapters at Scale", 2025, has_code=True, org="cmu")
    _authors(G, "2401.00001", ["Ada Quill", "Bo Chen", HOSTILE[0]])
    _authors(G, "2402.00002", ["Bo Chen", HOSTILE[1], HOSTILE[2]])
    _authors(G, "2303.00003", ["Ada Quill", "Bo Chen", HOSTILE[4]])
    _authors(G, "2305.00004", [HOSTILE[3], HOSTILE[5]])
    _authors(G, "t-0123456789ab", [HOSTILE[2], "Gus Park", HOSTILE[4]])
    turbo = _system(G, "TurboServe")
    paged = _system(G, "Paged'Attn }", ["PagedAttn"])
    vllm = _system(G, "vLLM", ["vllm"])
    orca = _system(G, "Orca")
    torch = _system(G, "MATCH")
    spec = _system(G, 'Spec"Dec\\')
    adapt = _system(G, "Adaptérs 名")
    sd = _technique(G, "speculative-decoding", "speculative decoding")
    tree = _technique(G, "tree-speculation", "tree speculation", parent="speculative-decoding")
    lora = _technique(G, "lora", "LoRA")
    paging = _technique(G, "kv-cache-paging", "KV-cache paging")
    G.add_node(node_id("Model", "llama-2-7b"), type="Model", name="Llama-2-7B", aliases=[])
    G.add_node(node_id("Hardware", "a100"), type="Hardware", name="A100", aliases=["NVIDIA A100"])
    G.add_node(node_id("Dataset", "sharegpt"), type="Dataset", name="ShareGPT", aliases=[])
    p1, p2, p3, p4, p5 = (node_id("Paper", p) for p in
                          ("2401.00001", "2402.00002", "2303.00003", "2305.00004", "t-0123456789ab"))
    for p, s in ((p1, turbo), (p2, paged), (p3, spec), (p5, adapt)):
        G.add_edge(p, s, key="INTRODUCES", type="INTRODUCES", **_ev())
    G.add_edge(p3, tree, key="INTRODUCES", type="INTRODUCES", **_ev())
    for p, t in ((p1, sd), (p1, paging), (p2, paging), (p3, sd), (p4, sd), (p4, lora), (p5, lora),
                 (p5, paging)):
        G.add_edge(p, t, key="USES", type="USES", **_ev())
    for p, x in ((p1, vllm), (p1, node_id("Model", "llama-2-7b")), (p2, vllm), (p2, node_id("Hardware", "a100")),  # noqa: E501
                 (p3, node_id("Dataset", "sharegpt")), (p4, vllm), (p4, torch), (p5, node_id("Hardware", "a100"))):  # noqa: E501
        G.add_edge(p, x, key="MENTIONS", type="MENTIONS", **_ev())
    _cite(G, "COMPARES_WITH", turbo, vllm, "2401.00001", "12x", "throughput")
    _cite(G, "COMPARES_WITH", turbo, orca, "2401.00001", "3.5x")
    _cite(G, "COMPARES_WITH", paged, vllm, "2402.00002", "1.4x", "latency")
    _cite(G, "COMPARES_WITH", p4, vllm, "2305.00004")
    _cite(G, "COMPARES_WITH", adapt, paged, "t-0123456789ab", "2x")
    _cite(G, "BUILDS_ON", turbo, paged, "2401.00001")
    _cite(G, "BUILDS_ON", paged, vllm, "2402.00002")
    _cite(G, "INTEGRATES_INTO", spec, vllm, "2303.00003")
    _cite(G, "INTEGRATES_INTO", paged, torch, "2402.00002")
    _cite(G, "BUILDS_ON", adapt, turbo, "t-0123456789ab")
    G.nodes[node_id("Author", "ada-quill")].update(profile=True, h_index=12, paper_count=30)
    return G


@pytest.fixture
def graph_file(tmp_path) -> Path:
    return write_graph(sample_graph(), tmp_path / "out" / "graph.json")


def test_hostile_names_round_trip_through_the_embedded_engine():
    G = sample_graph()
    db = embedded.load(G)
    res = embedded.run(db, "MATCH (a:Author) RETURN a.name AS name ORDER BY name")
    expected = sorted(d["name"] for _, d in G.nodes(data=True) if d["type"] == "Author")
    assert [r[0] for r in res.rows] == expected
    for name in HOSTILE:
        res = embedded.run(db, "MATCH (a:Author {name: $name}) RETURN a.name AS name, a.id AS id", {"name": name})  # noqa: E501
        assert res.rows == ((name, node_id("Author", name.casefold().replace(" ", "-"))),)


def test_embedded_load_keeps_lists_empty_strings_and_absent_values():
    G = sample_graph()
    G.nodes["paper:2305.00004"]["abstract"] = ""
    G.nodes["system:vllm"]["aliases"] = ["a,b", "it's", 'x"]y', "", "\\"]
    db = embedded.load(G)
    res = embedded.run(db, "MATCH (p:Paper {id: 'paper:2305.00004'}) RETURN p.abstract AS a, p.org AS o, "
                           "p.has_code AS c, p.sources AS s")
    assert res.rows == (("", None, False, [G.nodes["paper:2305.00004"]["sources"][0]]),)
    res = embedded.run(db, "MATCH (s:System) WHERE s.name = 'vLLM' OR s.name = 'Orca' "
                           "RETURN s.name AS n, s.aliases AS a ORDER BY n")
    assert res.rows == (("Orca", []), ("vLLM", ["a,b", "it's", 'x"]y', "", "\\"]))


def test_embedded_counts_match_the_graph():
    G = sample_graph()
    db = embedded.load(G)
    for label in {d["type"] for _, d in G.nodes(data=True)}:
        n = sum(1 for _, d in G.nodes(data=True) if d["type"] == label)
        assert embedded.run(db, f"MATCH (n:{label}) RETURN count(n) AS c").rows == ((n,),), label
    for etype in {d["type"] for _, _, d in G.edges(data=True)}:
        n = sum(1 for _, _, d in G.edges(data=True) if d["type"] == etype)
        assert embedded.run(db, f"MATCH ()-[r:{etype}]->() RETURN count(r) AS c").rows == ((n,),), etype


def test_extra_attributes_become_typed_columns():
    G = sample_graph()
    G.nodes["system:vllm"]["stars"] = 40000
    G.nodes["system:orca"]["stars"] = 12.5
    db = embedded.load(G)
    res = embedded.run(db, "MATCH (s:System) WHERE s.stars IS NOT NULL RETURN s.name AS n, s.stars AS s "
                           "ORDER BY n")
    assert res.rows == (("Orca", 12.5), ("vLLM", 40000.0))


def test_bad_graphs_are_graph_errors():
    G = sample_graph()
    G.add_edge("author:ada-quill", "system:vllm", key="USES", type="USES", **_ev())
    with pytest.raises(GraphError, match=r"USES may not join Author to System; allowed: Paper->Technique"):
        embedded.load(G)
    G = sample_graph()
    G.nodes["paper:2401.00001"]["year"] = "2024"
    with pytest.raises(GraphError, match=r"node 'paper:2401.00001' attribute 'year': expected an integer, "
                                         r"got '2024'"):
        embedded.load(G)


def test_query_caches_the_loaded_database_by_graph_hash(graph_file):
    res = query("MATCH (s:System) RETURN count(s) AS systems", graph=graph_file)
    assert res.records() == [{"systems": 7}]
    caches = sorted(p.name for p in graph_file.parent.glob(".graph.json.*.lbug"))
    assert len(caches) == 1
    assert query("MATCH (s:System) RETURN count(s) AS systems", graph=graph_file.parent).rows == ((7,),)
    G = sample_graph()
    _system(G, "NewSys")
    write_graph(G, graph_file)
    assert query("MATCH (s:System) RETURN count(s) AS systems", graph=graph_file).rows == ((8,),)
    # The stale cache of the old graph is gone; only the new one is left.
    after = sorted(p.name for p in graph_file.parent.glob(".graph.json.*.lbug"))
    assert len(after) == 1 and after != caches


def test_bundled_query_with_default_and_given_params(graph_file):
    res = query("most-compared-systems", graph=graph_file)
    assert res.records()[0] == {"system": "vLLM", "papers": 3, "comparisons": 3}
    res = query("most-compared-systems", {"limit": 1}, graph=graph_file)
    assert len(res.rows) == 1


def test_query_errors(graph_file, tmp_path):
    with pytest.raises(QueryError, match=r"^query 'who-compares-against' needs --param system=\.\.\.$"):
        query("who-compares-against", graph=graph_file)
    with pytest.raises(QueryError, match=r"has no parameter \$nope; it uses: \$limit$"):
        query("most-compared-systems", {"nope": 1}, graph=graph_file)
    with pytest.raises(QueryError, match=r"^'most-compard' is neither Cypher, a file, nor a bundled query; "
                                         r"bundled: authors-on-technique, "):
        query("most-compard", graph=graph_file)
    with pytest.raises(QueryError, match=r"^embedded engine: Parser exception"):
        query("MATCH (n RETURN n", graph=graph_file)
    with pytest.raises(GraphError, match=r"^no graph at .*missing.json: run `kg build PATH\.\.\.` first"):
        query("MATCH (n) RETURN n", graph=tmp_path / "missing.json")


def test_description_stops_at_params_even_without_params(tmp_path, monkeypatch):
    (tmp_path / "queries").mkdir()
    (tmp_path / "queries" / "noted.cypher").write_text(
        "// Answers: which systems exist?\n// Params: none\n// Note: not part of the description.\n"
        "MATCH (s:System) RETURN s.name\n", encoding="utf-8")
    monkeypatch.setattr("kg.query._cypher_root", lambda: tmp_path)
    qf = load_query("noted")
    assert qf.description == "Answers: which systems exist?"
    assert qf.params == ()


def test_parse_params():
    assert parse_params(["limit=5", "system=vLLM", "x=\"5\"", "flag=true", "name=a=b"]) == {
        "limit": 5, "system": "vLLM", "x": "5", "flag": True, "name": "a=b"}
    with pytest.raises(QueryError, match=r"^--param 'limit': write NAME=VALUE, e.g. --param system=vLLM$"):
        parse_params(["limit"])


# --- CLI -----------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_query_table(graph_file):
    result = runner.invoke(app, ["query", "who-compares-against", "--param", "system=vLLM", "--graph",
                                 str(graph_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "by                            by_label  factor  metric      paper       evidence\n"
        "----------------------------  --------  ------  ----------  ----------  -----------------------------------\n"  # noqa: E501
        "MATCH (n) RETURN n: a Survey  Paper                         2305.00004  paper:2305.00004 vs system:vllm.\n"  # noqa: E501
        "TurboServe                    System    12x     throughput  2401.00001  system:turboserve vs system:vllm.\n"  # noqa: E501
        "Paged'Attn }                  System    1.4x    latency     2402.00002  system:paged'attn } vs system:vllm.\n"  # noqa: E501
    )


def test_cli_query_json_and_csv(graph_file):
    result = runner.invoke(app, ["query", "MATCH (s:System) WHERE s.name STARTS WITH $p RETURN s.name AS name, "  # noqa: E501
                                 "s.aliases AS aliases ORDER BY name", "--param", "p=Pa", "--json",
                                 "--graph", str(graph_file)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"name": "Paged'Attn }", "aliases": ["PagedAttn"]}]
    result = runner.invoke(app, ["query", "MATCH (a:Author) WHERE a.name CONTAINS '\"' RETURN a.name AS name",
                                 "--csv", "--graph", str(graph_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout == 'name\n"Dee ""DQ"" Back\\slash"\n'


def test_cli_query_file(graph_file, tmp_path):
    qfile = tmp_path / "mine.cypher"
    qfile.write_text("// Answers: papers per year.\n// Params: since (int, default 2024)\n"
                     "MATCH (p:Paper) WHERE p.year >= $since RETURN p.year AS year, count(p) AS papers "
                     "ORDER BY year\n", encoding="utf-8")
    result = runner.invoke(app, ["query", str(qfile), "--graph", str(graph_file)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "year  papers\n----  ------\n2024  2\n2025  1\n"


def test_cli_query_errors_are_one_line(graph_file):
    result = runner.invoke(app, ["query", "who-compares-against", "--graph", str(graph_file)])
    assert result.exit_code == 1
    assert result.stderr == "Error: query 'who-compares-against' needs --param system=...\n"
    result = runner.invoke(app, ["query", "most-compared-systems", "--param", "limit", "--graph",
                                 str(graph_file)])
    assert result.stderr == "Error: --param 'limit': write NAME=VALUE, e.g. --param system=vLLM\n"
    result = runner.invoke(app, ["query", "most-compared-systems", "--json", "--csv", "--graph",
                                 str(graph_file)])
    assert result.exit_code == 1
    assert result.stderr == "Error: choose one of --json and --csv\n"


@pytest.mark.parametrize("cypher", [
    "MATCH (p:Paper {id: 'paper:2305.00004'}) RETURN p",
    "MATCH (p:Paper {id: 'paper:2305.00004'}) RETURN [p] AS p",
    "MATCH (p:Paper {id: 'paper:2305.00004'}) RETURN {paper: p} AS p",
    "MATCH path = (:Author)-[:AUTHORED]->(p:Paper {id: 'paper:2305.00004'}) RETURN nodes(path) AS p LIMIT 1",
    "MATCH path = (:Author)-[:AUTHORED]->(p:Paper {id: 'paper:2305.00004'}) RETURN path AS p LIMIT 1",
    "MATCH (p:Paper {id: 'paper:2305.00004'}) RETURN properties(p) AS p",
])
def test_a_whole_node_has_every_property_even_when_the_text_never_names_them(graph_file, cypher):
    (got,), = query(cypher, graph=graph_file).rows
    while "id" not in got:  # inside a list (the paper last) or a map
        got = got[-1] if isinstance(got, list) else got["paper"]
    assert got["abstract"] == sample_graph().nodes["paper:2305.00004"]["abstract"]


def test_a_whole_relationship_has_its_evidence(graph_file):
    rows = query("MATCH ()-[r:COMPARES_WITH]->() WHERE r.factor = '12x' RETURN r", graph=graph_file).rows
    assert rows and all(r["evidence"] for (r,) in rows)


def test_a_query_that_never_reads_abstracts_or_evidence_is_served_without_loading_them(graph_file):
    papers = sum(1 for _, d in sample_graph().nodes(data=True) if d["type"] == "Paper")
    assert query("MATCH (p:Paper) RETURN count(p) AS n", graph=graph_file).rows == ((papers,),)
    variants = lambda: sorted(p.name.split(".")[-2] for p in graph_file.parent.glob(".graph.json.*.lbug"))  # noqa: E731
    assert variants() == ["no-abstract-evidence"]
    abstract = sample_graph().nodes["paper:2305.00004"]["abstract"]
    res = query("MATCH (p:Paper {id: 'paper:2305.00004'}) RETURN p.abstract AS a", graph=graph_file)
    assert res.rows == ((abstract,),)
    assert variants() == ["no-abstract-evidence", "no-evidence"]
    res = query("MATCH ()-[r:COMPARES_WITH]->() WHERE r.factor = '12x' RETURN r.evidence AS e", graph=graph_file)
    assert res.rows and all(e for (e,) in res.rows)
    assert variants() == ["no-abstract", "no-abstract-evidence", "no-evidence"]
    # A loading folder a killed query left behind an hour ago is cleared by the next load.
    stale = graph_file.parent / ".graph.json.x1.loading"
    stale.mkdir()
    os.utime(stale, (0, 0))
    write_graph(sample_graph(), graph_file.parent / "graph.json")
    G = sample_graph()
    _system(G, "Another")
    write_graph(G, graph_file)
    query("MATCH (s:System) RETURN count(s) AS n", graph=graph_file)
    assert not stale.exists() and variants() == ["no-abstract-evidence"]
