"""Interactive HTML views of a subgraph: one self-contained file that opens offline.

pyvis assembles the vis-network nodes, edges and options; the page around them is our own template,
because pyvis 0.3.2's template links Bootstrap from a CDN even with `cdn_resources="in_line"`, and users
open these files on trains and behind firewalls. The vis-network script and stylesheet that ship inside
pyvis are inlined, so the file loads nothing.

Escaping is deliberate in three places: the page text goes through Jinja2 with autoescape; the data for
the script is JSON with `<`, `>` and `&` written as `\\u003c`-style escapes (a `</script>` in a title cannot
end the script); and tooltips are built as DOM elements with `textContent`, never from HTML strings.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

import networkx as nx

from kg.atomic import write_atomic
from kg.errors import ExportError, SelectionError
from kg.schema import CITATION_EDGES
from kg.select import Selected, Selection, select

VIEWS = ("all", "coauthors", "citations", "techniques", "ego")
SIZES = ("degree", "citations")
MAX_NODES = 5000

class ViewPreset(TypedDict, total=False):
    types: tuple[str, ...]
    edge_types: tuple[str, ...]


# Each view is a preset selection; options the user gives explicitly win over it.
VIEW_PRESETS: dict[str, ViewPreset] = {
    "all": {},
    "coauthors": {"types": ("Author",), "edge_types": ("CO_AUTHOR",)},
    "citations": {"types": ("System", "Paper"), "edge_types": CITATION_EDGES},
    "techniques": {"types": ("Technique", "Paper"), "edge_types": ("USES", "INTRODUCES", "SUBTOPIC_OF")},
    "ego": {},
}

# label: (colour, vis shape). Shapes with the label outside, so size by degree stays readable.
NODE_STYLE: dict[str, tuple[str, str]] = {
    "Author": ("#4e79a7", "dot"),
    "Paper": ("#bab0ac", "square"),
    "System": ("#e15759", "diamond"),
    "Technique": ("#59a14f", "triangle"),
    "Model": ("#f28e2b", "dot"),
    "Hardware": ("#76b7b2", "hexagon"),
    "Dataset": ("#edc948", "hexagon"),
    "Benchmark": ("#ff9da7", "hexagon"),
    "Organization": ("#b07aa1", "star"),
    "Category": ("#9c755f", "triangleDown"),
}
OTHER_NODE = ("#888888", "dot")

# type: (colour, dashes (False or a vis dash pattern), arrow). The legend draws the same patterns.
EDGE_STYLE: dict[str, tuple[str, bool | list[int], bool]] = {
    "AUTHORED": ("#b8b8b8", False, True),
    "CO_AUTHOR": ("#4e79a7", False, False),
    "INTRODUCES": ("#e15759", False, True),
    "MENTIONS": ("#a0a0a0", [4, 4], True),
    "USES": ("#59a14f", [4, 4], True),
    "COMPARES_WITH": ("#d62728", False, True),
    "BUILDS_ON": ("#1f77b4", [10, 6], True),
    "INTEGRATES_INTO": ("#9467bd", [2, 4], True),
    "IN_CATEGORY": ("#c8c8c8", [2, 4], True),
    "AFFILIATED_WITH": ("#c8c8c8", [2, 4], True),
    "SUBTOPIC_OF": ("#59a14f", [10, 6], True),
    "VARIANT_OF": ("#e15759", [10, 6], True),
}
OTHER_EDGE: tuple[str, bool | list[int], bool] = ("#999999", False, True)

LABEL_CHARS = 40
# Past this many nodes the layout skips vis's O(n^2) "improved layout" pass, uses a coarser force
# approximation and draws straight edges: a 2,000-node view must open in a few seconds.
LARGE = 150


@dataclass(frozen=True, slots=True)
class VizResult:
    path: Path
    view: str
    nodes: int
    edges: int
    selected: Selected


def viz(
    G: nx.MultiDiGraph,
    path: str | Path,
    *,
    view: str | None = None,
    selection: Selection | None = None,
    size: str = "degree",
    max_nodes: int = MAX_NODES,
    title: str | None = None,
) -> VizResult:
    """Select a subgraph of `G` for `view` and write it as one offline HTML file at `path`.

    `view` defaults to `ego` when the selection names a center, else `all`. Raises `SelectionError`
    for an unknown view, an ego view without a center, or more than `max_nodes` nodes."""
    sel = selection or Selection()
    view = view or ("ego" if sel.names else "all")
    if view not in VIEWS:
        raise SelectionError(f"unknown view {view!r}: allowed: {', '.join(VIEWS)}")
    if view == "ego" and not sel.names:
        raise SelectionError("the ego view needs a center: add --center NAME (or --author/--system/--technique)")
    sel = view_selection(view, sel)
    selected = select(G, sel)
    H = selected.graph
    if H.number_of_nodes() > max_nodes:
        raise SelectionError(
            f"the {view} view has {H.number_of_nodes():,} nodes, more than {max_nodes:,}: narrow the selection "
            f"(--center, --type, --limit) or raise the cap with --max-nodes {H.number_of_nodes()}"
        )
    page = render(H, view=view, size=size, title=title, centers=selected.centers, source=G)
    # Written whole to a temporary file and renamed: a kill or a full disk leaves the old page, not half a page.
    path = write_atomic(Path(path), [page])
    return VizResult(path, view, H.number_of_nodes(), H.number_of_edges(), selected)


def view_selection(view: str, sel: Selection) -> Selection:
    """`sel` with the view's preset filled into the options the user left empty."""
    preset = VIEW_PRESETS[view]
    return replace(sel, types=sel.types or preset.get("types", ()),
                   edge_types=sel.edge_types or preset.get("edge_types", ()))


