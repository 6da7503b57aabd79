"""The `kg` command line: a thin typer layer over the library.

The only package that prints or exits (this module and the command modules beside it). Each command
calls one public library function of the same name and renders what it returns; a `KgError` becomes
`Error: <message>` on stderr and exit code 1.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from kg.errors import KgError

app = typer.Typer(
    name="kg",
    help="A knowledge graph of ML-systems research built from paper listings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: flags shown as flags (rich mode printed `<bool>` after each), and the
    # `[default: ...]` we write into help texts kept (rich read it as markup and dropped it).
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def handles_errors(fn: F) -> F:
    """Turn library errors into one line on stderr and exit 1: never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        quiet_driver_logs()
        try:
            return fn(*args, **kwargs)
        except KgError as err:
            raise _fail(str(err)) from None
        except KeyboardInterrupt:
            raise _fail("interrupted") from None
        except BrokenPipeError:
            # `kg ... | head`: the reader went away; not an error of ours.
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def quiet_driver_logs() -> None:
    """The Neo4j driver logs each retry ("Transaction failed and will be retried ...") as a warning, which
    Python's last-resort handler prints raw on stderr. A retry that works needs no message, and one that
    fails ends in our one-line error, so its records go nowhere."""
    import logging

    driver_log = logging.getLogger("neo4j")
    if not driver_log.handlers:
        driver_log.addHandler(logging.NullHandler())
        driver_log.propagate = False


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False))


def env() -> dict[str, str]:
    return dict(os.environ)


