"""The embedded Cypher engine: a built graph loaded into LadybugDB (the maintained Kùzu fork), no server.

LadybugDB needs a fixed schema, so every label of `kg.schema` becomes a node table (primary key `id`)
and every edge type a relationship table, with the columns listed in the schema plus any extra
attribute found in the graph (typed from its values). The data goes in through `COPY ... FROM` a CSV
file we write ourselves: row-by-row `CREATE`/`UNWIND` inserts run at about 2,000 relationships/s,
bulk COPY at hundreds of thousands.

List values cannot use LadybugDB's own CSV list syntax (it keeps the quotes of quoted elements), so a
list is written as one string: a record separator (an empty list is only that) followed by elements
joined with a unit separator (each behind a one-character marker, since the split drops empty
parts), and split back inside the COPY query. Strings are always quoted, so an
empty string stays empty while an unquoted empty field is NULL (absent).

`open_graph(path)` caches the loaded database next to the graph file, keyed by a hash of the file, so
repeated `kg query` calls skip reading the JSON graph at all.
"""

from __future__ import annotations

import contextlib
import decimal
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import GraphError, QueryError
from kg.schema import EDGE_TYPES, NODE_PROPERTIES, NODE_TYPES

# Separators for list values inside one CSV field (see the module docstring). They are control
# characters no listing text contains; a value that does is rejected rather than silently split.
_LIST = "\x1e"
_ITEM = "\x1f"
# LadybugDB's string_split drops empty parts, so every element gets this one-character prefix (removed
# again after the split) and an empty string survives as a lone prefix.
_MARK = "\x1d"
_SCALAR_TYPES = ("STRING", "INT64", "DOUBLE", "BOOL")
_LIST_TYPES = ("STRING[]", "INT64[]")
# Attributes that are structure, not properties.
_NODE_SKIP = {"type", "id"}
_EDGE_SKIP = {"type", "source", "target", "key"}
# Bumped when the table layout changes, so an old cache is never reused.
_LAYOUT_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Table:
    """A node or relationship table: its name and `(column, type)` pairs, id/endpoints excluded."""

    name: str
    columns: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Result:
    """Rows of a query, as plain Python values (str, int, float, bool, None, lists, dicts)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def _value_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "BOOL"
    if isinstance(value, int):
        return "INT64"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return "INT64[]"
        return "STRING[]"
    return None


def _extra_columns(known: Mapping[str, str], attrs: Iterable[Mapping[str, Any]], skip: set[str],
                   where: str) -> dict[str, str]:
    """Columns for attributes the schema does not list, typed from the values seen."""
    extra: dict[str, str] = {}
    for d in attrs:
        for k, v in d.items():
            if k in skip or k in known or v is None:
                continue
            t = _value_type(v)
            if t is None:
                raise GraphError(f"{where}: attribute {k!r} has a {type(v).__name__} value; "
                                 "allowed: strings, numbers, booleans and lists of them")
            if extra.setdefault(k, t) != t:
                if {extra[k], t} == {"INT64", "DOUBLE"}:
                    extra[k] = "DOUBLE"
                elif {extra[k], t} == {"STRING[]", "INT64[]"}:
                    extra[k] = "STRING[]"
                else:
                    raise GraphError(f"{where}: attribute {k!r} mixes {extra[k]} and {t} values")
    return extra


def tables(G: nx.MultiDiGraph) -> tuple[list[Table], list[tuple[Table, tuple[tuple[str, str], ...]]]]:
    """The node tables and relationship tables (with their allowed label pairs) for `G`."""
    by_label: dict[str, list[Mapping[str, Any]]] = {label: [] for label in NODE_TYPES}
    for n, d in G.nodes(data=True):
        label = d.get("type")
        if label not in by_label:
            raise GraphError(f"node {n!r} has type {label!r}; allowed: {', '.join(NODE_TYPES)}")
        by_label[label].append(d)
    nodes = []
    for label, attrs in by_label.items():
        known = dict(NODE_PROPERTIES[label])
        known.update(sorted(_extra_columns(known, attrs, _NODE_SKIP, f"{label} nodes").items()))
        nodes.append(Table(label, tuple(known.items())))
    by_type: dict[str, list[Mapping[str, Any]]] = {t: [] for t in EDGE_TYPES}
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("type") not in by_type:
            raise GraphError(f"edge {u!r} -> {v!r} ({k!r}) has type {d.get('type')!r}; "
                             f"allowed: {', '.join(EDGE_TYPES)}")
        by_type[d["type"]].append(d)
    rels = []
    for etype, (pairs, _required, props) in EDGE_TYPES.items():
        known = dict(props)
        known.update(sorted(_extra_columns(known, by_type[etype], _EDGE_SKIP, f"{etype} edges").items()))
        rels.append((Table(etype, tuple(known.items())), pairs))
    return nodes, rels


def _ident(name: str) -> str:
    """Backtick-quote an identifier (labels and property names come from the schema or the graph's
    attribute names; quoting keeps names such as `end` or `from` from reading as keywords)."""
    return "`" + name.replace("`", "``") + "`"


def _cell(value: Any, ctype: str, where: str) -> str:
    if value is None:
        return ""
    if ctype == "STRING":
        if not isinstance(value, str):
            raise GraphError(f"{where}: expected a string, got {value!r}")
        return '"' + value.replace('"', '""') + '"'
    if ctype == "BOOL":
        if not isinstance(value, bool):
            raise GraphError(f"{where}: expected true/false, got {value!r}")
        return "true" if value else "false"
    if ctype in ("INT64", "DOUBLE"):
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                ctype == "INT64" and not isinstance(value, int)):
            raise GraphError(f"{where}: expected {'an integer' if ctype == 'INT64' else 'a number'}, "
                             f"got {value!r}")
        return repr(value)
    if not isinstance(value, list | tuple):
        raise GraphError(f"{where}: expected a list, got {value!r}")
    items = [str(v) for v in value]
    if any(_LIST in s or _ITEM in s or _MARK in s for s in items):
        raise GraphError(f"{where}: a list element contains a control character U+001D/U+001E/U+001F")
    return '"' + (_LIST + _ITEM.join(_MARK + s for s in items)).replace('"', '""') + '"'


def _load_expr(column: str, ctype: str) -> str:
    col = _ident(column)
    if ctype not in _LIST_TYPES:
        return col
    split = (f"list_transform(string_split(substring({col}, 2, size({col})), $item), "
             "kg_item -> substring(kg_item, 2, size(kg_item)))")
    full = split if ctype == "STRING[]" else f"CAST({split} AS {ctype})"
    return (f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} = $list THEN CAST([] AS {ctype}) "
            f"ELSE {full} END")


def _copy_query(table: str, path: Path, key_columns: list[str], columns: tuple[tuple[str, str], ...],
                options: str = "") -> str:
    # The CSV path is ours (a temp directory); single quotes are doubled in case the temp dir has one.
    src = str(path).replace("\\", "\\\\").replace("'", "\\'")
    header = ", ".join([f"{_ident(c)} STRING" for c in key_columns] +
                       [f"{_ident(c)} {'STRING' if t in _LIST_TYPES else t}" for c, t in columns])
    ret = ", ".join([_ident(c) for c in key_columns] + [_load_expr(c, t) for c, t in columns])
    return (f"COPY {_ident(table)} FROM (LOAD WITH HEADERS ({header}) FROM '{src}' "
            f"(header=true, parallel=false) RETURN {ret}){options}")


def _write_csv(path: Path, header: list[str], rows: Iterator[list[str]]) -> int:
    # Written by hand, not with csv.writer: it cannot quote every string while leaving NULLs bare.
    count = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")
            count += 1
    return count


def _connect(db: Any) -> Any:
    import ladybug

    return ladybug.Connection(db)


def load(G: nx.MultiDiGraph, path: str | Path | None = None) -> Any:
    """Load `G` into a new LadybugDB database (in memory when `path` is None) and return the
    `ladybug.Database`. `path` must not exist yet."""
    try:
        import ladybug
    except ImportError as err:  # pragma: no cover - ladybug is a dependency
        raise QueryError(f"the embedded engine needs LadybugDB: pip install ladybug ({err})") from None

    node_tables, rel_tables = tables(G)
    db = ladybug.Database(":memory:" if path is None else str(path))
    conn = ladybug.Connection(db)
    params = {"list": _LIST, "item": _ITEM}
    labels = {n: d["type"] for n, d in G.nodes(data=True)}
    with tempfile.TemporaryDirectory(prefix="kg-embedded-") as tmp:
        for t in node_tables:
            cols = ", ".join(f"{_ident(c)} {ty}" for c, ty in t.columns)
            conn.execute(f"CREATE NODE TABLE {_ident(t.name)}(id STRING PRIMARY KEY, {cols})")
            ids = sorted(n for n, label in labels.items() if label == t.name)
            if not ids:
                continue
            csv_path = Path(tmp) / f"node-{t.name}.csv"
            rows = ([_cell(n, "STRING", f"node {n!r}")] +
                    [_cell(G.nodes[n].get(c), ty, f"node {n!r} attribute {c!r}") for c, ty in t.columns]
                    for n in ids)
            _write_csv(csv_path, ["id"] + [c for c, _ in t.columns], rows)
            _execute(conn, _copy_query(t.name, csv_path, ["id"], t.columns), params)
        edges: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
        for u, v, k, d in G.edges(keys=True, data=True):
            edges.setdefault((d["type"], labels[u], labels[v]), []).append((u, v, k))
        for t, pairs in rel_tables:
            spec = ", ".join(f"FROM {_ident(a)} TO {_ident(b)}" for a, b in pairs)
            cols = "".join(f", {_ident(c)} {ty}" for c, ty in t.columns)
            conn.execute(f"CREATE REL TABLE {_ident(t.name)}({spec}{cols})")
            for a, b in pairs:
                found = sorted(edges.pop((t.name, a, b), []))
                if not found:
                    continue
                csv_path = Path(tmp) / f"rel-{t.name}-{a}-{b}.csv"
                rows = ([_cell(u, "STRING", "edge"), _cell(v, "STRING", "edge")] +
                        [_cell(G.edges[u, v, k].get(c), ty, f"edge {u!r} -> {v!r} ({k!r}) attribute {c!r}")
                         for c, ty in t.columns]
                        for u, v, k in found)
                _write_csv(csv_path, ["from", "to"] + [c for c, _ in t.columns], rows)
                options = f" (from='{a}', to='{b}')" if len(pairs) > 1 else ""
                _execute(conn, _copy_query(t.name, csv_path, ["from", "to"], t.columns, options), params)
        if edges:
            (etype, a, b), found = min(edges.items())
            raise GraphError(f"edge {found[0][0]!r} -> {found[0][1]!r}: {etype} may not join {a} to {b}; "
                             f"allowed: {', '.join(f'{x}->{y}' for x, y in EDGE_TYPES[etype][0])}")
    conn.close()
    return db


def _plain(value: Any) -> Any:
    """LadybugDB returns sums as Decimal and ids as dicts; make values comparable with Neo4j's."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not k.startswith("_")}
    return value


