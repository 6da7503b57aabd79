"""The views in real headless Chromium, offline: no console errors, no network requests, the expected
node and edge counts inside vis-network, tooltips with their text, and hostile titles shown as text.

Run in CI (`.ci/run` installs Chromium); elsewhere they skip when Chromium is missing.
Set KG_UPDATE_DOCS=1 to also refresh docs/views.png, the README screenshot.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_select_graph import HOSTILE, SCRIPT, sample_graph

from kg.errors import ExportError
from kg.select import Selection
from kg.sinks.headless import Page, chromium_available
from kg.sinks.html import viz

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("headless Chromium (/usr/bin/chromium, /usr/bin/chromedriver) is required in CI")
        pytest.skip("Chromium is not installed")
    try:
        browser = Page()
    except ExportError as err:
        if os.environ.get("CI"):
            pytest.fail(str(err))
        pytest.skip(str(err))
    with browser:
        yield browser


def open_clean(page: Page, path: Path) -> None:
    page.open(path)
    assert page.console_errors() == []
    assert page.requests() == []


VIEWS = [
    ("all", Selection(), (19, 29), "system:vllm", "vLLM\ntype: System\naliases: vLLM, Virtual LLM"),
    ("coauthors", Selection(), (5, 5), "author:zhihao-jia", "Zhihao Jia\ntype: Author\nh-index: 50"),
    ("citations", Selection(), (4, 4), "system:punica", "Punica\ntype: System"),
    ("techniques", Selection(), (5, 3), "technique:lora", "LoRA\ntype: Technique\nkey: lora\nparent: peft"),
    ("ego", Selection(center=("FlashInfer",), hops=2), (13, 19), "paper:2401.00001",
     f"{HOSTILE}\ntype: Paper\nyear: 2024"),
]


@pytest.mark.parametrize(("view", "selection", "counts", "node", "tooltip"), VIEWS, ids=[v[0] for v in VIEWS])
def test_each_view_opens_offline_and_shows_its_graph(page: Page, tmp_path: Path, view: str,
                                                     selection: Selection, counts: tuple[int, int], node: str,
                                                     tooltip: str) -> None:
    path = viz(sample_graph(), tmp_path / f"{view}.html", view=view, selection=selection).path
    open_clean(page, path)
    assert page.counts() == counts
    assert page.hover(node).startswith(tooltip)
    page.screenshot(tmp_path / f"{view}.png")
    assert page.console_errors() == []


def test_edge_tooltip_shows_factor_and_evidence(page: Page, tmp_path: Path) -> None:
    G = sample_graph()
    path = viz(G, tmp_path / "c.html", view="citations", selection=Selection(system=("FlashInfer",))).path
    open_clean(page, path)
    assert page.counts() == (2, 1)
    text = page.hover("system:flashinfer|system:vllm|COMPARES_WITH|2401.00001", edge=True)
    assert text == (f"FlashInfer COMPARES_WITH vLLM\nfactor: 12x\nmetric: throughput\npaper: {HOSTILE} (2024)\n"
                    f"evidence: We beat vLLM by 12x. {HOSTILE}")


def test_hostile_titles_show_as_text(page: Page, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    path = viz(sample_graph(), tmp_path / "h.html", title=f"Views {HOSTILE}").path
    open_clean(page, path)
    driver = page.driver
    tip = page.hover("paper:2401.00001")
    assert tip.splitlines()[0] == HOSTILE
    assert page.hover("system:evil").splitlines()[0] == SCRIPT
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 -- raises when no alert() ran
    assert driver.execute_script("return document.querySelectorAll('img, b').length") == 0
    assert driver.find_element("tag name", "h1").text == f"Views {HOSTILE}"
    assert driver.title == f"Views {HOSTILE}"
    options = driver.execute_script("return Array.from(document.querySelectorAll('#kg-names option'))"
                                    ".map(function (o) { return o.value; })")
    assert HOSTILE in options and SCRIPT in options
    assert page.console_errors() == []


def test_search_box_finds_and_selects_a_node(page: Page, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    open_clean(page, viz(sample_graph(), tmp_path / "s.html").path)
    box = page.driver.find_element("id", "kg-search")
    box.clear()
    box.send_keys("punica", Keys.ENTER)
    assert page.driver.execute_script("return window.kg.network.getSelectedNodes()") == ["system:punica"]
    assert page.driver.find_element("id", "kg-found").text == "Punica"
    box.clear()
    box.send_keys("nothing like it", Keys.ENTER)
    assert page.driver.find_element("id", "kg-found").text == "no node named \u201cnothing like it\u201d"


@pytest.mark.seeds
def test_seed_views_open(seed_graph, page: Page, tmp_path: Path) -> None:
    G = seed_graph
    whole = viz(G, tmp_path / "all.html")
    open_clean(page, whole.path)
    assert page.counts() == (G.number_of_nodes(), G.number_of_edges())
    ego = viz(G, tmp_path / "vllm.html", selection=Selection(system=("vLLM",), hops=2))
    open_clean(page, ego.path)
    assert page.counts() == (ego.nodes, ego.edges)
    assert page.hover("system:vllm").startswith("vLLM\ntype: System")


@pytest.mark.seeds
def test_readme_screenshot(seed_graph, tmp_path: Path) -> None:
    """The README picture: the citations around vLLM in the seed graph, drawn by the same code as above."""
    G = seed_graph
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail("headless Chromium is required in CI")
        pytest.skip("Chromium is not installed")
    path = viz(G, tmp_path / "readme.html", view="citations", selection=Selection(system=("vLLM",), hops=2),
               title="Systems compared with, built on and integrated into vLLM").path
    with Page(width=1000, height=600) as small:
        open_clean(small, path)
        shot = small.screenshot(tmp_path / "views.png")
    assert shot.stat().st_size > 10_000  # a drawn graph, not a blank page
    if os.environ.get("KG_UPDATE_DOCS"):
        DOCS.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS / "views.png")
