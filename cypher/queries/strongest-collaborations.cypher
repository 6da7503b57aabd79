// Answers: which pairs of authors wrote the most papers together across the whole graph?
// Params: limit (int, default 20)
MATCH (a:Author)-[c:CO_AUTHOR]->(b:Author)
WITH CASE WHEN a.name < b.name THEN a.name ELSE b.name END AS first,
     CASE WHEN a.name < b.name THEN b.name ELSE a.name END AS second, c.weight AS papers
RETURN first, second, papers
ORDER BY papers DESC, first, second
LIMIT $limit
