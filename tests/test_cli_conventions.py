"""The CLI keeps its own conventions: `--json` wherever the graph is read, flags shown as flags, defaults
in help, the bundled queries listed."""

from __future__ import annotations

import json

import click
import pytest
from answers_graph import answers_graph
from typer.main import get_command
from typer.testing import CliRunner

from kg.cli import app
from kg.graphio import write_graph

runner = CliRunner()


def commands() -> dict[str, click.Command]:
    root = get_command(app)
    found = {}
    for name, cmd in root.commands.items():  # type: ignore[attr-defined]
        found[name] = cmd
        for sub, subcmd in getattr(cmd, "commands", {}).items():
            found[f"{name} {sub}"] = subcmd
    return found


def test_every_command_that_reads_the_graph_takes_json():
    missing = [name for name, cmd in commands().items()
               if any("--graph" in p.opts for p in cmd.params) and not any("--json" in p.opts for p in cmd.params)]
    assert missing == []


def test_help_shows_flags_as_flags_and_the_defaults():
    out = runner.invoke(app, ["build", "--help"], terminal_width=200).stdout
    assert "<bool>" not in out
    assert "  --strict  " in out or "  --strict " in out
    out = runner.invoke(app, ["viz", "--help"], terminal_width=200).stdout
    assert "Graph file or build directory [default: kg-out/graph.json]." in out
    assert "[default: ego with a center, else all]" in out


def test_query_list_names_each_query_what_it_answers_and_its_params():
    out = runner.invoke(app, ["query", "--list"]).stdout.splitlines()
    assert out[:3] == [
        "authors-on-technique",
        "    Answers: who works on $technique (a technique's name or taxonomy key), and in how many papers? "
        "Counts papers that use or introduce it, and papers on its sub-techniques.",
        '    params: technique (string, e.g. "speculative decoding" or its key)']
    assert "    params: author (string, an author's name as printed), limit (int, default 50)" in out
    assert out[-1].endswith("bundled queries; run one with `kg query NAME -p PARAM=VALUE`.")
    rows = json.loads(runner.invoke(app, ["query", "--list", "--json"]).stdout)
    lineage = next(r for r in rows if r["name"] == "collaboration-distance")
    assert lineage["variants"] == ["neo4j"]
    assert lineage["params"] == [{"name": "from", "type": "string", "note": "an author's name"},
                                 {"name": "to", "type": "string", "note": "another author's name"}]
    result = runner.invoke(app, ["query"])
    assert (result.exit_code, result.stderr) == (1, "Error: give a query (Cypher text, a .cypher file or a "
                                                    "bundled query name); `kg query --list` shows the bundled ones\n")


@pytest.mark.parametrize("args", [["viz", "--view", "citations"], ["export", "--format", "json"]])
def test_viz_and_export_print_what_they_wrote_as_json(tmp_path, args):
    graph = tmp_path / "graph.json"
    write_graph(answers_graph(), graph)
    out = tmp_path / ("v.html" if args[0] == "viz" else "e.json")
    result = runner.invoke(app, [*args, "-o", str(out), "--json", "--graph", str(graph)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == str(out) and out.is_file()
    assert data["nodes"] > 0 and data["edges"] > 0
    assert isinstance(data["selection"], list)
