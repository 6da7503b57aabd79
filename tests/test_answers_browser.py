"""The report and the comparison heatmap in real headless Chromium, offline: no console errors, no
network requests, the pictures drawn, a cell's click showing its evidence, footnote links that land.

Run in CI (`.ci/run` installs Chromium); elsewhere they skip when Chromium is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from answers_graph import SCRIPT, answers_graph
from test_viz_browser import page  # noqa: F401 -- the module's headless Chromium fixture

from kg.analysis import matrix
from kg.sinks.headless import Page
from kg.sinks.heatmap import write_heatmap
from kg.sinks.report import write_report

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def open_clean(page: Page, path: Path) -> None:
    page.open_page(path)
    assert page.console_errors() == []
    assert page.requests() == []
    # A hostile name shown as text, never run: the page's own script set no global of the attacker's.
    assert page.run("return typeof window.alert === 'function' && !window.__kg_pwned") is True


def test_heatmap_cell_click_shows_every_statement(page: Page, tmp_path: Path) -> None:
    path = write_heatmap(matrix(answers_graph()), tmp_path / "m.html").path
    open_clean(page, path)
    assert page.run("return document.querySelectorAll('td.kg-hit').length") == 8
    page.click("tr:nth-child(2) td.kg-hit")  # S-LoRA x vLLM
    assert page.text("#kg-evidence") == (
        "S-LoRA compared with vLLM (1)\n30x throughput\n\u201cS-LoRA improves on vLLM by 30x.\u201d\n"
        "Paper m12-0 (2025) \u00b7 feed.jsonl:1200")
    page.click("tr:nth-child(4) td.kg-hit")  # the hostile row
    assert page.text("#kg-evidence").startswith(f"{SCRIPT} compared with vLLM (1)\n2x\n")
    assert page.text("tr:nth-child(4) th") == SCRIPT
    assert page.console_errors() == []


def test_report_renders_offline_with_pictures_and_working_evidence_links(page: Page, tmp_path: Path) -> None:
    path = write_report(answers_graph(), tmp_path / "report.html").path
    open_clean(page, path)
    assert page.run("return document.querySelectorAll('svg polyline, svg rect').length") > 20
    sizes = page.run("return Array.from(document.querySelectorAll('svg')).map("
                     "function (s) { var r = s.getBoundingClientRect(); return [r.width, r.height]; })")
    assert len(sizes) == 5 and all(w > 300 and h > 50 for w, h in sizes)
    page.click("#lineage a.kg-note")  # the first footnote of the lineage: Punica's, built on by S-LoRA
    target = page.run("return location.hash")
    assert target == page.run("return document.querySelector('#lineage a.kg-note').getAttribute('href')")
    assert page.text(target) == "\u201cS-LoRA builds on Punica.\u201d \u2014 Paper m12-0 (2025) \u00b7 feed.jsonl:1200"
    page.click("#matrix td.kg-hit")
    assert page.text("#kg-evidence").startswith("S-LoRA compared with vLLM (1)\n30x throughput\n")
    assert page.console_errors() == []
