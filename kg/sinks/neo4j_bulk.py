"""`kg sync --bulk`: a fresh Neo4j database loaded by `neo4j-admin database import full`.

The importer writes store files directly, with the server stopped, at hundreds of thousands of records
per second; MERGE over Bolt cannot come near that for a first load. The CSV files hold exactly the rows
`kg sync` writes (`kg.sinks.neo4j_rows`: the same properties, `kg_hash` and `kg_key`), so once the server
runs, `kg sync` finds everything already there: it applies the constraints and indexes and writes nothing.

`neo4j-admin` is found as `--admin`, else `KG_NEO4J_ADMIN`, else `NEO4J_HOME/bin/neo4j-admin` (the Neo4j
distribution), else on PATH. Without a distribution, `tools/neo4j/neo4j-admin` in this repository runs the
same command from the Maven Central jars `tools/neo4j/fetch.sh` downloads.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import staged_files
from kg.errors import Neo4jSyncError
from kg.schema import EDGE_TYPES, NODE_PROPERTIES
from kg.sinks.files import array_delimiter, csv_field
from kg.sinks.neo4j_rows import edge_rows, node_rows

Progress = Callable[[str, int, int], None]

# Neo4j admin import column types for the schema's property types.
_TYPES = {"STRING": "", "INT64": ":long", "DOUBLE": ":double", "BOOL": ":boolean", "STRING[]": ":string[]"}
_STEP = re.compile(r"^\((\d+)/(\d+)\) ")


@dataclass(frozen=True, slots=True)
class BulkResult:
    nodes: int
    relationships: int
    database: str
    home: str
    csv_seconds: float
    import_seconds: float

    @property
    def records_per_second(self) -> float:
        """Nodes plus relationships per second of the importer's run (CSV writing not counted)."""
        return (self.nodes + self.relationships) / self.import_seconds if self.import_seconds else 0.0


def find_admin(admin: str | None, home: Path, env: Mapping[str, str]) -> list[str]:
    """The neo4j-admin command to run, as argv."""
    for candidate in (admin, env.get("KG_NEO4J_ADMIN")):
        if candidate:
            found = shutil.which(candidate, path=env.get("PATH")) or (candidate if Path(candidate).is_file() else None)
            if not found:
                raise Neo4jSyncError(f"neo4j-admin not found at {candidate!r}: check --admin / KG_NEO4J_ADMIN")
            return [found]
    bundled = home / "bin" / "neo4j-admin"
    if bundled.is_file():
        return [str(bundled)]
    on_path = shutil.which("neo4j-admin", path=env.get("PATH"))
    if on_path:
        return [on_path]
    raise Neo4jSyncError(
        f"neo4j-admin not found (not in {bundled}, not on PATH): give --admin PATH; without a Neo4j "
        "distribution, run `bash tools/neo4j/fetch.sh` and use --admin tools/neo4j/neo4j-admin")


def _delimiter(rows: Iterable[dict[str, Any]]) -> str:
    delimiter = array_delimiter(v for r in rows for v in r["props"].values() if isinstance(v, list))
    if delimiter is None:
        raise Neo4jSyncError("cannot bulk-import: list values contain every array delimiter (; | \\x1f)")
    return delimiter


