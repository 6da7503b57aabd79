"""Shared pytest fixtures. Each area keeps its fixtures in its own marked section."""

from __future__ import annotations

import os

import pytest

# [neo4j] A real Neo4j server for the sync/query tests (tests/neo4j_server.py says how it runs).
# `neo4j_server`: session-wide; reuses KG_NEO4J_URI/USER/PASSWORD when set, else starts Neo4j 5.26 from
# tools/neo4j on a free port with auth on (fetching the jars first if needed). It skips when no server can
# be had, except under CI where it fails. `.settings()` gives a kg.config.Neo4jSettings; a managed server
# has `.stop()`, `.kill()`, `.start()` and `.restart()` (same port and data).
# `neo4j_driver`: a neo4j.Driver on an empty database (data, constraints and indexes wiped) per test.


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    import neo4j_server as ns

    server = ns.external_from_env(dict(os.environ))
    if server is not None:
        yield server
        return
    try:
        server = ns.start_managed(tmp_path_factory.mktemp("neo4j-home"))
    except ns.ServerUnavailable as err:
        if os.environ.get("CI"):
            pytest.fail(f"Neo4j is required in CI: {err}")
        pytest.skip(f"no Neo4j server: {err}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def neo4j_driver(neo4j_server):
    import neo4j
    import neo4j_server as ns

    if neo4j_server.managed and not neo4j_server.running:
        neo4j_server.start()  # a previous test stopped it
    driver = neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password))
    try:
        ns.wipe(driver, neo4j_server.database)
        yield driver
    finally:
        driver.close()


# [/neo4j]
