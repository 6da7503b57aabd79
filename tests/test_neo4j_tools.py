"""tools/neo4j/fetch.sh: clear one-line failures, and no download when the jars are already there."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools" / "neo4j"


def _copy_tools(tmp_path: Path) -> Path:
    dst = tmp_path / "neo4j"
    dst.mkdir()
    shutil.copy(TOOLS / "fetch.sh", dst)
    shutil.copy(TOOLS / "pom.xml", dst)
    shutil.copytree(TOOLS / "src", dst / "src")
    return dst


def _path_with(tmp_path: Path, tools: list[str]) -> str:
    """A PATH holding only bash basics and the named tools (when this machine has them)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ["sed", "dirname", "mktemp", "rm", "tail", "touch", "mkdir", "cat", "sha256sum", "cut", *tools]:
        found = shutil.which(tool)
        if found:
            (bindir / tool).symlink_to(found)
    return str(bindir)


def _run(script_dir: Path, path: str) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("bash") or "/bin/bash", str(script_dir / "fetch.sh")],
                          capture_output=True, text=True, env={**os.environ, "PATH": path}, timeout=120)


def test_fetch_without_java_says_what_to_install(tmp_path):
    proc = _run(_copy_tools(tmp_path), _path_with(tmp_path, []))
    assert proc.returncode == 1
    assert proc.stderr == ("fetch.sh: 'java' not found: install a JDK 17 or 21 (Debian: apt-get install "
                           "openjdk-17-jdk-headless)\n")


def test_fetch_without_maven_says_what_to_install(tmp_path):
    if not (shutil.which("java") and shutil.which("javac")):
        pytest.skip("needs a JDK on PATH")
    proc = _run(_copy_tools(tmp_path), _path_with(tmp_path, ["java", "javac"]))
    assert proc.returncode == 1
    assert proc.stderr == "fetch.sh: 'mvn' not found: install Maven 3.8+ (Debian: apt-get install maven)\n"


def test_fetch_again_skips_the_download():
    import neo4j_server as ns

    if not ns.jars_ready():
        pytest.skip("the jars are not fetched yet (CI fetches them before the tests)")
    proc = subprocess.run(["bash", str(TOOLS / "fetch.sh")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "downloading" not in proc.stdout
    version = ns.jars_stamp().name.split("-")[1]
    assert proc.stdout == f"fetch.sh: Neo4j {version} ready ({TOOLS / 'target'})\n"


def test_pom_is_well_formed_xml():
    # Maven rejects the whole file for one bad comment ("--" inside <!-- -->), and then CI cannot fetch
    # a single jar; say so here, where the line is named, rather than in a Maven log.
    import xml.dom.minidom

    xml.dom.minidom.parse(str(TOOLS / "pom.xml"))
