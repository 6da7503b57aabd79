// Answers: which systems did $author introduce, in which papers and years?
// Params: author (string, an author's name as printed)
MATCH (a:Author {name: $author})-[:AUTHORED]->(p:Paper)-[:INTRODUCES]->(s:System)
RETURN s.name AS system, p.title AS paper, p.year AS year
ORDER BY system, paper
