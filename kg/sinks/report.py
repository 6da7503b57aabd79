"""`kg report -o report.html`: one offline page for a reading group.

Sections: counts; top systems and techniques; the comparison matrix; trends with pictures; lineage of the
most built-on systems; co-author communities and their systems; and, at the end, the numbered evidence.
Every claim on the page links to its statements there (the sentence, the paper, the listing line), like
footnotes. Pictures are inline SVG (kg.sinks.svg); the page loads nothing from the network. Escaping as in
the other pages: Jinja2 autoescape, `script_json` for data, `textContent` in the script.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx

from kg.analysis.matrix import matrix
from kg.analysis.report import communities, counts, lineage, statement, top_with_evidence
from kg.analysis.trends import trends
from kg.atomic import write_atomic
from kg.errors import SelectionError
from kg.sinks.heatmap import HEATMAP_CSS, HEATMAP_JS, TABLE, heatmap_fragment
from kg.sinks.html import page_environment
from kg.sinks.pictures import chosen_series, papers_chart, trends_chart
from kg.sinks.svg import bar_chart

__all__ = ["ReportResult", "write_report"]


@dataclass(frozen=True, slots=True)
class ReportResult:
    path: Path
    bytes: int
    pictures: int
    evidence: int
    sections: tuple[str, ...]


class Footnotes:
    """Numbered statements; the same (paper, sentence) gets one number however many claims cite it."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._index: dict[tuple[str, str], int] = {}

    def cite(self, statements: list[dict[str, Any]]) -> list[int]:
        numbers = []
        for s in statements:
            key = (s["paper"], s["sentence"])
            if key not in self._index:
                self.rows.append(s)
                self._index[key] = len(self.rows)
            numbers.append(self._index[key])
        return numbers


def write_report(G: nx.MultiDiGraph, path: str | Path, *, title: str | None = None, top_n: int = 10,
                 matrix_rows: int = 20, matrix_columns: int = 15, trend_lines: int = 8,
                 lineage_roots: int = 5, community_count: int = 8) -> ReportResult:
    """Write the report of `G` to `path` (atomically) and say what is in it."""
    if not any(d.get("type") == "Paper" for _, d in G.nodes(data=True)):
        raise SelectionError("the graph holds no papers: nothing to report")
    notes = Footnotes()

    def cited(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "notes": notes.cite(r.get("evidence", []))} for r in rows]

    tops = {"Systems, by papers that cite them": cited(top_with_evidence(G, "systems", by="citations", limit=top_n)),
            "Techniques, by papers that use them": cited(top_with_evidence(G, "techniques", by="papers", limit=top_n))}
    pictures = [bar_chart([(r["name"], r["score"]) for r in rows], title=heading) for heading, rows in tops.items()]

    M = matrix(G, rows=matrix_rows, columns=matrix_columns)
    links = {}
    for c in M.cells:
        key = (c.system_id, c.baseline_id, c.paper, c.evidence)
        if key not in links:
            links[key] = f"ev-{notes.cite([statement(G, f'paper:{c.paper}', c.evidence)])[0]}"
    table = heatmap_fragment(M, links=links)
    factored = [c for c in M.cells if c.factor][:30]
    factor_rows = [{"system": c.system, "baseline": c.baseline, "factor": c.factor, "metric": c.metric,
                    "notes": notes.cite([statement(G, f"paper:{c.paper}", c.evidence)])} for c in factored]

    trend_block = None
    try:
        T = trends(G)
    except SelectionError:
        T = None
    if T is not None:
        chosen = chosen_series(T, limit=trend_lines)
        technique_lines = chosen_series(T, kind="technique", limit=6, rising=False)
        trend_svgs = [trends_chart(T, chosen, title=f"Rising items, papers per {T.by}"),
                      trends_chart(T, technique_lines, title=f"The largest techniques, papers per {T.by}"),
                      papers_chart(T, title=f"Papers per {T.by}")]
        pictures.extend(trend_svgs)
        trend_block = {"by": T.by, "svgs": trend_svgs, "left_out": T.left_out,
                       "rising": [{"kind": s.kind, "name": s.name, "start": b.start, "end": b.end,
                                   "weight": round(b.weight, 1), "total": s.total} for s, b in T.rising[:15]],
                       "baselines": T.baselines_by_year}

    roots = lineage(G, roots=lineage_roots)
    _cite_tree(roots, notes)
    groups = communities(G, limit=community_count)
    for g in groups:
        for s in g["systems"]:
            s["notes"] = notes.cite(s["evidence"])

    page = _template().render(
        title=title or "Reading-group report", counts=counts(G), tops=tops, pictures=pictures,
        table=table, matrix=M, factor_rows=factor_rows, trends=trend_block, lineage=roots,
        communities=groups, notes=notes.rows, css=HEATMAP_CSS, js=HEATMAP_JS)
    out = write_atomic(Path(path), [page])
    sections = ("counts", "top", "matrix", *(("trends",) if trend_block else ()), "lineage", "communities", "evidence")
    return ReportResult(out, len(page.encode("utf-8")), len(pictures), len(notes.rows), sections)


