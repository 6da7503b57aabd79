"""The bundled queries of `kg query NAME` (installed as `kg.cypher.queries`)."""
