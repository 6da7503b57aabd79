// Answers: which systems, models, hardware and datasets are mentioned by the most papers?
// Params: limit (int, default 20)
// Neo4j variant: LadybugDB's label(n) is labels(n)[0] here (every kg node has exactly one label).
MATCH (p:Paper)-[:MENTIONS]->(x)
RETURN x.name AS name, labels(x)[0] AS kind, count(DISTINCT p.id) AS papers
ORDER BY papers DESC, name, kind
LIMIT $limit
