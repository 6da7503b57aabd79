"""Every file under cypher/ loads, documents itself, and matches the schema (no engine needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.query import ENGINES, bundled_names, load_query, read_cypher_file
from kg.schema import EDGE_TYPES, NODE_TYPES
from kg.sinks.neo4j import schema_statements

REPO_QUERIES = Path(__file__).resolve().parents[1] / "cypher" / "queries"
NAMES = sorted({p.name.split(".")[0] for p in REPO_QUERIES.glob("*.cypher")})


def test_at_least_twelve_bundled_queries_and_all_are_installed():
    assert len(NAMES) >= 12
    # bundled_names() reads the installed package (kg.cypher.queries) when there is one.
    assert bundled_names() == NAMES


def test_every_query_file_names_a_known_engine():
    for path in REPO_QUERIES.glob("*.cypher"):
        parts = path.name.split(".")
        assert len(parts) == 2 or (len(parts) == 3 and parts[1] in ENGINES), path.name


@pytest.mark.parametrize("name", NAMES)
def test_query_file_loads_and_documents_itself(name):
    qf = load_query(name)
    assert qf.description.startswith("Answers: "), name
    for engine in ENGINES:
        text = qf.text(engine)
        assert text.startswith("// Answers: ")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("//"))
        used = set(re.findall(r"\$(\w+)", body))
        # Every parameter a text uses is declared in its header, and every declared one is used.
        assert used == {p.name for p in qf.params}, (name, engine)
        assert ";" not in body, "one statement per file"
        labels = set(re.findall(r"\(\w*:(\w+)", body))
        assert labels <= set(NODE_TYPES), (name, labels - set(NODE_TYPES))
        rel_types = {t for group in re.findall(r"\[\w*:([\w|]+)", body) for t in group.split("|")}
        assert rel_types <= set(EDGE_TYPES), (name, rel_types - set(EDGE_TYPES))


@pytest.mark.parametrize("name", NAMES)
def test_many_row_queries_fix_their_row_order(name):
    # Both engines must return rows in the same order: every query that can return several rows sorts.
    for engine in ENGINES:
        body = load_query(name).text(engine)
        assert "ORDER BY" in body or body.rstrip().endswith("LIMIT 1"), (name, engine)


def test_schema_file_has_one_constraint_and_one_name_index_per_label():
    statements = schema_statements()
    constraints = {m.group(1) for s in statements
                   if (m := re.fullmatch(r"CREATE CONSTRAINT kg_\w+_id IF NOT EXISTS FOR \(n:(\w+)\) "
                                         r"REQUIRE n\.id IS UNIQUE", s))}
    indexes = {m.group(1) for s in statements
               if (m := re.fullmatch(r"CREATE INDEX kg_\w+_name IF NOT EXISTS FOR \(n:(\w+)\) ON \(n\.name\)", s))}  # noqa: E501
    assert constraints == set(NODE_TYPES)
    assert indexes == set(NODE_TYPES)
    assert len(statements) == 2 * len(NODE_TYPES)
    assert read_cypher_file("schema.cypher").startswith("// ")
