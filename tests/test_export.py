"""kg export: every format reads back (networkx for GraphML/GEXF/JSON/DOT, the real Neo4j for the Cypher
script and the CSV), and the format quirks are handled on purpose."""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from test_select_graph import HOSTILE, QUOTES, SCRIPT, sample_graph
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ExportError
from kg.graphio import write_graph
from kg.select import Selection
from kg.sinks.files import FORMATS, cypher_string, dot_string, export

# pydot's parser uses pyparsing names that newer pyparsing deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot.*")

LISTS = ("aliases", "sources", "papers")
INTS = ("year", "weight", "position", "start", "end", "h_index", "citations", "month", "day", "paper_count",
        "novelty", "ai_score")
NODE_KEYS = ("type", "name", "title", "year", "aliases", "sources", "has_code", "abstract", "citations")
EDGE_KEYS = ("type", "weight", "papers", "factor", "metric", "paper", "evidence", "position", "inferred", "start")


# --- reading each format back into the kg attribute names --------------------------------------------


def _unflatten(d: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if k in LISTS and isinstance(v, str) else v for k, v in d.items()}


def read_graphml(path: Path) -> nx.MultiDiGraph:
    R = nx.read_graphml(path, force_multigraph=True)
    for _, d in R.nodes(data=True):
        d.update(_unflatten(d))
    for *_, d in R.edges(data=True):
        d.update(_unflatten(d))
    return R


def read_gexf(path: Path) -> nx.MultiDiGraph:
    R = nx.read_gexf(path)
    out = nx.MultiDiGraph()
    for n, d in R.nodes(data=True):
        out.add_node(n, **_unflatten({k.removeprefix("kg_"): v for k, v in d.items() if k != "label"}))
    # networkx returns a DiGraph when no edges are parallel; our edge ids (`source|target|key`) keep the key.
    for u, v, d in R.edges(data=True):
        attrs = _unflatten({a.removeprefix("kg_"): x for a, x in d.items() if a not in ("id", "label", "key")})
        if "weight" in attrs:  # GEXF weights are floats
            attrs["weight"] = int(attrs["weight"])
        out.add_edge(u, v, key=d["id"][len(u) + len(v) + 2:], **attrs)
    return out


def read_json(path: Path) -> nx.MultiDiGraph:
    return nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")


def _dot_value(name: str, text: str) -> Any:
    """Undo our DOT quoting (pydot keeps it): strip the quotes, then `\\"`, `\\n` and `\\\\`."""
    value = re.sub(r'\\(["n\\])', lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), text[1:-1])
    if name in INTS:
        return int(value)
    if name in LISTS:
        return json.loads(value)
    return {"true": True, "false": False}.get(value, value) if name in ("has_code", "inferred", "profile") else value


def read_dot(path: Path) -> nx.MultiDiGraph:
    R = nx.nx_pydot.read_dot(path)
    out = nx.MultiDiGraph()
    for n, d in R.nodes(data=True):
        out.add_node(n, **{k.strip('"'): _dot_value(k.strip('"'), v) for k, v in d.items()})
    for u, v, d in R.edges(data=True):
        attrs = {k.strip('"'): _dot_value(k.strip('"'), x) for k, x in d.items()}
        out.add_edge(u, v, key=attrs.pop("key"), **attrs)
    return out


READERS = {"graphml": read_graphml, "gexf": read_gexf, "json": read_json, "dot": read_dot}


