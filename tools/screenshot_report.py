"""Refresh docs/report.png, the README's picture of `kg report`: the comparison matrix of a report with
its first cell's evidence open, in headless Chromium.

    kg build ../shared/corpus/ -o corpus-out && kg report -g corpus-out -o corpus-out/report.html
    python tools/screenshot_report.py corpus-out/report.html
"""

from __future__ import annotations

import sys
from pathlib import Path

from kg.sinks.headless import Page

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main(report: str) -> None:
    with Page(width=1280, height=1100) as page:
        page.open_page(report)
        page.run("document.getElementById('matrix').scrollIntoView();"
                 "document.querySelector('#matrix td.kg-hit').click();")
        page.screenshot(DOCS / "report.png")


if __name__ == "__main__":
    main(sys.argv[1])
