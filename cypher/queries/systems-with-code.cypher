// Answers: which papers introduce a system and publish code (the listing's `Code` flag)?
// Params: none
MATCH (p:Paper)-[:INTRODUCES]->(s:System)
WHERE p.has_code = true
RETURN s.name AS system, p.title AS paper, p.year AS year
ORDER BY system, paper
