"""Subgraph exports: GraphML, GEXF, node-link JSON, neo4j-admin CSV, a Cypher script and Graphviz DOT.

`export(G, path, format=..., selection=...)` selects (kg.select) and writes; the `write_*` functions write
a graph as it is. Format quirks are handled on purpose, each in one place:

- list attributes (aliases, sources, papers) become JSON text in GraphML, GEXF and DOT (`_flat`), since
  those formats hold only scalars; CSV uses neo4j-admin arrays; JSON and Cypher keep real lists;
- GEXF reserves `id`, `label`, `start`, `end`, `pid`, `viz` on nodes and also `type` and `weight` on edges
  (networkx moves them into XML attributes and reads `start`/`end` as time): ours are renamed `kg_<name>`
  (`_GEXF_*`), except CO_AUTHOR `weight`, which Gephi should use as the edge weight;
- every file names node labels the same way: `label` = the node's `name`, so Gephi, Cytoscape and
  Graphviz show names rather than ids.

Output is deterministic: nodes sorted by id, edges by (source, target, key).
"""

from __future__ import annotations

import io
import json
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import replacing, staged_files, write_atomic
from kg.errors import ExportError
from kg.schema import EDGE_TYPES, NODE_PROPERTIES
from kg.select import Selected, Selection, select

FORMATS = ("graphml", "gexf", "json", "csv", "cypher", "dot")

_GEXF_NODE_RESERVED = ("id", "label", "start", "end", "pid", "viz")
_GEXF_EDGE_RESERVED = ("id", "label", "start", "end", "type", "weight", "viz")


@dataclass(frozen=True, slots=True)
class ExportResult:
    format: str
    paths: tuple[Path, ...]
    nodes: int
    edges: int
    selected: Selected


def export(
    G: nx.MultiDiGraph,
    path: str | Path,
    *,
    format: str,
    selection: Selection | None = None,
) -> ExportResult:
    """Write the subgraph `selection` picks from `G` in `format` at `path` (a directory for `csv`)."""
    if format not in FORMATS:
        raise ExportError(f"unknown export format {format!r}: allowed: {', '.join(FORMATS)}")
    selected = select(G, selection)
    H = selected.graph
    writer = _WRITERS[format]
    path = Path(path)
    try:
        paths = writer(H, path)
    except OSError as err:
        raise ExportError(f"cannot write {err.filename or path}: {err.strerror or err}") from None
    return ExportResult(format, tuple(paths), H.number_of_nodes(), H.number_of_edges(), selected)


# --- shared helpers --------------------------------------------------------------------------------


def _nodes(H: nx.MultiDiGraph) -> list[tuple[str, dict[str, Any]]]:
    return [(n, H.nodes[n]) for n in sorted(H)]


def _edges(H: nx.MultiDiGraph) -> list[tuple[str, str, str, dict[str, Any]]]:
    return sorted(H.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))


