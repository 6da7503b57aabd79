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

# [seeds] The five seed listings and the graph built from them, once per session.
# `seeds_dir`: ../shared/seeds; missing -> fail under CI, skip elsewhere.
# `seed_build`: kg.pipeline.BuildResult of `kg build ../shared/seeds` into a session tmp dir (read-only:
# tests that change a graph must copy it).

SEEDS_DIR = __import__("pathlib").Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="session")
def seeds_dir():
    if not SEEDS_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the seed listings are required in CI and are missing: {SEEDS_DIR}")
        pytest.skip(f"seed listings not found at {SEEDS_DIR}")
    return SEEDS_DIR


@pytest.fixture(scope="session")
def seed_build(seeds_dir, tmp_path_factory):
    from kg.pipeline import build

    return build([seeds_dir], out=tmp_path_factory.mktemp("seed-build"))


@pytest.fixture(scope="session")
def seed_graph(seed_build):
    return seed_build.graph


# [/seeds]
