"""Where the graph goes: files (exports), HTML views, the embedded Cypher engine and Neo4j."""
