"""Finding a node from what a user types: `vLLM`, `system:vllm`, `flashinfer`, `Zhihao Jia`, `Punica's`.

One place for name matching, used by `kg show`, `kg path`, selections for views and exports, and queries.
Matching goes from strict to loose and stops at the first step that finds something: node id, exact name,
alias, name ignoring case and punctuation, then a unique substring. A fuzzy near-miss is never taken
silently: it comes back as a "did you mean" suggestion in the error.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from kg.errors import NotFoundError
from kg.schema import loose_key

# When one name fits several nodes (a System and a Technique both called "LoRA"), the earlier type wins.
TYPE_PRIORITY = ("System", "Technique", "Author", "Model", "Hardware", "Dataset", "Organization", "Category", "Paper")


def _rank(G: nx.MultiDiGraph, node: str) -> tuple[int, int, str]:
    kind = G.nodes[node].get("type", "")
    prio = TYPE_PRIORITY.index(kind) if kind in TYPE_PRIORITY else len(TYPE_PRIORITY)
    return (prio, -G.degree(node), node)


class NameIndex:
    """Name lookups over one graph; build once when resolving many names."""

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.G = G
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.alias: dict[str, list[str]] = defaultdict(list)
        self.loose: dict[str, list[str]] = defaultdict(list)
        for node, data in G.nodes(data=True):
            names = [data.get("name") or node]
            if data.get("type") == "Paper" and data.get("title"):
                names.append(data["title"])
            for name in names:
                self.exact[name.casefold()].append(node)
                self.loose[loose_key(name)].append(node)
            for alias in data.get("aliases", []) or []:
                self.alias[alias.casefold()].append(node)
                self.loose[loose_key(alias)].append(node)

    def candidates(self, name: str, *, types: Iterable[str] | None = None) -> list[str]:
        """All nodes the name could mean at the strictest step that finds any, best first."""
        wanted = set(types) if types else None

        def keep(nodes: Iterable[str]) -> list[str]:
            found = {n for n in nodes if wanted is None or self.G.nodes[n].get("type") in wanted}
            return sorted(found, key=lambda n: _rank(self.G, n))

        text = name.strip()
        if text in self.G and keep([text]):
            return [text]
        for table, key in ((self.exact, text.casefold()), (self.alias, text.casefold()), (self.loose, loose_key(text))):
            found = keep(table.get(key, []))
            if found:
                return found
        key = loose_key(text)
        if len(key) >= 3:
            found = keep(n for k, nodes in self.loose.items() if key in k for n in nodes)
            # A substring is only trusted when it points at one entity.
            if len(found) == 1:
                return found
        return []

    def suggestions(self, name: str, *, types: Iterable[str] | None = None, limit: int = 5) -> list[str]:
        wanted = set(types) if types else None
        names: dict[str, str] = {}
        for node, data in self.G.nodes(data=True):
            if wanted is None or data.get("type") in wanted:
                display = data.get("name") or node
                names.setdefault(display.casefold(), display)
        close = difflib.get_close_matches(name.casefold(), list(names), n=limit, cutoff=0.6)
        key = loose_key(name)
        if len(close) < limit and len(key) >= 3:
            extra = sorted(k for k in names if key in loose_key(k) and k not in close)
            close += extra[: limit - len(close)]
        return [names[c] for c in close]

    def find(self, name: str, *, types: Iterable[str] | None = None) -> str:
        found = self.candidates(name, types=types)
        if found:
            return found[0]
        kinds = f" among {', '.join(sorted(types))} nodes" if types else ""
        hints = self.suggestions(name, types=types)
        hint = f"; did you mean: {', '.join(hints)}?" if hints else "; try `kg stats` or `kg top` to see what is there"
        raise NotFoundError(f"no entity named {name!r}{kinds}{hint}", hints)


def find_node(G: nx.MultiDiGraph, name: str, *, types: Iterable[str] | None = None) -> str:
    """The id of the node `name` refers to; raises NotFoundError with "did you mean" suggestions."""
    return NameIndex(G).find(name, types=types)