def assert_same_graph(H: nx.MultiDiGraph, R: nx.MultiDiGraph) -> None:
    assert sorted(R) == sorted(H)
    for n, d in H.nodes(data=True):
        assert {k: R.nodes[n].get(k) for k in NODE_KEYS if k in d} == {k: d[k] for k in NODE_KEYS if k in d}, n
    assert sorted(R.edges(keys=True)) == sorted(H.edges(keys=True))
    for u, v, k, d in H.edges(keys=True, data=True):
        got = R.edges[u, v, k]
        assert {a: got.get(a) for a in EDGE_KEYS if a in d} == {a: d[a] for a in EDGE_KEYS if a in d}, (u, v, k)


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_networkx_reads_every_file_format_back(tmp_path: Path, fmt: str) -> None:
    G = sample_graph()
    result = export(G, tmp_path / f"out.{fmt}", format=fmt)
    assert (result.nodes, result.edges) == (19, 29)
    assert_same_graph(G, READERS[fmt](result.paths[0]))


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_a_selection_is_exported_and_reads_back(tmp_path: Path, fmt: str) -> None:
    G = sample_graph()
    result = export(G, tmp_path / f"out.{fmt}", format=fmt, selection=Selection(author=("Zhihao Jia",)))
    R = READERS[fmt](result.paths[0])
    assert sorted(R) == ["author:ada-lovelace", "author:bob", "author:emile", "author:zhihao-jia",
                         "paper:2301.00002", "paper:2401.00001"]
    assert_same_graph(result.selected.graph, R)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic(tmp_path: Path, fmt: str) -> None:
    G = sample_graph()
    a = export(G, tmp_path / "a" / f"out.{fmt}", format=fmt).paths
    b = export(G, tmp_path / "b" / f"out.{fmt}", format=fmt).paths
    for x, y in zip(a, b, strict=True):
        if fmt == "gexf":  # GEXF stamps today's date
            strip = lambda t: re.sub(r'lastmodifieddate="[^"]*"', "", t)
            assert strip(x.read_text()) == strip(y.read_text())
        else:
            assert x.read_bytes() == y.read_bytes()


def test_gexf_avoids_reserved_names(tmp_path: Path) -> None:
    path = export(sample_graph(), tmp_path / "g.gexf", format="gexf").paths[0]
    text = path.read_text(encoding="utf-8")
    # `start`/`end` would make networkx and Gephi read the graph as dynamic (time intervals).
    assert 'mode="static"' in text and "timeformat" not in text
    assert 'title="kg_start"' in text and 'title="kg_type"' in text and 'title="start"' not in text
    # Labels are names, so Gephi shows "Zhihao Jia" rather than an id.
    assert 'label="Zhihao Jia"' in text


def test_graphml_serialises_lists_as_json(tmp_path: Path) -> None:
    path = export(sample_graph(), tmp_path / "g.graphml", format="graphml").paths[0]
    R = nx.read_graphml(path, force_multigraph=True)
    assert R.nodes["system:vllm"]["aliases"] == '["vLLM", "Virtual LLM"]'
    assert R.nodes["system:vllm"]["label"] == "vLLM"


def test_json_export_is_also_a_kg_graph_file(tmp_path: Path) -> None:
    from kg.graphio import read_graph

    path = export(sample_graph(), tmp_path / "g.json", format="json").paths[0]
    assert_same_graph(sample_graph(), read_graph(path))


# --- Cypher ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", "'plain'"),
        ("it's", "'it\\'s'"),
        ('say "hi"', "'say \\\"hi\\\"'"),
        ("back\\slash", "'back\\\\slash'"),
        ("two\nlines\r\tend", "'two\\nlines\\r\\tend'"),
        ("Émile", "'\\u00c9mile'"),
        ("🚀", "'\\ud83d\\ude80'"),
        ("'; MATCH (n) DETACH DELETE n; //", "'\\'; MATCH (n) DETACH DELETE n; //'"),
    ],
)
def test_cypher_strings_are_escaped(text: str, literal: str) -> None:
    assert cypher_string(text) == literal


def test_cypher_script_is_one_ascii_statement_per_line(tmp_path: Path) -> None:
    path = export(sample_graph(), tmp_path / "g.cypher", format="cypher").paths[0]
    lines = path.read_bytes().decode("ascii").splitlines()
    assert lines[0] == "// kg export: 19 nodes, 29 relationships"
    statements = lines[1:]
    assert len(statements) == 7 + 19 + 29  # constraints, nodes, relationships
    assert all(s.endswith(";") for s in statements)
    assert "$" not in path.read_text()  # no parameters
    assert ("MERGE (n:`Author` {id: 'author:dan'}) SET n += {`name`: 'Dan \\\"Quote\\\" O\\'Back\\\\slash'};"
            in statements)