def _flat(value: Any) -> Any:
    """The one place lists become scalars for formats without lists: JSON text, which reads back exactly."""
    if isinstance(value, list | tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return value


def _open(path: Path) -> Path:
    if path.exists() and path.is_dir():
        raise ExportError(f"-o {path} is a directory; give a file name for this format")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _flat_copy(H: nx.MultiDiGraph, *, rename_node: Iterable[str] = (), rename_edge: Iterable[str] = (),
               keep_edge: Iterable[str] = ()) -> nx.MultiDiGraph:
    """A copy of H in sorted order with lists flattened, reserved names renamed `kg_<name>`, and `label`
    set to the node name."""
    rn, re_, keep = set(rename_node), set(rename_edge), set(keep_edge)
    F = nx.MultiDiGraph()
    for n, d in _nodes(H):
        attrs = {(f"kg_{k}" if k in rn else k): _flat(v) for k, v in sorted(d.items())}
        attrs["label"] = str(d.get("name", n))
        F.add_node(n, **attrs)
    for u, v, k, d in _edges(H):
        attrs = {(f"kg_{a}" if a in re_ and a not in keep else a): _flat(x) for a, x in sorted(d.items())}
        F.add_edge(u, v, key=k, **attrs)
    return F


# --- GraphML, GEXF, JSON ---------------------------------------------------------------------------


def write_graphml(H: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    path = _open(Path(path))
    with replacing(path) as tmp:
        nx.write_graphml(_flat_copy(H), tmp, named_key_ids=True)
    return [path]


def write_gexf(H: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    path = _open(Path(path))
    F = _flat_copy(H, rename_node=[r for r in _GEXF_NODE_RESERVED if r != "label"],
                   rename_edge=_GEXF_EDGE_RESERVED, keep_edge=("weight",))
    for u, v, k, d in F.edges(keys=True, data=True):
        # A readable, unique edge id instead of networkx's counter; the edge type doubles as its label.
        d["id"] = f"{u}|{v}|{k}"
        d["label"] = d.get("kg_type", "")
    with replacing(path) as tmp:
        nx.write_gexf(F, tmp)
    return [path]


def write_json(H: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    """Node-link JSON that networkx (`node_link_graph(data, edges="edges")`) and `kg --graph` both read."""
    from kg.graphio import graph_to_data

    path = _open(Path(path))
    data = {"directed": True, "multigraph": True, **graph_to_data(H)}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    write_atomic(path, [text, "\n"])
    return [path]


# --- CSV for neo4j-admin database import -----------------------------------------------------------

_CSV_TYPES = {"STRING": "", "INT64": ":int", "DOUBLE": ":double", "BOOL": ":boolean", "STRING[]": ":string[]"}
# neo4j-admin splits array fields on one character; the default `;` unless some value contains it.
_ARRAY_DELIMITERS = (";", "|", "\u001f")


def array_delimiter(lists: Iterable[Iterable[Any]]) -> str | None:
    """The first of `;`, `|`, U+001F that no element of `lists` contains (None when each is taken); also
    `kg sync --bulk`'s (`kg.sinks.neo4j_bulk`)."""
    items = [str(x) for v in lists for x in v]
    return next((c for c in _ARRAY_DELIMITERS if not any(c in x for x in items)), None)
IMPORT_SCRIPT = "neo4j-admin-import.sh"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, list | tuple):
        return "STRING[]"
    return "STRING"


def _columns(rows: list[dict[str, Any]], schema: dict[str, str], skip: Iterable[str]) -> list[tuple[str, str]]:
    """(property, type) for every property present in these rows; the schema's type when it has one."""
    present = sorted({k for r in rows for k in r} - set(skip))
    return [(k, schema.get(k) or _kind(next(r[k] for r in rows if k in r))) for k in present]


def csv_field(value: Any, kind: str, delimiter: str) -> str:
    """One field: strings always quoted (so an empty string stays a string), numbers and booleans bare,
    a missing value empty (neo4j-admin then sets no property, as `SET n += {p: null}` does). Shared with
    `kg sync --bulk`."""
    if value is None:
        return ""
    if kind == "STRING[]":
        value = delimiter.join(str(v) for v in value)
    elif kind == "BOOL":
        return "true" if value else "false"
    elif kind in ("INT64", "DOUBLE"):
        return repr(value)
    return '"' + str(value).replace('"', '""') + '"'


def _write_csv_file(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def write_csv(H: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    """A directory in the `neo4j-admin database import full` layout: `nodes_<Label>.csv` with `id:ID`,
    typed property columns and `:LABEL`; `relationships_<TYPE>.csv` with `:START_ID`, `:END_ID`,
    `:TYPE`, `key` and typed properties; and `neo4j-admin-import.sh`, the command that loads them."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise ExportError(f"-o {out} is a file; the csv format writes a directory")
    values = [v for _, d in H.nodes(data=True) for v in d.values() if isinstance(v, list)]
    values += [v for *_, d in H.edges(data=True) for v in d.values() if isinstance(v, list)]
    delimiter = array_delimiter(values)
    if delimiter is None:
        raise ExportError("cannot export csv: list values contain every array delimiter (; | \\x1f)")
    written: list[Path] = []
    by_label: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for n, d in _nodes(H):
        by_label.setdefault(str(d.get("type", "Node")), []).append((n, d))
    # Labels and types name files and go into a shell script: only the schema's own are allowed, so a
    # graph file with a type like `X;touch PWNED` or `/../../x` is refused instead of run or written.
    bad = sorted({lab for lab in by_label if lab not in NODE_PROPERTIES})
    bad += sorted({str(d.get("type", "RELATED")) for *_, d in _edges(H)} - set(EDGE_TYPES))
    if bad:
        raise ExportError(f"cannot export csv: {bad[0]!r} is not a node label or relationship type of the "
                          "kg schema")
    # Staged and renamed in, the script last: a cut-short export never leaves a script over a mix of
    # old and new files.
    with staged_files(out, last=IMPORT_SCRIPT) as stage:
        for label, nodes in sorted(by_label.items()):
            cols = _columns([d for _, d in nodes], NODE_PROPERTIES.get(label, {}), skip=("type", "id"))
            header = ["id:ID", *(f"{k}{_CSV_TYPES[t]}" for k, t in cols), ":LABEL"]
            rows = ([csv_field(n, "STRING", delimiter),
                     *(csv_field(d.get(k), t, delimiter) for k, t in cols), label] for n, d in nodes)
            written.append(stage / f"nodes_{label}.csv")
            _write_csv_file(written[-1], header, rows)
        by_type: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {}
        for u, v, k, d in _edges(H):
            by_type.setdefault(str(d.get("type", "RELATED")), []).append((u, v, k, d))
        for kind, edges in sorted(by_type.items()):
            schema = EDGE_TYPES[kind][2] if kind in EDGE_TYPES else {}
            cols = _columns([d for *_, d in edges], schema, skip=("type", "key"))
            header = [":START_ID", ":END_ID", ":TYPE", "key", *(f"{a}{_CSV_TYPES[t]}" for a, t in cols)]
            rows = ([csv_field(u, "STRING", delimiter), csv_field(v, "STRING", delimiter), kind,
                     csv_field(k, "STRING", delimiter), *(csv_field(d.get(a), t, delimiter) for a, t in cols)]
                    for u, v, k, d in edges)
            written.append(stage / f"relationships_{kind}.csv")
            _write_csv_file(written[-1], header, rows)
        script = stage / IMPORT_SCRIPT
        args = [shlex.quote(f"--nodes={p.name}") for p in written if p.name.startswith("nodes_")]
        args += [shlex.quote(f"--relationships={p.name}") for p in written
                 if p.name.startswith("relationships_")]
        script.write_text(
            "#!/bin/sh\n# Load this directory into a new, empty database (Neo4j 5; stop the server first).\n"
            'cd "$(dirname "$0")" && neo4j-admin database import full "${1:-neo4j}" --overwrite-destination \\\n'
            f"  --id-type=string --multiline-fields=true --array-delimiter={_shell_quote(delimiter)} \\\n  "
            + " \\\n  ".join(args) + "\n",
            encoding="utf-8",
        )
    return [out / p.name for p in [*written, script]]


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


# --- Cypher script ---------------------------------------------------------------------------------


def cypher_string(text: str) -> str:
    """A single-quoted Cypher string literal. Backslash, quotes and control characters are escaped, and
    everything outside printable ASCII is written as `\\uXXXX` (UTF-16, as Cypher reads it), so the script
    is plain ASCII and no character can end the literal or the statement."""
    out = ["'"]
    for ch in text:
        code = ord(ch)
        if ch in "\\'\"":
            out.append("\\" + ch)
        elif ch in _CYPHER_ESCAPES:
            out.append(_CYPHER_ESCAPES[ch])
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    out.append("'")
    return "".join(out)


_CYPHER_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def cypher_name(name: str) -> str:
    """A label, relationship type or property key, backtick-quoted."""
    return "`" + name.replace("`", "``") + "`"


def cypher_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_value(v) for v in value) + "]"
    return cypher_string(str(value))


def _cypher_map(d: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{cypher_name(k)}: {cypher_value(v)}" for k, v in sorted(d.items())) + "}"


def write_cypher(H: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    """A script of parameter-free statements, one per line, each ending in `;`: unique-id constraints,
    then `MERGE` of every node by `id` and every relationship by its `key`, so running it twice changes
    nothing. Load with `cypher-shell -f FILE`."""
    path = _open(Path(path))
    labels = sorted({str(d.get("type", "Node")) for _, d in H.nodes(data=True)})
    lines = [f"// kg export: {H.number_of_nodes()} nodes, {H.number_of_edges()} relationships"]
    for label in labels:
        lines.append(f"CREATE CONSTRAINT {cypher_name('kg_' + label.lower() + '_id')} IF NOT EXISTS "
                     f"FOR (n:{cypher_name(label)}) REQUIRE n.id IS UNIQUE;")
    for n, d in _nodes(H):
        props = {k: v for k, v in d.items() if k not in ("type", "id")}
        lines.append(f"MERGE (n:{cypher_name(str(d.get('type', 'Node')))} {{id: {cypher_string(n)}}}) "
                     f"SET n += {_cypher_map(props)};")
    for u, v, k, d in _edges(H):
        props = {a: x for a, x in d.items() if a not in ("type", "key")}
        lines.append(
            f"MATCH (a:{cypher_name(str(H.nodes[u].get('type', 'Node')))} {{id: {cypher_string(u)}}}), "
            f"(b:{cypher_name(str(H.nodes[v].get('type', 'Node')))} {{id: {cypher_string(v)}}}) "
            f"MERGE (a)-[r:{cypher_name(str(d.get('type', 'RELATED')))} {{key: {cypher_string(k)}}}]->(b) "
            f"SET r += {_cypher_map(props)};"
        )
    write_atomic(path, ["\n".join(lines), "\n"], encoding="ascii")
    return [path]


# --- Graphviz DOT ----------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A double-quoted DOT string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def _dot_attrs(d: dict[str, Any]) -> str:
    return ", ".join(f"{dot_string(k)}={dot_string(_dot_scalar(v))}" for k, v in d.items())


def _dot_scalar(value: Any) -> str:
    flat = _flat(value)
    if isinstance(flat, bool):
        return "true" if flat else "false"
    return str(flat)


def write_dot(H: nx.MultiDiGraph, path: str | Path) -> list[Path]:
    """Graphviz DOT with every id, attribute name and value quoted; `label` is the node name."""
    path = _open(Path(path))
    buf = io.StringIO()
    buf.write('digraph "kg" {\n')
    for n, d in _nodes(H):
        attrs = {"label": d.get("name", n), **{k: v for k, v in sorted(d.items())}}
        buf.write(f"  {dot_string(n)} [{_dot_attrs(attrs)}];\n")
    for u, v, k, d in _edges(H):
        attrs = {"key": k, **{a: x for a, x in sorted(d.items())}}
        buf.write(f"  {dot_string(u)} -> {dot_string(v)} [{_dot_attrs(attrs)}];\n")
    buf.write("}\n")
    write_atomic(path, [buf.getvalue()])
    return [path]


_WRITERS = {
    "graphml": write_graphml,
    "gexf": write_gexf,
    "json": write_json,
    "csv": write_csv,
    "cypher": write_cypher,
    "dot": write_dot,
}