def table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Render rows as a plain aligned text table (stable, easy to assert in tests)."""
    if not rows:
        return "(no rows)"
    columns = columns or list(rows[0].keys())
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value).replace("\n", " ")


# --- commands ------------------------------------------------------------------------------------
# Each area adds its commands below, in the order of the data: ingest, extract/eval, build/explore,
# query/sync, viz/export.

# What a stage counts, where its name does not say it (`nodes: 31/31` needs no unit).
PROGRESS_UNITS = {"ingest": "files", "extract": "papers", "import": "steps"}


def _render_progress() -> Callable[..., None]:
    """Progress on stderr: a live counter on a terminal, one line per finished stage otherwise.
    `note` says more than the count (`4,773 records` while files are read)."""
    live = sys.stderr.isatty()

    def show(stage: str, done: int, total: int, note: str = "") -> None:
        unit = PROGRESS_UNITS.get(stage, "")
        tail = f"{done:,}/{total:,}{' ' + unit if unit else ''}{', ' + note if note else ''}"
        if live:
            filled = int(30 * done / total) if total else 30
            typer.echo(f"\r{stage:<8} [{'#' * filled}{'.' * (30 - filled)}] {tail}", err=True, nl=done >= total)
        elif done >= total:
            typer.echo(f"{stage}: {tail}", err=True)

    return show


def _ingest_progress(show: Callable[..., None]) -> Callable[[int, int, int], None]:
    return lambda done, total, records: show("ingest", done, total, f"{records:,} records")


# [ingest]


@app.command("ingest")
@handles_errors
def ingest_cmd(
    paths: list[Path] = typer.Argument(..., help="Listing files or folders (folders are read recursively)."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Write the merged records as JSON Lines."),
    format: str | None = typer.Option(
        None, "--format", "-f", help="Read every file as this format: profile, compact, abstracts, "
        "trending, arxiv, bibtex, jsonl (default: detected per file)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Fail on the first entry that cannot be read."),
) -> None:
    """Read paper listings, merge duplicates, print a summary (and write papers.jsonl with -o)."""
    from kg.ingest import ingest, summary_lines, write_jsonl

    result = ingest(paths, format=format, strict=strict, progress=_ingest_progress(_render_progress()))
    if out is not None:
        write_jsonl(result.papers, out, profiles=result.profiles)
    for line in summary_lines(result):
        typer.echo(line)
    if out is not None:
        typer.echo(f"wrote {len(result.papers)} papers to {out}")

# [extract]


@app.command("extract")
@handles_errors
def extract_cmd(
    paths: list[Path] = typer.Argument(..., help="Listing files or folders (read with `kg ingest`)."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Write one extraction per line (JSON Lines)."),
    model: str = typer.Option("learned", "--model", help="learned (the trained tagger), rules (the rules "
                              "alone), a weights file from `kg train`, or an installed spaCy pipeline "
                              "(never downloaded) under the learned tagger."),
    processes: int = typer.Option(1, "--processes", "-j", help="Worker processes for spaCy."),
) -> None:
    """Ingest listings, then extract systems, models, hardware, datasets, techniques and relations."""
    from kg.atomic import write_atomic
    from kg.extract import build_nlp, extract, split_model
    from kg.ingest import ingest

    progress = _render_progress()
    result = ingest(paths, progress=_ingest_progress(progress))
    pipeline, tagger = split_model(model)
    extractions = extract(result.papers, nlp=build_nlp(pipeline), n_process=processes, tagger=tagger,
                          progress=lambda done, total: progress("extract", done, total))
    if out is None:
        for e in extractions:
            typer.echo(json.dumps(e.to_dict(), ensure_ascii=False))
        return
    write_atomic(out, (json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in extractions))
    n_intro = sum(len(e.systems_introduced) for e in extractions)
    n_rel = sum(len(e.relations) for e in extractions)
    typer.echo(f"wrote {len(extractions)} extractions to {out} "
               f"({n_intro} systems introduced, {n_rel} relations)")


# [graph]

GraphOption = typer.Option(
    None, "--graph", "-g", envvar="KG_GRAPH", help="Graph file or build directory [default: kg-out/graph.json]."
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _load(graph: Path | None):
    from kg.config import graph_path
    from kg.graphio import read_graph

    return read_graph(graph_path(graph))


@app.command("build")
@handles_errors
def build_cmd(
    paths: list[Path] = typer.Argument(..., help="Listing files or folders."),
    out: Path = typer.Option(Path("kg-out"), "--out", "-o", help="Build directory (graph.json and records)."),
    aliases: Path | None = typer.Option(None, "--aliases", help="Alias rules (JSONL) forcing or forbidding merges, "
                                        "instead of kg/data/aliases.jsonl."),
    decisions: list[Path] = typer.Option([], "--decisions", help="More rules in the same shape, applied after the "
                                         "directory's merges.jsonl (repeatable)."),
    explain_merges: bool = typer.Option(False, "--explain-merges", help="List every merge and its reason."),
    model: str = typer.Option("learned", "--model", help="learned, rules, a weights file, or an installed "
                              "spaCy pipeline (see `kg extract --help`)."),
    processes: int = typer.Option(1, "--processes", "-j", min=1, help="Extraction processes."),
    format: str | None = typer.Option(None, "--format", help="Read every file as this format."),
    strict: bool = typer.Option(False, "--strict", help="Fail on the first broken entry instead of skipping it."),
) -> None:
    """Build the graph (ingest -> extract -> resolve -> graph) into --out; run again with more files to extend it."""
    from kg.pipeline import build

    result = build(paths, out=out, aliases=aliases, decisions=decisions, model=model, n_process=processes, format=format,
                   strict=strict, progress=_render_progress())
    from kg.ingest import summary_lines

    if result.interrupted:
        typer.echo(f"Note: the last build into {result.out} was cut short after writing "
                   f"{', '.join(result.interrupted)}; its records were read again, nothing was lost")
    for line in summary_lines(result.ingested, limit=5):
        typer.echo(line)
    counts = result.counts()
    nodes, edges = counts["nodes"], counts["edges"]
    plural = {"Paper": "papers", "Author": "authors", "System": "systems", "Technique": "techniques",
              "Model": "models", "Hardware": "hardware", "Dataset": "datasets",
              "Benchmark": "benchmarks", "Organization": "organizations",
              "Category": "categories"}
    typer.echo("Graph: " + ", ".join(f"{nodes.get(k, 0)} {word}" for k, word in plural.items()))
    typer.echo("Edges: " + ", ".join(f"{k} {v}" for k, v in edges.items()))
    entity_merges = [m for m in result.merges if not m.reason.startswith("not merged")]
    typer.echo(f"Merged spellings: {len(entity_merges)} (see --explain-merges)")
    if result.dropped:
        typer.echo(f"Dropped: {len(result.dropped)} mentions or relations that name no entity")
    if explain_merges:
        for m in result.merges:
            typer.echo(f"  {m.kept} <- {m.merged!r}: {m.reason}")
    typer.echo(f"Extracted: {result.extracted} papers ({result.reused} reused from extract-cache.jsonl)")
    typer.echo(f"Wrote {result.out / 'graph.json'}")


@app.command("stats")
@handles_errors
def stats_cmd(graph: Path | None = GraphOption, as_json: bool = JsonOption,
              limit: int = typer.Option(5, "--limit", min=1, help="Length of each top list.")) -> None:
    """Counts of nodes and edges by type, and the top systems, techniques and authors."""
    from kg.explore import stats

    result = stats(_load(graph), limit=limit)
    if as_json:
        echo_json(result)
        return
    typer.echo(f"{result['total_nodes']} nodes, {result['total_edges']} edges")
    typer.echo(table([{"node type": k, "count": v} for k, v in result["nodes"].items()]))
    typer.echo("")
    typer.echo(table([{"edge type": k, "count": v} for k, v in result["edges"].items()]))
    for title, rows in result["top"].items():
        typer.echo(f"\nTop {title}:")
        typer.echo(table(rows))


@app.command("show")
@handles_errors
def show_cmd(name: str = typer.Argument(..., help="An entity name or id (fuzzy: case and punctuation ignored)."),
             graph: Path | None = GraphOption, as_json: bool = JsonOption,
             evidence: bool = typer.Option(True, "--evidence/--no-evidence", help="Print evidence sentences.")) -> None:
    """An entity card: type, papers, neighbours by edge type, and the evidence sentences."""
    from kg.explore import show

    card = show(_load(graph), name)
    if as_json:
        echo_json(card)
        return
    typer.echo(f"{card['name']}  [{card['type']}]  {card['id']}")
    for key, value in card["attributes"].items():
        if key not in ("sources",) and value not in ("", [], None):
            typer.echo(f"  {key}: {_cell(value)}")
    if card.get("coauthors"):
        typer.echo(f"\nCo-authors ({len(card['coauthors'])}):")
        typer.echo(table(card["coauthors"], ["name", "weight"]))
    for rel, rows in card["neighbours"].items():
        typer.echo(f"\n{rel} ({len(rows)}):")
        for row in rows:
            extra = "".join(f" {k}={row[k]}" for k in ("weight", "factor", "metric") if row.get(k) is not None)
            via = f"  [paper: {row['paper_title']}]" if row.get("paper_title") else ""
            typer.echo(f"  - {row['name']} ({row['type']}){extra}{via}")
            if evidence and row.get("evidence"):
                typer.echo(f"      \"{row['evidence']}\"")
    typer.echo(f"\nPapers ({len(card['papers'])}):")
    for p in card["papers"]:
        typer.echo(f"  - {p['title']} ({p['year'] or 'n.d.'})")


@app.command("top")
@handles_errors
def top_cmd(what: str = typer.Argument(..., help="systems, authors, techniques, models, hardware, datasets, benchmarks, papers"),
            by: str = typer.Option("degree", "--by", help="degree, pagerank, citations or papers."),
            limit: int = typer.Option(10, "--limit", "-n", help="How many."),
            graph: Path | None = GraphOption, as_json: bool = JsonOption) -> None:
    """The top entities of one kind by a measure."""
    from kg.explore import top

    rows = top(_load(graph), what, by=by, limit=limit)
    if as_json:
        echo_json(rows)
        return
    typer.echo(table([{"#": r["rank"], "name": r["name"], by: r["score"], "id": r["id"]} for r in rows]))


@app.command("path")
@handles_errors
def path_cmd(source: str = typer.Argument(..., help="First entity."),
             target: str = typer.Argument(..., help="Second entity."),
             max_hops: int | None = typer.Option(None, "--max-hops", help="Fail when the entities are further apart."),
             graph: Path | None = GraphOption, as_json: bool = JsonOption) -> None:
    """The shortest connection between two entities, edge by edge with evidence."""
    from kg.explore import path

    steps = path(_load(graph), source, target, max_hops=max_hops)
    if as_json:
        echo_json(steps)
        return
    typer.echo(f"{len(steps)} hop{'s' if len(steps) != 1 else ''}:")
    for s in steps:
        arrow = f"-[{s['edge']}]->" if s["direction"] == "->" else f"<-[{s['edge']}]-"
        extra = "".join(f" {k}={s[k]}" for k in ("weight", "factor") if s.get(k) is not None)
        typer.echo(f"  {s['from_name']} {arrow} {s['to_name']}{extra}")
        if s.get("evidence"):
            typer.echo(f"      \"{s['evidence']}\"")

# [cypher]


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


@app.command("query")
@handles_errors
def query_cmd(
    query_or_file: str | None = typer.Argument(None, help="Cypher text, a .cypher file, or a bundled query name "
                                               "(e.g. most-compared-systems; see --list)."),
    list_queries: bool = typer.Option(False, "--list", help="List the bundled queries, what each answers and "
                                      "its parameters, and exit."),
    param: list[str] = typer.Option([], "--param", "-p", help="A parameter NAME=VALUE (VALUE as JSON when it "
                                    "parses, else text); repeat for more."),
    as_json: bool = typer.Option(False, "--json", help="Print the rows as a JSON list of objects."),
    as_csv: bool = typer.Option(False, "--csv", help="Print the rows as CSV."),
    use_neo4j: bool = typer.Option(False, "--neo4j", help="Run on the Neo4j server (KG_NEO4J_* variables) "
                                   "instead of the embedded engine."),
    graph: Path | None = GraphOption,
) -> None:
    """Run Cypher on the graph: embedded engine by default, the synced Neo4j with --neo4j."""
    import csv

    from kg.config import Neo4jSettings
    from kg.query import parse_params, query

    if as_json and as_csv:
        raise KgError("choose one of --json and --csv")
    if list_queries:
        _list_queries(as_json)
        return
    if query_or_file is None:
        raise KgError("give a query (Cypher text, a .cypher file or a bundled query name); "
                      "`kg query --list` shows the bundled ones")
    settings = Neo4jSettings.from_env(env()) if use_neo4j else None
    result = query(query_or_file, parse_params(param), graph=graph, neo4j=settings)
    if as_json:
        echo_json(result.records())
    elif as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows([_csv_cell(v) for v in row] for row in result.rows)
    else:
        typer.echo(table(result.records(), list(result.columns)))


def _list_queries(as_json: bool) -> None:
    from kg.query import bundled_names, load_query

    found = [load_query(name) for name in bundled_names()]
    rows = [{"name": q.name, "description": q.description,
             "params": [{"name": p.name, "type": p.type, **({"default": p.default} if p.has_default else {}),
                         **({"note": p.note} if p.note else {})} for p in q.params],
             # Engines with a text of their own (a `NAME.neo4j.cypher` beside the shared one).
             "variants": sorted(e for e, t in q.texts.items() if t != q.texts["ladybug"])}
            for q in found]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        params = ", ".join(p["name"] + "".join(f" ({x})" for x in (
            ", ".join(filter(None, (p["type"], p.get("note"), f"default {json.dumps(p['default'])}"
                                    if "default" in p else None))),) if x) for p in row["params"]) or "none"
        typer.echo(f"{row['name']}\n    {row['description']}\n    params: {params}")
    typer.echo(f"\n{len(rows)} bundled queries; run one with `kg query NAME -p PARAM=VALUE`.")


@app.command("sync")
@handles_errors
def sync_cmd(
    graph: Path | None = GraphOption,
    uri: str | None = typer.Option(None, "--uri", envvar="KG_NEO4J_URI", help="Bolt URI "
                                   "[default: bolt://127.0.0.1:7687]."),
    user: str | None = typer.Option(None, "--user", envvar="KG_NEO4J_USER", help="User [default: neo4j]."),
    password: str | None = typer.Option(None, "--password", envvar="KG_NEO4J_PASSWORD",
                                        help="Password (prefer the KG_NEO4J_PASSWORD variable)."),
    database: str | None = typer.Option(None, "--database", envvar="KG_NEO4J_DATABASE",
                                        help="Database [default: neo4j]."),
    batch_size: int = typer.Option(5000, "--batch-size", min=1, help="Rows per transaction."),
    workers: int = typer.Option(2, "--workers", min=1, help="Concurrent writers (rows are scheduled so that "
                                "no two touch the same node)."),
    prune: bool = typer.Option(False, "--prune", help="Delete kg-written nodes and relationships that are no "
                               "longer in the graph."),
    bulk: bool = typer.Option(False, "--bulk", help="Load a fresh database with neo4j-admin import instead "
                              "(server stopped; see --neo4j-home)."),
    neo4j_home: Path | None = typer.Option(None, "--neo4j-home", envvar="NEO4J_HOME", help="With --bulk: "
                                           "the stopped server's home (holds data/databases)."),
    admin: str | None = typer.Option(None, "--admin", envvar="KG_NEO4J_ADMIN", help="With --bulk: the "
                                     "neo4j-admin to run [default: NEO4J_HOME/bin/neo4j-admin, then PATH]."),
    overwrite: bool = typer.Option(False, "--overwrite", help="With --bulk: replace an existing database."),
    csv_dir: Path | None = typer.Option(None, "--csv", help="With --bulk: only write the import files and "
                                        "import.sh to this directory (for neo4j-admin in Docker or elsewhere)."),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Write the graph to Neo4j: only rows whose content hash the server lacks, as idempotent MERGE batches;
    a second sync changes nothing, and a sync cut short is finished by running it again."""
    from kg.config import Neo4jSettings, graph_path

    path = graph_path(graph)
    if bulk:
        _bulk(path, neo4j_home, database or env().get("KG_NEO4J_DATABASE") or "neo4j", admin, overwrite,
              csv_dir, as_json)
        return
    from kg.sinks.neo4j import sync

    settings = Neo4jSettings.from_env(env(), uri=uri, user=user, password=password, database=database)
    result = sync(path, settings, batch_size=batch_size, prune=prune, progress=_render_progress(),
                  workers=workers)
    if as_json:
        counts = {name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged, "deleted": c.deleted}
                  for name, c in (("nodes", result.nodes), ("relationships", result.relationships))}
        echo_json({"graph": str(path), "uri": result.uri, "database": result.database, "batches": result.batches,
                   **counts})
        return
    typer.echo(f"synced {path} to {result.uri} (database {result.database}) in {result.batches} batches")
    width = len("relationships:")
    for name, c in (("nodes:", result.nodes), ("relationships:", result.relationships)):
        typer.echo(f"{name:<{width}} {c.created} created, {c.updated} updated, {c.unchanged} unchanged, "
                   f"{c.deleted} deleted")


