"""`kg sync` against a real Neo4j server (the `neo4j_server` fixture starts one; see tests/conftest.py)."""

from __future__ import annotations

import threading

import pytest
from test_query import HOSTILE, _cite, _system, sample_graph
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import Neo4jSyncError
from kg.graphio import write_graph
from kg.sinks.neo4j import Changes, graph_counts, server_counts, sync

pytestmark = pytest.mark.neo4j


def _all_counts(driver) -> dict[str, int]:
    """Every node per label and relationship per type on the server, kg-written or not."""
    counts = {}
    for rec in driver.execute_query("MATCH (n) RETURN labels(n)[0] AS k, count(*) AS c").records:
        counts[rec["k"]] = rec["c"]
    for rec in driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS c").records:
        counts[rec["k"]] = rec["c"]
    return dict(sorted(counts.items()))


def test_sync_writes_the_graph_and_a_second_sync_changes_nothing(neo4j_server, neo4j_driver):
    G = sample_graph()
    settings = neo4j_server.settings()
    seen = []
    first = sync(G, settings, batch_size=7, progress=lambda stage, done, total: seen.append((stage, done, total)))  # noqa: E501
    n, e = G.number_of_nodes(), G.number_of_edges()
    assert first.nodes == Changes(created=n) and first.relationships == Changes(created=e)
    assert _all_counts(neo4j_driver) == graph_counts(G)
    assert server_counts(settings) == graph_counts(G)
    assert seen[-1] == ("relationships", e, e) and ("nodes", n, n) in seen
    assert [d for s, d, _ in seen if s == "nodes"] == sorted(d for s, d, _ in seen if s == "nodes")
    second = sync(G, settings, batch_size=7)
    assert second.changed == 0
    assert second.nodes == Changes(unchanged=n) and second.relationships == Changes(unchanged=e)


