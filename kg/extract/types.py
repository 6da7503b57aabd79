"""Type decisions as data (`kg/data/types.jsonl`): names that are never systems, and what they are.

Each row has a stable `id`, a `name` and a `type`: `benchmark` moves the name to the paper's benchmarks
(MLPerf, TPC-H, KernelBench run workloads; they are neither systems nor datasets), `hardware` and `model`
to those fields (KNL, SGX); every other type (concept, protocol, language, format, isa, technique,
service, organization) removes it from the systems, and with it the relations that point at it. Applied to every extraction, learned or rules, last, so the rows decide
over any model: a user who disagrees edits the file (or gives `data_dir`) instead of retraining.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from kg.extract.gazetteer import data_path, norm, read_jsonl
from kg.model import Extraction, Mention

_FROM = ("systems_introduced", "systems_mentioned", "datasets")


class TypeTable(dict):
    """norm(name) -> type, and the `pattern` rows (a regular expression over the whole name as written)."""

    patterns: tuple[tuple[re.Pattern[str], str], ...] = ()

    def of(self, m: Mention, *, patterns: bool = True) -> str | None:
        typ = self.get(norm(m.name)) or self.get(norm(m.text))
        if typ is None and patterns:
            typ = next((t for rx, t in self.patterns if rx.fullmatch(m.name.strip())), None)
        return typ


@lru_cache(maxsize=4)
def load_types(path: str | None = None) -> TypeTable:
    rows = read_jsonl(path or data_path("types.jsonl"))
    table = TypeTable({norm(r["name"]): r["type"] for r in rows if "name" in r})
    table.patterns = tuple((re.compile(r["pattern"]), r["type"]) for r in rows if "pattern" in r)
    return table


# Types that name another field of the extraction: the mention moves there (`KNL` is hardware).
MOVE = {"benchmark": "benchmarks", "hardware": "hardware", "model": "models"}


def apply_types(ex: Extraction, table: dict[str, str]) -> Extraction:  # a TypeTable, or a plain dict
    moved: dict[str, list[Mention]] = {f: [] for f in MOVE.values()}
    dropped: set[str] = set()
    changes: dict[str, tuple[Mention, ...]] = {}
    for fld in _FROM:
        kept = []
        for m in getattr(ex, fld):
            # A pattern moves systems only: a dataset named `LongBench` is the annotators' dataset.
            typ = (table.of(m, patterns=fld != "datasets") if isinstance(table, TypeTable)
                   else table.get(norm(m.name)) or table.get(norm(m.text)))
            if typ is None or (fld == "datasets" and typ != "benchmark"):
                kept.append(m)
                continue
            dropped.update({norm(m.name), norm(m.text)})
            if typ in MOVE:
                moved[MOVE[typ]].append(replace(m, kind=typ, introduced=False, aliases=(), key=None))
        if len(kept) != len(getattr(ex, fld)):
            changes[fld] = tuple(kept)
    if not changes:
        return ex
    for fld, ms in moved.items():
        have = {norm(m.name) for m in getattr(ex, fld)}
        out = list(getattr(ex, fld))
        for m in ms:
            if norm(m.name) not in have:
                have.add(norm(m.name))
                out.append(m)
        changes[fld] = tuple(out)
    rels = tuple(r for r in ex.relations if norm(r.target) not in dropped
                 and not (r.source_kind == "system" and norm(r.source) in dropped))
    return replace(ex, **changes, relations=rels)  # type: ignore[arg-type]