def _bulk(path: Path, home: Path | None, database: str, admin: str | None, overwrite: bool,
          csv_dir: Path | None, as_json: bool) -> None:
    from kg.sinks.neo4j_bulk import bulk_import, write_import_dir

    if csv_dir is not None:
        script, n_nodes, n_edges = write_import_dir(path, csv_dir, database=database)
        if as_json:
            echo_json({"graph": str(path), "script": str(script), "database": database, "nodes": n_nodes,
                       "relationships": n_edges})
            return
        typer.echo(f"wrote the import of {path} ({n_nodes} nodes, {n_edges} relationships) to {csv_dir}")
        typer.echo(f"run {script} where neo4j-admin runs, with the server stopped; then start it and run `kg sync`")
        return
    if home is None:
        raise KgError("--bulk needs the server's home: give --neo4j-home DIR (or set NEO4J_HOME)")
    result = bulk_import(path, home, database=database, admin=admin, overwrite=overwrite, env=env(),
                         progress=_render_progress())
    if as_json:
        echo_json({"graph": str(path), "home": result.home, "database": result.database, "nodes": result.nodes,
                   "relationships": result.relationships, "csv_seconds": round(result.csv_seconds, 3),
                   "import_seconds": round(result.import_seconds, 3)})
        return
    typer.echo(f"imported {path} into database {result.database} of {result.home}: {result.nodes} nodes, "
               f"{result.relationships} relationships")
    typer.echo("start the server, then run `kg sync` once: it adds the constraints and indexes and finds "
               "nothing else to write")


