"""`kg merges`: the merge review (list, join, split)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kg.cli import GraphOption, JsonOption, _load, app, echo_json, handles_errors, table
from kg.errors import KgError

# [merge review]

merges_app = typer.Typer(help="Every merge, split, near miss and decision of the graph, with its evidence; "
                         "`join` and `split` record a decision that every later build applies.",
                         invoke_without_command=True)
app.add_typer(merges_app, name="merges")


@merges_app.callback(invoke_without_command=True)
@handles_errors
def merges_cmd(ctx: typer.Context, graph: Path | None = GraphOption, as_json: bool = JsonOption,
               kind: str | None = typer.Option(None, "--kind", help="merge, kept apart, split, join, near miss, "
                                               "decision."),
               label: str | None = typer.Option(None, "--label", "-t", help="Only this node type, e.g. Author."),
               name: str | None = typer.Option(None, "--name", help="Only rows naming this entity.")) -> None:
    """List the merge records of the graph (`kg merges --kind split --label Author`)."""
    if ctx.invoked_subcommand:
        return
    from kg.review import list_rows

    rows = list_rows(_load(graph), kind=kind, label=label, name=name)
    if as_json:
        echo_json(rows)
        return
    typer.echo(table([{"kind": r["kind"], "type": r["label"], "kept": r["name"], "id": r["kept"],
                       "other": r.get("other") or r.get("merged") or "", "reason": r["reason"]} for r in rows]))
    typer.echo(f"{len(rows)} rows")


def _decide(graph: Path | None, make, as_json: bool = False) -> None:
    from kg.config import graph_path
    from kg.pipeline import DECISIONS_FILE, record_decision
    from kg.review import rule_line

    out = graph_path(graph).parent
    rule, G = record_decision(out, make)
    if as_json:
        echo_json({"decision": rule_line(rule), "file": str(out / DECISIONS_FILE),
                   "graph": str(out / "graph.json"), "nodes": G.number_of_nodes()})
        return
    typer.echo(f"recorded {rule.id} in {out / DECISIONS_FILE}; {out / 'graph.json'} re-resolved "
               f"({G.number_of_nodes()} nodes)")


@merges_app.command("join")
@handles_errors
def merges_join_cmd(a: str = typer.Argument(..., help="The entity (or person) to keep: a name or id."),
                    b: str = typer.Argument(..., help="The one to join into it: a name or id."),
                    note: str = typer.Option("", "--note", help="Why (kept in the decision file)."),
                    graph: Path | None = GraphOption, as_json: bool = JsonOption) -> None:
    """Make B one node with A, now and in every later build of this directory."""
    from kg.review import join_rule

    _decide(graph, lambda G, n: join_rule(G, a, b, number=n, note=note), as_json)


@merges_app.command("split")
@handles_errors
def merges_split_cmd(name: str = typer.Argument(..., help="The merged entity (or person): a name or id."),
                     alias: str = typer.Argument(..., help="A spelling merged into it; for a person, a paper id or "
                                                 "title of the other person's."),
                     note: str = typer.Option("", "--note", help="Why (kept in the decision file)."),
                     graph: Path | None = GraphOption, as_json: bool = JsonOption) -> None:
    """Take ALIAS out of NAME: its own node, now and in every later build of this directory."""
    from kg.review import split_rule

    _decide(graph, lambda G, n: split_rule(G, name, alias, number=n, note=note), as_json)
