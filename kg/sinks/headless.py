"""Opening a view in headless Chromium with the network off: used by the browser tests, the benchmark
and the README screenshot, so all three see the page the same way.

Selenium is a test dependency (`pip install -e '.[test]'`), loaded only here.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Self

from kg.errors import ExportError

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium_available(chromium: str = CHROMIUM, chromedriver: str = CHROMEDRIVER) -> bool:
    return Path(chromium).exists() and Path(chromedriver).exists()


class Page:
    """One headless Chromium, offline. Use as a context manager; `open()` a view, then ask it questions."""

    def __init__(self, *, width: int = 1280, height: int = 800, chromium: str = CHROMIUM,
                 chromedriver: str = CHROMEDRIVER) -> None:
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
        except ImportError:
            raise ExportError("opening views in a browser needs selenium: pip install -e '.[test]'") from None
        self._profile = tempfile.mkdtemp(prefix="kg-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", f"--user-data-dir={self._profile}",
                    f"--window-size={width},{height}",
                    # Belt and braces with the offline emulation below: any request goes to a dead port.
                    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        try:
            self.driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        except Exception as err:  # noqa: BLE001 -- selenium raises many kinds; the message says which
            shutil.rmtree(self._profile, ignore_errors=True)
            raise ExportError(f"cannot start headless Chromium ({chromium}): {str(err).splitlines()[0]}") from None
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0,
        })
        self._logs: list[dict[str, Any]] = []
        self._perf: list[dict[str, Any]] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    def open(self, path: str | Path, *, timeout: float = 60.0) -> float:
        """Load the file and wait until the view is laid out and drawn; returns seconds from the start of
        navigation to the first drawing after stabilisation, as the page measured it."""
        url = Path(path).resolve().as_uri()
        self._perf = []
        self.driver.get_log("performance")  # what the browser did before this page is not the page's
        self.driver.get(url)
        deadline = time.monotonic() + timeout
        while not self.driver.execute_script("return !!(window.kg && window.kg.ready)"):
            if time.monotonic() > deadline:
                raise ExportError(f"{path}: the view did not finish drawing within {timeout:.0f} s")
            time.sleep(0.02)
        return float(self.driver.execute_script("return window.kg.drawnMs")) / 1000.0

    def open_page(self, path: str | Path, *, timeout: float = 60.0) -> None:
        """Load a page without a network view (the report, the heatmap) and wait until it has loaded."""
        self._perf = []
        self.driver.get_log("performance")
        self.driver.get(Path(path).resolve().as_uri())
        deadline = time.monotonic() + timeout
        while self.driver.execute_script("return document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise ExportError(f"{path}: the page did not load within {timeout:.0f} s")
            time.sleep(0.02)

    def run(self, script: str, *args: Any) -> Any:
        """The value of `script` (a function body using `arguments`) in the open page."""
        return self.driver.execute_script(script, *args)

    def click(self, css: str) -> None:
        self.driver.find_element("css selector", css).click()

    def text(self, css: str) -> str:
        return str(self.driver.find_element("css selector", css).text)

    def full_screenshot(self, path: str | Path, *, width: int = 1280, max_height: int = 6000) -> Path:
        """A screenshot of the whole page (up to `max_height` pixels), not just the window."""
        height = int(self.driver.execute_script("return document.documentElement.scrollHeight"))
        self.driver.set_window_size(width, min(max(height, 400), max_height))
        return self.screenshot(path)

    def counts(self) -> tuple[int, int]:
        """(nodes, edges) the vis network holds."""
        n, e = self.driver.execute_script(
            "var b = window.kg.network.body; return [b.nodeIndices.length, b.edgeIndices.length];")
        return int(n), int(e)

    def console_errors(self) -> list[str]:
        self._logs += self.driver.get_log("browser")
        return [entry["message"] for entry in self._logs if entry.get("level") == "SEVERE"]

    def requests(self) -> list[str]:
        """URLs the page asked for since `open()`, other than local `file:`, `data:` and `blob:` URLs."""
        self._perf += self.driver.get_log("performance")
        urls = []
        for entry in self._perf:
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
                if not url.startswith(("file:", "data:", "blob:")):
                    urls.append(url)
        return urls

    def hover(self, item: str, *, edge: bool = False, timeout: float = 5.0) -> str:
        """Move the mouse onto a node (or the middle of an edge) and return the tooltip's visible text."""
        from selenium.webdriver.common.action_chains import ActionChains

        script = """
            var net = window.kg.network, id = arguments[0], p;
            net.moveTo({position: net.getViewPosition(), scale: net.getScale(), animation: false});
            if (arguments[1]) {
                var e = net.body.edges[id], a = net.getPosition(e.fromId), b = net.getPosition(e.toId);
                p = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2};
            } else {
                net.focus(id, {scale: 1.5, animation: false});
                p = net.getPosition(id);
            }
            var d = net.canvasToDOM(p), r = net.body.container.getBoundingClientRect();
            return [d.x, d.y, r.width, r.height];
        """
        x, y, w, h = self.driver.execute_script(script, item, edge)
        container = self.driver.find_element("id", "kg-network")
        chain = ActionChains(self.driver)
        chain.move_to_element_with_offset(container, int(x - w / 2) + 1, int(y - h / 2) + 1)
        chain.move_by_offset(-1, -1).perform()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.driver.execute_script("""
                var t = document.querySelector('div.vis-tooltip');
                return t && t.style.visibility !== 'hidden' ? t.innerText : '';""")
            if text:
                return str(text)
            time.sleep(0.05)
        raise ExportError(f"no tooltip appeared over {item!r}")

    def screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.driver.save_screenshot(str(path)):
            raise ExportError(f"cannot save a screenshot to {path}")
        return path
