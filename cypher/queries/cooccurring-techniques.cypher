// Answers: which techniques appear together in the same papers most often?
// Params: limit (int, default 20)
MATCH (t1:Technique)<-[:USES|INTRODUCES]-(p:Paper)-[:USES|INTRODUCES]->(t2:Technique)
WHERE t1.name < t2.name
RETURN t1.name AS technique, t2.name AS with_technique, count(DISTINCT p.id) AS papers
ORDER BY papers DESC, technique, with_technique
LIMIT $limit
