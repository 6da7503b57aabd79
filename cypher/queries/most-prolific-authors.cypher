// Answers: who wrote the most papers in the graph, and how many of them introduce a system?
// Params: limit (int, default 20)
MATCH (a:Author)-[:AUTHORED]->(p:Paper)
OPTIONAL MATCH (p)-[:INTRODUCES]->(s:System)
RETURN a.name AS author, count(DISTINCT p.id) AS papers, count(DISTINCT s.id) AS systems
ORDER BY papers DESC, author
LIMIT $limit
