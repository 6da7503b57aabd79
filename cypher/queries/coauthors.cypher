// Answers: who has $author written with, and how often? Strongest collaborators first.
// Params: author (string, an author's name as printed), limit (int, default 50)
MATCH (a:Author {name: $author})-[c:CO_AUTHOR]-(other:Author)
RETURN other.name AS coauthor, c.weight AS papers
ORDER BY papers DESC, coauthor
LIMIT $limit
