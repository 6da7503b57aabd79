"""kg viz: the HTML file itself (self-contained, escaped, deterministic) and the CLI. The browser tests
are in test_viz_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_select_graph import HOSTILE, QUOTES, SCRIPT, sample_graph
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import SelectionError
from kg.graphio import write_graph
from kg.select import Selection
from kg.sinks.html import viz

EXTERNAL = re.compile(r"<(script|link|img|iframe|object|embed|source)\b[^>]*\b(src|href)\s*=", re.IGNORECASE)


def page_data(html: str) -> dict:
    """The JSON the page hands to vis-network."""
    match = re.search(r"var data = (\{.*?\});\n", html)
    assert match
    return json.loads(match.group(1))


def test_the_page_loads_nothing_from_anywhere(tmp_path: Path) -> None:
    html = viz(sample_graph(), tmp_path / "v.html").path.read_text(encoding="utf-8")
    assert not EXTERNAL.findall(html)
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html and "bootstrap" not in html.lower()
    assert "vis.Network" in html and ".vis-network" in html  # the library and its stylesheet are inline


def test_hostile_strings_never_reach_the_page_as_markup(tmp_path: Path) -> None:
    G = sample_graph()
    html = viz(G, tmp_path / "v.html", title=f"Title {HOSTILE}").path.read_text(encoding="utf-8")
    for text in (HOSTILE, SCRIPT, "<b>Bold</b>", "alert(2)</script>"):
        assert text not in html
    assert "<title>Title &lt;img src=x onerror=alert(1)&gt;</title>" in html
    assert '<option value="&lt;img src=x onerror=alert(1)&gt;">' in html
    # In the script data the same strings are JSON with <, > and & as \\u escapes...
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    # ... and decode back to the exact text, which the page puts in tooltips with textContent.
    data = page_data(html)
    (paper,) = [n for n in data["nodes"] if n["id"] == "paper:2401.00001"]
    assert paper["tip"][0] == ["", HOSTILE]
    assert paper["label"] == HOSTILE
    assert ".innerHTML" not in html.split("var data = ")[1]


def test_tooltips_hold_title_year_and_edge_evidence(tmp_path: Path) -> None:
    data = page_data(viz(sample_graph(), tmp_path / "v.html").path.read_text(encoding="utf-8"))
    (paper,) = [n for n in data["nodes"] if n["id"] == "paper:2301.00002"]
    assert paper["tip"][:3] == [["", 'Paged Attention, Revisited: "vLLM" at scale'], ["type", "Paper"],
                                ["year", "2023"]]
    (edge,) = [e for e in data["edges"] if e["id"] == "system:flashinfer|system:vllm|COMPARES_WITH|2401.00001"]
    assert edge["tip"] == [
        ["", "FlashInfer COMPARES_WITH vLLM"],
        ["factor", "12x"],
        ["metric", "throughput"],
        ["paper", f"{HOSTILE} (2024)"],
        ["evidence", f"We beat vLLM by 12x. {HOSTILE}"],
    ]
    assert edge["label"] == "12x"


def test_styles_by_type_and_size_by_degree(tmp_path: Path) -> None:
    html = viz(sample_graph(), tmp_path / "v.html").path.read_text(encoding="utf-8")
    data = page_data(html)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert (nodes["system:vllm"]["shape"], nodes["system:vllm"]["color"]) == ("diamond", "#e15759")
    assert (nodes["author:dan"]["shape"], nodes["author:dan"]["label"]) == ("dot", QUOTES)
    assert nodes["system:vllm"]["value"] == 7 and nodes["org:uw"]["value"] == 2  # 1 + degree
    edges = {e["kind"]: e for e in data["edges"]}
    assert edges["BUILDS_ON"]["dashes"] == [10, 6] and edges["COMPARES_WITH"]["dashes"] is False
    assert edges["CO_AUTHOR"]["arrows"] == "" and edges["INTRODUCES"]["arrows"] == "to"
    # The legend lists exactly the node and edge types on the page.
    legend = html.split('id="kg-legend"')[1].split("</div>\n</div>")[0]
    assert re.findall(r"></span>(\w+) <span", legend) == ["Author", "Category", "Hardware", "Organization",
                                                         "Paper", "System", "Technique"]
    assert "BUILDS_ON" in legend and "border-top-style: dashed" in legend


def test_size_by_citations(tmp_path: Path) -> None:
    data = page_data(viz(sample_graph(), tmp_path / "v.html", size="citations").path.read_text())
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["author:zhihao-jia"]["value"] == 53  # sqrt of 2,836 profile citations
    assert nodes["system:vllm"]["value"] == 1 + 3  # compared with twice, integrated into once


@pytest.mark.parametrize(
    ("view", "selection", "counts"),
    [
        ("all", Selection(), (19, 29)),
        ("coauthors", Selection(), (5, 5)),
        ("citations", Selection(), (4, 4)),
        ("techniques", Selection(), (5, 3)),
        ("ego", Selection(center=("vLLM",), hops=2), (16, 25)),
        ("coauthors", Selection(author=("Zhihao Jia",), min_weight=2), (2, 1)),
    ],
)
def test_views_select_what_they_are_named_for(tmp_path: Path, view: str, selection: Selection,
                                              counts: tuple[int, int]) -> None:
    result = viz(sample_graph(), tmp_path / "v.html", view=view, selection=selection)
    data = page_data(result.path.read_text(encoding="utf-8"))
    assert (result.nodes, result.edges) == (len(data["nodes"]), len(data["edges"])) == counts


def test_same_graph_same_bytes(tmp_path: Path) -> None:
    a = viz(sample_graph(), tmp_path / "a.html", view="citations").path.read_bytes()
    b = viz(sample_graph(), tmp_path / "b.html", view="citations").path.read_bytes()
    assert a == b


def test_large_views_lay_out_once_and_big_ones_are_refused(tmp_path: Path) -> None:
    import networkx as nx

    G = nx.MultiDiGraph()
    for i in range(200):
        G.add_node(f"author:a{i}", type="Author", name=f"A {i}")
        if i:
            G.add_edge(f"author:a{i}", f"author:a{i // 2}", key="CO_AUTHOR", type="CO_AUTHOR", weight=1,
                       papers=["x"])
    data = page_data(viz(G, tmp_path / "v.html").path.read_text())
    assert data["options"]["layout"]["improvedLayout"] is False
    assert data["options"]["physics"]["stabilization"]["iterations"] == 200  # 40,000 node-steps / 200 nodes
    with pytest.raises(SelectionError) as err:
        viz(G, tmp_path / "w.html", max_nodes=150)
    assert str(err.value) == ("the all view has 200 nodes, more than 150: narrow the selection (--center, --type, "
                              "--limit) or raise the cap with --max-nodes 200")
    assert not (tmp_path / "w.html").exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"view": "graph"}, "unknown view 'graph': allowed: all, coauthors, citations, techniques, ego"),
        ({"view": "ego"}, "the ego view needs a center: add --center NAME (or --author/--system/--technique)"),
        ({"size": "pagerank"}, "unknown size 'pagerank': allowed: degree, citations"),
    ],
)
def test_bad_view_options(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(SelectionError) as err:
        viz(sample_graph(), tmp_path / "v.html", **kwargs)
    assert str(err.value) == message


def test_cli_viz(tmp_path: Path) -> None:
    write_graph(sample_graph(), tmp_path / "graph.json")
    runner = CliRunner()
    out = tmp_path / "ego.html"
    result = runner.invoke(app, ["viz", "-g", str(tmp_path / "graph.json"), "--system", "punica", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote {out}: ego view, 3 nodes, 3 edges\n"
    assert result.stderr == "hops: dropped 16 nodes and 26 edges (more than 1 hop from the center)\n"
    assert "<h1>kg ego view around Punica</h1>" in out.read_text()


def test_cli_viz_errors(tmp_path: Path) -> None:
    write_graph(sample_graph(), tmp_path / "graph.json")
    runner = CliRunner()
    base = ["viz", "-g", str(tmp_path / "graph.json"), "-o", str(tmp_path / "v.html")]
    cases = [
        (["--view", "ego"], "Error: the ego view needs a center: add --center NAME (or --author/--system/--technique)\n"),
        (["--center", "Punika"], "Error: no entity named 'Punika'; did you mean: Punica?\n"),
        (["--since", "2031"], "Error: the selection matched nothing after --since/--until: papers span 2022-2024\n"),
        (["--max-nodes", "10"], ("Error: the all view has 19 nodes, more than 10: narrow the selection (--center, "
                                 "--type, --limit) or raise the cap with --max-nodes 19\n")),
    ]
    for args, message in cases:
        result = runner.invoke(app, [*base, *args])
        assert (result.exit_code, result.stderr) == (1, message), args
    result = runner.invoke(app, ["viz", "-g", str(tmp_path / "missing.json"), "-o", str(tmp_path / "v.html")])
    assert result.exit_code == 1 and result.stderr.startswith("Error: no graph at ")
