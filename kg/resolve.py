"""Resolution across the corpus: one entity per real system, technique, model, author, whatever its spelling.

Pure and deterministic (no spaCy, no networkx): the same mentions always give the same entities and ids,
whatever order the papers came in. Spellings are linked by union-find over a loose key (case, accents,
punctuation and possessives ignored), joined by acronym/long-form aliases that papers define, gazetteer and
taxonomy keys, plurals of known names, and user alias rules; rules may also forbid a merge. Every merge is
returned with its reason so `kg build --explain-merges` can show it.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from kg.errors import KgError
from kg.model import Evidence, Extraction, Merge, Mention, Paper
from kg.schema import loose_key, node_id, slug
from kg.schema import loose_key as _loose_key

# Extraction field -> graph label.
MENTION_LABELS = {"system": "System", "model": "Model", "hardware": "Hardware", "dataset": "Dataset",
                  "benchmark": "Benchmark",
                  "technique": "Technique"}


@dataclass(frozen=True, slots=True)
class AliasRule:
    """From an aliases file: `merge` makes the names one entity (named `name` if given); `forbid` keeps
    them apart even when their spellings would match."""

    id: str
    action: str
    label: str
    names: tuple[str, ...]
    name: str | None = None
    note: str = ""
    # Label Author only: the papers on which `names[0]` is one person (merge) or someone else (forbid).
    papers: tuple[str, ...] = ()
    where: str = ""  # file:line the rule was read from


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()
    key: str | None = None
    parent: str | None = None  # entity id of the taxonomy parent (techniques)
    discovered: bool = False
    variant_of: str | None = None  # entity id of the family of a version or product (FlashAttention-2)
    # A system of the same name as another, introduced by a paper that shares no author with the
    # other's: its own entity (`system:mosaic-2`), with the reason.
    homonym_of: str | None = None
    split_reason: str | None = None


@dataclass(slots=True)
class Resolution:
    entities: dict[str, Entity] = field(default_factory=dict)
    index: dict[tuple[str, str], str] = field(default_factory=dict)  # (label, loose key) -> entity id
    merges: list[Merge] = field(default_factory=list)
    # (paper id, label, loose key) -> entity id: where one paper's name means its own homonym.
    per_paper: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # Entities a merge rule (or a user's decision) made one: never split again as homonyms.
    ruled: set[str] = field(default_factory=set)

    def mention_entity(self, label: str, m: Mention, paper: str | None = None) -> str | None:
        """The entity of one mention: by its written form first when that is kept apart (a version such as
        `FlashAttention-3`, matched under its family's name), else by its name, else by its text."""
        written = self.index.get((label, CASED + _surface(m.text).strip()))
        return written or self.entity_id(label, m.name, paper) or self.entity_id(label, m.text, paper)

    def entity_id(self, label: str, name: str, paper: str | None = None) -> str | None:
        if paper is not None and self.per_paper:
            own = self.per_paper.get((paper, label, loose_key(name)))
            if own is not None:
                return own
        # A name kept apart by its casing (`SparK` beside Spark) is found by its exact form first.
        return self.index.get((label, CASED + name.strip())) or self.index.get((label, loose_key(name)))


def load_alias_rules(path: str | Path | None = None) -> list[AliasRule]:
    """The default rules in kg/data/aliases.jsonl, or a user's file in the same shape."""
    if path is None:
        text = resources.files("kg.data").joinpath("aliases.jsonl").read_text(encoding="utf-8")
        where = "kg/data/aliases.jsonl"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise KgError(f"cannot read aliases file {path}: {err}") from None
        where = str(path)
    rules = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            d = json.loads(line)
            rule = AliasRule(
                id=str(d["id"]), action=d["action"], label=d.get("label", "System"),
                names=tuple(d["names"]), name=d.get("name"), note=d.get("note", ""),
                papers=tuple(str(p) for p in d.get("papers", ())), where=f"{where}:{lineno}",
            )
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise KgError(f"{where}:{lineno}: not an alias rule ({err}); expected "
                          '{"id": ..., "action": "merge"|"forbid", "label": ..., "names": [...]}') from None
        if rule.label == "Author":
            if rule.action not in ("merge", "forbid") or len(rule.names) != 1 or not rule.papers:
                raise KgError(f"{where}:{lineno}: author rule {rule.id!r} needs action merge or forbid, one name "
                              "and the papers it is about")
            rules.append(rule)
            continue
        if rule.action not in ("merge", "forbid") or len(rule.names) < 2:
            raise KgError(f"{where}:{lineno}: rule {rule.id!r} needs action merge or forbid and two or more names")
        if rule.label not in MENTION_LABELS.values():
            raise KgError(f"{where}:{lineno}: rule {rule.id!r} has label {rule.label!r}; "
                          f"allowed: {', '.join(MENTION_LABELS.values())}, Author")
        rules.append(rule)
    return rules


def load_taxonomy() -> dict[str, dict]:
    """Technique taxonomy entries by id (kg/data/techniques.jsonl)."""
    try:
        text = resources.files("kg.data").joinpath("techniques.jsonl").read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    entries = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("//"):
            d = json.loads(line)
            entries[d["id"]] = d
    return entries


_NO_EVIDENCE = Evidence("", 0, 0)


class _UnionFind:
    def __init__(self, forbidden: Iterable[tuple[str, str, str]]) -> None:
        self.parent: dict[str, str] = {}
        self.forbidden = [(a, b, rule) for a, b, rule in forbidden]
        self.refused: list[tuple[str, str, str]] = []

    def add(self, x: str) -> None:
        self.parent.setdefault(x, x)

    def find(self, x: str) -> str:
        self.add(x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        for x, y, rule in self.forbidden:
            rx, ry = self.find(x), self.find(y)
            if {rx, ry} == {ra, rb}:
                self.refused.append((a, b, rule))
                return
        # The smaller root wins so the result does not depend on the order of unions.
        lo, hi = sorted((ra, rb))
        self.parent[hi] = lo


def _surface(text: str) -> str:
    """Drop a possessive so `FlashInfer's` is not kept as an alias of FlashInfer."""
    for suffix in ("'s", "\u2019s"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _mentions(ex: Extraction) -> Iterable[Mention]:
    yield from ex.systems_introduced
    yield from ex.systems_mentioned
    yield from ex.models
    yield from ex.hardware
    yield from ex.datasets
    yield from ex.benchmarks
    yield from ex.techniques


def resolve(extractions: Sequence[Extraction], *, rules: Sequence[AliasRule] = (),
            papers: Sequence[Paper] = ()) -> Resolution:
    """Group every mention into entities; return the entities, a name index and the merges made.
    `papers` (their authors) let systems of one name introduced by unrelated papers stay apart."""
    result = Resolution()
    taxonomy = load_taxonomy()
    by_label: dict[str, list[tuple[str, Mention]]] = defaultdict(list)
    for ex in sorted(extractions, key=lambda e: e.id):
        for m in _mentions(ex):
            by_label[MENTION_LABELS[m.kind]].append((ex.id, m))
    # Relation ends name systems too (a baseline may appear only in a relation).
    for ex in sorted(extractions, key=lambda e: e.id):
        for r in ex.relations:
            for end in ([r.source] if r.source_kind == "system" else []) + [r.target]:
                by_label["System"].append((ex.id, Mention(name=end, text=end, kind="system", evidence=r.evidence)))
    # Parents of used techniques exist as entities so SUBTOPIC_OF has somewhere to point.
    technique_keys = {m.key for _, m in by_label.get("Technique", []) if m.key}
    pending = sorted(technique_keys)
    while pending:
        parent = (taxonomy.get(pending.pop()) or {}).get("parent")
        if parent and parent not in technique_keys and parent in taxonomy:
            technique_keys.add(parent)
            pending.append(parent)
            entry = taxonomy[parent]
            by_label["Technique"].append(("", Mention(name=entry["name"], text=entry["name"], kind="technique",
                                                      key=parent, parent=entry.get("parent"),
                                                      evidence=_NO_EVIDENCE)))
    for label in sorted(by_label):
        _resolve_label(label, by_label[label], [r for r in rules if r.label == label], taxonomy, result)
    if papers:
        split_homonyms(extractions, papers, result)
    return result


def split_homonyms(extractions: Sequence[Extraction], papers: Sequence[Paper], res: Resolution) -> None:
    """A system name that several papers introduce is one system only where the introducing papers
    are linked by a shared author (a follow-up, a journal version); otherwise each group of linked
    papers has its own entity. The group of the earliest paper (by year, then id) keeps the entity and
    the name's mentions in other papers; the others get `<id>-2`, `-3`, ... with `homonym_of` and the
    reason, and their own papers' mentions and relations point at them. A vocabulary name is no
    exception: three unrelated 2025-2026 papers each introducing their own `Optimus` are three systems."""
    from kg.ingest.names import author_key

    authors = {p.id: {author_key(a.name) for a in p.authors} for p in papers}
    year = {p.id: p.year or 9999 for p in papers}
    intro: dict[str, list[str]] = defaultdict(list)  # entity id -> introducing papers
    for ex in sorted(extractions, key=lambda e: e.id):
        for m in ex.systems_introduced:
            eid = res.entity_id("System", m.name)
            if eid and ex.id in authors and ex.id not in intro[eid]:
                intro[eid].append(ex.id)
    for eid, pids in sorted(intro.items()):
        ent = res.entities[eid]
        if len(pids) < 2 or eid in res.ruled:
            continue
        groups: list[list[str]] = []
        for pid in sorted(pids, key=lambda p: (year[p], p)):
            linked = [g for g in groups if any(authors[pid] & authors[q] for q in g)]
            if linked:
                linked[0].append(pid)
                for g in linked[1:]:  # a paper that links two groups joins them
                    linked[0].extend(g)
                    groups.remove(g)
            else:
                groups.append([pid])
        if len(groups) < 2:
            continue
        keys = [k for (label, k), v in res.index.items() if label == "System" and v == eid]
        for n, group in enumerate(groups[1:], 2):
            new_id = f"{eid}-{n}"
            while new_id in res.entities:
                new_id += "x"
            why = (f"introduced by {', '.join(sorted(group))}, which share no author with "
                   f"{', '.join(sorted(groups[0]))}")
            res.entities[new_id] = Entity(id=new_id, label="System", name=ent.name, aliases=ent.aliases,
                                          homonym_of=eid, split_reason=why)
            res.merges.append(Merge(kept=new_id, merged=ent.name, reason=f"not merged: homonym of {eid}, {why}"))
            for pid in group:
                for k in keys:
                    res.per_paper[(pid, "System", k)] = new_id




# Key prefix of a name matched in its own casing only (see `_cased_names`).
CASED = "cased:"


def _cased_names(items: list[tuple[str, Mention]]) -> dict[str, str | None]:
    """Introduced names that are not the vocabulary system they resemble, each with the vocabulary key
    it is a variant of (or None):
    - written in another casing than a vocabulary system with the same loose key (`SparK`, a new system,
      beside `Spark`): matched only as written, so a paper introducing `SparK` never becomes a paper about
      Spark, nor Spark's papers about SparK;
    - a version or product the rules matched to its family (`FlashAttention-2`, `NCCL EP` under the key of
      FlashAttention, NCCL): its own entity, VARIANT_OF the family, never the family itself."""
    by_loose: dict[str, set[str]] = defaultdict(set)
    by_key: dict[str, set[str]] = defaultdict(set)
    key_of: dict[str, str] = {}
    for _, m in items:
        if m.key and not m.introduced:
            forms = {m.name, _surface(m.text), *m.aliases}
            by_loose[loose_key(m.name)].update(forms)
            by_key[m.key].update(forms)
            for f in forms:
                key_of.setdefault(loose_key(f), m.key)
    out: dict[str, str | None] = {}
    for _, m in items:
        if not m.introduced:
            continue
        forms = by_loose.get(loose_key(m.name))
        if forms and m.name not in forms:
            out[m.name] = None
        elif m.key and m.key in by_key and m.name not in by_key[m.key] and \
                loose_key(m.name) not in {loose_key(f) for f in by_key[m.key]}:
            out[m.name] = m.key
        elif not m.key:
            # `NCCL EP` given the alias `NCCL`: the alias is its family, not another spelling.
            family = next((key_of[loose_key(a)] for a in m.aliases
                           if loose_key(a) in key_of and loose_key(a) != loose_key(m.name)), None)
            if family is not None:
                out[m.name] = family
    # An introduced name matches other papers only in its own casing where one of the two is an acronym in
    # capitals and the other is not: `SMART` elsewhere is not SMaRT, the system one paper introduces (while
    # `Bagpipe's` in another paper is BagPipe).
    intro_forms: dict[str, set[str]] = defaultdict(set)
    for _, m in items:
        if m.introduced and not m.key:
            for f in (m.name, *m.aliases):
                intro_forms[loose_key(f)].add(f.strip())
    for _, m in items:
        forms = intro_forms.get(loose_key(m.name))
        if not m.introduced and not m.key and forms and m.name.strip() not in forms \
                and _surface(m.text).strip() not in forms \
                and all(m.name.strip().isupper() != f.isupper() for f in forms):
            out.setdefault(m.name.strip(), None)
    return out


# What may follow a family's name in a version or size of it: `-2`, ` v2`, ` 3.0`, `-30B`, `o`, `-Large`.
_VERSION_TAIL = re.compile(r"[-\s.]?[A-Za-z0-9][\w.\- ]{0,14}")
_SIZE_WORDS = frozenset("large base small mini tiny medium xl xxl turbo pro ultra max lite instruct chat".split())


def _versioned(items: list[tuple[str, Mention]], canonical: dict[str, str]) -> tuple[list[tuple[str, Mention]], dict[str, str]]:
    """Mentions written as a version or size of their vocabulary entry (`FlashAttention-2`, `GPT-4o`,
    `OPT-30B` under the keys of FlashAttention, GPT-4, OPT), renamed to what was written, with the family
    key of each such name: they become their own entities, VARIANT_OF the family, never the family."""
    out, fam = [], {}
    for pid, m in items:
        base = canonical.get(m.key or "")
        if not base:
            out.append((pid, m))
            continue
        written = m.name if m.introduced else _surface(m.text)
        # A family's listed versions (`FlashAttention-2` among FlashAttention's aliases) are not its spellings.
        aliases = tuple(a for a in m.aliases if not _is_version(base, a) or a == written)
        if _is_version(base, written):
            fam[written] = m.key
            aliases = tuple(a for a in aliases if _loose_key(a) != _loose_key(base))
            m = replace(m, name=written, aliases=aliases)
        elif aliases != m.aliases:
            m = replace(m, aliases=aliases)
        out.append((pid, m))
    return out, fam


def _is_version(base: str, written: str) -> bool:
    tail = written[len(base):] if written.casefold().startswith(base.casefold()) else ""
    words = set(re.split(r"[-\s.]+", tail.casefold())) - {""}
    return bool(tail) and bool(_VERSION_TAIL.fullmatch(tail)) and tail.casefold() not in ("s", "es", "'s") and (
        any(c.isdigit() for c in tail) or bool(words & _SIZE_WORDS) or len(tail.strip("- ")) <= 2)


def _canonical_names() -> dict[str, dict[str, str]]:
    """Vocabulary key -> canonical name, for systems and models (kg/data/*.jsonl)."""
    out: dict[str, dict[str, str]] = {}
    for label, name in (("System", "systems.jsonl"), ("Model", "models.jsonl")):
        rows = out.setdefault(label, {})
        for line in resources.files("kg.data").joinpath(name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("//"):
                d = json.loads(line)
                rows[str(d["id"])] = d["name"]
    return out


def _resolve_label(label: str, items: list[tuple[str, Mention]], rules: list[AliasRule],
                   taxonomy: dict[str, dict], out: Resolution) -> None:
    versions: dict[str, str] = {}
    if label in ("System", "Model"):
        items, versions = _versioned(items, _canonical_names()[label])
    variants = {**versions, **(_cased_names(items) if label == "System" else {})}
    cased = set(variants)
    if cased:
        def loose_key(name: str) -> str:  # noqa: F811 -- this label's keys, with cased names apart
            return CASED + name.strip() if name.strip() in cased else _loose_key(name)
    else:
        loose_key = _loose_key
    forbidden = [(loose_key(a), loose_key(b), r.id) for r in rules if r.action == "forbid"
                 for i, a in enumerate(r.names) for b in r.names[i + 1:]]
    uf = _UnionFind(forbidden)
    why: dict[str, str] = {}  # loose key -> reason it joined its group
    for pid, m in items:
        keys = [loose_key(s) for s in (m.name, _surface(m.text), *m.aliases) if loose_key(s)]
        if not keys:
            continue
        for k in keys:
            uf.add(k)
        if m.key and m.name.strip() not in cased:
            uf.union(f"key:{m.key}", keys[0])
        for s, k in zip((m.name, _surface(m.text), *m.aliases), keys):
            if variants.get(m.name.strip()) and s != m.name and _loose_key(s) != _loose_key(m.name):
                continue  # a variant's family name is not one of its spellings
            if m.introduced and s in m.aliases and m.name.startswith((s + " ", s + "-")):
                continue  # `CANN` is the family of `CANN Bench`, not another way to write it
            if k != keys[0]:
                uf.union(keys[0], k)
                reason = (f"alias defined in paper {pid}" if m.introduced and s in m.aliases
                          else f"known alias ({'taxonomy' if label == 'Technique' else 'gazetteer'} id {m.key})"
                          if m.key else f"same mention in paper {pid}")
                why.setdefault(k, reason)
    for r in rules:
        if r.action == "merge":
            keys = [loose_key(n) for n in r.names]
            for k in keys[1:]:
                uf.union(keys[0], k)
                why.setdefault(k, f"alias rule {r.id}")
    # Plurals: `Bagpipes` joins `Bagpipe` when the singular is known and the plural never introduced.
    # A vocabulary name that ends in s (`pandas`) is not the plural of a name it has no key in common with
    # (`PANDA`, a checkpointing system one paper introduces).
    introduced_keys = {loose_key(m.name) for _, m in items if m.introduced}
    key_nodes = [k for k in uf.parent if k.startswith("key:")]
    keyed: set[str] | None = None  # the roots of groups with a vocabulary key, found again after a union
    for k in sorted(uf.parent):
        if k.endswith("s") and not k.startswith("key:") and k[:-1] in uf.parent and k not in introduced_keys:
            if keyed is None:
                keyed = {uf.find(x) for x in key_nodes}
            if uf.find(k) in keyed and uf.find(k[:-1]) not in keyed:
                continue
            uf.union(k[:-1], k)
            keyed = None
            why.setdefault(k, "plural")
    # A foundation's prefix names the same system (`Apache YARN` = `YARN`); a company's does not
    # (`NVIDIA MPS`, `PyTorch FSDP` are products of their own).
    if label == "System":
        for k in sorted(uf.parent):
            if k.startswith("apache") and len(k) > 8 and k[6:] in uf.parent:
                uf.union(k[6:], k)
                why.setdefault(k, "foundation prefix (Apache)")
    for a, b, rule in uf.refused:
        out.merges.append(Merge(kept=a, merged=b, reason=f"not merged: forbidden by alias rule {rule}"))

    groups: dict[str, list[tuple[str, Mention]]] = defaultdict(list)
    for pid, m in items:
        k = loose_key(m.name) or loose_key(m.text)
        if k:
            groups[uf.find(k)].append((pid, m))
    rule_names = {uf.find(loose_key(r.names[0])): r.name for r in rules if r.action == "merge" and r.name}
    rule_roots = {uf.find(loose_key(n)) for r in rules if r.action == "merge" for n in r.names if loose_key(n)}
    used_ids: set[str] = set()
    entity_of_root: dict[str, str] = {}
    # Groups with a vocabulary key first, so a known system keeps its canonical id (`system:spark`) and a
    # name kept apart from it (`SparK`) is the one that gets a suffix.
    def keyed_first(r: str) -> tuple[bool, str]:
        return (not any(m.key and m.name.strip() not in cased for _, m in groups[r]), r)

    for root in sorted(groups, key=keyed_first):
        members = groups[root]
        # A name kept apart by its casing or as a variant does not take its family's vocabulary key.
        gkeys = sorted({m.key for _, m in members if m.key and m.name.strip() not in cased})
        introduced = Counter(m.name for pid, m in members if m.introduced)
        if root in rule_names:
            display = rule_names[root]
        elif introduced:
            display = min(introduced, key=lambda n: (-introduced[n], n))
        elif gkeys and label == "Technique" and gkeys[0] in taxonomy:
            display = taxonomy[gkeys[0]]["name"]
        else:
            names = Counter(m.name for _, m in members)
            display = min(names, key=lambda n: (-names[n], n.startswith("Apache "), n))
        eid = node_id(label, gkeys[0] if gkeys else slug(display))
        n = 2
        while eid in used_ids:
            eid = node_id(label, f"{gkeys[0] if gkeys else slug(display)}-{n}")
            n += 1
        used_ids.add(eid)
        surfaces = sorted({s for _, m in members for s in (m.name, _surface(m.text), *m.aliases)
                           if loose_key(s) and uf.find(loose_key(s)) == root} - {display})
        parent = None
        discovered = False
        if label == "Technique":
            tax = taxonomy.get(gkeys[0], {}) if gkeys else {}
            parent_key = tax.get("parent") or next((m.parent for _, m in members if m.parent), None)
            parent = node_id("Technique", parent_key) if parent_key else None
            discovered = not gkeys and any(m.discovered for _, m in members)
        family = next((variants[m.name] for _, m in members if variants.get(m.name)), None)
        out.entities[eid] = Entity(id=eid, label=label, name=display, aliases=tuple(surfaces),
                                   key=gkeys[0] if gkeys else None, parent=parent, discovered=discovered,
                                   variant_of=f"key:{family}" if family else None)
        entity_of_root[root] = eid
        if root in rule_roots:
            out.ruled.add(eid)
        for s in surfaces:
            k = loose_key(s)
            if s.casefold() == display.casefold() or k == loose_key(display):
                reason = "same name ignoring case, punctuation and possessive"
            else:
                reason = why.get(k, "linked through another spelling")
            out.merges.append(Merge(kept=eid, merged=s, reason=reason))
    # A variant's family: the entity of its vocabulary key.
    for eid, ent in list(out.entities.items()):
        if ent.label == label and ent.variant_of and ent.variant_of.startswith("key:"):
            root = uf.find(ent.variant_of)
            fam = entity_of_root.get(root)
            out.entities[eid] = replace(ent, variant_of=fam if fam and fam != eid else None)
    # Every spelling points at the entity of its group; a spelling kept apart by a forbid rule and never
    # used as a name of its own points nowhere.
    for k in sorted(uf.parent):
        if not k.startswith("key:") and uf.find(k) in entity_of_root:
            out.index[(label, k)] = entity_of_root[uf.find(k)]
