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
import re
import shutil
import tempfile
import time
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
# A list column whose every element is plain (ids, file:line sources, numbers) is written in the engine's
# own `[a,b]` syntax and read by a plain COPY; the separator encoding above is only for lists whose
# elements could be misread (commas, brackets, quotes). Decoding that encoding with string_split inside
# COPY crashed LadybugDB on CO_AUTHOR lists of thousands of paper ids (100k-paper graphs).
_NATIVE = ":native"
# Kept as written by the engine's list reader: no separators, brackets, braces, quotes or backslashes, and
# no space at either end (it trims those).
_PLAIN_ITEM = re.compile(r"[^\s,\[\]{}'\"\\\x00-\x1f]([^,\[\]{}'\"\\\x00-\x1f]*[^\s,\[\]{}'\"\\\x00-\x1f])?")
_FIXUP_BATCH = 5000
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
    return _tables(_group_nodes(G.nodes(data=True)), _group_edges(G.edges(keys=True, data=True), _labels(G.nodes(data=True))))


NodeRow = tuple[str, Mapping[str, Any]]
EdgeRow = tuple[str, str, str, Mapping[str, Any]]


def _labels(nodes: Iterable[NodeRow]) -> dict[str, str]:
    return {n: d.get("type") for n, d in nodes}  # type: ignore[misc]


def _group_nodes(nodes: Iterable[NodeRow]) -> dict[str, list[NodeRow]]:
    by_label: dict[str, list[NodeRow]] = {label: [] for label in NODE_TYPES}
    for n, d in nodes:
        label = d.get("type")
        if label not in by_label:
            raise GraphError(f"node {n!r} has type {label!r}; allowed: {', '.join(NODE_TYPES)}")
        by_label[label].append((n, d))
    for rows in by_label.values():
        rows.sort(key=lambda r: r[0])
    return by_label


def _group_edges(edges: Iterable[EdgeRow], labels: Mapping[str, str]) -> dict[tuple[str, str, str], list[EdgeRow]]:
    """Edges by (type, source label, target label), each list sorted by (source, target, key)."""
    grouped: dict[tuple[str, str, str], list[EdgeRow]] = {}
    for u, v, k, d in edges:
        etype = d.get("type")
        if etype not in EDGE_TYPES:
            raise GraphError(f"edge {u!r} -> {v!r} ({k!r}) has type {etype!r}; allowed: {', '.join(EDGE_TYPES)}")
        if u not in labels or v not in labels:
            raise GraphError(f"edge {u!r} -> {v!r} ({k!r}) joins a node the graph does not have")
        grouped.setdefault((etype, labels[u], labels[v]), []).append((u, v, k, d))
    for rows in grouped.values():
        rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return grouped


def _tables(by_label: Mapping[str, list[NodeRow]], grouped: Mapping[tuple[str, str, str], list[EdgeRow]],
            omit: frozenset[tuple[str, str]] = frozenset()) -> tuple[list[Table], list[tuple[Table, tuple[tuple[str, str], ...]]]]:
    nodes = []
    for label, rows in by_label.items():
        known = dict(NODE_PROPERTIES[label])
        known.update(sorted(_extra_columns(known, (d for _, d in rows), _NODE_SKIP, f"{label} nodes").items()))
        nodes.append(Table(label, tuple((c, t) for c, t in known.items() if (label, c) not in omit)))
    rels = []
    for etype, (pairs, _required, props) in EDGE_TYPES.items():
        known = dict(props)
        attrs = (d for (t, _, _), rows in grouped.items() if t == etype for *_, d in rows)
        known.update(sorted(_extra_columns(known, attrs, _EDGE_SKIP, f"{etype} edges").items()))
        rels.append((Table(etype, tuple((c, t) for c, t in known.items() if (etype, c) not in omit)), pairs))
    return nodes, rels


def _ident(name: str) -> str:
    """Backtick-quote an identifier (labels and property names come from the schema or the graph's
    attribute names; quoting keeps names such as `end` or `from` from reading as keywords)."""
    return "`" + name.replace("`", "``") + "`"


class _BadCell(Exception):
    """A value that does not fit its column; the caller adds where it was (built only on failure)."""


