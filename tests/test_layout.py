"""The code keeps its shape: stages import only what is below them, only the CLI prints, every command is
documented and has help text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from typer.main import get_command

from kg.cli import app

ROOT = Path(__file__).resolve().parents[1]
KG = ROOT / "kg"

# module (or package) -> kg modules it must not import
FORBIDDEN = {
    "kg/errors.py": ("kg.",),
    "kg/model.py": ("kg.ingest", "kg.extract", "kg.resolve", "kg.graph", "kg.sinks", "kg.cli", "kg.pipeline"),
    "kg/schema.py": ("kg.ingest", "kg.extract", "kg.graph", "kg.sinks", "kg.cli"),
    "kg/ingest": ("kg.extract", "kg.resolve", "kg.graph", "kg.sinks", "kg.cli", "kg.pipeline"),
    "kg/extract": ("kg.ingest", "kg.resolve", "kg.graph", "kg.sinks", "kg.cli", "kg.pipeline"),
    "kg/resolve.py": ("kg.graph", "kg.sinks", "kg.cli", "kg.pipeline", "spacy", "networkx"),
    "kg/authors.py": ("kg.graph", "kg.sinks", "kg.cli", "kg.pipeline", "kg.extract", "spacy", "networkx"),
    "kg/graph.py": ("kg.ingest", "kg.extract", "kg.sinks", "kg.cli", "kg.pipeline", "spacy"),
    "kg/analysis": ("kg.ingest", "kg.extract", "kg.sinks", "kg.cli", "kg.pipeline", "spacy"),
    "kg/sinks": ("kg.ingest", "kg.extract", "kg.cli", "kg.pipeline"),
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(rel: str) -> list[Path]:
    p = ROOT / rel
    return sorted(p.rglob("*.py")) if p.is_dir() else [p]


def test_stages_import_only_what_is_below_them():
    problems = []
    for rel, banned in FORBIDDEN.items():
        for path in modules(rel):
            for name in imports_of(path):
                if any(name == b.rstrip(".") or name.startswith(b if b.endswith(".") else b + ".") or name == b
                       for b in banned):
                    problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert problems == []


def test_only_the_cli_imports_typer_or_prints():
    problems = []
    for path in sorted(KG.rglob("*.py")):
        if path.relative_to(KG).parts[0] == "cli":
            continue
        if "typer" in imports_of(path):
            problems.append(f"{path.relative_to(ROOT)} imports typer")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "exit"):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {node.func.id}")
    assert problems == []


def test_every_command_has_help_and_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    group = get_command(app)
    missing = []
    for name, cmd in sorted(group.commands.items()):  # type: ignore[attr-defined]
        if not (cmd.help or "").strip():
            missing.append(f"{name}: no help text")
        if not re.search(rf"\bkg {re.escape(name)}\b", readme):
            missing.append(f"{name}: not in README")
    assert missing == []
