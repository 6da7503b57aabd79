// Answers: who works on $technique (a technique's name or taxonomy key), and in how many papers? Counts
// papers that use or introduce it, and papers on its sub-techniques.
// Params: technique (string, e.g. "speculative decoding" or its key)
MATCH (t:Technique)
WHERE t.name = $technique OR t.key = $technique
MATCH (a:Author)-[:AUTHORED]->(p:Paper)-[:USES|INTRODUCES]->(sub:Technique)-[:SUBTOPIC_OF*0..3]->(t)
RETURN a.name AS author, count(DISTINCT p.id) AS papers
ORDER BY papers DESC, author
