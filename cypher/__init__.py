"""Cypher files shipped with kg: installed as the package `kg.cypher` (see pyproject.toml)."""