def test_constraints_and_name_indexes_are_applied(neo4j_server, neo4j_driver):
    sync(sample_graph(), neo4j_server.settings())
    names = {r["name"] for r in neo4j_driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    assert {"kg_author_id", "kg_paper_id", "kg_system_id", "kg_category_id"} <= names
    indexes = {r["name"] for r in neo4j_driver.execute_query("SHOW INDEXES YIELD name").records}
    assert {"kg_author_name", "kg_system_name", "kg_technique_name"} <= indexes


def test_changed_properties_are_updated_and_removed_ones_disappear(neo4j_server, neo4j_driver):
    G = sample_graph()
    settings = neo4j_server.settings()
    sync(G, settings)
    G.nodes["system:vllm"]["aliases"] = ["vllm", "vLLM engine"]
    del G.nodes["paper:2401.00001"]["org"]
    G.edges["system:turboserve", "system:vllm", "COMPARES_WITH|2401.00001"]["factor"] = "14x"
    res = sync(G, settings)
    assert res.nodes == Changes(updated=2, unchanged=G.number_of_nodes() - 2)
    assert res.relationships == Changes(updated=1, unchanged=G.number_of_edges() - 1)
    rec = neo4j_driver.execute_query(
        "MATCH (s:System {id: 'system:vllm'}) MATCH (p:Paper {id: 'paper:2401.00001'}) "
        "RETURN s.aliases AS a, p.org AS org, keys(p) AS keys").records[0]
    assert rec["a"] == ["vllm", "vLLM engine"] and rec["org"] is None and "org" not in rec["keys"]


def test_adding_papers_adds_only_what_is_new(neo4j_server, neo4j_driver):
    G = sample_graph()
    settings = neo4j_server.settings()
    sync(G, settings)
    new = _system(G, "FreshServe")
    _cite(G, "COMPARES_WITH", new, "system:vllm", "2401.00001", "2x")
    res = sync(G, settings)
    assert res.nodes == Changes(created=1, unchanged=G.number_of_nodes() - 1)
    assert res.relationships == Changes(created=1, unchanged=G.number_of_edges() - 1)
    assert _all_counts(neo4j_driver) == graph_counts(G)


def test_prune_removes_only_kg_written_things_no_longer_in_the_graph(neo4j_server, neo4j_driver):
    G = sample_graph()
    settings = neo4j_server.settings()
    sync(G, settings)
    # Something a user added by hand: prune must leave it alone.
    neo4j_driver.execute_query("CREATE (:Note {text: 'mine'})-[:ABOUT]->(:Note {text: 'also mine'})")
    smaller = sample_graph()
    smaller.remove_node("system:orca")  # and its COMPARES_WITH edge
    smaller.remove_edge("author:ada-quill", "author:bo-chen", key="CO_AUTHOR")
    without_prune = sync(smaller, settings)
    assert without_prune.changed == 0
    res = sync(smaller, settings, prune=True)
    assert res.nodes == Changes(unchanged=smaller.number_of_nodes(), deleted=1)
    assert res.relationships == Changes(unchanged=smaller.number_of_edges(), deleted=2)
    assert server_counts(settings) == graph_counts(smaller)
    assert _all_counts(neo4j_driver) == {**graph_counts(smaller), "Note": 2, "ABOUT": 1}
    assert sync(smaller, settings, prune=True).changed == 0


def test_hostile_names_round_trip_unchanged(neo4j_server, neo4j_driver):
    G = sample_graph()
    sync(G, neo4j_server.settings())
    for name in HOSTILE:
        rec = neo4j_driver.execute_query("MATCH (a:Author {name: $name}) RETURN a.name AS name",
                                         parameters_={"name": name}).records
        assert [r["name"] for r in rec] == [name]
    names = [r["n"] for r in neo4j_driver.execute_query("MATCH (s:System) RETURN s.name AS n ORDER BY n").records]  # noqa: E501
    assert names == sorted(d["name"] for _, d in G.nodes(data=True) if d["type"] == "System")


def test_server_down_is_one_line(neo4j_server):
    import neo4j_server as ns

    settings = neo4j_server.settings(uri=f"bolt://127.0.0.1:{ns.free_port()}")
    with pytest.raises(Neo4jSyncError) as err:
        sync(sample_graph(), settings, retry_seconds=1)
    assert str(err.value) == (f"cannot reach Neo4j at {settings.uri}: check that the server is running and "
                              "--uri / KG_NEO4J_URI")


def test_wrong_password_is_one_line(neo4j_server):
    settings = neo4j_server.settings(password="not-the-password")
    with pytest.raises(Neo4jSyncError) as err:
        sync(sample_graph(), settings, retry_seconds=1)
    assert str(err.value) == (f"Neo4j at {settings.uri} rejected user {settings.user!r}: check "
                              "--user/--password (KG_NEO4J_USER / KG_NEO4J_PASSWORD)")


def test_wrong_database_is_one_line(neo4j_server):
    settings = neo4j_server.settings(database="nosuchdb")
    with pytest.raises(Neo4jSyncError) as err:
        sync(sample_graph(), settings, retry_seconds=1)
    assert str(err.value) == (f"Neo4j at {settings.uri} has no database 'nosuchdb': check --database / "
                              "KG_NEO4J_DATABASE (Community edition has only 'neo4j')")


def test_missing_password_is_one_line():
    from kg.config import Neo4jSettings

    with pytest.raises(Neo4jSyncError, match=r"^no Neo4j password: set KG_NEO4J_PASSWORD \(`kg sync` also takes --password\)$"):  # noqa: E501
        sync(sample_graph(), Neo4jSettings())


def _bigger_graph(n_systems: int = 3000):
    G = sample_graph()
    for i in range(n_systems):
        s = _system(G, f"Sys{i:05d}")
        _cite(G, "COMPARES_WITH", s, "system:vllm", f"2501.{i:05d}", f"{i % 9 + 1}x")
    return G


def test_connection_cut_mid_sync_then_sync_again_completes_without_duplicates(neo4j_server, neo4j_driver):
    if not neo4j_server.managed:
        pytest.skip("needs a server the tests started (KG_NEO4J_URI points at an external one)")
    G = _bigger_graph(1500)
    settings = neo4j_server.settings()
    killed = threading.Event()

    def cut(stage: str, done: int, total: int) -> None:
        # Kill the server (no clean shutdown) once some relationship batches are committed.
        if stage == "relationships" and done >= 300 and not killed.is_set():
            killed.set()
            neo4j_server.kill()

    with pytest.raises(Neo4jSyncError) as err:
        sync(G, settings, batch_size=100, progress=cut, retry_seconds=2)
    assert killed.is_set()
    message = str(err.value)
    assert message.startswith(f"connection to Neo4j at {settings.uri} lost after ")
    assert message.endswith("batches: check the server, then run `kg sync` again (it resumes without "
                            "duplicates)")
    neo4j_server.start()
    partial = server_counts(settings)
    assert 0 < partial.get("COMPARES_WITH", 0) < graph_counts(G)["COMPARES_WITH"]
    res = sync(G, settings, batch_size=100)
    assert res.relationships.created > 0
    assert server_counts(settings) == graph_counts(G)
    import neo4j

    with neo4j.GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password)) as d:
        dup = d.execute_query("MATCH (a)-[r]->(b) WITH a, b, type(r) AS t, r.kg_key AS k, count(*) AS c "
                              "WHERE c > 1 RETURN count(*) AS dups").records[0]["dups"]
    assert dup == 0
    assert sync(G, settings, batch_size=100).changed == 0