def render(
    H: nx.MultiDiGraph,
    *,
    view: str = "all",
    size: str = "degree",
    title: str | None = None,
    centers: tuple[str, ...] = (),
    source: nx.MultiDiGraph | None = None,
) -> str:
    """The HTML page for graph `H` as it is (no selection). `source` is the full graph, used to name the
    paper behind an edge whose paper node is not in `H`."""
    if size not in SIZES:
        raise SelectionError(f"unknown size {size!r}: allowed: {', '.join(SIZES)}")
    net = _network(H, size=size, centers=centers, source=source if source is not None else H)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    types = sorted({t for _, t in H.nodes(data="type") if t})
    edge_types = sorted({t for *_, t in H.edges(data="type") if t})
    data = {"nodes": nodes, "edges": edges, "options": json.loads(options), "centers": list(centers)}
    heading = title or _default_title(view, H, centers)
    return _template().render(
        heading=heading,
        summary=f"{H.number_of_nodes():,} nodes, {H.number_of_edges():,} edges",
        node_legend=[(t, *NODE_STYLE.get(t, OTHER_NODE)) for t in types],
        edge_legend=[(t, *_edge_legend_style(t)) for t in edge_types],
        names=sorted({n["label_full"] for n in nodes}),
        data_json=script_json(data),
        vis_js=_asset("vis-network.min.js"),
        vis_css=_asset("vis-network.css"),
    )


def _network(H: nx.MultiDiGraph, *, size: str, centers: tuple[str, ...], source: nx.MultiDiGraph) -> Any:
    from pyvis.network import Network

    large = H.number_of_nodes() > LARGE
    net = Network(directed=True, cdn_resources="in_line")
    for node in sorted(H):
        d = H.nodes[node]
        kind = d.get("type", "")
        colour, shape = NODE_STYLE.get(kind, OTHER_NODE)
        name = str(d.get("name") or node)
        net.add_node(
            node,
            label=_short(name),
            shape=shape,
            color=colour,
            value=_size_value(H, node, size),
            kind=kind,  # not `group`: pyvis drops `color` when a node has a group
            borderWidth=4 if node in centers else 1,
            tip=_node_tip(H, node),
            label_full=name,
        )
    for u, v, k, d in sorted(H.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        kind = d.get("type", "")
        colour, dashes, arrow = EDGE_STYLE.get(kind, OTHER_EDGE)
        extra: dict[str, Any] = {}
        if kind == "CO_AUTHOR":
            extra["value"] = int(d.get("weight", 1))
        if d.get("factor"):
            extra["label"] = str(d["factor"])
        net.add_edge(
            u,
            v,
            id=f"{u}|{v}|{k}",
            color=colour,
            dashes=dashes,
            arrows="to" if arrow else "",
            tip=_edge_tip(H, source, u, v, d),
            kind=kind,
            **extra,
        )
    net.options = {
        "autoResize": True,
        # A fixed seed: the same file draws the same picture every time it is opened.
        "layout": {"randomSeed": 7, "improvedLayout": not large},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large},
        "nodes": {"scaling": {"min": 8, "max": 40}, "font": {"size": 14, "face": "sans-serif"}},
        "edges": {
            "scaling": {"min": 1, "max": 8},
            "smooth": False if large else {"type": "continuous"},
            "font": {"size": 11, "align": "middle"},
            "arrows": {"to": {"scaleFactor": 0.5}},
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based" if large else "barnesHut",
            # A coarser Barnes-Hut approximation for big views: each iteration is cheaper.
            "forceAtlas2Based": {"theta": 0.8 if large else 0.5},
            "stabilization": {"enabled": True, "iterations": _iterations(H.number_of_nodes()), "updateInterval": 50},
        },
    }
    return net


