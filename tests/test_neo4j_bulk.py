"""`kg sync --bulk`: neo4j-admin import (run from the Maven jars by tools/neo4j/neo4j-admin) into a stopped
server's home, giving the same database a `kg sync` gives."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from test_query import HOSTILE, sample_graph
from typer.testing import CliRunner

from kg.cli import app
from kg.graphio import write_graph
from kg.sinks.neo4j import graph_counts, server_counts, sync

pytestmark = pytest.mark.neo4j

ADMIN = str(Path(__file__).resolve().parents[1] / "tools" / "neo4j" / "neo4j-admin")
runner = CliRunner()


def _dump(driver) -> list:
    """Every node and relationship with all its properties, in a stable order."""
    nodes = driver.execute_query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p").records
    rels = driver.execute_query("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, "
                                "properties(r) AS p").records
    return sorted(repr((r["l"], sorted(r["p"].items()))) for r in nodes) + sorted(
        repr((r["a"], r["t"], r["b"], sorted(r["p"].items()))) for r in rels)


def _graph() -> nx.MultiDiGraph:
    G = sample_graph()
    # Values the CSV must carry intact: quotes, commas, newlines, the array delimiter, empty strings.
    G.nodes["system:vllm"]["aliases"] = ["vllm", 'v"LLM, engine', "semi;colon", ""]
    G.nodes["paper:2401.00001"]["abstract"] = "Line one,\nline \"two\"\r\nand three."
    return G


@pytest.fixture()
def home(tmp_path, neo4j_server):
    import neo4j_server as ns

    ns.ensure_jars()
    path = tmp_path / "neo4j-home"
    path.mkdir()
    return path


def test_bulk_import_gives_the_database_sync_gives_and_sync_then_writes_nothing(home, tmp_path, neo4j_server,
                                                                               neo4j_driver):
    import neo4j
    import neo4j_server as ns

    G = _graph()
    path = write_graph(G, tmp_path / "out" / "graph.json")
    result = runner.invoke(app, ["sync", "--bulk", "--graph", str(path), "--neo4j-home", str(home),
                                 "--admin", ADMIN])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"imported {path} into database neo4j of {home}: {G.number_of_nodes()} nodes, "
        f"{G.number_of_edges()} relationships\n"
        "start the server, then run `kg sync` once: it adds the constraints and indexes and finds nothing else "
        "to write\n")
    assert result.stderr == "import: 4/4 steps\n"

    sync(G, neo4j_server.settings())  # the same graph the usual way, on the session's server
    expected = _dump(neo4j_driver)
    port = ns.free_port()
    server = ns.Neo4jServer(uri=f"bolt://127.0.0.1:{port}", user=ns.TEST_USER, password=ns.TEST_PASSWORD,
                            home=home, port=port)
    server.start()
    try:
        settings = server.settings()
        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            assert _dump(driver) == expected
            names = {r["n"] for r in driver.execute_query("MATCH (a:Author) RETURN a.name AS n").records}
            assert set(HOSTILE) <= names
        assert server_counts(settings) == graph_counts(G)
        again = sync(G, settings)
        assert again.changed == 0 and again.batches == 0
        assert again.nodes.unchanged == G.number_of_nodes()
        assert again.relationships.unchanged == G.number_of_edges()
        constraints = {r["name"] for r in neo4j.GraphDatabase.driver(
            server.uri, auth=(server.user, server.password)).execute_query("SHOW CONSTRAINTS YIELD name").records}
        assert "kg_paper_id" in constraints

        # The server holds the store now: a second import says so in one line and changes nothing.
        result = runner.invoke(app, ["sync", "--bulk", "--overwrite", "--graph", str(path), "--neo4j-home",
                                     str(home), "--admin", ADMIN])
        assert result.exit_code == 1
        assert result.stderr == ("Error: neo4j-admin import failed (exit 1): the database is in use: stop the "
                                 "Neo4j server first\n")
        assert server_counts(settings) == graph_counts(G)
    finally:
        server.stop()

    # Stopped, an existing database is replaced only when asked.
    result = runner.invoke(app, ["sync", "--bulk", "--graph", str(path), "--neo4j-home", str(home),
                                 "--admin", ADMIN])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: database 'neo4j' already exists in {home}: `kg sync --bulk` replaces a "
                             "database; add --overwrite to replace it (its data is lost), or use `kg sync`\n")


def test_bulk_needs_a_home_and_an_admin(tmp_path, monkeypatch):
    path = write_graph(sample_graph(), tmp_path / "graph.json")
    monkeypatch.delenv("NEO4J_HOME", raising=False)
    monkeypatch.delenv("KG_NEO4J_ADMIN", raising=False)
    result = runner.invoke(app, ["sync", "--bulk", "--graph", str(path)])
    assert (result.exit_code, result.stderr) == (
        1, "Error: --bulk needs the server's home: give --neo4j-home DIR (or set NEO4J_HOME)\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(app, ["sync", "--bulk", "--graph", str(path), "--neo4j-home", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: neo4j-admin not found (not in {tmp_path / 'bin' / 'neo4j-admin'}, not on PATH): give --admin "
        "PATH; without a Neo4j distribution, run `bash tools/neo4j/fetch.sh` and use --admin "
        "tools/neo4j/neo4j-admin\n")
    result = runner.invoke(app, ["sync", "--bulk", "--graph", str(path), "--neo4j-home", str(tmp_path),
                                 "--admin", str(tmp_path / "nope")])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: neo4j-admin not found at {str(tmp_path / 'nope')!r}: check --admin / KG_NEO4J_ADMIN\n")


def test_bulk_csv_writes_files_and_a_quoted_script_that_imports(home, tmp_path):
    import os
    import subprocess

    G = _graph()
    path = write_graph(G, tmp_path / "graph.json")
    out = tmp_path / "bulk files"
    result = runner.invoke(app, ["sync", "--bulk", "--csv", str(out), "--graph", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"wrote the import of {path} ({G.number_of_nodes()} nodes, {G.number_of_edges()} relationships) to {out}\n"
        f"run {out / 'import.sh'} where neo4j-admin runs, with the server stopped; then start it and run "
        "`kg sync`\n")
    script = (out / "import.sh").read_text(encoding="utf-8").splitlines()[-1]
    # The aliases hold ';', so the array delimiter is '|'; every argument is one shell word.
    assert script.startswith('cd "$(dirname "$0")" && exec neo4j-admin database import full neo4j '
                             "--overwrite-destination --id-type=string --multiline-fields=true "
                             "'--array-delimiter=|' --nodes=nodes_Author.csv ")
    env = {**os.environ, "NEO4J_HOME": str(home), "PATH": f"{Path(ADMIN).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["sh", str(out / "import.sh")], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert f"{G.number_of_nodes()} nodes" in proc.stdout and f"{G.number_of_edges()} relationships" in proc.stdout