def _write(path: Path, header: list[str], lines: Iterable[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        f.writelines(lines)


def write_import_csv(G: nx.MultiDiGraph, folder: Path) -> tuple[list[str], int, int]:
    """One CSV per label and per relationship type in `folder`; returns the importer's arguments (file
    names relative to `folder`) and the node and relationship counts."""
    nodes, edges = node_rows(G), edge_rows(G)
    every = [r for rows in nodes.values() for r in rows] + [r for rows in edges.values() for r in rows]
    delimiter = _delimiter(every)
    args = [f"--array-delimiter={delimiter}"]
    for label, rows in nodes.items():
        cols = sorted(k for k in NODE_PROPERTIES[label] if k != "id")
        kinds = NODE_PROPERTIES[label]
        path = folder / f"nodes_{label}.csv"
        _write(path, ["id:ID", *(f"{k}{_TYPES[kinds[k]]}" for k in cols), "kg_hash", ":LABEL"],
               (",".join([csv_field(r["id"], "STRING", delimiter),
                          *(csv_field(r["props"].get(k), kinds[k], delimiter) for k in cols),
                          csv_field(r["hash"], "STRING", delimiter), label]) + "\n" for r in rows))
        args.append(f"--nodes={path.name}")
    by_type: dict[str, list[dict[str, Any]]] = {}
    for (etype, _, _), rows in edges.items():
        by_type.setdefault(etype, []).extend(rows)
    for etype, rows in sorted(by_type.items()):
        kinds = EDGE_TYPES[etype][2]
        cols = sorted(kinds)
        path = folder / f"relationships_{etype}.csv"
        _write(path, [":START_ID", ":END_ID", ":TYPE", *(f"{k}{_TYPES[kinds[k]]}" for k in cols), "kg_key",
                      "kg_hash"],
               (",".join([csv_field(r["source"], "STRING", delimiter),
                          csv_field(r["target"], "STRING", delimiter), etype,
                          *(csv_field(r["props"].get(k), kinds[k], delimiter) for k in cols),
                          csv_field(r["key"], "STRING", delimiter),
                          csv_field(r["hash"], "STRING", delimiter)]) + "\n" for r in rows))
        args.append(f"--relationships={path.name}")
    return args, sum(map(len, nodes.values())), sum(map(len, edges.values()))


def _argv(database: str, files: list[str]) -> list[str]:
    return ["database", "import", "full", database, "--overwrite-destination", "--id-type=string",
            "--multiline-fields=true", *files]


def write_import_dir(graph: nx.MultiDiGraph | str | Path, folder: str | Path, *,
                     database: str = "neo4j") -> tuple[Path, int, int]:
    """The import files plus `import.sh`, for a neo4j-admin that runs elsewhere (Docker, another machine):
    returns the script's path and the node and relationship counts."""
    G = _graph(graph)
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise Neo4jSyncError(f"--csv {out} is a file; it names a directory to write")
    # Staged and renamed in, import.sh last: a cut-short run never leaves a script over a mix of files.
    with staged_files(out, last="import.sh") as stage:
        files, n_nodes, n_edges = write_import_csv(G, stage)
        (stage / "import.sh").write_text(
            "#!/bin/sh\n# kg sync --bulk: load these files into a new or replaced database (stop the server "
            "first),\n# then start it and run `kg sync` once (constraints and indexes; nothing else to write).\n"
            'cd "$(dirname "$0")" && exec neo4j-admin ' + " ".join(shlex.quote(a) for a in _argv(database, files))
            + "\n", encoding="utf-8")
    script = out / "import.sh"
    return script, n_nodes, n_edges


def _graph(graph: nx.MultiDiGraph | str | Path) -> nx.MultiDiGraph:
    if isinstance(graph, nx.MultiDiGraph):
        return graph
    from kg.graphio import read_graph

    return read_graph(graph)


def bulk_import(graph: nx.MultiDiGraph | str | Path, home: str | Path, *, database: str = "neo4j",
                admin: str | None = None, overwrite: bool = False, env: Mapping[str, str] | None = None,
                progress: Progress | None = None) -> BulkResult:
    """Load `graph` into database `database` of the stopped Neo4j whose home is `home`."""
    env = dict(os.environ if env is None else env)
    home = Path(home)
    if not home.is_dir():
        raise Neo4jSyncError(f"Neo4j home {home} is not a directory: give --neo4j-home (or NEO4J_HOME)")
    command = find_admin(admin, home, env)
    store = home / "data" / "databases" / database
    if store.exists() and any(store.iterdir()) and not overwrite:
        raise Neo4jSyncError(f"database {database!r} already exists in {home}: `kg sync --bulk` replaces a "
                             "database; add --overwrite to replace it (its data is lost), or use `kg sync`")
    G = _graph(graph)
    with tempfile.TemporaryDirectory(prefix="kg-bulk-") as tmp:
        t0 = time.perf_counter()
        files, n_nodes, n_edges = write_import_csv(G, Path(tmp))
        t1 = time.perf_counter()
        lines = _run([*command, *_argv(database, files)], {**env, "NEO4J_HOME": str(home.resolve())}, tmp,
                     progress)
        t2 = time.perf_counter()
    if not any(line.startswith("IMPORT DONE") for line in lines):
        raise Neo4jSyncError(f"neo4j-admin import into {home} failed: {_reason(lines)}")
    return BulkResult(n_nodes, n_edges, database, str(home), t1 - t0, t2 - t1)


def _run(argv: list[str], env: dict[str, str], cwd: str, progress: Progress | None) -> list[str]:
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=cwd, text=True, encoding="utf-8", errors="replace")
    except OSError as err:
        raise Neo4jSyncError(f"cannot run {argv[0]}: {err.strerror}") from None
    lines: list[str] = []
    steps = 4  # the importer's "(k/4) Node import" sections, until it says otherwise
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        lines.append(line)
        step = _STEP.match(line)
        if progress and step:
            steps = int(step.group(2))
            progress("import", int(step.group(1)) - 1, steps)
        elif progress and line.startswith("IMPORT DONE"):
            progress("import", steps, steps)
    proc.wait()
    if proc.returncode:
        raise Neo4jSyncError(f"neo4j-admin import failed (exit {proc.returncode}): {_reason(lines)}")
    return lines


def _reason(lines: list[str]) -> str:
    """The importer's own explanation on one line (its "--verbose" hint dropped, as kg runs it for you)."""
    said = [line.strip() for line in lines if line.strip() and "--verbose" not in line]
    text = " ".join(said)
    if "database is in use" in text.lower():
        return "the database is in use: stop the Neo4j server first"
    errors = [line for line in said if re.search(r"error|exception|failed|invalid|not ", line, re.I)]
    return (errors[0] if errors else (said[-1] if said else "no output"))[:300]


__all__ = ["BulkResult", "bulk_import", "find_admin", "write_import_csv", "write_import_dir"]