def _iterations(nodes: int) -> int:
    """Layout iterations before physics stops: a budget of node-steps, so a 1,000-node view settles in
    40 iterations and a 2,000-node one in 20 (a few seconds in headless Chromium) instead of minutes."""
    return max(20, min(400, 40_000 // max(nodes, 1)))


def _size_value(H: nx.MultiDiGraph, node: str, size: str) -> int:
    """`degree`: edges in the view. `citations`: an author's profile citation count, a system's incoming
    COMPARES_WITH/BUILDS_ON/INTEGRATES_INTO edges (how often others measure against it), else degree."""
    if size == "citations":
        d = H.nodes[node]
        if isinstance(d.get("citations"), int):
            return max(1, int(math.sqrt(d["citations"])))
        if d.get("type") == "System":
            return 1 + sum(1 for *_, t in H.in_edges(node, data="type") if t in CITATION_EDGES)
    return 1 + H.degree(node)


def _node_tip(H: nx.MultiDiGraph, node: str) -> list[list[str]]:
    """Tooltip rows [label, text]; the first row is the heading."""
    d = H.nodes[node]
    kind = d.get("type", "")
    rows = [["", str(d.get("title") or d.get("name") or node)], ["type", kind]]
    if kind == "Paper":
        if "year" in d:
            rows.append(["year", str(d["year"])])
        if d.get("arxiv_id"):
            rows.append(["arXiv", str(d["arxiv_id"])])
    for key, label in (("aliases", "aliases"), ("h_index", "h-index"), ("citations", "citations"),
                       ("paper_count", "papers"), ("key", "key"), ("parent", "parent")):
        value = d.get(key)
        if value not in (None, [], ""):
            rows.append([label, ", ".join(map(str, value)) if isinstance(value, list) else str(value)])
    rows.append(["connections", str(H.degree(node))])
    rows.append(["id", node])
    return rows


def _edge_tip(H: nx.MultiDiGraph, source: nx.MultiDiGraph, u: str, v: str, d: dict[str, Any]) -> list[list[str]]:
    name_u = str(H.nodes[u].get("name") or u)
    name_v = str(H.nodes[v].get("name") or v)
    rows = [["", f"{name_u} {d.get('type', '')} {name_v}"]]
    for key in ("factor", "metric", "weight", "position"):
        if d.get(key) not in (None, ""):
            rows.append([key, str(d[key])])
    paper = d.get("paper")
    if isinstance(paper, str):
        node = paper if paper in source else f"paper:{paper}"
        info = source.nodes[node] if node in source else {}
        title = info.get("title") or info.get("name") or paper
        rows.append(["paper", f"{title} ({info['year']})" if "year" in info else str(title)])
    if d.get("evidence"):
        rows.append(["evidence", str(d["evidence"])])
    if isinstance(d.get("papers"), list):
        rows.append(["papers", str(len(d["papers"]))])
    return rows


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1].rstrip() + "\u2026"


def _default_title(view: str, H: nx.MultiDiGraph, centers: tuple[str, ...]) -> str:
    names = ", ".join(str(H.nodes[c].get("name", c)) for c in centers if c in H)
    return f"kg {view} view" + (f" around {names}" if names else "")


def _edge_legend_style(kind: str) -> tuple[str, str]:
    colour, dashes, _arrow = EDGE_STYLE.get(kind, OTHER_EDGE)
    line = "solid" if not dashes else ("dotted" if dashes[0] <= 2 else "dashed")  # type: ignore[index]
    return colour, line


def script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element: nothing in it can close the element or start HTML."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


@cache
def _asset(name: str) -> str:
    import pyvis

    path = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / name
    text = path.read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise ExportError(f"{path} cannot be inlined: it contains a closing tag")
    return text


def page_environment(**options: Any) -> Any:
    """The Jinja2 environment of every kg page: autoescape on, and `raw` for what we built safe ourselves
    (inlined scripts, `script_json`, SVG written by kg.sinks.svg)."""
    from jinja2 import Environment
    from markupsafe import Markup

    env = Environment(autoescape=True, keep_trailing_newline=True, **options)
    env.filters["raw"] = Markup
    return env


@cache
def _template() -> Any:
    return page_environment().from_string(_PAGE)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }}</title>
