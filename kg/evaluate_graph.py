"""Graph quality on the annotated corpus papers: wrong types and wrong merges of the built graph.

The whole corpus is built as a user would (`kg build ../shared/corpus/`). Then every mention in an
annotated paper whose written form the annotator also wrote is looked at:
- **wrong type**: its node's type is not the annotator's (a Hardware name on a System node);
- **wrong merge**: one node holds two names the annotators keep apart (two gold names, not aliases of one
  another, each in some annotated paper, both resolved to that node): `FlashAttention-2` inside FlashAttention;
- **split**: one gold name in several papers on several nodes (a homonym split, or a miss).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.schema import loose_key

LABEL_OF = {"systems_introduced": "System", "systems_mentioned": "System", "models": "Model",
            "hardware": "Hardware", "datasets": "Dataset", "benchmarks": "Benchmark"}


@dataclass(slots=True)
class GraphQuality:
    split: str
    papers: int
    checked: int = 0  # mentions whose written form is a gold name of their paper
    wrong_type: list[dict[str, Any]] = field(default_factory=list)
    wrong_merge: list[dict[str, Any]] = field(default_factory=list)
    nodes: int = 0  # nodes reached by a checked mention
    split_names: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"split": self.split, "papers": self.papers, "checked_mentions": self.checked,
                "nodes": self.nodes, "wrong_type": self.wrong_type, "wrong_merge": self.wrong_merge,
                "split_names": self.split_names}


def _gold_names(row: dict[str, Any]) -> dict[str, tuple[str, str, frozenset[str]]]:
    """loose key of every written form -> (label, gold name, the loose keys of that entity's forms)."""
    out = {}
    for fld, label in LABEL_OF.items():
        for item in row.get(fld, []):
            name = item if isinstance(item, str) else item["name"]
            forms = [name, *([] if isinstance(item, str) else item.get("aliases", []))]
            keys = frozenset(loose_key(f) for f in forms if loose_key(f))
            for k in keys:
                out.setdefault(k, (label, name, keys))
    return out


def graph_quality(gold_dir: Path | None = None, corpus_dir: Path | None = None, *, split: str = "test",
                  tagger: str = "learned") -> GraphQuality:
    from kg.extract import extract
    from kg.gold import load_corpus_gold
    from kg.resolve import load_alias_rules, resolve

    gold = load_corpus_gold(gold_dir, corpus_dir)
    rows = {pid: r for pid, r in gold.rows.items() if split == "all" or r["split"] == split}
    papers = sorted(gold.all_papers, key=lambda p: p.id)
    extractions = extract(papers, tagger=tagger)
    res = resolve(extractions, rules=load_alias_rules(), papers=papers)
    entities = res.entities
    out = GraphQuality(split=split, papers=len(rows))
    names_of_node: dict[str, dict[str, tuple[str, frozenset[str]]]] = defaultdict(dict)
    nodes_of_name: dict[str, set[str]] = defaultdict(set)
    label_of = {"system": "System", "model": "Model", "hardware": "Hardware", "dataset": "Dataset",
                "benchmark": "Benchmark"}
    for ex in extractions:
        row = rows.get(ex.id)
        if row is None:
            continue
        golds = _gold_names(row)
        for m in (*ex.systems_introduced, *ex.systems_mentioned, *ex.models, *ex.hardware, *ex.datasets,
                  *ex.benchmarks):
            hit = golds.get(loose_key(m.text)) or golds.get(loose_key(m.name))
            if hit is None:
                continue
            nid = res.mention_entity(label_of[m.kind], m, ex.id)
            if nid is None or nid not in entities:
                continue
            out.checked += 1
            label, name, keys = hit
            if entities[nid].label != label:
                out.wrong_type.append({"paper": ex.id, "name": name, "gold": label, "node": nid,
                                       "type": entities[nid].label})
            names_of_node[nid].setdefault(loose_key(name), (name, keys))
            nodes_of_name[f"{label}:{loose_key(name)}"].add(nid)
    out.nodes = len(names_of_node)
    for nid, names in sorted(names_of_node.items()):
        distinct = sorted(names.values())
        apart = [(a, b) for i, (a, ka) in enumerate(distinct) for b, kb in distinct[i + 1:] if not ka & kb]
        if apart:
            out.wrong_merge.append({"node": nid, "name": entities[nid].name,
                                    "gold_names": sorted({a for a, _ in distinct})})
    for name, nodes in sorted(nodes_of_name.items()):
        if len(nodes) > 1:
            out.split_names.append({"name": name.split(":", 1)[1], "nodes": sorted(nodes)})
    out.wrong_type.sort(key=lambda r: (r["name"], r["paper"]))
    return out