def _string_cell(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is not str and not isinstance(value, str):
        raise _BadCell(f"expected a string, got {value!r}")
    return '"' + value.replace('"', '""') + '"' if '"' in value else '"' + value + '"'


def _bool_cell(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, bool):
        raise _BadCell(f"expected true/false, got {value!r}")
    return "true" if value else "false"


def _int_cell(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is not int and (isinstance(value, bool) or not isinstance(value, int)):
        raise _BadCell(f"expected an integer, got {value!r}")
    return repr(value)


def _double_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadCell(f"expected a number, got {value!r}")
    return repr(value)


def _native_list_cell(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, list | tuple):
        raise _BadCell(f"expected a list, got {value!r}")
    # Checked plain by `_plain_lists` / `_split_lists`: the engine's own list syntax, read by a plain COPY.
    return '"[' + ",".join(map(str, value)) + ']"'


def _encoded_list_cell(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, list | tuple):
        raise _BadCell(f"expected a list, got {value!r}")
    items = [str(v) for v in value]
    if any(_LIST in s or _ITEM in s or _MARK in s for s in items):
        raise _BadCell("a list element contains a control character U+001D/U+001E/U+001F")
    return '"' + (_LIST + _ITEM.join(_MARK + s for s in items)).replace('"', '""') + '"'


# One writer per column type, chosen once per table: the loader writes millions of cells.
_WRITERS = {"STRING": _string_cell, "BOOL": _bool_cell, "INT64": _int_cell, "DOUBLE": _double_cell,
            **{t: _encoded_list_cell for t in _LIST_TYPES}, **{t + _NATIVE: _native_list_cell for t in _LIST_TYPES}}


def _cell(value: Any, ctype: str) -> str:
    return _WRITERS[ctype](value)


def _node_rows(rows: list[NodeRow], columns: tuple[tuple[str, str], ...]) -> Iterator[list[str]]:
    writers = [(c, _WRITERS[ty]) for c, ty in columns]
    for n, d in rows:
        try:
            yield [_string_cell(n), *[w(d.get(c)) for c, w in writers]]
        except _BadCell:
            for c, ty in (("id", "STRING"), *columns):
                try:
                    _cell(n if c == "id" else d.get(c), ty)
                except _BadCell as err:
                    raise GraphError(f"node {n!r} attribute {c!r}: {err}") from None
            raise  # pragma: no cover - the loop above always finds it


def _edge_rows(rows: list[EdgeRow], columns: tuple[tuple[str, str], ...]) -> Iterator[list[str]]:
    writers = [(c, _WRITERS[ty]) for c, ty in columns]
    for u, v, k, d in rows:
        try:
            yield [_string_cell(u), _string_cell(v), *[w(d.get(c)) for c, w in writers]]
        except _BadCell:
            for c, ty in columns:
                try:
                    _cell(d.get(c), ty)
                except _BadCell as err:
                    raise GraphError(f"edge {u!r} -> {v!r} ({k!r}) attribute {c!r}: {err}") from None
            raise GraphError(f"edge {u!r} -> {v!r} ({k!r}): its ends must be strings") from None


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
                pair: tuple[str, str] | None = None) -> str:
    # The CSV path is ours (a temp directory); single quotes are escaped in case the temp dir has one.
    src = str(path).replace("\\", "\\\\").replace("'", "\\'")
    # parallel=false: abstracts hold quoted newlines, which the parallel CSV reader cannot split on.
    options = "header=true, parallel=false" + (f", from='{pair[0]}', to='{pair[1]}'" if pair else "")
    if not any(t in _LIST_TYPES for _, t in columns):
        # Plain COPY when no column needs its list decoded: it skips planning a LOAD subquery per table,
        # which cost about a tenth of a second each.
        return f"COPY {_ident(table)} FROM '{src}' ({options})"
    header = ", ".join([f"{_ident(c)} STRING" for c in key_columns] +
                       [f"{_ident(c)} {'STRING' if t in _LIST_TYPES else t}" for c, t in columns])
    ret = ", ".join([_ident(c) for c in key_columns] + [_load_expr(c, t) for c, t in columns])
    tail = f" (from='{pair[0]}', to='{pair[1]}')" if pair else ""
    return (f"COPY {_ident(table)} FROM (LOAD WITH HEADERS ({header}) FROM '{src}' "
            f"(header=true, parallel=false) RETURN {ret}){tail}")


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


def load(G: nx.MultiDiGraph, path: str | Path | None = None, *,
         omit: frozenset[tuple[str, str]] = frozenset()) -> Any:
    """Load `G` into a new LadybugDB database (in memory when `path` is None) and return the
    `ladybug.Database`. `path` must not exist yet. `omit`: (label or edge type, property) columns to
    leave out (the abstracts, for a query that never reads them)."""
    return load_records(list(G.nodes(data=True)), list(G.edges(keys=True, data=True)), path, omit=omit)


def load_records(nodes: list[NodeRow], edges: Iterable[EdgeRow], path: str | Path | None = None, *,
                 omit: frozenset[tuple[str, str]] = frozenset()) -> Any:
    """`load` from the graph's node and edge records directly, without building a networkx graph."""
    try:
        import ladybug
    except ImportError as err:  # pragma: no cover - ladybug is a dependency
        raise QueryError(f"the embedded engine needs LadybugDB: pip install ladybug ({err})") from None

    by_label = _group_nodes(nodes)
    grouped = _group_edges(edges, _labels(nodes))
    node_tables, rel_tables = _tables(by_label, grouped, omit)
    db = ladybug.Database(":memory:" if path is None else str(path))
    conn = ladybug.Connection(db)
    params = {"list": _LIST, "item": _ITEM}
    with tempfile.TemporaryDirectory(prefix="kg-embedded-") as tmp:
        for t in node_tables:
            cols = ", ".join(f"{_ident(c)} {ty}" for c, ty in t.columns)
            conn.execute(f"CREATE NODE TABLE {_ident(t.name)}(id STRING PRIMARY KEY{', ' if cols else ''}{cols})")
            rows = by_label[t.name]
            if not rows:
                continue
            csv_path = Path(tmp) / f"node-{t.name}.csv"
            columns, plain_rows, fixups = _split_lists(t.columns, rows)
            _write_csv(csv_path, ["id"] + [c for c, _ in columns], _node_rows(plain_rows, columns))
            _execute(conn, _copy_query(t.name, csv_path, ["id"], columns), _params_of(columns, params))
            _set_lists(conn, t.name, fixups)
        for t, pairs in rel_tables:
            spec = ", ".join(f"FROM {_ident(a)} TO {_ident(b)}" for a, b in pairs)
            cols = "".join(f", {_ident(c)} {ty}" for c, ty in t.columns)
            conn.execute(f"CREATE REL TABLE {_ident(t.name)}({spec}{cols})")
            for a, b in pairs:
                found = grouped.pop((t.name, a, b), [])
                if not found:
                    continue
                csv_path = Path(tmp) / f"rel-{t.name}-{a}-{b}.csv"
                columns = _plain_lists(t.columns, (d for *_, d in found))
                _write_csv(csv_path, ["from", "to"] + [c for c, _ in columns], _edge_rows(found, columns))
                _execute(conn, _copy_query(t.name, csv_path, ["from", "to"], columns,
                                           (a, b) if len(pairs) > 1 else None), _params_of(columns, params))
        if grouped:
            (etype, a, b), found = min(grouped.items())
            raise GraphError(f"edge {found[0][0]!r} -> {found[0][1]!r}: {etype} may not join {a} to {b}; "
                             f"allowed: {', '.join(f'{x}->{y}' for x, y in EDGE_TYPES[etype][0])}")
    conn.close()
    return db


def _params_of(columns: tuple[tuple[str, str], ...], params: dict[str, str]) -> dict[str, str]:
    # A plain COPY takes no parameters (and refuses unused ones); the LOAD form decodes lists with them.
    return params if any(ty in _LIST_TYPES for _, ty in columns) else {}


def _is_plain(value: Any) -> bool:
    return not value or all(isinstance(v, str | int) and not isinstance(v, bool) and _PLAIN_ITEM.fullmatch(str(v))
                            for v in value)


def _split_lists(columns: tuple[tuple[str, str], ...], rows: list[NodeRow]
                 ) -> tuple[tuple[str, str], list[NodeRow], list[dict[str, Any]]]:
    """A node table's list columns in the engine's own syntax (a plain COPY), with the rows whose lists
    hold unusual elements (`it's`, `a,b`, an empty string) loaded without their lists and returned as
    fix-ups, set afterwards from parameters: nothing in them is parsed."""
    lists = [c for c, t in columns if t in _LIST_TYPES]
    if not lists:
        return columns, rows, []
    native = tuple((c, t + _NATIVE if t in _LIST_TYPES else t) for c, t in columns)
    plain_rows: list[NodeRow] = []
    fixups: list[dict[str, Any]] = []
    for n, d in rows:
        if all(_is_plain(d.get(c)) for c in lists):
            plain_rows.append((n, d))
            continue
        for c in lists:  # the type check the CSV writer would have made
            if d.get(c) is not None and not isinstance(d[c], list | tuple):
                raise GraphError(f"node {n!r} attribute {c!r}: expected a list, got {d[c]!r}")
        plain_rows.append((n, {k: v for k, v in d.items() if k not in lists}))
        fixups.append({"id": n, **{c: list(d[c]) for c in lists if d.get(c) is not None}})
    return native, plain_rows, fixups


def _set_lists(conn: Any, table: str, fixups: list[dict[str, Any]]) -> None:
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in fixups:
        by_columns.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for cols, rows in sorted(by_columns.items()):
        if not cols:
            continue
        sets = ", ".join(f"n.{_ident(c)} = r.{_ident(c)}" for c in cols)
        for i in range(0, len(rows), _FIXUP_BATCH):
            _execute(conn, f"UNWIND $rows AS r MATCH (n:{_ident(table)} {{id: r.id}}) SET {sets}",
                     {"rows": rows[i:i + _FIXUP_BATCH]})


def _plain_lists(columns: tuple[tuple[str, str], ...], attrs: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """`columns` with every list column marked native when all the table's list elements are plain;
    otherwise unchanged (one encoded list column sends the whole table through the LOAD form)."""
    lists = [c for c, t in columns if t in _LIST_TYPES]
    if not lists:
        return columns
    for d in attrs:
        for c in lists:
            if not _is_plain(d.get(c)):
                return columns
    return tuple((c, t + _NATIVE if t in _LIST_TYPES else t) for c, t in columns)


def _plain(value: Any) -> Any:
    """LadybugDB returns sums as Decimal and ids as dicts; make values comparable with Neo4j's."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if "_NODES" in value:  # a path: its nodes, as the Neo4j engine gives it (`kg.sinks.neo4j._value`)
            return [_plain(n) for n in value["_NODES"]]
        return {k: _plain(v) for k, v in value.items() if not k.startswith("_")}
    return value


def _execute(conn: Any, cypher: str, params: Mapping[str, Any] | None = None) -> Any:
    try:
        return conn.execute(cypher, dict(params or {}))
    except RuntimeError as err:
        raise QueryError(f"embedded engine: {' '.join(str(err).split())}") from None


class _NeedsFull(Exception):
    """A row held a whole node or relationship of a table this database holds without some columns."""


def _exposes(value: Any, tables: frozenset[str]) -> bool:
    """Whether an engine value holds a whole node or relationship (a dict with `_LABEL`, also inside
    paths, lists and maps) of one of `tables`."""
    if isinstance(value, dict):
        return value.get("_LABEL") in tables or any(_exposes(v, tables) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_exposes(v, tables) for v in value)
    return False


def run(db: Any, cypher: str, params: Mapping[str, Any] | None = None, *,
        partial: frozenset[str] = frozenset()) -> Result:
    """Run one Cypher statement on a loaded database; engine errors become `QueryError`. `partial`:
    tables loaded without some columns; a row holding a whole node or relationship of one raises
    `_NeedsFull` (its properties would be incomplete)."""
    conn = _connect(db)
    try:
        res = _execute(conn, cypher, params)
        if isinstance(res, list):
            raise QueryError("run one Cypher statement at a time (the text holds several)")
        columns = tuple(res.get_column_names())
        raw = res.get_all()
        if partial and any(_exposes(v, partial) for row in raw for v in row):
            raise _NeedsFull
        rows = tuple(tuple(_plain(v) for v in row) for row in raw)
        return Result(columns, rows)
    finally:
        conn.close()


def file_hash(path: Path) -> str:
    h = hashlib.sha256(_LAYOUT_VERSION.encode())
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def cache_path(graph_file: Path, digest: str, variant: str = "full") -> Path:
    return graph_file.with_name(f".{graph_file.name}.{digest}.{variant}.lbug")


# Columns a query rarely reads and that dominate the load: the abstracts are about 90% of the Paper
# table's bytes, the evidence sentences most of every relationship table's. A query whose text never
# names one of them is served from a database without it (each combination is its own cache).
HEAVY = {"abstract": frozenset({("Paper", "abstract")}),
         "evidence": frozenset((etype, "evidence") for etype, (_, _, props) in EDGE_TYPES.items() if "evidence" in props)}
LEAN_OMIT = frozenset().union(*HEAVY.values())


# Text that reads every property of whatever it is given: such a query is served the full database.
_ALL_PROPERTIES = ("properties(", "keys(", ".*")


def variant_for(cypher: str | None) -> str:
    """"full", or "no-" and the heavy columns the query never names (`no-abstract-evidence`). A query
    that returns whole nodes or relationships is found only when it runs (`run` checks the rows, and
    `query` then serves it from the full database), so that a `RETURN p` always has every property."""
    text = (cypher or "").casefold()
    if any(t in text for t in _ALL_PROPERTIES):
        return "full"
    left_out = [name for name in sorted(HEAVY) if cypher is not None and name not in text]
    return "no-" + "-".join(left_out) if left_out else "full"


def _omitted(variant: str) -> frozenset[tuple[str, str]]:
    if variant == "full":
        return frozenset()
    return frozenset().union(*(HEAVY[name] for name in variant.removeprefix("no-").split("-")))


def _records(graph_file: Path) -> tuple[list[NodeRow], list[EdgeRow]]:
    from kg.graphio import read_graph_data

    data = read_graph_data(graph_file)
    nodes = [(d["id"], d) for d in data["nodes"]]
    edges = [(d["source"], d["target"], d["key"], d) for d in data.get("edges", [])]
    return nodes, edges


def _load_file(graph_file: Path, path: Path | None, variant: str) -> Any:
    nodes, edges = _records(graph_file)
    return load_records(nodes, edges, path, omit=_omitted(variant))


def open_graph(graph_file: str | Path, *, cache: bool = True, cypher: str | None = None) -> Any:
    """A read-only database of the graph file. With `cache`, the loaded database is kept next to the
    graph as `.<name>.<hash>.<variant>.lbug` and reused while the file is unchanged; an unwritable
    directory just means loading in memory. `cypher`: the query to serve, so that one which never reads
    abstracts is served from a database without them (`variant_for`)."""
    import ladybug

    graph_file = Path(graph_file)
    variant = variant_for(cypher)
    if not cache:
        return _load_file(graph_file, None, variant)
    if not graph_file.exists():
        _records(graph_file)  # raises the standard "no graph at ..." error
    digest = file_hash(graph_file)
    target = cache_path(graph_file, digest, variant)
    if not target.exists():
        try:
            tmpdir = Path(tempfile.mkdtemp(prefix=f".{graph_file.name}.", suffix=".loading", dir=graph_file.parent))
        except OSError:
            return _load_file(graph_file, None, variant)
        try:
            _load_file(graph_file, tmpdir / "db", variant).close()
            # Atomic: a concurrent `kg query` sees either no cache or a complete one.
            os.replace(tmpdir / "db", target)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        _drop_stale(graph_file, digest)
    try:
        return ladybug.Database(str(target), read_only=True)
    except RuntimeError:
        # A cache left broken (disk full, an older engine): drop it and serve this query from memory;
        # the next query rebuilds it.
        with contextlib.suppress(OSError):
            target.unlink() if target.is_file() else shutil.rmtree(target)
        return _load_file(graph_file, None, variant)


def _drop_stale(graph_file: Path, digest: str) -> None:
    """Caches of earlier versions of the graph, and loading folders a killed query left behind."""
    for old in graph_file.parent.glob(f".{graph_file.name}.*"):
        stale = (old.name.endswith(".lbug") and f".{digest}." not in old.name) or (
            old.name.endswith(".loading") and time.time() - old.stat().st_mtime > 3600)
        if stale:
            with contextlib.suppress(OSError):
                old.unlink() if old.is_file() else shutil.rmtree(old)


def query(graph_file: str | Path, cypher: str, params: Mapping[str, Any] | None = None, *,
          cache: bool = True) -> Result:
    """Run `cypher` on the graph file with the embedded engine: from a database without the heavy
    columns the query never names, or from the full one when its rows hold whole nodes or
    relationships of those tables."""
    partial = frozenset(table for table, _ in _omitted(variant_for(cypher)))
    db = open_graph(graph_file, cache=cache, cypher=cypher)
    try:
        return run(db, cypher, params, partial=partial)
    except _NeedsFull:
        pass
    finally:
        db.close()
    db = open_graph(graph_file, cache=cache)
    try:
        return run(db, cypher, params)
    finally:
        db.close()


__all__ = ["Result", "Table", "cache_path", "load", "open_graph", "query", "run", "tables"]
