"""Every bundled query gives the same rows on the embedded engine and on Neo4j on a hand-built graph
with hostile names, and the answer `sample_graph()` implies (the seed graph: test_query_seeds.py)."""

from __future__ import annotations

import pytest
from test_query import HOSTILE, sample_graph

from kg.query import bundled_names, load_query
from kg.sinks import embedded
from kg.sinks.neo4j import run as run_neo4j
from kg.sinks.neo4j import sync

NAMES = bundled_names()

# Parameters per query on the hand-built graph (defaults fill the rest).
SAMPLE_PARAMS = {
    "who-compares-against": {"system": "vLLM"},
    "system-lineage": {"system": "Adaptérs 名"},
    "coauthors": {"author": "Bo Chen"},
    "collaboration-distance": {"from": "Ada Quill", "to": HOSTILE[1]},
    "systems-by-author": {"author": HOSTILE[4]},
    "authors-on-technique": {"technique": "speculative decoding"},
    "group-bridges": {"a": "Ada Quill", "b": HOSTILE[2]},
}

# What the sample graph says, for the queries whose answer is easy to read off `sample_graph()`.
SAMPLE_EXPECT = {
    "most-compared-systems": ("vLLM", 3, 3),
    "who-compares-against": ("Paged'Attn }", "System", "1.4x", "latency", "2402.00002",
                             "system:paged'attn } vs system:vllm."),
    "system-lineage": ("TurboServe", 1),
    "coauthors": ("Ada Quill", 2),
    "collaboration-distance": ("Ada Quill", HOSTILE[1], 2),
    "systems-by-author": ("Adaptérs 名", "Adapters at Scale", 2025),
    "authors-on-technique": ("Ada Quill", 2),
    "techniques-by-year": ("KV-cache paging", 2024, 2),
    "cooccurring-techniques": ("KV-cache paging", "speculative decoding", 1),
    "systems-with-code": ("Spec\"Dec\\", 'Speculating "Fast" \\ Slow', 2023),
    "systems-per-organization": ("cmu", 2, 2),
    "group-bridges": ("Bo Chen", HOSTILE[1], 1),
    "most-prolific-authors": ("Bo Chen", 3, 3),
    "most-mentioned": ("vLLM", "System", 3),
    "strongest-collaborations": ("Ada Quill", "Bo Chen", 2),
}


def _bound(name: str, given: dict) -> dict:
    qf = load_query(name)
    params = {p.name: p.default for p in qf.params if p.has_default}
    params.update(given)
    return params


def _both(name, params, db, settings):
    qf = load_query(name)
    emb = embedded.run(db, qf.text("ladybug"), params)
    neo = run_neo4j(settings, qf.text("neo4j"), params)
    return emb, neo


@pytest.fixture(scope="module")
def sample_engines(neo4j_server):
    import neo4j
    import neo4j_server as ns

    if neo4j_server.managed and not neo4j_server.running:
        neo4j_server.start()
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, neo4j_server.password)) as d:
        ns.wipe(d, neo4j_server.database)
    G = sample_graph()
    sync(G, neo4j_server.settings())
    return embedded.load(G), neo4j_server.settings()


@pytest.mark.neo4j
@pytest.mark.parametrize("name", NAMES)
def test_query_gives_equal_results_on_both_engines_sample(name, sample_engines):
    db, settings = sample_engines
    emb, neo = _both(name, _bound(name, SAMPLE_PARAMS.get(name, {})), db, settings)
    assert emb.columns == neo.columns
    assert emb.rows == neo.rows
    assert SAMPLE_EXPECT[name] in emb.rows, (name, emb.rows)


@pytest.mark.neo4j
def test_every_query_has_a_sample_expectation():
    assert sorted(SAMPLE_EXPECT) == NAMES
