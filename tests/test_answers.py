"""`kg matrix`, `kg trends`, `kg report` on a small hand-made graph: exact output, escaping, bursts."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from answers_graph import SCRIPT, answers_graph
from typer.testing import CliRunner

from kg.analysis import matrix, trends
from kg.analysis.trends import bursts
from kg.cli import app
from kg.errors import SelectionError
from kg.graphio import write_graph

runner = CliRunner()


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("answers") / "graph.json"
    write_graph(answers_graph(), path)
    return path


def run(graph_file: Path, *args: str):
    result = runner.invoke(app, [*args, "--graph", str(graph_file)])
    assert result.exit_code == 0, result.output
    return result


# --- matrix --------------------------------------------------------------------------------------

def test_matrix_table(graph_file):
    assert run(graph_file, "matrix").stdout == (
        "system \\ baseline            vLLM  FlashInfer  Punica\n"
        "---------------------------  ----  ----------  ------\n"
        "S-LoRA                       30x               4x\n"
        "SGLang                       5x    \u2022\n"
        f"{SCRIPT}  2x\n"
        "FlashInfer                   12x\n"
        "Paper m06-0                  \u2022\n"
        "Punica                       2.5x\n"
        "\n"
        "6 of 6 systems x 3 of 3 baselines: 8 of 8 statements, 6 with a factor (\u2022: compared, no factor "
        "stated). All of them: --json, --csv or -o matrix.html.\n")


def test_matrix_json_cells_carry_factor_metric_paper_and_evidence(graph_file):
    data = json.loads(run(graph_file, "matrix", "--json").stdout)
    assert [c["name"] for c in data["columns"]] == ["vLLM", "FlashInfer", "Punica"]
    assert [c["papers"] for c in data["columns"]] == [6, 1, 1]
    assert [r["name"] for r in data["rows"]] == ["S-LoRA", "SGLang", SCRIPT, "FlashInfer", "Paper m06-0", "Punica"]
    assert data["cells"][0] == {
        "system": "S-LoRA", "baseline": "vLLM", "factor": "30x", "metric": "throughput", "paper": "m12-0",
        "evidence": "S-LoRA improves on vLLM by 30x.", "system_id": "system:s-lora", "baseline_id": "system:vllm",
        "paper_title": "Paper m12-0", "year": 2025, "source": "feed.jsonl:1200"}
    assert all(c["evidence"] for c in data["cells"])
    assert sum(1 for c in data["cells"] if c["factor"]) == 6
    assert data["total"] == {"rows": 6, "columns": 3, "cells": 8}


def test_matrix_csv_is_one_line_per_statement(graph_file):
    rows = list(csv.DictReader(io.StringIO(run(graph_file, "matrix", "--csv").stdout)))
    assert len(rows) == 8
    assert rows[4] == {"system": SCRIPT, "baseline": "vLLM", "factor": "2x", "metric": "", "paper": "m12-1",
                       "paper_title": "Paper m12-1", "year": "2025",
                       "evidence": f"{SCRIPT} beats vLLM by 2x & more.", "source": "feed.jsonl:1201"}


def test_matrix_selects_rows_columns_technique_and_years(graph_file):
    out = run(graph_file, "matrix", "--technique", "speculative decoding").stdout
    # Only SGLang's paper is on the technique (through its subtopic, draft trees).
    assert out.splitlines()[:3] == ["system \\ baseline  FlashInfer  vLLM", "-----------------  ----------  ----",
                                    "SGLang             \u2022           5x"]
    data = json.loads(run(graph_file, "matrix", "-s", "SGLang,Punica", "-b", "vLLM", "--json").stdout)
    assert [(c["system"], c["baseline"], c["factor"]) for c in data["cells"]] == [("Punica", "vLLM", "2.5x"),
                                                                                 ("SGLang", "vLLM", "5x")]
    M = matrix(answers_graph(), rows=2, columns=1)
    # Within the one column kept, every row reaches one baseline in one paper: by name.
    assert [r.name for r in M.rows] == [SCRIPT, "FlashInfer"] and [c.name for c in M.columns] == ["vLLM"]
    assert (M.total_rows, M.total_columns, M.total_cells) == (6, 3, 8)
    assert matrix(answers_graph(), since=2026).cells == []


def test_matrix_errors_are_one_line(graph_file):
    result = runner.invoke(app, ["matrix", "-s", "NoSuchSystem", "--graph", str(graph_file)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no entity named 'NoSuchSystem' among System nodes")
    assert result.stderr.count("\n") == 1
    result = runner.invoke(app, ["matrix", "--json", "--csv", "--graph", str(graph_file)])
    assert (result.exit_code, result.stderr) == (1, "Error: choose one of --json, --csv and --out\n")
    with pytest.raises(SelectionError, match=r"^--since 2026 is after --until 2025$"):
        matrix(answers_graph(), since=2026, until=2025)


def test_matrix_heatmap_page_is_escaped_and_offline(graph_file, tmp_path):
    out = tmp_path / "m.html"
    assert run(graph_file, "matrix", "-o", str(out)).stdout == (
        f"wrote {out}: 6 systems x 3 baselines, 8 statements\n")
    page = out.read_text(encoding="utf-8")
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "\\u003cscript\\u003e" in page  # the panel's data
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)


# --- trends --------------------------------------------------------------------------------------

def test_burst_detection_finds_the_late_rise_and_nothing_in_a_flat_series():
    totals = [10] * 12
    assert [(a, b) for a, b, _ in bursts([1] * 9 + [6] * 3, totals)] == [(9, 11)]
    assert bursts([3] * 12, totals) == []
    assert bursts([0] * 12, totals) == []
    assert bursts([10] * 12, totals) == []  # in every paper: nothing to burst above


def test_trends_table(graph_file):
    assert run(graph_file, "trends").stdout == (
        "Papers per month, 2025-01 to 2025-12 (12 periods)\n"
        "  \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588  120 papers\n"
        "\n"
        "Rising (in a burst within the last 3 months):\n"
        "kind       name                  burst             weight  papers\n"
        "---------  --------------------  ----------------  ------  ------\n"
        "technique  speculative decoding  2025-10..2025-12  8.4     27\n"
        "\n"
        "Top techniques:\n"
        "name                  papers  per month     bursts\n"
        "--------------------  ------  ------------  ----------------\n"
        "quantization          36      \u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\n"
        "speculative decoding  27      \u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2581\u2588\u2588\u2588  2025-10..2025-12\n"
        "\n"
        "Top systems:\n"
        "name  papers  per month     bursts\n"
        "----  ------  ------------  ------\n"
        "vLLM  18      \u2583\u2585\u2585\u2583\u2583\u2585\u2583\u2583\u2583\u2583\u2585\u2588\n"
        "\n"
        "Top baselines:\n"
        "name  papers  per month     bursts\n"
        "----  ------  ------------  ------\n"
        "vLLM  6        \u2584\u2584  \u2584    \u2584\u2588\n"
        "\n"
        "Most used baselines by year:\n"
        "year  baselines\n"
        "----  ------------------------------------\n"
        "2025  vLLM (6), FlashInfer (1), Punica (1)\n")


def test_trends_json_holds_series_bursts_and_rising(graph_file):
    data = json.loads(run(graph_file, "trends", "--json").stdout)
    assert data["by"] == "month"
    assert [p["period"] for p in data["periods"]] == [f"2025-{m:02d}" for m in range(1, 13)]
    spec = next(s for s in data["series"] if s["name"] == "speculative decoding")
    assert list(spec["counts"].values()) == [1] * 9 + [6] * 3
    assert spec["bursts"] == [{"start": "2025-10", "end": "2025-12", "weight": 8.361}]
    assert data["rising"] == [{"kind": "technique", "id": "technique:speculative-decoding",
                               "name": "speculative decoding", "total": 27, "start": "2025-10", "end": "2025-12",
                               "weight": 8.361}]
    assert data["rising_baselines"] == []
    assert data["baselines_by_year"] == {"2025": [{"name": "vLLM", "papers": 6}, {"name": "FlashInfer", "papers": 1},
                                                  {"name": "Punica", "papers": 1}]}
    yearly = trends(answers_graph(), by="year")
    assert (yearly.periods, yearly.papers, yearly.rising) == (["2025"], [120], [])


def test_trends_picture_is_svg_and_escaped(graph_file, tmp_path):
    out = tmp_path / "t.svg"
    assert run(graph_file, "trends", "-o", str(out)).stdout == f"wrote {out}: 4 series over 12 periods (month)\n"
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns=')
    assert svg.count("<polyline") == 5  # four series, one burst span
    assert "speculative decoding \u00b7 technique" in svg
    result = runner.invoke(app, ["trends", "-o", str(tmp_path / "t.png"), "--graph", str(graph_file)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 't.png'}: kg trends writes SVG; name the file .svg")
    result = runner.invoke(app, ["trends", "-i", "nothing", "-o", str(out), "--graph", str(graph_file)])
    assert result.stderr == ("Error: no trend series named 'nothing' (is it below --min-papers, or of another "
                             "--kind?)\n")


def test_trends_errors_are_one_line(graph_file):
    result = runner.invoke(app, ["trends", "--kind", "models", "--graph", str(graph_file)])
    assert (result.exit_code, result.stderr) == (1, "Error: unknown kind 'models'; choose from technique, "
                                                    "system, baseline\n")
    result = runner.invoke(app, ["trends", "--since", "2030", "--graph", str(graph_file)])
    assert (result.exit_code, result.stderr) == (1, "Error: no paper has a known year in that range: nothing "
                                                    "to trend\n")


# --- report --------------------------------------------------------------------------------------

def test_report_is_one_offline_escaped_page_with_pictures_and_evidence(graph_file, tmp_path):
    out = tmp_path / "report.html"
    result = run(graph_file, "report", "-o", str(out), "--json")
    summary = json.loads(result.stdout)
    assert summary == {"path": str(out), "bytes": out.stat().st_size, "pictures": 5, "evidence": 24,
                       "sections": ["counts", "top", "matrix", "trends", "lineage", "communities", "evidence"]}
    page = out.read_text(encoding="utf-8")
    assert SCRIPT not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert page.count("<svg") == 5
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page)
    # Every footnote link has its target, and every statement is cited by a claim.
    links = set(re.findall(r'href="#(ev-\d+)"', page))
    targets = set(re.findall(r'<li id="(ev-\d+)"', page))
    assert links == targets and len(targets) == 24
    assert "S-LoRA builds on Punica." in page and "Punica builds on vLLM." in page
    assert "Ada Lovelace (3), Alan Turing (3), Anita Borg (3)" in page
    assert run(graph_file, "report", "-o", str(out)).stdout.startswith(f"wrote {out}: ")
