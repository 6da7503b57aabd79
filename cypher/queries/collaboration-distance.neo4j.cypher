// Answers: how many co-authorship hops separate $from and $to (1 = they wrote a paper together)?
// No row when they are not connected within 6 hops.
// Params: from (string, an author's name), to (string, another author's name)
// Neo4j variant: shortestPath() here, `-[* SHORTEST 1..6]-` in LadybugDB; neither engine accepts the other.
MATCH p = shortestPath((a:Author {name: $from})-[:CO_AUTHOR*1..6]-(b:Author {name: $to}))
RETURN a.name AS author, b.name AS other, length(p) AS distance
LIMIT 1
