"""`kg query`: Cypher on the embedded engine (default) or on Neo4j, and the bundled query files.

A query is Cypher text, a path to a `.cypher` file, or the name of a bundled query in `cypher/queries/`
(installed as the package `kg.cypher.queries`). A bundled file starts with `//` comment lines: the first
says what it answers; a line `// Params: name (type, default X), other (type)` declares its parameters.
Where one text cannot serve both engines, a variant `NAME.neo4j.cypher` or `NAME.ladybug.cypher` sits
beside `NAME.cypher` and is used on that engine.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from kg.config import Neo4jSettings
from kg.errors import QueryError
from kg.sinks.embedded import Result

ENGINES = ("ladybug", "neo4j")
_REPO_CYPHER = Path(__file__).resolve().parent.parent / "cypher"
_PARAM = re.compile(r"^\s*(\w+)\s*(?:\((.*)\))?\s*$")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str | None = None
    default: Any = None
    has_default: bool = False
    note: str | None = None  # what the header says beyond type and default (`e.g. "LoRA"`)


@dataclass(frozen=True, slots=True)
class QueryFile:
    """A bundled query: its name, its texts per engine, what it answers and its parameters."""

    name: str
    texts: Mapping[str, str]  # engine -> Cypher
    description: str
    params: tuple[Param, ...]

    def text(self, engine: str) -> str:
        return self.texts[engine]


def _cypher_root() -> Any:
    """`cypher/` as installed (`kg.cypher`), else the repository's copy (a source checkout)."""
    try:
        root = resources.files("kg.cypher")
        if root.joinpath("schema.cypher").is_file():
            return root
    except (ImportError, TypeError, OSError):
        pass  # not installed as a package (or an editable install's namespace quirk)
    return _REPO_CYPHER


def read_cypher_file(relative: str) -> str:
    """Text of a file under `cypher/` (e.g. `schema.cypher`, `queries/most-compared-systems.cypher`)."""
    node = _cypher_root()
    for part in relative.split("/"):
        node = node.joinpath(part)
    try:
        return node.read_text(encoding="utf-8")
    except OSError:
        raise QueryError(f"bundled Cypher file {relative!r} is missing from the installation") from None


def bundled_names() -> list[str]:
    """Names of the bundled queries, sorted."""
    folder = _cypher_root().joinpath("queries")
    names = {p.name.split(".")[0] for p in folder.iterdir() if p.name.endswith(".cypher")}
    return sorted(names)


def _parse_params(line: str, where: str) -> tuple[Param, ...]:
    params: list[Param] = []
    if line.strip().lower() == "none":
        return ()
    for part in re.split(r",\s*(?![^()]*\))", line):
        if not part.strip():
            continue
        m = _PARAM.match(part)
        if not m:
            raise QueryError(f"{where}: cannot read parameter {part.strip()!r}; "
                             "write `name (type, default X)`")
        name, inside = m.group(1), m.group(2) or ""
        ptype, default, has_default, notes = None, None, False, []
        for item in (i.strip() for i in inside.split(",") if i.strip()):
            if item.startswith("default "):
                default, has_default = parse_value(item[len("default "):].strip()), True
            elif ptype is None:
                ptype = item
            else:
                notes.append(item)
        params.append(Param(name, ptype, default, has_default, ", ".join(notes) or None))
    return tuple(params)


def _header(text: str, where: str) -> tuple[str, tuple[Param, ...]]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[2:].strip())
    if not lines or not lines[0]:
        raise QueryError(f"{where}: a query file must start with a `//` comment saying what it answers")
    description: list[str] = []
    params: tuple[Param, ...] = ()
    # Lines after `Params:` are notes (an engine variant's reason), not the description, even when the
    # query takes no parameters (`Params: none`).
    after_params = False
    for line in lines:
        if line.lower().startswith("params:"):
            params = _parse_params(line[len("params:"):], where)
            after_params = True
        elif not after_params:
            description.append(line)
    return " ".join(description), params


