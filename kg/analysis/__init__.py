"""Answers computed from a built graph, beyond one entity's card: the comparison matrix (`kg matrix`),
trends and bursts (`kg trends`), and the pieces of the reading-group report (`kg report`).

Each function takes the graph first and returns typed records with a `to_dict()`; the CLI renders them
as a table, JSON or CSV, and `kg.sinks` turn them into pages and pictures.
"""

from kg.analysis.matrix import Matrix, matrix
from kg.analysis.trends import Trends, trends

__all__ = ["Matrix", "Trends", "matrix", "trends"]
