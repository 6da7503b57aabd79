"""The one error tree of `kg`.

Every failure a user can cause (bad input, unknown names, an unreachable server) is a `KgError` whose
message is one line that names the bad value, where it was, and what is allowed. The CLI prints
`Error: <message>` and exits 1; library callers catch `KgError`.
"""

from __future__ import annotations


class KgError(Exception):
    """Base class; `str(err)` is the complete one-line message."""


class IngestError(KgError):
    """A listing file could not be read."""


class ParseError(IngestError):
    """A problem at a known place in a file: the message starts with `path:line:`."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        super().__init__(f"{self.path}:{line}: {message}")


class FormatError(IngestError):
    """The format of a file is unknown, or not the one that was asked for."""


class ExtractError(KgError):
    """Extraction could not run (e.g. a spaCy pipeline asked for is not installed)."""


class GraphError(KgError):
    """The graph file is missing, empty or not a kg graph."""


class NotFoundError(GraphError):
    """A name given by the user matches no entity; the message carries suggestions."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        self.suggestions = list(suggestions or [])
        super().__init__(message)


class SelectionError(GraphError):
    """A subgraph selection matched nothing or was contradictory."""


class EvalError(KgError):
    """A gold or prediction file for `kg eval` is malformed."""


class ExportError(KgError):
    """A subgraph could not be written in the asked format."""


class QueryError(KgError):
    """A Cypher query failed (syntax, unknown parameter, engine error)."""


class Neo4jSyncError(KgError):
    """Talking to Neo4j failed; the message says what to check."""
