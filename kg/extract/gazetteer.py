"""The curated vocabularies of `kg/data/` (systems, models, hardware, datasets, techniques, generic terms),
compiled into trie regexes so that one `finditer` over an abstract finds every entry.

A trie regex (`vLLM|vLLM-based|...` folded into shared prefixes) costs about as much as one pass over the
text, where a plain alternation of hundreds of names would try each name at each position.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kg.errors import ExtractError
from kg.extract.rules import delimited, lowered

KIND_FILES = {"system": "systems.jsonl", "model": "models.jsonl", "hardware": "hardware.jsonl",
              "dataset": "datasets.jsonl", "technique": "techniques.jsonl"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One vocabulary entry: `key` is its stable data-file id."""

    kind: str
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None


@functools.lru_cache(maxsize=1 << 16)
def norm(name: str) -> str:
    """Case-, punctuation- and spacing-insensitive form used to compare names (`Megatron-LM` =
    `megatron lm`, `FlashInfer's` = `flashinfer`). Memoised: the same few thousand names are compared
    again in every abstract."""
    name = name.strip()
    if name.endswith(("'s", "\u2019s")):
        name = name[:-2]
    folded = name.casefold()
    if folded.isalnum():
        return folded
    return "".join(ch for ch in folded if ch.isalnum() or ch == "+")


def read_jsonl(path: Path | str) -> list[dict]:
    rows = []
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise ExtractError(f"{path}:{i}: not a JSON object ({err.msg})") from None
            if not isinstance(row, dict) or "id" not in row:
                raise ExtractError(f"{path}:{i}: each line needs an \"id\"")
            rows.append(row)
    return rows


def data_path(name: str) -> Path:
    return Path(str(resources.files("kg.data").joinpath(name)))


def trie_regex(words: Iterable[str]) -> str:
    """A regex that matches exactly `words`, preferring the longest, built as a prefix trie."""
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie(trie) if trie else r"(?!)"


def _trie(node: dict) -> str:
    alts = [re.escape(ch) + _trie(child) for ch, child in sorted(node.items()) if ch]
    if "" in node:
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?"
    return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"


# A name ends where no word character, and no hyphenated word, follows; `vLLM-based`, `PyTorch-like`
# still count as the name. An optional plural or possessive (`Lambdas`, `FlashInfer's`) is allowed.
_END = r"(?:'s|\u2019s|s|es)?(?![\w+]|-(?!based|like|style|powered|compatible|enabled|specific)\w)"
_START = r"(?<![\w\-./+])"


def _variants(surface: str) -> set[str]:
    """Hyphen/space variants of a multi-word technique (`mixture-of-experts` = `mixture of experts`)."""
    out = {surface}
    if "-" in surface:
        out.add(surface.replace("-", " "))
    if " " in surface:
        out.add(surface.replace(" ", "-"))
    return out


class Gazetteer:
    """All vocabularies, with two compiled matchers: case-sensitive surfaces (most names: `Ray`, `MAG`,
    `T5` must not match `ray`, `mag`, `t5`) and case-insensitive ones (distinctive names and techniques)."""

    def __init__(self, rows: dict[str, list[dict]], not_systems: Iterable[str]):
        self.entries: dict[tuple[str, str], Entry] = {}
        self.by_cs: dict[str, Entry] = {}
        self.by_ci: dict[str, Entry] = {}
        self.by_norm: dict[str, Entry] = {}
        for kind, kind_rows in rows.items():
            for r in kind_rows:
                entry = Entry(kind, str(r["id"]), r["name"], tuple(r.get("aliases", [])), r.get("parent"))
                self.entries[(kind, entry.key)] = entry
                surfaces = [entry.name, *entry.aliases]
                for s in (*surfaces, *r.get("acronyms", [])):
                    self.by_norm.setdefault((kind, norm(s)), entry)  # type: ignore[index]
                if r.get("match") is False:
                    # A taxonomy parent that is too vague to tag on its own (see its `note`).
                    continue
                if kind == "technique":
                    for s in surfaces:
                        for v in _variants(s):
                            self.by_ci.setdefault(v.casefold(), entry)
                    for a in r.get("acronyms", []):
                        self.by_cs.setdefault(a, entry)
                elif r.get("case_insensitive"):
                    for s in surfaces:
                        self.by_ci.setdefault(s.casefold(), entry)
                else:
                    for s in surfaces:
                        self.by_cs.setdefault(s, entry)
        self.not_systems = {norm(t) for t in not_systems}
        # Matched on `rules.delimited` views (see there): keys are the surfaces as that view spells them.
        self._cs_map = {delimited(s)[1:]: e for s, e in self.by_cs.items()}
        self._ci_map = {lowered(delimited(s)[1:]): e for s, e in self.by_ci.items()}
        self._cs = re.compile(" (" + trie_regex(self._cs_map) + ")" + _END)
        self._ci = re.compile(" (" + trie_regex(self._ci_map) + ")" + _END)

    def find(self, text: str, view: tuple[str, str] | None = None) -> list[tuple[int, int, Entry, str]]:
        """Every vocabulary entry in `text`: (start, end, entry, surface), longest and leftmost first,
        without overlaps. `view`: `(delimited(text), lowered(delimited(text)))` when the caller has them."""
        d, low = view or scan_view(text)
        hits: list[tuple[int, int, Entry, str]] = []
        for m in self._cs.finditer(d):
            s, e = m.span(1)
            hits.append((s - 1, e - 1, self._cs_map[m.group(1)], text[s - 1:e - 1]))
        for m in self._ci.finditer(low):
            s, e = m.span(1)
            hits.append((s - 1, e - 1, self._ci_map[m.group(1)], text[s - 1:e - 1]))
        if not hits:
            return hits
        hits.sort(key=_hit_order)
        out: list[tuple[int, int, Entry, str]] = []
        last = -1
        for h in hits:
            if h[0] >= last:
                out.append(h)
                last = h[1]
        return out

    def lookup(self, kind: str, name: str) -> Entry | None:
        return self.by_norm.get((kind, norm(name)))  # type: ignore[arg-type]

    def is_generic(self, name: str) -> bool:
        return norm(name) in self.not_systems


def scan_view(text: str) -> tuple[str, str]:
    """The two views the matchers scan: delimited, and delimited lower-cased (see `rules.delimited`)."""
    d = delimited(text)
    return d, lowered(d)


def _hit_order(h: tuple[int, int, Entry, str]) -> tuple[int, int]:
    return (h[0], h[0] - h[1])


@functools.lru_cache(maxsize=4)
def load_gazetteer(data_dir: str | None = None) -> Gazetteer:
    """The vocabularies from `kg/data/` (or another directory with the same file names)."""

    def path(name: str) -> Path:
        return Path(data_dir) / name if data_dir else data_path(name)

    rows = {}
    for kind, fname in KIND_FILES.items():
        p = path(fname)
        if not p.exists():
            raise ExtractError(f"vocabulary file {p} is missing (expected one of {', '.join(KIND_FILES.values())})")
        rows[kind] = read_jsonl(p)
    generic = [r.get("term", r["id"]) for r in read_jsonl(path("not_systems.jsonl"))]
    return Gazetteer(rows, generic)
