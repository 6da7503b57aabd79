"""Settings: one frozen object built by the CLI from options and `KG_*` environment variables.

Library code never reads `os.environ`; it takes a `Settings` (or plain arguments).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_OUT = Path("kg-out")
GRAPH_FILE = "graph.json"


@dataclass(frozen=True, slots=True)
class Neo4jSettings:
    uri: str = "bolt://127.0.0.1:7687"
    user: str = "neo4j"
    password: str | None = None
    database: str = "neo4j"

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: str | None) -> Neo4jSettings:
        """Options given on the command line win over `KG_NEO4J_*` variables, which win over defaults."""
        base = cls()
        values = {
            "uri": env.get("KG_NEO4J_URI") or base.uri,
            "user": env.get("KG_NEO4J_USER") or base.user,
            "password": env.get("KG_NEO4J_PASSWORD") or base.password,
            "database": env.get("KG_NEO4J_DATABASE") or base.database,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def graph_path(value: str | Path | None) -> Path:
    """`--graph`/`KG_GRAPH` may name the graph file or the build directory that holds it."""
    if value is None:
        return DEFAULT_OUT / GRAPH_FILE
    path = Path(value)
    return path / GRAPH_FILE if path.is_dir() or path.suffix == "" else path
