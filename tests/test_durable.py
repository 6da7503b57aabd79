"""Durability: a write cut short (an error mid-way, a full disk, kill -9) leaves the previous files whole;
a second build into the same directory fails with one line; a planted symlink is never followed."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.atomic import build_lock, write_atomic
from kg.cli import app
from kg.errors import KgError


def listing(path: Path, n: int, start: int = 0) -> Path:
    """Our own JSONL records: made-up titles and abstracts."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            fh.write(json.dumps({"title": f"Zorb study number {i}", "authors": [f"Ann Lee{i % 7}"],
                                 "year": 2025, "abstract": f"We present Zorb{i}, a system. It beats vLLM by {i % 9 + 1}x."})
                     + "\n")
    return path


def test_an_error_mid_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "papers.jsonl"
    target.write_text("old\n")

    def chunks():
        yield "new line 1\n"
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        write_atomic(target, chunks())
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["papers.jsonl"]


def test_a_full_disk_is_one_line_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "graph.json"
    target.write_text("{}\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(KgError) as err:
        write_atomic(target, ["x" * 100])
    assert str(err.value) == f"{target}: cannot write (No space left on device)"
    assert target.read_text() == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.json"]


def test_a_second_build_into_the_same_directory_fails_at_once(tmp_path):
    src = listing(tmp_path / "a.jsonl", 3)
    out = tmp_path / "out"
    with build_lock(out):
        result = CliRunner().invoke(app, ["build", str(src), "--out", str(out), "--model", "rules"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (f"Error: {out}: another kg build is writing here; wait for it to "
                                              "finish or give another --out")
    assert not (out / "papers.jsonl").exists()


def test_a_planted_symlink_is_not_followed(tmp_path):
    src = listing(tmp_path / "a.jsonl", 3)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    for name in ("graph.json.tmp", "papers.jsonl.tmp", "extractions.jsonl.tmp"):
        (out / name).symlink_to(victim)
    result = CliRunner().invoke(app, ["build", str(src), "--out", str(out), "--model", "rules"])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "keep me\n"
    assert json.loads((out / "graph.json").read_text())["graph"]["schema"] == "kg/1"


@pytest.mark.slow
def test_kill_9_during_a_rebuild_loses_no_earlier_paper(tmp_path):
    first = listing(tmp_path / "first.jsonl", 40)
    big = listing(tmp_path / "big.jsonl", 6000, start=1000)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kg.cli", "build", "--model", "rules", "--out", str(out)]
    subprocess.run([*cmd, str(first)], check=True, capture_output=True)
    earlier = {json.loads(line)["id"] for line in (out / "papers.jsonl").open()}
    for delay in (1.0, 2.5, 4.0):  # somewhere in ingest, extraction or the writes
        proc = subprocess.Popen([*cmd, str(big)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = {json.loads(line)["id"] for line in (out / "papers.jsonl").open() if '"type": "profile"' not in line}
        assert earlier <= now
        json.loads((out / "graph.json").read_text())  # whole, whichever build wrote it
    subprocess.run([*cmd, str(big)], check=True, capture_output=True)
    final = {json.loads(line)["id"] for line in (out / "papers.jsonl").open()}
    assert len(final) == 6040 and earlier <= final
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("label", ["X;touch PWNED;", "/../../x", "System$(id)"])
def test_csv_export_refuses_labels_outside_the_schema(tmp_path, label):
    import networkx as nx

    from kg.errors import ExportError
    from kg.sinks.files import write_csv

    G = nx.MultiDiGraph()
    G.add_node("system:a", type=label, name="A")
    with pytest.raises(ExportError) as err:
        write_csv(G, tmp_path / "csv")
    assert str(err.value) == f"cannot export csv: {label!r} is not a node label or relationship type of the kg schema"
    assert not (tmp_path / "PWNED").exists() and not list(tmp_path.rglob("x*"))


@pytest.mark.parametrize("cut", ["kg.pipeline.write_graph", "kg.extract.cache.ExtractCache.write"])
def test_records_and_graph_of_different_builds_are_never_paired(tmp_path, monkeypatch, cut):
    """A build cut after its records but before its manifest: `kg merges` (which re-resolves the records)
    refuses the directory in one line, the next build says so and finishes it, like one clean build."""
    first, more = listing(tmp_path / "first.jsonl", 20), listing(tmp_path / "more.jsonl", 5, start=500)
    out, clean = tmp_path / "out", tmp_path / "clean"
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(first), "-o", str(out), "--model", "rules"]).exit_code == 0

    def killed(*args, **kwargs):
        raise KgError("killed")

    with monkeypatch.context() as m:
        m.setattr(cut, killed)
        assert runner.invoke(app, ["build", str(more), "-o", str(out), "--model", "rules"]).exit_code == 1
    res = runner.invoke(app, ["merges", "join", "Zorb0", "Zorb1", "--graph", str(out)])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"Error: {out}: papers.jsonl and extractions.jsonl are not the build "
                                 "manifest.json records (a kg build was interrupted)")
    res = runner.invoke(app, ["build", str(more), "-o", str(out), "--model", "rules"])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].startswith(f"Note: the last build into {out} was cut short after writing "
                                                 "records.jsonl, papers.jsonl, extractions.jsonl")
    assert runner.invoke(app, ["build", str(first), str(more), "-o", str(clean), "--model", "rules"]).exit_code == 0
    for name in ("papers.jsonl", "extractions.jsonl", "graph.json", "manifest.json"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name


def _listing_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "cypher", "dot"])
def test_an_export_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch, fmt):
    from test_query import sample_graph

    from kg.sinks.files import export

    target = tmp_path / f"sub.{fmt}"
    target.write_text("old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(KgError) as err:
        export(sample_graph(), target, format=fmt)
    assert str(err.value) == f"{target}: cannot write (No space left on device)"
    assert _listing_of(tmp_path) == {f"sub.{fmt}": b"old\n"}


def test_a_csv_export_cut_short_keeps_the_old_set(tmp_path, monkeypatch):
    from test_query import sample_graph

    import kg.sinks.files as files

    out = tmp_path / "csv"
    files.write_csv(sample_graph(), out)
    before = _listing_of(out)
    calls = []

    def dies_on_the_third(path, header, rows):
        calls.append(path)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return real(path, header, rows)

    real = files._write_csv_file
    monkeypatch.setattr(files, "_write_csv_file", dies_on_the_third)
    G = sample_graph()
    G.nodes["system:vllm"]["name"] = "vLLM 2"
    with pytest.raises(RuntimeError):
        files.write_csv(G, out)
    assert _listing_of(out) == before  # no staging folder left, every old file as it was


def test_a_csv_export_cut_between_renames_leaves_no_script_over_a_mix(tmp_path, monkeypatch):
    from test_query import sample_graph

    import kg.sinks.files as files

    out = tmp_path / "csv"
    files.write_csv(sample_graph(), out)
    renamed = []
    real = os.replace

    def dies_on_the_second(src, dst):
        renamed.append(Path(dst).name)
        if len(renamed) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", dies_on_the_second)
    with pytest.raises(KgError) as err:
        files.write_csv(sample_graph(), out)
    assert str(err.value) == f"{out}: cannot write (No space left on device)"
    assert files.IMPORT_SCRIPT not in _listing_of(out)
    monkeypatch.setattr(os, "replace", real)
    paths = files.write_csv(sample_graph(), out)  # the rerun completes the set
    assert sorted(p.name for p in paths) == sorted(_listing_of(out))
    assert os.access(out / files.IMPORT_SCRIPT, os.X_OK)


def test_kg_extract_output_is_replaced_whole(tmp_path, monkeypatch):
    src = listing(tmp_path / "a.jsonl", 3)
    target = tmp_path / "ex.jsonl"
    target.write_text("old\n")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    res = CliRunner().invoke(app, ["extract", str(src), "-o", str(target), "--model", "rules"])
    assert res.exit_code == 1
    assert res.output.splitlines()[-1] == f"Error: {target}: cannot write (No space left on device)"
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "ex.jsonl"]
