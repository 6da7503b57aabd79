"""Incremental builds: a rebuild extracts only new or changed papers (and the old papers whose matches of
the corpus-wide names change), reuses the other records from the directory's extraction cache, and writes
the same bytes as one clean build. A cache that is stale, cut, edited or from another --model costs time
only."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from kg.extract import build_nlp, extract
from kg.extract.cache import CACHE_FILE, ExtractCache, extractor_version, record_line
from kg.pipeline import EXTRACTIONS_FILE, build

OLD = [
    ("Scheduling Requests at Scale",
     "We study request scheduling for language model serving. We deploy our scheduler on Quillstream and "
     "vLLM clusters and cut tail latency by 30%."),
    ("Zorblat: Fast Serving of Sparse Models",
     "We present Zorblat, a serving system for mixture-of-experts models. Zorblat applies speculative "
     "decoding and achieves up to 2.4x higher throughput than vLLM on A100 GPUs."),
    ("Paged Memory for Training",
     "Training large models runs out of GPU memory. We present Pagetron, which pages activations to host "
     "memory and builds on PyTorch. Pagetron trains 2x larger models than DeepSpeed."),
    ("A Study of Gradient Compression",
     "We measure gradient compression with 4-bit quantization on H100 GPUs and find it rarely helps."),
]
# Introduces the name the first old paper mentions: that old record changes (the corpus-wide pass).
QUILL = ("Quillstream: A Streaming Engine for Model Serving",
         "We present Quillstream, a streaming engine for model serving. Quillstream overlaps decoding with "
         "network transfers and achieves 2x higher throughput than vLLM.")
OTHER = ("Vectorized Joins on GPUs",
         "We present Joinix, a GPU join engine. Joinix is 3x faster than cuDF on TPC-H queries.")


def listing(path, rows):
    with path.open("w", encoding="utf-8") as fh:
        for i, (title, abstract) in enumerate(rows):
            fh.write(json.dumps({"title": title, "authors": [f"Ann Lee{i}"], "year": 2025,
                                 "abstract": abstract}) + "\n")
    return path


def files(out):
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def records(out):
    return {json.loads(line)["title"]: line for line in (out / EXTRACTIONS_FILE).open(encoding="utf-8")}


@pytest.fixture
def sources(tmp_path):
    return listing(tmp_path / "a.jsonl", OLD), listing(tmp_path / "b.jsonl", [QUILL, OTHER])


@pytest.fixture
def clean(sources, tmp_path):
    """One build of everything, to compare with."""
    return files(build(list(sources), out=tmp_path / "clean").out)


def test_a_rebuild_extracts_the_new_papers_and_those_their_names_reach(sources, clean, tmp_path):
    a, b = sources
    out = tmp_path / "inc"
    first = build([a], out=out)
    assert (first.extracted, first.reused) == (4, 0)
    before = records(out)
    second = build([b], out=out)
    # 2 new papers, and the scheduling paper, which mentions the Quillstream that a new paper introduces
    assert (second.extracted, second.reused) == (3, 3)
    after = records(out)
    assert before[OLD[0][0]] != after[OLD[0][0]]  # its record did change: reusing it would be wrong
    assert all(before[t] == after[t] for t, _ in OLD[1:])
    assert files(out) == clean


def test_a_rebuild_of_the_same_input_reuses_every_record(sources, tmp_path):
    out = tmp_path / "out"
    build(list(sources), out=out)
    once = files(out)
    again = build(list(sources), out=out)
    assert (again.extracted, again.reused) == (0, 6)
    assert files(out) == once


def test_seeds_a_then_b_reuses_the_records_of_a(seeds_dir, seed_build, tmp_path):
    parts = sorted(p for p in seeds_dir.iterdir() if p.suffix == ".txt")
    first = build(parts[:3], out=tmp_path / "inc")
    second = build(parts[3:], out=tmp_path / "inc")
    whole = build(parts, out=tmp_path / "whole")
    total = whole.ingest.papers
    assert second.extracted + second.reused == total
    assert 0 < second.reused <= first.extracted
    assert second.extracted >= total - first.extracted  # at least the papers the first build had not seen
    assert files(tmp_path / "inc") == files(whole.out)


def test_a_changed_abstract_is_extracted_again(tmp_path):
    from kg.ingest import ingest

    papers = sorted(ingest([listing(tmp_path / "a.jsonl", [*OLD, QUILL])]).papers, key=lambda p: p.id)
    nlp = build_nlp()
    version = extractor_version("learned")

    def run(ps):
        cache = ExtractCache(tmp_path / CACHE_FILE, tmp_path / EXTRACTIONS_FILE, version)
        out = extract(ps, nlp=nlp, cache=cache)
        (tmp_path / EXTRACTIONS_FILE).write_text("".join(map(record_line, out)), encoding="utf-8")
        cache.write()
        return out, cache

    first, _ = run(papers)
    i = next(k for k, p in enumerate(papers) if p.title == QUILL[0])
    changed = [*papers]
    changed[i] = replace(papers[i], abstract=papers[i].abstract.replace("2x higher", "5x higher"))
    out, cache = run(changed)
    assert (cache.new, cache.affected, cache.reused) == (1, 0, 4)
    assert out == extract(changed, nlp=nlp)
    assert out[i] != first[i]
    assert [x for k, x in enumerate(out) if k != i] == [x for k, x in enumerate(first) if k != i]


def test_a_different_model_extracts_everything_again(sources, tmp_path):
    a, _ = sources
    out = tmp_path / "out"
    build([a], out=out)
    rules = build([a], out=out, model="rules")
    assert (rules.extracted, rules.reused) == (4, 0)
    assert files(out) == files(build([a], out=tmp_path / "clean-rules", model="rules").out)
    assert build([a], out=out, model="rules").reused == 4
    assert build([a], out=out).extracted == 4  # and back


def test_the_version_names_the_tagger_and_the_weights_bytes(tmp_path):
    w1, w2 = tmp_path / "w1.json", tmp_path / "w2.json"
    w1.write_text("{}")
    w2.write_text("{ }")
    versions = {extractor_version(t) for t in ("learned", "rules", str(w1), str(w2))}
    assert len(versions) == 4
    assert extractor_version("learned") == extractor_version("learned")


def _cut(text):
    return text[: len(text) // 2]


def _flip(text):
    i = len(text) // 2
    return text[:i] + ("0" if text[i] != "0" else "1") + text[i + 1:]


def _other_version(text):
    head, rest = text.split("\n", 1)
    return json.dumps({**json.loads(head), "version": "0" * 32}) + "\n" + rest


def _no_trailer(text):
    return "".join(text.splitlines(keepends=True)[:-1])


@pytest.mark.parametrize("damage", [_cut, _flip, _other_version, _no_trailer, lambda t: "",
                                    lambda t: "\x00garbage\n", lambda t: "[1, 2]\n" + t])
def test_a_damaged_cache_is_ignored(sources, clean, tmp_path, damage):
    a, b = sources
    out = tmp_path / "out"
    build([a, b], out=out)
    path = out / CACHE_FILE
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    again = build([a, b], out=out)
    assert (again.extracted, again.reused) == (6, 0)
    assert files(out) == clean


def test_a_record_that_is_not_the_one_the_cache_checked_is_extracted_again(sources, clean, tmp_path):
    out = tmp_path / "out"
    build(list(sources), out=out)
    lines = (out / EXTRACTIONS_FILE).read_text(encoding="utf-8").splitlines(keepends=True)
    edited = json.loads(lines[1])
    edited["title"] += " (edited)"
    lines[1] = json.dumps(edited, ensure_ascii=False) + "\n"
    (out / EXTRACTIONS_FILE).write_text("".join(lines), encoding="utf-8")
    again = build(list(sources), out=out)
    assert (again.extracted, again.reused) == (1, 5)
    assert files(out) == clean


def test_a_cache_left_by_an_earlier_build_is_checked_against_the_new_names(sources, clean, tmp_path):
    # As after a kill between the writes: the records of build 2 beside the cache of build 1.
    a, b = sources
    out = tmp_path / "inc"
    build([a], out=out)
    old_cache = (out / CACHE_FILE).read_bytes()
    build([b], out=out)
    (out / CACHE_FILE).write_bytes(old_cache)
    again = build([b], out=out)
    assert (again.extracted, again.reused) == (3, 3)  # the 2 papers it lacks and the one Quillstream reaches
    assert files(out) == clean


def test_forked_extraction_with_a_cache_gives_the_same_records(tmp_path):
    from kg.ingest import ingest

    rows = [*OLD, OTHER, *[(f"{t} (copy {k})", s) for k in range(4) for t, s in OLD]]
    papers = sorted(ingest([listing(tmp_path / "a.jsonl", rows)]).papers, key=lambda p: p.id)
    more = sorted([*papers, *ingest([listing(tmp_path / "b.jsonl", [QUILL])]).papers], key=lambda p: p.id)
    nlp = build_nlp()
    version = extractor_version("learned")
    for ps in (papers, more):
        cache = ExtractCache(tmp_path / CACHE_FILE, tmp_path / EXTRACTIONS_FILE, version)
        out = extract(ps, nlp=nlp, n_process=2, batch_size=2, cache=cache)
        assert out == extract(ps, nlp=nlp)
        (tmp_path / EXTRACTIONS_FILE).write_text("".join(map(record_line, out)), encoding="utf-8")
        cache.write()
    # (the scheduling paper and its 4 copies: enough to assemble in forked workers too)
    assert (cache.new, cache.affected, cache.reused) == (1, 5, len(papers) - 5)


def _killed(*args, **kwargs):
    raise KeyboardInterrupt  # as a kill at that point: the files before it are written, the rest are not


@pytest.mark.parametrize("point", ["kg.ingest.write_jsonl", "kg.pipeline.write_graph",
                                   "kg.extract.cache.ExtractCache.write"])
def test_a_rebuild_cut_short_at_a_write_then_rerun_equals_a_clean_build(sources, clean, tmp_path, monkeypatch,
                                                                        point):
    a, b = sources
    out = tmp_path / "inc"
    build([a], out=out)
    with monkeypatch.context() as m:
        m.setattr(point, _killed)
        with pytest.raises(KeyboardInterrupt):
            build([b], out=out)
    build([b], out=out)
    assert files(out) == clean
