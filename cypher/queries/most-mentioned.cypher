// Answers: which systems, models, hardware and datasets are mentioned by the most papers?
// Params: limit (int, default 20)
MATCH (p:Paper)-[:MENTIONS]->(x)
RETURN x.name AS name, label(x) AS kind, count(DISTINCT p.id) AS papers
ORDER BY papers DESC, name, kind
LIMIT $limit
