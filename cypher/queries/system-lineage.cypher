// Answers: what does $system stand on? Systems it builds on or is integrated into, directly or through
// others (up to 4 hops), with the shortest number of hops to each.
// Params: system (string, a system's canonical name)
MATCH p = (s:System {name: $system})-[:BUILDS_ON|INTEGRATES_INTO*1..4]->(up:System)
WHERE up.id <> s.id
RETURN up.name AS system, min(length(p)) AS hops
ORDER BY hops, system
