// Answers: which co-authorships bridge the research groups of $a and $b? A group is a lead author and
// their co-authors; each row is a pair who wrote together, one from each group (a shared co-author shows
// up as a pair with the other lead).
// Params: a (string, an author's name), b (string, another author's name)
MATCH (la:Author {name: $a})
MATCH (lb:Author {name: $b})
MATCH (x:Author)-[c:CO_AUTHOR]-(y:Author)
WHERE x.id <> y.id
  AND (x.id = la.id OR EXISTS { MATCH (x)-[:CO_AUTHOR]-(la) })
  AND (y.id = lb.id OR EXISTS { MATCH (y)-[:CO_AUTHOR]-(lb) })
RETURN x.name AS group_a, y.name AS group_b, c.weight AS papers
ORDER BY papers DESC, group_a, group_b