def _cite_tree(nodes: list[dict[str, Any]], notes: Footnotes) -> None:
    for n in nodes:
        if "evidence" in n:
            n["notes"] = notes.cite(n["evidence"])
        _cite_tree(n.get("children", []), notes)


@cache
def _template() -> Any:
    env = page_environment(trim_blocks=True, lstrip_blocks=True)
    env.globals["table_html"] = env.from_string(TABLE)
    return env.from_string(PAGE)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 0 auto; padding: 16px 24px; max-width: 1200px; }
  h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
  nav a { margin-right: 12px; }
  table.kg-list { border-collapse: collapse; margin: 6px 0; }
  table.kg-list td, table.kg-list th { padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
  sup a, a.kg-note { font-size: 11px; text-decoration: none; }
  .kg-muted { color: #666; }
  ul.kg-tree { margin: 2px 0; }
  ol.kg-notes li { margin: 4px 0; }
  ol.kg-notes li:target { background: #fff3c4; }
  figure { margin: 8px 0 16px; }
{{ css | raw }}
</style>
</head>
<body>
{% macro cite(numbers) %}{% for n in numbers %}<sup><a href="#ev-{{ n }}" class="kg-note">[{{ n }}]</a></sup>{% endfor %}{% endmacro %}
<h1>{{ title }}</h1>
<nav><a href="#counts">Counts</a><a href="#top">Top</a><a href="#matrix">Comparisons</a>{% if trends %}<a href="#trends">Trends</a>{% endif %}<a href="#lineage">Lineage</a><a href="#communities">Communities</a><a href="#evidence">Evidence</a></nav>

<section id="counts"><h2>Counts</h2>
<p>{% for kind, n in counts.nodes.items() %}<b>{{ "{:,}".format(n) }}</b> {{ kind }}{% if not loop.last %} &middot; {% endif %}{% endfor %}
{% if counts.years %}<br><span class="kg-muted">papers from {{ counts.years[0] }} to {{ counts.years[1] }}</span>{% endif %}</p>
<table class="kg-list"><tr><th>edge</th><th>count</th></tr>
{% for kind, n in counts.edges.items() %}<tr><td>{{ kind }}</td><td>{{ "{:,}".format(n) }}</td></tr>
{% endfor %}</table>

</section>
<section id="top"><h2>Top systems and techniques</h2>
{% for heading, rows in tops.items() %}
<figure>{{ pictures[loop.index0] | raw }}</figure>
<table class="kg-list"><tr><th>#</th><th>{{ heading }}</th><th>papers</th><th>evidence</th></tr>
{% for r in rows %}<tr><td>{{ r.rank }}</td><td>{{ r.name }}</td><td>{{ r.score }}</td><td>{{ cite(r.notes) }}</td></tr>
{% endfor %}</table>
{% endfor %}

</section>
<section id="matrix"><h2>Comparison matrix</h2>
<p class="kg-muted">The {{ matrix.rows | length }} systems with the most baselines x the {{ matrix.columns | length }} most used
baselines ({{ matrix.total_cells }} comparisons in the graph). A cell shows the first stated factor (&bull;: compared, no
factor); its link goes to the evidence, and a click lists every statement below the table.</p>
{{ table_html.render(table=table) | raw }}
<div id="kg-evidence" role="status"></div>
{% if factor_rows %}<h3>Stated factors</h3>
<table class="kg-list"><tr><th>system</th><th>baseline</th><th>factor</th><th>metric</th><th></th></tr>
{% for r in factor_rows %}<tr><td>{{ r.system }}</td><td>{{ r.baseline }}</td><td>{{ r.factor }}</td><td>{{ r.metric or "" }}</td><td>{{ cite(r.notes) }}</td></tr>
{% endfor %}</table>{% endif %}
</section>

{% if trends %}
<section id="trends"><h2>Trends</h2>
<p class="kg-muted">Papers per {{ trends.by }}{% if trends.left_out %} ({{ "{:,}".format(trends.left_out) }} papers without a {{ trends.by }} are left out){% endif %}.
Bursts by Kleinberg's two-state model; rising: in a burst in the latest periods.</p>
{% for svg in trends.svgs %}<figure>{{ svg | raw }}</figure>
{% endfor %}
{% if trends.rising %}<table class="kg-list"><tr><th>rising</th><th>kind</th><th>burst</th><th>weight</th><th>papers</th></tr>
{% for r in trends.rising %}<tr><td>{{ r.name }}</td><td>{{ r.kind }}</td><td>{{ r.start }} &ndash; {{ r.end }}</td><td>{{ r.weight }}</td><td>{{ r.total }}</td></tr>
{% endfor %}</table>{% endif %}
<h3>Most used baselines by year</h3>
<table class="kg-list">{% for year, rows in trends.baselines.items() %}<tr><td>{{ year }}</td><td>{% for name, n in rows %}{{ name }} ({{ n }}){% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}</table>
</section>
{% endif %}

<section id="lineage"><h2>Lineage of the most built-on systems</h2>
{% macro tree(nodes) %}<ul class="kg-tree">{% for n in nodes %}{% if n.id is not defined %}<li class="kg-muted">and {{ n.more }} more</li>{% else %}<li>{{ n.name }}{% if n.type == "Paper" %} <span class="kg-muted">(paper)</span>{% endif %} {{ cite(n.notes) }}{% if n.children %}{{ tree(n.children) }}{% endif %}</li>{% endif %}{% endfor %}</ul>{% endmacro %}
{% for root in lineage %}<h3>{{ root.name }} <span class="kg-muted">built on by {{ root.papers }} papers</span></h3>
{{ tree(root.children) }}
{% else %}<p class="kg-muted">No paper states that it builds on a system.</p>
{% endfor %}

</section>
<section id="communities"><h2>Co-author communities</h2>
<p class="kg-muted">Louvain communities of the co-author graph (weighted by joint papers), largest first.</p>
<table class="kg-list"><tr><th>#</th><th>authors</th><th>papers</th><th>main authors</th><th>main systems</th></tr>
{% for g in communities %}<tr><td>{{ g.community }}</td><td>{{ g.authors }}</td><td>{{ g.papers }}</td>
<td>{% for a in g.main_authors %}{{ a.name }} ({{ a.papers }}){% if not loop.last %}, {% endif %}{% endfor %}</td>
<td>{% for s in g.systems %}{{ s.name }}{% if s.introduced %} <span class="kg-muted">introduced</span>{% endif %} {{ cite(s.notes) }}{% if not loop.last %}, {% endif %}{% endfor %}</td></tr>
{% endfor %}</table>

</section>
<section id="evidence"><h2>Evidence</h2>
<ol class="kg-notes">
{% for s in notes %}<li id="ev-{{ loop.index }}">&ldquo;{{ s.sentence }}&rdquo; <span class="kg-muted">&mdash; {{ s.title }} ({{ s.year or "n.d." }}){% if s.source %} &middot; {{ s.source }}{% endif %}</span></li>
{% endfor %}</ol>
</section>
<script>{{ js | raw }}</script>
</body>
</html>
"""
