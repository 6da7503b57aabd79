"""`kg matrix`, `kg trends`, `kg report`: the answers a reading group asks for without writing Cypher."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import typer

from kg.cli import GraphOption, JsonOption, _load, app, echo_json, handles_errors, table
from kg.errors import KgError

TERMINAL_ROWS, TERMINAL_COLUMNS, HTML_ROWS, HTML_COLUMNS = 20, 8, 50, 30
SPARK = " \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"


def _names(values: list[str]) -> list[str]:
    """Repeated options and comma-separated lists both work: `-s vLLM -s Punica` or `-s vLLM,Punica`."""
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


@app.command("matrix")
@handles_errors
def matrix_cmd(
    systems: list[str] = typer.Option([], "--systems", "-s", help="Rows: only these systems (repeatable or "
                                      "comma-separated)."),
    baselines: list[str] = typer.Option([], "--baselines", "-b", help="Columns: only these baselines "
                                        "(repeatable or comma-separated)."),
    technique: str | None = typer.Option(None, "--technique", help="Only papers that use or introduce this "
                                         "technique or one of its subtopics."),
    since: int | None = typer.Option(None, "--since", help="Only papers from this year on."),
    until: int | None = typer.Option(None, "--until", help="Only papers up to this year."),
    rows: int | None = typer.Option(None, "--rows", min=1, help="Keep the N systems with the most baselines "
                                    f"[default: all; {TERMINAL_ROWS} in the terminal, {HTML_ROWS} in HTML]."),
    columns: int | None = typer.Option(None, "--columns", min=1, help="Keep the N most used baselines "
                                       f"[default: all; {TERMINAL_COLUMNS} in the terminal, {HTML_COLUMNS} in HTML]."),
    as_json: bool = typer.Option(False, "--json", help="Print rows, columns and cells as JSON."),
    as_csv: bool = typer.Option(False, "--csv", help="Print one CSV line per cell (statement)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write an offline HTML heatmap to this file."),
    graph: Path | None = GraphOption,
) -> None:
    """Systems x the baselines they compare with: each cell the stated factor, metric, paper and evidence."""
    from kg.analysis import matrix

    if sum((as_json, as_csv, out is not None)) > 1:
        raise KgError("choose one of --json, --csv and --out")
    G = _load(graph)
    terminal = not (as_json or as_csv or out)
    if out is not None:
        rows, columns = rows or HTML_ROWS, columns or HTML_COLUMNS
    elif terminal:
        rows, columns = rows or TERMINAL_ROWS, columns or TERMINAL_COLUMNS
    M = matrix(G, systems=_names(systems), baselines=_names(baselines), technique=technique, since=since,
               until=until, rows=rows, columns=columns)
    if as_json:
        echo_json(M.to_dict())
        return
    if as_csv:
        fields = ["system", "baseline", "factor", "metric", "paper", "paper_title", "year", "evidence", "source"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in c.to_dict().items()} for c in M.cells)
        return
    if out is not None:
        from kg.sinks.heatmap import write_heatmap

        result = write_heatmap(M, out)
        typer.echo(f"wrote {result.path}: {result.rows} systems x {result.columns} baselines, {result.cells} statements")
        return
    typer.echo(_grid(M) if M.cells else "(no comparisons)")
    with_factor = sum(1 for c in M.cells if c.factor)
    shown = f"{len(M.rows)} of {M.total_rows} systems x {len(M.columns)} of {M.total_columns} baselines"
    typer.echo(f"\n{shown}: {len(M.cells)} of {M.total_cells} statements, {with_factor} with a factor "
               "(\u2022: compared, no factor stated). All of them: --json, --csv or -o matrix.html.")


def _grid(M: Any) -> str:
    grid = M.grid()
    header = ["system \\ baseline", *(_short(c.name, 14) for c in M.columns)]
    body = []
    for r in M.rows:
        line = [_short(r.name, 32)]
        for c in M.columns:
            found = grid.get((r.id, c.id), [])
            factors = list(dict.fromkeys(x.factor for x in found if x.factor))
            line.append(_short(" / ".join(factors), 14) if factors else ("\u2022" if found else ""))
        body.append(line)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in body]
    return "\n".join(lines)


def _spark(counts: list[int]) -> str:
    top = max(counts, default=0) or 1
    return "".join(SPARK[0] if n == 0 else SPARK[max(1, round(8 * n / top))] for n in counts)


@app.command("trends")
@handles_errors
def trends_cmd(
    by: str = typer.Option("auto", "--by", help="Period: year, month, or auto (month when at least 12 months "
                           "are known)."),
    kind: list[str] = typer.Option([], "--kind", "-k", help="technique, system or baseline (repeatable) "
                                   "[default: all three]."),
    min_papers: int = typer.Option(5, "--min-papers", min=1, help="Leave out items seen in fewer papers."),
    since: int | None = typer.Option(None, "--since", help="Only papers from this year on."),
    until: int | None = typer.Option(None, "--until", help="Only papers up to this year."),
    gamma: float = typer.Option(0.5, "--gamma", min=0.0, help="Kleinberg's cost of entering a burst, times "
                                "ln(periods); higher finds fewer bursts."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, help="Series per kind in the table (JSON and "
                              "pictures hold all)."),
    item: list[str] = typer.Option([], "--item", "-i", help="Draw these series in the picture (repeatable) "
                                   "[default: the rising ones]."),
    as_json: bool = typer.Option(False, "--json", help="Print periods, series, bursts and the rising list as JSON."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write a picture of the series (.svg)."),
    graph: Path | None = GraphOption,
) -> None:
    """Papers per year or month for techniques, systems and baselines, their bursts, and what is rising."""
    from kg.analysis.trends import KINDS, RECENT, trends

    kinds = tuple(_names(kind)) or KINDS
    T = trends(_load(graph), by=by, kinds=kinds, min_papers=min_papers, since=since, until=until, gamma=gamma)
    if out is not None:
        from kg.sinks.pictures import write_trends_picture

        path, drawn = write_trends_picture(T, out, _names(item))
        typer.echo(f"wrote {path}: {len(drawn)} series over {len(T.periods)} periods ({T.by})", err=as_json)
    if as_json:
        echo_json(T.to_dict())
        return
    if out is not None:
        return
    note = f"; {T.left_out:,} papers without a {T.by} left out" if T.left_out else ""
    typer.echo(f"Papers per {T.by}, {T.periods[0]} to {T.periods[-1]} ({len(T.periods)} periods{note})")
    typer.echo(f"  {_spark(T.papers)}  {sum(T.papers):,} papers")
    recent = RECENT[T.by]
    typer.echo(f"\nRising (in a burst within the last {recent} {T.by}{'s' if recent > 1 else ''}):")
    typer.echo(table([{"kind": s.kind, "name": s.name, "burst": f"{b.start}..{b.end}", "weight": round(b.weight, 1),
                       "papers": s.total} for s, b in T.rising[:limit * 2]]))
    for k in kinds:
        rows = [s for s in T.series if s.kind == k][:limit]
        typer.echo(f"\nTop {k}s:")
        typer.echo(table([{"name": s.name, "papers": s.total, f"per {T.by}": _spark(s.counts),
                           "bursts": ", ".join(f"{b.start}..{b.end}" for b in s.bursts)} for s in rows]))
    if T.baselines_by_year:
        typer.echo("\nMost used baselines by year:")
        typer.echo(table([{"year": y, "baselines": ", ".join(f"{n} ({c})" for n, c in rows)}
                          for y, rows in T.baselines_by_year.items()]))


@app.command("report")
@handles_errors
def report_cmd(
    out: Path = typer.Option(Path("report.html"), "--out", "-o", help="The HTML file to write."),
    title: str | None = typer.Option(None, "--title", help="Page heading [default: Reading-group report]."),
    top_n: int = typer.Option(10, "--top", min=1, help="Length of the top lists."),
    rows: int = typer.Option(20, "--rows", min=1, help="Systems in the comparison matrix."),
    columns: int = typer.Option(15, "--columns", min=1, help="Baselines in the comparison matrix."),
    as_json: bool = JsonOption,
    graph: Path | None = GraphOption,
) -> None:
    """One offline page for a reading group: counts, top lists, comparisons, trends, lineage, communities,
    each claim linked to its evidence."""
    from kg.sinks.report import write_report

    result = write_report(_load(graph), out, title=title, top_n=top_n, matrix_rows=rows, matrix_columns=columns)
    if as_json:
        echo_json({"path": str(result.path), "bytes": result.bytes, "pictures": result.pictures,
                   "evidence": result.evidence, "sections": list(result.sections)})
        return
    typer.echo(f"wrote {result.path}: {result.bytes / 1024:,.0f} KiB, {result.pictures} pictures, "
               f"{result.evidence} evidence statements ({', '.join(result.sections)})")