# [views]

# The selection options of `kg viz` and `kg export` (one library function: kg.select.select).
CenterOption = typer.Option([], "--center", "-c", help="Keep what is within --hops of this entity (repeatable).")
HopsOption = typer.Option(1, "--hops", min=0, help="Steps from a center to keep.")
TypeOption = typer.Option([], "--type", "-t", help="Keep only nodes of this label, e.g. System (repeatable).")
EdgeTypeOption = typer.Option([], "--edge-type", "-e", help="Keep only edges of this type, e.g. CO_AUTHOR (repeatable).")
AuthorOption = typer.Option([], "--author", help="A center that must be an author (repeatable).")
SystemOption = typer.Option([], "--system", help="A center that must be a system (repeatable).")
TechniqueOption = typer.Option([], "--technique", help="A center that must be a technique (repeatable).")
SinceOption = typer.Option(None, "--since", help="Keep papers from this year on, and what they connect.")
UntilOption = typer.Option(None, "--until", help="Keep papers up to this year, and what they connect.")
MinWeightOption = typer.Option(None, "--min-weight", min=1, help="Drop co-authorships with fewer joint papers.")
LimitOption = typer.Option(None, "--limit", "-n", min=1, help="Keep the N most connected nodes.")


def _selection(center: list[str], hops: int, types: list[str], edge_types: list[str], author: list[str],
               system: list[str], technique: list[str], since: int | None, until: int | None,
               min_weight: int | None, limit: int | None):
    from kg.select import Selection

    return Selection(center=tuple(center), hops=hops, types=tuple(types), edge_types=tuple(edge_types),
                     author=tuple(author), system=tuple(system), technique=tuple(technique), since=since,
                     until=until, min_weight=min_weight, limit=limit)


