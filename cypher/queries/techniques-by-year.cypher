// Answers: how does each technique trend over the years? Papers per technique per year (papers with a
// known year only), for techniques seen in at least $min_papers papers overall.
// Params: min_papers (int, default 2)
MATCH (p:Paper)-[:USES|INTRODUCES]->(t:Technique)
WHERE p.year IS NOT NULL
WITH t, count(DISTINCT p.id) AS total
WHERE total >= $min_papers
MATCH (p:Paper)-[:USES|INTRODUCES]->(t)
WHERE p.year IS NOT NULL
RETURN t.name AS technique, p.year AS year, count(DISTINCT p.id) AS papers
ORDER BY technique, year