def load_query(name: str) -> QueryFile:
    """A bundled query by name; an unknown name lists the known ones."""
    names = bundled_names()
    if name not in names:
        raise QueryError(f"no bundled query {name!r}; known: {', '.join(names)}")
    folder = _cypher_root().joinpath("queries")
    base = folder.joinpath(f"{name}.cypher").read_text(encoding="utf-8")
    texts = {}
    for engine in ENGINES:
        variant = folder.joinpath(f"{name}.{engine}.cypher")
        texts[engine] = variant.read_text(encoding="utf-8") if variant.is_file() else base
    description, params = _header(base, f"cypher/queries/{name}.cypher")
    for engine, text in texts.items():
        if text is not base:
            _header(text, f"cypher/queries/{name}.{engine}.cypher")
    return QueryFile(name, texts, description, params)


def parse_value(text: str) -> Any:
    """A `--param` value: JSON when it parses (numbers, true/false, null, lists, "quoted"), else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_params(pairs: Sequence[str]) -> dict[str, Any]:
    """`["k=v", ...]` -> `{k: v}` with `parse_value` values."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"\w+", key.strip()):
            raise QueryError(f"--param {pair!r}: write NAME=VALUE, e.g. --param system=vLLM")
        params[key.strip()] = parse_value(value)
    return params


def resolve(query_or_file: str) -> tuple[dict[str, str], tuple[Param, ...], str]:
    """Texts per engine, declared parameters, and a label for messages."""
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", query_or_file) and query_or_file in bundled_names():
        qf = load_query(query_or_file)
        return dict(qf.texts), qf.params, f"query {qf.name!r}"
    path = Path(query_or_file)
    one_line = "\n" not in query_or_file and len(query_or_file) < 4096
    if path.suffix == ".cypher" or (one_line and path.is_file()):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise QueryError(f"cannot read query file {path}: {err.strerror or err}") from None
        params = _header(text, str(path))[1] if text.startswith("//") else ()
        return {e: text for e in ENGINES}, params, str(path)
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", query_or_file):
        raise QueryError(f"{query_or_file!r} is neither Cypher, a file, nor a bundled query; "
                         f"bundled: {', '.join(bundled_names())}")
    return {e: query_or_file for e in ENGINES}, (), "the query"


def _bind(declared: Sequence[Param], given: Mapping[str, Any], text: str, where: str) -> dict[str, Any]:
    params = {p.name: p.default for p in declared if p.has_default}
    params.update(given)
    used = set(re.findall(r"\$(\w+)", re.sub(r"//[^\n]*", "", text)))
    missing = sorted(used - set(params))
    if missing:
        raise QueryError(f"{where} needs --param {' --param '.join(f'{m}=...' for m in missing)}")
    unused = sorted(set(given) - used)
    if unused:
        raise QueryError(f"{where} has no parameter {', '.join('$' + u for u in unused)}; "
                         f"it uses: {', '.join('$' + u for u in sorted(used)) or 'none'}")
    # Only the parameters the text uses: LadybugDB rejects extra ones.
    return {k: v for k, v in params.items() if k in used}


def query(query_or_file: str, params: Mapping[str, Any] | None = None, *, graph: str | Path | None = None,
          neo4j: Neo4jSettings | None = None, cache: bool = True) -> Result:
    """Run a query (Cypher text, a `.cypher` file, or a bundled query name) on the embedded engine loaded
    from `graph` (a graph file or build directory), or on the Neo4j server when `neo4j` is given."""
    from kg.config import graph_path

    texts, declared, where = resolve(query_or_file)
    engine = "neo4j" if neo4j is not None else "ladybug"
    text = texts[engine]
    bound = _bind(declared, dict(params or {}), text, where)
    if neo4j is not None:
        from kg.sinks import neo4j as server

        return server.run(neo4j, text, bound)
    from kg.sinks import embedded

    return embedded.query(graph_path(graph), text, bound, cache=cache)


__all__ = ["Param", "QueryFile", "bundled_names", "load_query", "parse_params", "parse_value", "query",
           "read_cypher_file", "resolve"]