def _selection_json(selected) -> dict[str, Any]:
    """The selection's summary lines and what it dropped, for --json (the table prints them on stderr)."""
    return {"selection": list(selected.summary())}


def _report_selection(selected) -> None:
    for line in selected.summary():
        typer.echo(line, err=True)


@app.command("viz")
@handles_errors
def viz_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write."),
    view: str | None = typer.Option(None, "--view", help="all, coauthors, citations, techniques or ego "
                                    "[default: ego with a center, else all]."),
    size: str = typer.Option("degree", "--size", help="Node size by degree or citations."),
    max_nodes: int = typer.Option(5000, "--max-nodes", min=1, help="Refuse views with more nodes than this."),
    title: str | None = typer.Option(None, "--title", help="Page heading."),
    center: list[str] = CenterOption, hops: int = HopsOption, types: list[str] = TypeOption,
    edge_types: list[str] = EdgeTypeOption, author: list[str] = AuthorOption, system: list[str] = SystemOption,
    technique: list[str] = TechniqueOption, since: int | None = SinceOption, until: int | None = UntilOption,
    min_weight: int | None = MinWeightOption, limit: int | None = LimitOption,
    graph: Path | None = GraphOption, as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """An interactive HTML view of a subgraph: one file that opens offline."""
    from kg.sinks.html import viz

    selection = _selection(center, hops, types, edge_types, author, system, technique, since, until, min_weight,
                           limit)
    result = viz(_load(graph), out, view=view, selection=selection, size=size, max_nodes=max_nodes, title=title)
    if as_json:
        echo_json({"path": str(result.path), "view": result.view, "nodes": result.nodes, "edges": result.edges,
                   **_selection_json(result.selected)})
        return
    _report_selection(result.selected)
    typer.echo(f"wrote {result.path}: {result.view} view, {result.nodes} nodes, {result.edges} edges")


