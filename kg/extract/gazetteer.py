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
from kg.extract.tokens import GAZ, GAZ_CI, MODEL, TokenClasses, first_part

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


def first_parts(surfaces: Iterable[str], lower: bool = False) -> frozenset[str]:
    """The first words (`rules.first_part`) of `surfaces`, also with a plural `s`/`es`: a surface can
    only start at a token whose first word is one of them."""
    out: set[str] = set()
    for s in surfaces:
        head = first_part(s.lower() if lower else s)
        out.update((head, head + "s", head + "es"))
    return frozenset(out)


# A name ends where no word character, and no hyphenated word, follows; `vLLM-based`, `PyTorch-like`
# still count as the name. An optional plural or possessive (`Lambdas`, `FlashInfer's`) is allowed.
_END = r"(?:'s|\u2019s|s|es)?(?![\w+]|-(?!based|like|style|powered|compatible|enabled|specific)\w)"
_START = r"(?<![\w\-./+])"
_MODEL_SUFFIX_START = (r"(?=-v?\d|\d| \d+(?:\.\d+)?[BM]\b|-(?:V|Chat|Instruct|Base|hf|XL|Large|Small|Medium|mini|nano|turbo|Turbo|"
                       r"preview)\b)")


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

    def __init__(self, rows: dict[str, list[dict]], not_systems: Iterable[str],
                 not_system_patterns: Iterable[str] = ()):
        self.entries: dict[tuple[str, str], Entry] = {}
        self.by_cs: dict[str, Entry] = {}
        self.by_ci: dict[str, Entry] = {}
        self.by_norm: dict[tuple[str, str], Entry] = {}
        for kind, kind_rows in rows.items():
            for r in kind_rows:
                entry = Entry(kind, str(r["id"]), r["name"], tuple(r.get("aliases", [])), r.get("parent"))
                self.entries[(kind, entry.key)] = entry
                surfaces = [entry.name, *entry.aliases]
                for s in (*surfaces, *r.get("acronyms", [])):
                    self.by_norm.setdefault((kind, norm(s)), entry)
                if r.get("match") is False:
                    # A taxonomy parent that is too vague to tag on its own (see its `note`).
                    continue
                if kind == "technique" and r.get("case_insensitive") is False:
                    for s in surfaces:  # a name that is also a word in lower case (`SCAFFOLD`)
                        self.by_cs.setdefault(s, entry)
                elif kind == "technique":
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
        # General rules from not_systems.jsonl (`pattern` rows): whole names that are never systems.
        self.not_system_patterns = [re.compile(p) for p in not_system_patterns]
        self._generic: dict[str, bool] = {}
        self._cs = re.compile(_START + "(" + trie_regex(self.by_cs) + ")" + _END)
        self._ci = re.compile(_START + "(" + trie_regex(self.by_ci) + ")" + _END, re.I)
        # A model family followed by a size or variant suffix (`ResNet-50`, `BERT-Large`, `GPT-4o-mini`):
        # the family is matched here (the name end above rejects `-50`); `core` extends it to the suffix.
        models = [s for s, e in self.by_cs.items() if e.kind == "model"]
        self._model_family = re.compile(_START + "(" + trie_regex(models) + ")" + _MODEL_SUFFIX_START)
        self.classes = TokenClasses(first_parts(self.by_cs), first_parts(self.by_ci, lower=True),
                                    first_parts(models))

    def find(self, text: str, tokens: list[tuple[int, int]] | None = None,
             ) -> list[tuple[int, int, Entry, str]]:
        """Every vocabulary entry in `text`: (start, end, entry, surface), longest and leftmost first,
        without overlaps. `tokens`: (start, classes) of its classified tokens (`rules.TokenClasses`);
        each pattern is only tried at tokens of its class (else all of `text` is scanned)."""
        hits: list[tuple[int, int, Entry, str]] = []
        if tokens is None:
            cs = list(self._cs.finditer(text)) + list(self._model_family.finditer(text))
            ci = list(self._ci.finditer(text))
        else:
            cs = []
            ci = []
            for p, b in tokens:
                if b & GAZ:
                    m = self._cs.match(text, p)
                    if m is not None:
                        cs.append(m)
                    elif b & MODEL:
                        m = self._model_family.match(text, p)
                        if m is not None:
                            cs.append(m)
                if b & GAZ_CI:
                    m = self._ci.match(text, p)
                    if m is not None:
                        ci.append(m)
        for m in cs:
            surface = m.group(1)
            hits.append((m.start(1), m.end(1), self.by_cs[surface], surface))
        for m in ci:
            surface = m.group(1)
            entry = self.by_ci.get(surface.casefold())
            if entry is not None:
                hits.append((m.start(1), m.end(1), entry, surface))
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
        return self.by_norm.get((kind, norm(name)))

    def is_generic(self, name: str) -> bool:
        """Whether `name` is a generic term (`LLM`, `SOTAs`, `FP16`, `GPU-oriented`), never a system."""
        got = self._generic.get(name)
        if got is None:
            bare = re.sub(r"(?:'s|\u2019s)$", "", name.strip())
            got = norm(bare) in self.not_systems or any(p.fullmatch(bare) for p in self.not_system_patterns)
            if not got and ("-" in bare or "/" in bare):
                got = self._generic_compound(bare)
            self._generic[name] = got
        return got

    def _generic_compound(self, name: str) -> bool:
        """`GPU-sharing`, `CPU/GPU`, `LLM-system`: parts that are generic terms, technique acronyms or
        common nouns, at least one of them not a common noun, make no name (`KV-passthrough` is one)."""
        parts = [p for p in re.split(r"[-/]", name) if p]
        if len(parts) < 2:
            return False
        marked = 0
        for p in parts:
            if norm(p) in self.not_systems or self.lookup("technique", p) or self.lookup("hardware", p):
                marked += 1
            elif p not in _COMMON_PARTS:
                return False
        return marked > 0


# Common nouns that join a generic term without making a name (`GPU-cluster`, `LLM-system`).
_COMMON_PARTS = frozenset("system systems cluster clusters sharing serving training inference model models "
                          "node nodes server servers kernel kernels cache memory level side time hybrid".split())


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
    generic_rows = read_jsonl(path("not_systems.jsonl"))
    generic = [r.get("term", r["id"]) for r in generic_rows if "pattern" not in r]
    patterns = []
    for i, r in enumerate(generic_rows, 1):
        if "pattern" in r:
            try:
                re.compile(r["pattern"])
            except re.error as err:
                raise ExtractError(
                    f"{path('not_systems.jsonl')}: entry {r['id']!r}: bad pattern ({err})") from None
            patterns.append(r["pattern"])
    return Gazetteer(rows, generic, patterns)
