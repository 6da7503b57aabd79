"""Pictures of trends (`kg trends -o trends.svg`, and the report's charts)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.analysis.trends import Series, Trends
from kg.atomic import write_atomic
from kg.errors import ExportError
from kg.sinks.svg import bar_chart, line_chart

__all__ = ["chosen_series", "papers_chart", "trends_chart", "write_trends_picture"]

CHART_LINES = 8


def chosen_series(T: Trends, names: Sequence[str] = (), *, kind: str | None = None,
                  limit: int = CHART_LINES, rising: bool = True) -> list[Series]:
    """The series to draw: the ones named (by name or id, any case), else the rising ones by burst
    weight (unless `rising` is false), filled up with the largest series so a chart is never empty
    while there are series."""
    pool = [s for s in T.series if kind is None or s.kind == kind]
    if names:
        wanted = {n.casefold() for n in names}
        picked = [s for s in pool if s.name.casefold() in wanted or s.id.casefold() in wanted]
        missing = sorted(wanted - {s.name.casefold() for s in picked} - {s.id.casefold() for s in picked})
        if missing:
            raise ExportError(f"no trend series named {missing[0]!r} (is it below --min-papers, or of "
                              "another --kind?)")
        return picked[:limit]
    picked, seen = [], set()
    for s, _ in T.rising if rising else ():
        if (kind is None or s.kind == kind) and (s.kind, s.id) not in seen:
            seen.add((s.kind, s.id))
            picked.append(s)
    for s in sorted(pool, key=lambda s: (-s.total, s.name.casefold(), s.id)):
        if len(picked) >= limit:
            break
        if (s.kind, s.id) not in seen:
            seen.add((s.kind, s.id))
            picked.append(s)
    return picked[:limit]


def trends_chart(T: Trends, series: Sequence[Series], *, title: str = "") -> str:
    kinds = {s.kind for s in series}
    lines = [(s.name if len(kinds) == 1 else f"{s.name} \u00b7 {s.kind}", s.counts) for s in series]
    index = {p: i for i, p in enumerate(T.periods)}
    spans = [(k, index[b.start], index[b.end]) for k, s in enumerate(series) for b in s.bursts]
    return line_chart(T.periods, lines, spans, title=title)


def papers_chart(T: Trends, *, title: str = "Papers per period") -> str:
    return bar_chart([(p, n) for p, n in zip(T.periods, T.papers) if n], title=title)


def write_trends_picture(T: Trends, path: str | Path, names: Sequence[str] = (), *,
                         kind: str | None = None) -> tuple[Path, list[Series]]:
    """Write the chart of `chosen_series` as SVG. Only .svg: the charts are vector drawings of our own
    (see kg.sinks.svg); a browser or `rsvg-convert` turns them into PNG."""
    path = Path(path)
    if path.suffix.lower() != ".svg":
        raise ExportError(f"{path}: kg trends writes SVG; name the file .svg (convert with `rsvg-convert -o "
                          f"{path.with_suffix('.png').name} {path.with_suffix('.svg').name}` for PNG)")
    series = chosen_series(T, names, kind=kind)
    if not series:
        raise ExportError("no series to draw: lower --min-papers or widen --since/--until")
    what = "rising" if not names and T.rising else "selected"
    svg = trends_chart(T, series, title=f"Papers per {T.by}: {what} items")
    return write_atomic(path, ['<?xml version="1.0" encoding="UTF-8"?>\n', svg, "\n"]), series
