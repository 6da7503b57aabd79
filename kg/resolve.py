"""Resolution across the corpus: one entity per real system, technique, model, author, whatever its spelling.

Pure and deterministic (no spaCy, no networkx): the same mentions always give the same entities and ids,
whatever order the papers came in. Spellings are linked by union-find over a loose key (case, accents,
punctuation and possessives ignored), joined by acronym/long-form aliases that papers define, gazetteer and
taxonomy keys, plurals of known names, and user alias rules; rules may also forbid a merge. Every merge is
returned with its reason so `kg build --explain-merges` can show it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kg.errors import KgError
from kg.model import Evidence, Extraction, Merge, Mention, Paper
from kg.schema import loose_key, node_id, slug

# Extraction field -> graph label.
MENTION_LABELS = {"system": "System", "model": "Model", "hardware": "Hardware", "dataset": "Dataset",
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


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()
    key: str | None = None
    parent: str | None = None  # entity id of the taxonomy parent (techniques)
    discovered: bool = False


@dataclass(slots=True)
class Resolution:
    entities: dict[str, Entity] = field(default_factory=dict)
    index: dict[tuple[str, str], str] = field(default_factory=dict)  # (label, loose key) -> entity id
    merges: list[Merge] = field(default_factory=list)

    def entity_id(self, label: str, name: str) -> str | None:
        return self.index.get((label, loose_key(name)))


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
            )
        except (json.JSONDecodeError, KeyError, TypeError) as err:
            raise KgError(f"{where}:{lineno}: not an alias rule ({err}); expected "
                          '{"id": ..., "action": "merge"|"forbid", "label": ..., "names": [...]}') from None
        if rule.action not in ("merge", "forbid") or len(rule.names) < 2:
            raise KgError(f"{where}:{lineno}: rule {rule.id!r} needs action merge or forbid and two or more names")
        if rule.label not in MENTION_LABELS.values():
            raise KgError(f"{where}:{lineno}: rule {rule.id!r} has label {rule.label!r}; "
                          f"allowed: {', '.join(MENTION_LABELS.values())}")
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
    yield from ex.techniques


def resolve(extractions: Sequence[Extraction], *, rules: Sequence[AliasRule] = ()) -> Resolution:
    """Group every mention into entities; return the entities, a name index and the merges made."""
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
    return result




def _resolve_label(label: str, items: list[tuple[str, Mention]], rules: list[AliasRule],
                   taxonomy: dict[str, dict], out: Resolution) -> None:
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
        if m.key:
            uf.union(f"key:{m.key}", keys[0])
        for s, k in zip((m.name, _surface(m.text), *m.aliases), keys):
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
    introduced_keys = {loose_key(m.name) for _, m in items if m.introduced}
    for k in sorted(uf.parent):
        if k.endswith("s") and not k.startswith("key:") and k[:-1] in uf.parent and k not in introduced_keys:
            uf.union(k[:-1], k)
            why.setdefault(k, "plural")
    for a, b, rule in uf.refused:
        out.merges.append(Merge(kept=a, merged=b, reason=f"not merged: forbidden by alias rule {rule}"))

    groups: dict[str, list[tuple[str, Mention]]] = defaultdict(list)
    for pid, m in items:
        k = loose_key(m.name) or loose_key(m.text)
        if k:
            groups[uf.find(k)].append((pid, m))
    rule_names = {uf.find(loose_key(r.names[0])): r.name for r in rules if r.action == "merge" and r.name}
    used_ids: set[str] = set()
    entity_of_root: dict[str, str] = {}
    for root in sorted(groups):
        members = groups[root]
        gkeys = sorted({m.key for _, m in members if m.key})
        introduced = Counter(m.name for pid, m in members if m.introduced)
        if root in rule_names:
            display = rule_names[root]
        elif introduced:
            display = min(introduced, key=lambda n: (-introduced[n], n))
        elif gkeys and label == "Technique" and gkeys[0] in taxonomy:
            display = taxonomy[gkeys[0]]["name"]
        else:
            names = Counter(m.name for _, m in members)
            display = min(names, key=lambda n: (-names[n], n))
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
        out.entities[eid] = Entity(id=eid, label=label, name=display, aliases=tuple(surfaces),
                                   key=gkeys[0] if gkeys else None, parent=parent, discovered=discovered)
        entity_of_root[root] = eid
        for s in surfaces:
            k = loose_key(s)
            if s.casefold() == display.casefold() or k == loose_key(display):
                reason = "same name ignoring case, punctuation and possessive"
            else:
                reason = why.get(k, "linked through another spelling")
            out.merges.append(Merge(kept=eid, merged=s, reason=reason))
    # Every spelling points at the entity of its group; a spelling kept apart by a forbid rule and never
    # used as a name of its own points nowhere.
    for k in sorted(uf.parent):
        if not k.startswith("key:") and uf.find(k) in entity_of_root:
            out.index[(label, k)] = entity_of_root[uf.find(k)]


def resolve_authors(papers: Sequence[Paper], author_key) -> tuple[dict[str, str], dict[str, str], list[Merge]]:
    """Authors by normalized full name. Returns (key -> node id, node id -> display name, merges)."""
    forms: dict[str, Counter] = defaultdict(Counter)
    for p in papers:
        for a in p.authors:
            forms[author_key(a.name)][a.name] += 1
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    merges: list[Merge] = []
    for key in sorted(forms):
        counter = forms[key]
        display = min(counter, key=lambda n: (-counter[n], n))
        nid = node_id("Author", slug(key))
        ids[key] = nid
        names[nid] = display
        for other in sorted(set(counter) - {display}):
            merges.append(Merge(kept=nid, merged=other, reason="same author name after normalizing initials, "
                                                               "spacing and unicode"))
    return ids, names, merges