def _execute(conn: Any, cypher: str, params: Mapping[str, Any] | None = None) -> Any:
    try:
        return conn.execute(cypher, dict(params or {}))
    except RuntimeError as err:
        raise QueryError(f"embedded engine: {' '.join(str(err).split())}") from None


def run(db: Any, cypher: str, params: Mapping[str, Any] | None = None) -> Result:
    """Run one Cypher statement on a loaded database; engine errors become `QueryError`."""
    conn = _connect(db)
    try:
        res = _execute(conn, cypher, params)
        if isinstance(res, list):
            raise QueryError("run one Cypher statement at a time (the text holds several)")
        columns = tuple(res.get_column_names())
        rows = tuple(tuple(_plain(v) for v in row) for row in res.get_all())
        return Result(columns, rows)
    finally:
        conn.close()


def file_hash(path: Path) -> str:
    h = hashlib.sha256(_LAYOUT_VERSION.encode())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def cache_path(graph_file: Path, digest: str) -> Path:
    return graph_file.with_name(f".{graph_file.name}.{digest}.lbug")


def open_graph(graph_file: str | Path, *, cache: bool = True) -> Any:
    """A read-only database of the graph file. With `cache`, the loaded database is kept next to the
    graph as `.<name>.<hash>.lbug` and reused while the file is unchanged; an unwritable directory
    just means loading in memory."""
    import ladybug

    from kg.graphio import read_graph

    graph_file = Path(graph_file)
    if not cache:
        return load(read_graph(graph_file))
    if not graph_file.exists():
        read_graph(graph_file)  # raises the standard "no graph at ..." error
    target = cache_path(graph_file, file_hash(graph_file))
    if not target.exists():
        G = read_graph(graph_file)
        try:
            tmpdir = Path(tempfile.mkdtemp(prefix=f".{graph_file.name}.", dir=graph_file.parent))
        except OSError:
            return load(G)
        try:
            load(G, tmpdir / "db").close()
            # Atomic: a concurrent `kg query` sees either no cache or a complete one.
            os.replace(tmpdir / "db", target)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        for old in graph_file.parent.glob(f".{graph_file.name}.*.lbug"):
            if old != target:
                with contextlib.suppress(OSError):
                    old.unlink() if old.is_file() else shutil.rmtree(old)
    try:
        return ladybug.Database(str(target), read_only=True)
    except RuntimeError:
        # A cache left broken (disk full, an older engine): drop it and serve this query from memory;
        # the next query rebuilds it.
        with contextlib.suppress(OSError):
            target.unlink() if target.is_file() else shutil.rmtree(target)
        return load(read_graph(graph_file))


def query(graph_file: str | Path, cypher: str, params: Mapping[str, Any] | None = None, *,
          cache: bool = True) -> Result:
    """Run `cypher` on the graph file with the embedded engine."""
    db = open_graph(graph_file, cache=cache)
    try:
        return run(db, cypher, params)
    finally:
        db.close()


__all__ = ["Result", "Table", "cache_path", "load", "open_graph", "query", "run", "tables"]
