"""kg: a knowledge graph of the people, systems and techniques of ML-systems research.

Stages (each a module or package): `kg.ingest` -> `kg.extract` -> `kg.resolve` -> `kg.graph` -> `kg.sinks`;
`kg.pipeline.build` runs them all. The CLI (`kg.cli`) is a thin layer over these.
"""

__version__ = "0.1.0"
