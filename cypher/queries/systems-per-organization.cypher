// Answers: how many systems did each organisation's papers introduce (organisation tags of the listings)?
// Params: none
MATCH (o:Organization)<-[:AFFILIATED_WITH]-(p:Paper)-[:INTRODUCES]->(s:System)
RETURN o.name AS organization, count(DISTINCT s.id) AS systems, count(DISTINCT p.id) AS papers
ORDER BY systems DESC, organization
