// Answers: which systems do papers compare against most often (the field's baselines)? Counts the
// distinct papers that state a comparison with each system, then the comparisons themselves.
// Params: limit (int, default 20)
MATCH (src)-[r:COMPARES_WITH]->(target:System)
RETURN target.name AS system, count(DISTINCT r.paper) AS papers, count(r) AS comparisons
ORDER BY papers DESC, comparisons DESC, system
LIMIT $limit
