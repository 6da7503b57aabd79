"""Merge review: every merge, split, near miss and decision of a build, with its evidence.

`kg build` stores these rows in the graph file (`graph["resolution"]`), so `kg merges` lists them without
rebuilding; `kg merges join|split` turn a reader's judgement into a rule line of `merges.jsonl` beside the
graph (the shape of kg/data/aliases.jsonl), which every later build of the directory applies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import networkx as nx

from kg.errors import KgError
from kg.lookup import NameIndex
from kg.model import Merge
from kg.resolve import AliasRule
from kg.schema import loose_key

KINDS = ("merge", "kept apart", "split", "join", "near miss", "decision")
# Entity types whose spellings can be near misses of each other (typos, one letter dropped).
_NEAR_LABELS = ("System", "Model", "Hardware", "Dataset", "Benchmark")
_NEAR_MIN = 6  # shorter names differ by one letter too often to mean a typo (ARC, ARM, ART)


def _deletions(key: str) -> set[str]:
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}


def _one_edit(a: str, b: str) -> bool:
    """One letter dropped, added or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i in range(len(short)) if short[i] != long_[i]), len(short))
    return short[i:] == long_[i + 1:]


def near_misses(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Entities of one type whose names are one letter apart (a dropped, added, changed or swapped letter):
    not merged, because a spelling alone is no evidence, but listed for a reader to judge."""
    rows = []
    for label in _NEAR_LABELS:
        by_variant: dict[str, set[str]] = defaultdict(set)
        names: dict[str, str] = {}
        for n, d in G.nodes(data=True):
            if d.get("type") != label:
                continue
            key = loose_key(d.get("name", ""))
            if len(key) < _NEAR_MIN or not key.isascii():
                continue
            names[n] = key
            for v in _deletions(key):
                by_variant[v].add(n)
        pairs = set()
        for nodes in by_variant.values():
            ordered = sorted(nodes)
            for i, a in enumerate(ordered):
                for b in ordered[i + 1:]:
                    if _one_edit(names[a], names[b]) and not any(c.isdigit() for c in names[a] + names[b]):
                        pairs.add((a, b))
        for a, b in sorted(pairs):
            rows.append({"kind": "near miss", "label": label, "kept": a, "name": G.nodes[a]["name"], "merged": b,
                         "other": G.nodes[b]["name"],
                         "reason": "names one letter apart; kept apart (no shared alias, introducer or rule)"})
    return rows


def _nodes_of_rule(G: nx.MultiDiGraph, index: NameIndex, rule: AliasRule) -> list[str]:
    if rule.label == "Author":
        papers = {f"paper:{p}" for p in rule.papers}
        return sorted({u for p in papers if p in G for u, _, d in G.in_edges(p, data=True)
                       if d["type"] == "AUTHORED" and loose_key(G.nodes[u]["name"]) == loose_key(rule.names[0])})
    return sorted({n for name in rule.names for n in index.candidates(name, types=[rule.label])[:1]})


def resolution_rows(G: nx.MultiDiGraph, merges: Sequence[Merge], author_rows: Sequence[dict[str, Any]],
                    rules: Sequence[AliasRule]) -> list[dict[str, Any]]:
    """The review rows of a build; nodes touched by a recorded decision get a `decisions` attribute (so
    `kg show` says why they look the way they do)."""
    rows: list[dict[str, Any]] = []
    for m in merges:
        kind = "kept apart" if m.reason.startswith("not merged") else "merge"
        label = G.nodes[m.kept]["type"] if m.kept in G else ""
        rows.append({"kind": kind, "label": label, "kept": m.kept,
                     "name": G.nodes[m.kept]["name"] if m.kept in G else m.kept, "merged": m.merged,
                     "reason": m.reason.removeprefix("not merged: ")})
    rows.extend(author_rows)
    rows.extend(near_misses(G))
    index = NameIndex(G)
    for rule in rules:
        if not rule.where or rule.where.startswith("kg/data/"):
            continue
        nodes = _nodes_of_rule(G, index, rule)
        what = (f"{'joined' if rule.action == 'merge' else 'kept apart'}: {' + '.join(rule.names)}"
                + (f" on {len(rule.papers)} paper(s)" if rule.papers else ""))
        for n in nodes:
            G.nodes[n].setdefault("decisions", []).append(f"{rule.id} ({rule.where}): {what}")
        rows.append({"kind": "decision", "label": rule.label, "kept": nodes[0] if nodes else "",
                     "name": rule.names[0], "merged": " + ".join(rule.names[1:]) or ", ".join(rule.papers),
                     "reason": f"{rule.id} at {rule.where}: {what}" + (f" ({rule.note})" if rule.note else "")})
    order = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (order.get(r["kind"], 99), r["label"], r["kept"], str(r.get("merged", ""))))
    return rows


def list_rows(G: nx.MultiDiGraph, *, kind: str | None = None, label: str | None = None,
              name: str | None = None) -> list[dict[str, Any]]:
    """The stored rows, filtered by kind, node type or a name (matched against both sides, case ignored)."""
    if "resolution" not in G.graph:
        raise KgError("this graph file has no merge records: rebuild it with this version of kg (`kg build`)")
    if kind is not None and kind not in KINDS:
        raise KgError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    want = loose_key(name) if name else None
    out = []
    for r in G.graph["resolution"]:
        if kind and r["kind"] != kind or label and r["label"].casefold() != label.casefold():
            continue
        if want and want not in {loose_key(str(r.get(k, ""))) for k in ("name", "merged", "other", "kept")}:
            continue
        out.append(r)
    return out


def join_rule(G: nx.MultiDiGraph, a: str, b: str, *, number: int, note: str = "") -> AliasRule:
    """The rule that makes `b` one entity (or person) with `a`."""
    index = NameIndex(G)
    na, nb = _one(G, index, a), _one(G, index, b)
    ta, tb = G.nodes[na]["type"], G.nodes[nb]["type"]
    if ta != tb:
        raise KgError(f"cannot join {G.nodes[na]['name']!r} ({ta}) with {G.nodes[nb]['name']!r} ({tb}): "
                      "only entities of one type join")
    if na == nb:
        raise KgError(f"{a!r} and {b!r} are already one node ({na})")
    if ta == "Author":
        if loose_key(G.nodes[na]["name"]) != loose_key(G.nodes[nb]["name"]):
            raise KgError(f"{G.nodes[na]['name']!r} and {G.nodes[nb]['name']!r} are different names: only "
                          "people of one name join (add the spelling to the listing instead)")
        papers = sorted(_papers(G, na) | _papers(G, nb))
        return AliasRule(f"join-{number}", "merge", "Author", (G.nodes[na]["name"],), note=note, papers=tuple(papers))
    if ta in ("Paper", "Category", "Organization"):
        raise KgError(f"{ta} nodes are not merged by rules")
    return AliasRule(f"join-{number}", "merge", ta, (G.nodes[na]["name"], G.nodes[nb]["name"]),
                     name=G.nodes[na]["name"], note=note)


def split_rule(G: nx.MultiDiGraph, name: str, alias: str, *, number: int, note: str = "") -> AliasRule:
    """The rule that takes `alias` (a spelling, or for a person one of their papers) out of `name`."""
    index = NameIndex(G)
    n = _one(G, index, name)
    d = G.nodes[n]
    if d["type"] == "Author":
        papers = {p: G.nodes[p] for p in _papers(G, n, ids=True)}
        hits = sorted(p for p, pd in papers.items() if alias in (p, p.removeprefix("paper:"))
                      or loose_key(alias) == loose_key(pd.get("title", "")))
        if not hits:
            raise KgError(f"{alias!r} is not one of the {len(papers)} papers of {d['name']} ({n}): give a paper "
                          "id or title")
        return AliasRule(f"split-{number}", "forbid", "Author", (d["name"],), note=note,
                         papers=tuple(h.removeprefix("paper:") for h in hits))
    spellings = [s for s in d.get("aliases", []) if s != d["name"]]
    match = [s for s in spellings if s.casefold() == alias.casefold()] or \
            [s for s in spellings if loose_key(s) == loose_key(alias)]
    if not match:
        listed = ", ".join(repr(s) for s in spellings) or "none"
        raise KgError(f"{alias!r} is not a merged spelling of {d['name']} ({n}); its spellings: {listed}")
    return AliasRule(f"split-{number}", "forbid", d["type"], (d["name"], match[0]), note=note)


def rule_line(rule: AliasRule) -> dict[str, Any]:
    d: dict[str, Any] = {"id": rule.id, "action": rule.action, "label": rule.label, "names": list(rule.names)}
    if rule.name:
        d["name"] = rule.name
    if rule.papers:
        d["papers"] = list(rule.papers)
    if rule.note:
        d["note"] = rule.note
    return d


def _one(G: nx.MultiDiGraph, index: NameIndex, name: str) -> str:
    found = index.candidates(name)
    found = [n for n in found if G.nodes[n].get("type") != "Paper"] or found
    if not found:
        raise KgError(f"no node named {name!r} in the graph")
    if len(found) > 1 and name not in G:
        listed = ", ".join(f"{n} ({G.nodes[n]['type']})" for n in found[:6])
        raise KgError(f"{name!r} names {len(found)} nodes: {listed}; give the id")
    return found[0]


def _papers(G: nx.MultiDiGraph, n: str, *, ids: bool = False) -> set[str]:
    out = {v for _, v, d in G.out_edges(n, data=True) if d["type"] == "AUTHORED"}
    return out if ids else {p.removeprefix("paper:") for p in out}