# --- CLI -----------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_sync_and_query_neo4j(neo4j_server, neo4j_driver, tmp_path, monkeypatch):
    G = sample_graph()
    path = write_graph(G, tmp_path / "out" / "graph.json")
    for k, v in (("KG_NEO4J_URI", neo4j_server.uri), ("KG_NEO4J_USER", neo4j_server.user),
                 ("KG_NEO4J_PASSWORD", neo4j_server.password), ("KG_NEO4J_DATABASE", neo4j_server.database)):
        monkeypatch.setenv(k, v)
    # One writer: the batches are then one run per (type, labels) group, so their number is known.
    result = runner.invoke(app, ["sync", "--graph", str(path), "--batch-size", "10", "--workers", "1"])
    assert result.exit_code == 0, result.output
    n, e = G.number_of_nodes(), G.number_of_edges()
    batches = sum(-(-c // 10) for c in _group_sizes(G))
    assert result.stdout == (
        f"synced {path} to {neo4j_server.uri} (database neo4j) in {batches} batches\n"
        f"nodes:         {n} created, 0 updated, 0 unchanged, 0 deleted\n"
        f"relationships: {e} created, 0 updated, 0 unchanged, 0 deleted\n")
    assert result.stderr == f"nodes: {n}/{n}\nrelationships: {e}/{e}\n"
    result = runner.invoke(app, ["sync", "--graph", str(path)])
    assert result.stdout.splitlines()[1:] == [
        f"nodes:         0 created, 0 updated, {n} unchanged, 0 deleted",
        f"relationships: 0 created, 0 updated, {e} unchanged, 0 deleted"]
    result = runner.invoke(app, ["query", "most-compared-systems", "--param", "limit=2", "--neo4j"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ("system  papers  comparisons\n"
                             "------  ------  -----------\n"
                             "vLLM    3       3\n"
                             "Orca    1       1\n")


def _group_sizes(G):
    from kg.sinks.neo4j import edge_rows, node_rows

    return [len(r) for r in node_rows(G).values()] + [len(r) for r in edge_rows(G).values()]


def test_cli_sync_errors_are_one_line(neo4j_server, tmp_path, monkeypatch):
    path = write_graph(sample_graph(), tmp_path / "graph.json")
    monkeypatch.setenv("KG_NEO4J_PASSWORD", "wrong-password")
    result = runner.invoke(app, ["sync", "--graph", str(path), "--uri", neo4j_server.uri, "--user",
                                 neo4j_server.user])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: Neo4j at {neo4j_server.uri} rejected user {neo4j_server.user!r}: check "
                             "--user/--password (KG_NEO4J_USER / KG_NEO4J_PASSWORD)\n")
    import neo4j_server as ns

    down = f"bolt://127.0.0.1:{ns.free_port()}"
    result = runner.invoke(app, ["sync", "--graph", str(path), "--uri", down])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: cannot reach Neo4j at {down}: check that the server is running and --uri / KG_NEO4J_URI\n")
    result = runner.invoke(app, ["sync", "--graph", str(tmp_path / "none.json")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: no graph at {tmp_path / 'none.json'}: run `kg build PATH...` first")  # noqa: E501