<style>{{ vis_css | raw }}</style>
<style>
  html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; color: #222; }
  body { display: flex; flex-direction: column; }
  #kg-top { display: flex; gap: 1em; align-items: center; padding: 6px 12px; border-bottom: 1px solid #ddd; }
  #kg-top h1 { font-size: 16px; margin: 0; }
  #kg-summary, #kg-found { color: #666; }
  #kg-main { display: flex; flex: 1; min-height: 0; }
  #kg-network { flex: 1; min-width: 0; }
  #kg-legend { width: 190px; padding: 8px 12px; border-left: 1px solid #ddd; overflow: auto; font-size: 13px; }
  #kg-legend h2 { font-size: 13px; margin: 8px 0 4px; }
  .kg-swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
  .kg-line { display: inline-block; width: 28px; margin-right: 6px; vertical-align: middle; border-top-width: 3px; }
  .kg-shape { color: #888; font-size: 11px; }
  div.vis-tooltip { max-width: 420px; white-space: normal; font: 13px/1.4 system-ui, sans-serif; }
  .kg-tip-head { font-weight: bold; margin-bottom: 2px; }
  .kg-tip-label { color: #666; }
</style>
</head>
<body>
<div id="kg-top">
  <h1>{{ heading }}</h1>
  <span id="kg-summary">{{ summary }}</span>
  <label>Find <input id="kg-search" list="kg-names" size="30" placeholder="a name"></label>
  <datalist id="kg-names">{% for name in names %}<option value="{{ name }}">{% endfor %}</datalist>
  <span id="kg-found" role="status"></span>
</div>
<div id="kg-main">
  <div id="kg-network"></div>
  <div id="kg-legend">
    <h2>Nodes</h2>
    {% for kind, colour, shape in node_legend %}<div><span class="kg-swatch" style="background: {{ colour }}"></span>{{ kind }} <span class="kg-shape">{{ shape }}</span></div>
    {% endfor %}
    {% if edge_legend %}<h2>Edges</h2>{% endif %}
    {% for kind, colour, line in edge_legend %}<div><span class="kg-line" style="border-top-style: {{ line }}; border-top-color: {{ colour }}"></span>{{ kind }}</div>
    {% endfor %}
  </div>
</div>
<script>{{ vis_js | raw }}</script>
<script>
(function () {
  "use strict";
  var data = {{ data_json | raw }};

  // Tooltips as DOM elements filled with textContent: vis-network would render an HTML string as HTML.
  function tip(rows) {
    var box = document.createElement("div");
    rows.forEach(function (row, i) {
      var line = document.createElement("div");
      if (i === 0) {
        line.className = "kg-tip-head";
      } else {
        var label = document.createElement("span");
        label.className = "kg-tip-label";
        label.textContent = row[0] + ": ";
        line.appendChild(label);
      }
      line.appendChild(document.createTextNode(row[1]));
      box.appendChild(line);
    });
    return box;
  }
  data.nodes.forEach(function (n) { n.title = tip(n.tip); });
  data.edges.forEach(function (e) { e.title = tip(e.tip); });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.kg = {network: network, nodes: nodes, edges: edges, ready: false, stabilizedMs: null, drawnMs: null};
  var started = performance.now();

  // Lay out once, then stop the physics so large views stay responsive.
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: false});
    network.fit({animation: false});
    window.kg.stabilizedMs = performance.now() - started;
    network.once("afterDrawing", function () { window.kg.drawnMs = performance.now(); window.kg.ready = true; });
    network.redraw();
  });

  var byName = {};
  data.nodes.forEach(function (n) { byName[n.label_full.toLowerCase()] = n.id; });
  var found = document.getElementById("kg-found");
  function find(text) {
    var key = text.trim().toLowerCase();
    if (!key) { found.textContent = ""; return; }
    var id = byName[key];
    if (id === undefined) {
      var hit = data.nodes.filter(function (n) { return n.label_full.toLowerCase().indexOf(key) >= 0; })[0];
      id = hit && hit.id;
    }
    if (id === undefined) { found.textContent = "no node named \\u201c" + text + "\\u201d"; return; }
    network.selectNodes([id]);
    network.focus(id, {scale: 1.2, animation: false});
    found.textContent = nodes.get(id).label_full;
  }
  var search = document.getElementById("kg-search");
  search.addEventListener("change", function () { find(search.value); });
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { find(search.value); } });
  window.kg.find = find;
}());
</script>
</body>
</html>
"""
