// The Neo4j schema `kg sync` applies before writing: one uniqueness constraint on `id` per label (it is
// also the index every MERGE uses) and an index on `name` per label (lookups by name in queries).
// One statement per `;`. Names are fixed so that re-applying is a no-op (IF NOT EXISTS).
CREATE CONSTRAINT kg_author_id IF NOT EXISTS FOR (n:Author) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_system_id IF NOT EXISTS FOR (n:System) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_technique_id IF NOT EXISTS FOR (n:Technique) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_model_id IF NOT EXISTS FOR (n:Model) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_hardware_id IF NOT EXISTS FOR (n:Hardware) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_benchmark_id IF NOT EXISTS FOR (n:Benchmark) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_organization_id IF NOT EXISTS FOR (n:Organization) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT kg_category_id IF NOT EXISTS FOR (n:Category) REQUIRE n.id IS UNIQUE;
CREATE INDEX kg_author_name IF NOT EXISTS FOR (n:Author) ON (n.name);
CREATE INDEX kg_paper_name IF NOT EXISTS FOR (n:Paper) ON (n.name);
CREATE INDEX kg_system_name IF NOT EXISTS FOR (n:System) ON (n.name);
CREATE INDEX kg_technique_name IF NOT EXISTS FOR (n:Technique) ON (n.name);
CREATE INDEX kg_model_name IF NOT EXISTS FOR (n:Model) ON (n.name);
CREATE INDEX kg_hardware_name IF NOT EXISTS FOR (n:Hardware) ON (n.name);
CREATE INDEX kg_dataset_name IF NOT EXISTS FOR (n:Dataset) ON (n.name);
CREATE INDEX kg_benchmark_name IF NOT EXISTS FOR (n:Benchmark) ON (n.name);
CREATE INDEX kg_organization_name IF NOT EXISTS FOR (n:Organization) ON (n.name);
CREATE INDEX kg_category_name IF NOT EXISTS FOR (n:Category) ON (n.name);