@app.command("export")
@handles_errors
def export_cmd(
    format: str = typer.Option(..., "--format", "-f", help="graphml, gexf, json, csv, cypher or dot."),
    out: Path = typer.Option(..., "--out", "-o", help="The file to write (a directory for csv)."),
    center: list[str] = CenterOption, hops: int = HopsOption, types: list[str] = TypeOption,
    edge_types: list[str] = EdgeTypeOption, author: list[str] = AuthorOption, system: list[str] = SystemOption,
    technique: list[str] = TechniqueOption, since: int | None = SinceOption, until: int | None = UntilOption,
    min_weight: int | None = MinWeightOption, limit: int | None = LimitOption,
    graph: Path | None = GraphOption, as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """Write a subgraph as GraphML, GEXF, node-link JSON, neo4j-admin CSV, a Cypher script or DOT."""
    from kg.sinks.files import export

    selection = _selection(center, hops, types, edge_types, author, system, technique, since, until, min_weight,
                           limit)
    result = export(_load(graph), out, format=format, selection=selection)
    where = out if format == "csv" else result.paths[0]
    if as_json:
        echo_json({"path": str(where), "format": format, "files": [str(p) for p in result.paths],
                   "nodes": result.nodes, "edges": result.edges, **_selection_json(result.selected)})
        return
    _report_selection(result.selected)
    typer.echo(f"wrote {where}: {format}, {result.nodes} nodes, {result.edges} edges")



# Commands in their own modules register themselves on `app` when imported (after everything above exists).
from kg.cli import answers, evaluation, review  # noqa: E402,F401

def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
