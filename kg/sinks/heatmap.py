"""The comparison matrix as an offline HTML heatmap (`kg matrix -o matrix.html`), and the same table as a
fragment for the report.

A cell's colour is how many statements it holds (log scale); its text is the first stated factor. Every
cell carries its statements in a tooltip (the `title` attribute, so it works without script), and a click
shows them in the evidence panel: factor, metric, paper, year, the sentence and the source line.
Escaping as in `kg.sinks.html`: Jinja2 autoescape for the page, `script_json` for the data, and the panel
filled with `textContent` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kg.analysis.matrix import Cell, Matrix
from kg.atomic import write_atomic
from kg.sinks.html import page_environment, script_json

__all__ = ["HeatmapResult", "heatmap_fragment", "write_heatmap"]

HOT = (225, 87, 89)  # the views' System red


@dataclass(frozen=True, slots=True)
class HeatmapResult:
    path: Path
    rows: int
    columns: int
    cells: int


def _colour(n: int, top: int) -> str:
    """White to red by log(n) / log(top): one statement is visible, the busiest cell is full red."""
    # When every cell holds one statement there is nothing to tell apart: a middle shade, text stays legible.
    share = 0.25 + 0.75 * (math.log1p(n) / math.log1p(top)) if top > 1 else 0.55
    r, g, b = (round(255 - (255 - c) * share) for c in HOT)
    return f"#{r:02x}{g:02x}{b:02x}"


def _statement(c: Cell) -> dict[str, Any]:
    return {"system": c.system, "baseline": c.baseline, "factor": c.factor, "metric": c.metric,
            "paper": c.paper, "title": c.paper_title, "year": c.year, "evidence": c.evidence, "source": c.source}


def _tooltip(cells: list[Cell]) -> str:
    lines = []
    for c in cells:
        stated = " ".join(x for x in (c.factor, c.metric) if x) or "compared, no factor stated"
        lines.append(f"{stated} ({c.paper_title}, {c.year or 'n.d.'}): {c.evidence}")
    return "\n".join(lines)


def heatmap_fragment(M: Matrix, *, links: dict[tuple[str, str, str, str], str] | None = None) -> dict[str, Any]:
    """The table's parts for the templates: header, rows of cells, and the data for the panel. `links`
    maps (system id, baseline id, paper, evidence) to an anchor in the report, for cells that link."""
    grid = M.grid()
    top = max((len(v) for v in grid.values()), default=1)
    groups: list[list[dict[str, Any]]] = []
    rows = []
    for r in M.rows:
        cells = []
        for col in M.columns:
            found = grid.get((r.id, col.id), [])
            if not found:
                cells.append(None)
                continue
            factor = next((c.factor for c in found if c.factor), None)
            anchor = links.get((found[0].system_id, found[0].baseline_id, found[0].paper, found[0].evidence)) if links else None
            cells.append({"k": len(groups), "text": factor or "\u2022", "colour": _colour(len(found), top),
                          "tip": _tooltip(found), "n": len(found), "anchor": anchor})
            groups.append([_statement(c) for c in found])
        rows.append({"name": r.name, "type": r.type, "cells": cells})
    return {"columns": [c.name for c in M.columns], "rows": rows, "groups_json": script_json(groups)}


def write_heatmap(M: Matrix, path: str | Path, *, title: str = "Comparison matrix") -> HeatmapResult:
    """Write `M` as one self-contained HTML page (nothing loaded from the network)."""
    page = _template().render(title=title, table=heatmap_fragment(M), css=HEATMAP_CSS, js=HEATMAP_JS,
                              summary=f"{len(M.rows)} systems x {len(M.columns)} baselines, {len(M.cells)} statements "
                                      f"({sum(1 for c in M.cells if c.factor)} with a factor)")
    out = write_atomic(Path(path), [page])
    return HeatmapResult(out, len(M.rows), len(M.columns), len(M.cells))


@cache
def _template() -> Any:
    env = page_environment()
    env.globals["table_html"] = env.from_string(TABLE)
    return env.from_string(PAGE)


HEATMAP_CSS = """
  table.kg-matrix { border-collapse: collapse; font-size: 12px; }
  table.kg-matrix th.kg-col { height: 120px; white-space: nowrap; vertical-align: bottom; padding: 2px; }
  table.kg-matrix th.kg-col div { writing-mode: vertical-rl; transform: rotate(180deg); }
  table.kg-matrix th.kg-row { text-align: right; padding: 2px 6px; white-space: nowrap; max-width: 260px;
    overflow: hidden; text-overflow: ellipsis; font-weight: normal; }
  table.kg-matrix td { border: 1px solid #eee; min-width: 34px; height: 20px; text-align: center; padding: 0 3px; }
  table.kg-matrix td.kg-hit { cursor: pointer; }
  table.kg-matrix td.kg-hit a { color: inherit; text-decoration: none; }
  table.kg-matrix td.kg-selected { outline: 2px solid #222; }
  #kg-evidence { margin-top: 12px; max-width: 900px; }
  #kg-evidence .kg-stmt { border-left: 3px solid #e15759; padding: 4px 8px; margin: 6px 0; }
  #kg-evidence .kg-meta { color: #666; font-size: 12px; }
"""

HEATMAP_JS = """
(function () {
  "use strict";
  var groups = JSON.parse(document.getElementById("kg-matrix-data").textContent);
  var panel = document.getElementById("kg-evidence");
  var selected = null;
  function line(cls, text) { var d = document.createElement("div"); d.className = cls; d.textContent = text; return d; }
  function show(cell) {
    var stmts = groups[Number(cell.getAttribute("data-k"))];
    if (selected) { selected.classList.remove("kg-selected"); }
    selected = cell; cell.classList.add("kg-selected");
    panel.textContent = "";
    panel.appendChild(line("kg-head", stmts[0].system + " compared with " + stmts[0].baseline + " (" + stmts.length + ")"));
    stmts.forEach(function (s) {
      var box = document.createElement("div"); box.className = "kg-stmt";
      var stated = [s.factor, s.metric].filter(Boolean).join(" ") || "compared, no factor stated";
      box.appendChild(line("kg-stated", stated));
      box.appendChild(line("kg-sentence", "\\u201c" + s.evidence + "\\u201d"));
      box.appendChild(line("kg-meta", s.title + " (" + (s.year || "n.d.") + ")" + (s.source ? " \\u00b7 " + s.source : "")));
      panel.appendChild(box);
    });
  }
  document.querySelectorAll("td.kg-hit").forEach(function (cell) {
    cell.addEventListener("click", function () { show(cell); });
  });
  window.kgMatrix = {show: show, groups: groups};
}());
"""

TABLE = """<table class="kg-matrix">
<tr><th></th>{% for col in table.columns %}<th class="kg-col" scope="col"><div>{{ col }}</div></th>{% endfor %}</tr>
{% for row in table.rows %}<tr><th class="kg-row" scope="row" title="{{ row.name }}">{{ row.name }}</th>{% for cell in row.cells %}{% if cell %}<td class="kg-hit" data-k="{{ cell.k }}" style="background: {{ cell.colour }}" title="{{ cell.tip }}">{% if cell.anchor %}<a href="#{{ cell.anchor }}">{{ cell.text }}</a>{% else %}{{ cell.text }}{% endif %}</td>{% else %}<td></td>{% endif %}{% endfor %}</tr>
{% endfor %}</table>
<script type="application/json" id="kg-matrix-data">{{ table.groups_json | raw }}</script>
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; color: #222; margin: 16px; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  .kg-summary { color: #666; margin-bottom: 12px; }
{{ css | raw }}
</style>
</head>
<body>
<h1>{{ title }}</h1>
<div class="kg-summary">{{ summary }}. Rows: the system a paper introduces (or the paper); columns: its baselines,
most used first. Click a cell for its evidence.</div>
{{ table_html.render(table=table) | raw }}
<div id="kg-evidence" role="status"></div>
<script>{{ js | raw }}</script>
</body>
</html>
"""
