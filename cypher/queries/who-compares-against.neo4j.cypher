// Answers: who compares against $system, by what factor and metric, and in which paper? The source is the
// system the paper introduces, or the paper itself (`by_label` says which).
// Params: system (string, a system's canonical name)
// Neo4j variant: LadybugDB's label(n) is labels(n)[0] here (every kg node has exactly one label).
MATCH (src)-[r:COMPARES_WITH]->(target:System {name: $system})
RETURN src.name AS by, labels(src)[0] AS by_label, r.factor AS factor, r.metric AS metric, r.paper AS paper,
       r.evidence AS evidence
ORDER BY paper, by, coalesce(factor, ''), coalesce(metric, '')