# --- CSV for neo4j-admin -----------------------------------------------------------------------------


def read_admin_csv(directory: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Parse an export the way `neo4j-admin database import` reads it: typed headers (`year:int`,
    `sources:string[]`, `:LABEL`...), `"` quoting with `""` inside, arrays split on --array-delimiter."""
    script = (directory / "neo4j-admin-import.sh").read_text()
    delimiter = re.search(r"--array-delimiter='([^']*)'", script).group(1)  # type: ignore[union-attr]
    convert = {"int": int, "long": int, "double": float, "boolean": lambda s: s == "true",
               "string[]": lambda s: s.split(delimiter), "string": str, "ID": str, "START_ID": str,
               "END_ID": str, "LABEL": str, "TYPE": str}
    nodes: dict[str, list[dict[str, Any]]] = {}
    rels: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        fields = [(name, kind or "string") for name, _, kind in (h.partition(":") for h in header)]
        for row in rows:
            record = {}
            for (name, kind), value in zip(fields, row, strict=True):
                if value != "":
                    record[name or kind] = convert[kind](value)
            table = nodes if "LABEL" in record else rels
            table.setdefault(record.get("LABEL") or record["TYPE"], []).append(record)
    return nodes, rels


def test_csv_has_neo4j_admin_headers(tmp_path: Path) -> None:
    paths = export(sample_graph(), tmp_path / "csv", format="csv").paths
    names = [p.name for p in paths]
    assert names[0] == "nodes_Author.csv" and names[-1] == "neo4j-admin-import.sh"
    header = (tmp_path / "csv" / "nodes_Paper.csv").read_text().splitlines()[0]
    assert header == "id:ID,abstract,arxiv_id,has_code:boolean,name,sources:string[],title,year:int,:LABEL"
    header = (tmp_path / "csv" / "relationships_CO_AUTHOR.csv").read_text().splitlines()[0]
    assert header == ":START_ID,:END_ID,:TYPE,key,papers:string[],weight:int"
    nodes, rels = read_admin_csv(tmp_path / "csv")
    assert sum(map(len, nodes.values())) == 19 and sum(map(len, rels.values())) == 29
    (dan,) = [n for n in nodes["Author"] if n["id"] == "author:dan"]
    assert dan["name"] == QUOTES
    (paper,) = [n for n in nodes["Paper"] if n["id"] == "paper:2401.00001"]
    assert (paper["title"], paper["year"], paper["has_code"]) == (HOSTILE, 2024, True)
    assert paper["abstract"] == sample_graph().nodes["paper:2401.00001"]["abstract"]  # newline kept
    (evil,) = nodes["System"][:1]
    assert evil["aliases"] == [SCRIPT, "it's \\ \"bad\""]


def test_csv_picks_another_array_delimiter_when_values_contain_semicolons(tmp_path: Path) -> None:
    G = sample_graph()
    G.nodes["system:vllm"]["aliases"] = ["vLLM", "a;b"]
    export(G, tmp_path / "csv", format="csv")
    assert "--array-delimiter='|'" in (tmp_path / "csv" / "neo4j-admin-import.sh").read_text()
    nodes, _ = read_admin_csv(tmp_path / "csv")
    assert [n["aliases"] for n in nodes["System"] if n["id"] == "system:vllm"] == [["vLLM", "a;b"]]


def test_dot_quotes_everything() -> None:
    assert dot_string('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_export_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ExportError) as err:
        export(sample_graph(), tmp_path / "x", format="xml")
    assert str(err.value) == "unknown export format 'xml': allowed: graphml, gexf, json, csv, cypher, dot"
    (tmp_path / "file").write_text("")
    with pytest.raises(ExportError) as err:
        export(sample_graph(), tmp_path / "file", format="csv")
    assert str(err.value) == f"-o {tmp_path / 'file'} is a file; the csv format writes a directory"
    with pytest.raises(ExportError) as err:
        export(sample_graph(), tmp_path, format="dot")
    assert str(err.value) == f"-o {tmp_path} is a directory; give a file name for this format"


# --- CLI ---------------------------------------------------------------------------------------------


def test_cli_export(tmp_path: Path) -> None:
    write_graph(sample_graph(), tmp_path / "kg-out" / "graph.json")
    runner = CliRunner()
    args = ["export", "--graph", str(tmp_path / "kg-out"), "-f", "graphml", "-o", str(tmp_path / "s.graphml"),
            "--system", "vllm", "--limit", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {tmp_path / 's.graphml'}: graphml, 3 nodes, 3 edges\n"
    assert result.stderr.splitlines() == [
        "hops: dropped 13 nodes and 22 edges (more than 1 hop from the center)",
        ("limit: dropped 3 nodes and 4 edges (kept the 3 most connected): paper:2301.00002, system:evil, "
         "system:punica"),
    ]
    assert sorted(read_graphml(tmp_path / "s.graphml")) == ["paper:2401.00001", "system:flashinfer",
                                                            "system:vllm"]


def test_cli_export_errors(tmp_path: Path) -> None:
    write_graph(sample_graph(), tmp_path / "graph.json")
    runner = CliRunner()
    base = ["export", "--graph", str(tmp_path / "graph.json"), "-o", str(tmp_path / "o")]
    result = runner.invoke(app, [*base, "-f", "xml"])
    assert (result.exit_code, result.stderr) == (1, ("Error: unknown export format 'xml': allowed: graphml, "
                                                  "gexf, json, csv, cypher, dot\n"))
    result = runner.invoke(app, [*base, "-f", "json", "--author", "Zhihao Jai"])
    assert (result.exit_code, result.stderr) == (
        1, "Error: no entity named 'Zhihao Jai' among Author nodes; did you mean: Zhihao Jia?\n")


# --- the real Neo4j ----------------------------------------------------------------------------------


def _neo4j(request: pytest.FixtureRequest) -> Any:
    """The `neo4j_driver` fixture of tests/conftest.py; outside CI the test skips when it is missing."""
    try:
        driver = request.getfixturevalue("neo4j_driver")
        database = request.getfixturevalue("neo4j_server").database
    except pytest.FixtureLookupError:
        if os.environ.get("CI"):
            pytest.fail("the neo4j_driver fixture is missing from tests/conftest.py")
        pytest.skip("no neo4j_driver fixture (tests/conftest.py)")
    return Database(driver, database)


class Database:
    """The driver bound to the fixture's database, so every query below names it."""

    def __init__(self, driver: Any, database: str) -> None:
        self.driver, self.database = driver, database

    def execute_query(self, query: str, **parameters: Any) -> Any:
        return self.driver.execute_query(query, parameters_=parameters, database_=self.database)


def _counts(driver: Any) -> tuple[dict[str, int], dict[str, int]]:
    nodes, _, _ = driver.execute_query("MATCH (n) RETURN labels(n)[0] AS label, count(*) AS c")
    rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS c")
    return {r["label"]: r["c"] for r in nodes}, {r["type"]: r["c"] for r in rels}


def _expected(H: nx.MultiDiGraph) -> tuple[dict[str, int], dict[str, int]]:
    nodes: dict[str, int] = {}
    rels: dict[str, int] = {}
    for _, t in H.nodes(data="type"):
        nodes[t] = nodes.get(t, 0) + 1
    for *_, t in H.edges(data="type"):
        rels[t] = rels.get(t, 0) + 1
    return nodes, rels


def _empty(driver: Any) -> None:
    driver.execute_query("MATCH (n) DETACH DELETE n")


def check_cypher_in_neo4j(driver: Any, H: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = export(H, tmp_path / "g.cypher", format="cypher").paths[0]
    _empty(driver)
    statements = [s for s in path.read_text().splitlines() if s and not s.startswith("//")]
    for _ in range(2):  # MERGE: running the script twice changes nothing
        for statement in statements:
            driver.execute_query(statement)
    assert _counts(driver) == _expected(H)
    for n, d in H.nodes(data=True):
        (row,), _, _ = driver.execute_query("MATCH (n {id: $id}) RETURN n.name AS name, n.year AS year",
                                            id=n)
        assert (row["name"], row["year"]) == (d["name"], d.get("year")), n


def check_csv_in_neo4j(driver: Any, H: nx.MultiDiGraph, tmp_path: Path) -> None:
    """neo4j-admin needs an offline database, so the CSV is parsed by its header rules (read_admin_csv)
    and loaded with parameterised UNWIND batches."""
    export(H, tmp_path / "csv", format="csv")
    nodes, rels = read_admin_csv(tmp_path / "csv")
    _empty(driver)
    from kg.sinks.files import cypher_name

    for label, rows in nodes.items():
        props = [{k: v for k, v in r.items() if k != "LABEL"} for r in rows]
        driver.execute_query(f"UNWIND $rows AS row CREATE (n:{cypher_name(label)}) SET n = row", rows=props)
    for kind, rows in rels.items():
        batch = [{"s": r["START_ID"], "e": r["END_ID"],
                  "p": {k: v for k, v in r.items() if k not in ("START_ID", "END_ID", "TYPE")}} for r in rows]
        driver.execute_query(f"UNWIND $rows AS row MATCH (a {{id: row.s}}), (b {{id: row.e}}) "
                             f"CREATE (a)-[r:{cypher_name(kind)}]->(b) SET r = row.p", rows=batch)
    assert _counts(driver) == _expected(H)
    for n, d in H.nodes(data=True):
        (row,), _, _ = driver.execute_query("MATCH (n {id: $id}) RETURN n.name AS name, n.aliases AS aliases",
                                            id=n)
        assert (row["name"], row["aliases"]) == (d["name"], d.get("aliases") or None), n


@pytest.mark.neo4j
def test_cypher_script_loads_into_neo4j(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    check_cypher_in_neo4j(_neo4j(request), sample_graph(), tmp_path)


@pytest.mark.neo4j
def test_csv_loads_into_neo4j(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    check_csv_in_neo4j(_neo4j(request), sample_graph(), tmp_path)


# --- the seed graph ----------------------------------------------------------------------------------


@pytest.mark.seeds
@pytest.mark.parametrize("fmt", sorted(READERS))
def test_zhihao_jia_neighbourhood_round_trips(seed_graph, tmp_path: Path, fmt: str) -> None:
    result = export(seed_graph, tmp_path / f"z.{fmt}", format=fmt, selection=Selection(center=("Zhihao Jia",)))
    H = result.selected.graph
    assert result.selected.centers == ("author:zhihao-jia",)
    assert {"Author", "Paper"} <= {t for _, t in H.nodes(data="type")}
    assert_same_graph(H, READERS[fmt](result.paths[0]))


@pytest.mark.seeds
@pytest.mark.neo4j
def test_zhihao_jia_neighbourhood_loads_into_neo4j(seed_graph, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    db = _neo4j(request)
    H = export(seed_graph, tmp_path / "z.json", format="json", selection=Selection(center=("Zhihao Jia",)))
    check_cypher_in_neo4j(db, H.selected.graph, tmp_path)
    check_csv_in_neo4j(db, H.selected.graph, tmp_path)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_control_characters_in_a_listing_never_reach_the_xml(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "cc.jsonl"
    src.write_text(json.dumps({"title": "Zorb\u001b[31m: Fast\u0007 Things\u0000", "authors": ["Ann\u0000 Lee"],
                               "abstract": "We present Zorb\u001b, a system. Zorb beats vLLM by 2x."}) + "\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["build", str(src), "--out", str(out), "--model", "rules"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["export", "-g", str(out), "-o", str(tmp_path / f"g.{fmt}"), "--format", fmt])
    assert result.exit_code == 0, result.output
    R = READERS[fmt](tmp_path / f"g.{fmt}")
    names = sorted(d["name"] for _, d in R.nodes(data=True) if d["type"] in ("Paper", "Author"))
    assert names == ["Ann Lee", "Zorb: Fast Things"]
