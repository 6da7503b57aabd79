"""The learned tagger and the corpus gold: loading annotations against the corpus (and failing loudly when
they no longer match), candidates and features, decoding with hand-set weights, the shipped weights on
hand-written abstracts, `kg eval` on a corpus gold, and `kg train` reproducing the shipped weights."""

from __future__ import annotations

import hashlib
import json
import os
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import EvalError
from kg.extract import build_nlp, extract
from kg.extract.candidates import _WORD, CandidateFinder, lowered, name_words
from kg.extract.features import _COMPARE, _COMPARE_LOW, _COMPARE_STEMS, _INTRO, _INTRO_LOW, Context, shape
from kg.extract.learned import CLASSES, Relabeler, Tagger, _Screen, load_tagger, softmax
from kg.gold import load_corpus_gold
from kg.model import Paper, paper_id

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

# Our own two-paper corpus (made-up systems), in the corpus files' shape.
ABSTRACT_1 = ("We present Zorblat, a serving system for large models. Zorblat builds on Quuxflow and "
              "outperforms Blitzserve by 2.5x in throughput on A100 GPUs with LLaMA-2-7B.")
ABSTRACT_2 = "This paper studies the Frobnic file system on x86 servers and compares it with Ext4."
RECORDS = {
    "mlsys.jsonl": [{"id": "arxiv:9901.00001", "title": "Zorblat: Serving Made Quick", "authors": ["Ann Lee"],
                     "year": 2026, "date": "2026-01-02", "venue_or_category": "cs.DC", "abstract": ABSTRACT_1}],
    "sysconf-2017.jsonl": [{"id": "sysconf:TEST_17_001", "title": "A Study of Frobnic", "authors": ["Bo Chen"],
                            "year": 2017, "date": None, "venue_or_category": "TEST 2017", "abstract": ABSTRACT_2}],
}


def sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def span(text: str, form: str) -> list:
    return ["abstract", text.index(form), text.index(form) + len(form)]


def annotation(cid: str, abstract: str, title: str, entities: list[tuple[str, str]], relations=(), who="a1"):
    return {"id": cid, "annotator": who, "title_sha1": sha(title), "abstract_sha1": sha(abstract),
            "entities": [{"type": t, "name": n, "spans": [span(abstract, n)]} for t, n in entities],
            "relations": [dict(zip(("source", "type", "target", "factor"), r)) for r in relations]}


@pytest.fixture()
def corpus_gold(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, recs in RECORDS.items():
        (corpus / name).write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    gold = tmp_path / "gold"
    (gold / "annotations").mkdir(parents=True)
    (gold / "sample.json").write_text(json.dumps({"test": ["arxiv:9901.00001", "sysconf:TEST_17_001"],
                                                  "train": [], "double": ["arxiv:9901.00001"]}))
    a1 = annotation("arxiv:9901.00001", ABSTRACT_1, "Zorblat: Serving Made Quick",
                    [("system_introduced", "Zorblat"), ("system_mentioned", "Quuxflow"),
                     ("system_mentioned", "Blitzserve"), ("hardware", "A100"), ("model", "LLaMA-2-7B")],
                    [("Zorblat", "builds_on", "Quuxflow"), ("Zorblat", "compares_with", "Blitzserve", "2.5x")])
    a2 = annotation("sysconf:TEST_17_001", ABSTRACT_2, "A Study of Frobnic",
                    [("system_mentioned", "Frobnic"), ("system_mentioned", "Ext4")],
                    [("@paper", "compares_with", "Ext4")])
    d1 = annotation("arxiv:9901.00001", ABSTRACT_1, "Zorblat: Serving Made Quick",
                    [("system_introduced", "Zorblat"), ("system_mentioned", "Blitzserve"), ("hardware", "A100")],
                    [("Zorblat", "compares_with", "Blitzserve")], who="d1")
    (gold / "annotations" / "a1.jsonl").write_text(json.dumps(a1) + "\n" + json.dumps(a2) + "\n")
    (gold / "annotations" / "d1.jsonl").write_text(json.dumps(d1) + "\n")
    return gold, corpus


def test_corpus_gold_joins_annotations_with_the_corpus(corpus_gold):
    gold_dir, corpus = corpus_gold
    gold = load_corpus_gold(gold_dir, corpus)
    pid = paper_id(title="Zorblat: Serving Made Quick")
    row = gold.rows[pid]
    assert (row["corpus_id"], row["split"], row["annotator"]) == ("arxiv:9901.00001", "test", "a1")
    assert row["systems_introduced"] == [{"name": "Zorblat", "aliases": []}]
    assert row["systems_mentioned"] == ["Quuxflow", "Blitzserve"]
    assert row["relations"] == [["Zorblat", "builds_on", "Quuxflow", None, None],
                                ["Zorblat", "compares_with", "Blitzserve", "2.5x", None]]
    assert sorted(gold.second) == [pid]  # d1's record measures agreement, it does not replace a1's
    assert len(gold.all_papers) == 2


def test_a_changed_abstract_or_a_wrong_offset_fails_loudly(corpus_gold):
    gold_dir, corpus = corpus_gold
    path = gold_dir / "annotations" / "a1.jsonl"
    lines = path.read_text().splitlines()
    bad = json.loads(lines[1])
    bad["entities"][0]["spans"] = [["abstract", 0, 7]]
    path.write_text(lines[0] + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(EvalError) as err:
        load_corpus_gold(gold_dir, corpus)
    assert str(err.value) == (f"{path}:2: sysconf:TEST_17_001: offsets abstract[0:7] hold 'This pa', "
                              "not 'Frobnic'")
    recs = [dict(RECORDS["mlsys.jsonl"][0], abstract=ABSTRACT_1 + " Edited.")]
    (corpus / "mlsys.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    path.write_text(lines[0] + "\n")
    with pytest.raises(EvalError) as err:
        load_corpus_gold(gold_dir, corpus)
    assert str(err.value) == (f"{path}:1: arxiv:9901.00001: the corpus title or abstract changed since it "
                              "was annotated")


def test_eval_on_a_corpus_gold_prints_intervals_and_agreement(corpus_gold):
    gold_dir, corpus = corpus_gold
    result = CliRunner().invoke(app, ["eval", str(gold_dir), "--corpus", str(corpus), "--model", "rules"])
    assert result.exit_code == 0, result.output
    # The second annotator left out one mention, the model and a relation: agreement shows it. The rules
    # do not know the made-up baselines.
    assert result.output == (
        "2 papers (test); F1 with 95% bootstrap intervals; agreement: F1 of two annotators on 1 doubly "
        "annotated papers\n"
        "field               rules              agreement  support\n"
        "------------------  -----------------  ---------  -------\n"
        "systems_introduced  1.000 [1.00-1.00]  1.000      1\n"
        "systems_mentioned   0.400 [0.00-0.67]  0.667      4\n"
        "models              1.000 [1.00-1.00]  0.000      1\n"
        "hardware            1.000 [1.00-1.00]  1.000      1\n"
        "datasets            1.000 [1.00-1.00]  1.000      0\n"
        "benchmarks          1.000 [1.00-1.00]  1.000      0\n"
        "techniques          1.000 [1.00-1.00]  1.000      0\n"
        "relations           0.000 [0.00-0.00]  0.667      3\n"
        "relations_untyped   0.000 [0.00-0.00]  0.667      3\n"
    )


def test_shape_and_candidates():
    assert [shape(w) for w in ("vLLM", "A100", "Megatron-LM", "llm.npu")] == ["xX", "Xd", "Xx-X", "x.x"]
    gaz = build_nlp().get_pipe("kg_extract").gaz
    finder = CandidateFinder(gaz, {"hot-neuron offloading": "techniques"})
    text = "We run Deep Graph Library on NVIDIA A100 GPUs and apply hot-neuron offloading."
    got = {c.surface: c.origin for c in finder.find("", text, None)}
    assert got["Deep Graph Library"] == "run"
    assert got["NVIDIA A100"] == "run" and got["A100"] == "token"
    assert got["hot-neuron offloading"] == "lexicon"
    assert "We" not in got


# Texts for the fast paths of candidate finding and scoring: technique phrases next to each other, across
# hyphens, apostrophes, newlines and odd spacing, names in any case, non-ASCII text.
TRICKY = [
    "We apply credit-based batching and hot-neuron offloading, then dynamic batching batching.",
    "Fast KV cache offloading\nand  pipelined   model parallelism (PMP) beat tensor-parallel sharding.",
    "It's prefix caching; user's token pruning -- graph pruning, the load balancing problem.",
    "VLLM, vllm and Vllm-based serving; PyTorch's FSDP sharding on NVIDIA A100 GPUs; Llama 3.1 8B.",
    "Nystr\u00f6m method, \u03bcBlocks, K-means quantization \u2014 \u201cspeculative decoding\u201d in \u4e2d\u6587.",
    "dynamic\u00a0batching, adaptive\u2009batching, x batching, Batching-aware scheduling, 3-bit quantization",
]


def _scrambled(n: int, seed: int) -> list[str]:
    """Short strings of the characters the fast paths treat differently (capitals, digits, joiners,
    cased and uncased non-ASCII characters, the letters that fold to ASCII ignoring case)."""
    rnd = random.Random(seed)
    alphabet = ["a", "B", "9", " ", ".", "-", "+", "_", "(", "\n", "\u2019", "\u00e9", "\u00c9", "\u00a0", "Z",
                "x", "\u017f", "\u212a", "\u0131", "vLLM", "gpu", "we ", "than", "over", "batching", "dynamic "]
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 24))) for _ in range(n)]


def test_windowed_and_lower_cased_scans_find_what_the_full_scans_find():
    """Technique phrases are searched around head words only, the lexicon and the head words in
    lower-cased text (ASCII, or without other cased characters) without ignoring case, and name-ish
    words in two narrower scans: the same matches as the plain scans of the whole text."""
    gaz = build_nlp().get_pipe("kg_extract").gaz
    finder = CandidateFinder(gaz, load_tagger().lexicon)
    texts = TRICKY + [a + " " + b for a in TRICKY for b in TRICKY] + _scrambled(3000, 1)
    lowered_non_ascii = 0
    for text in texts:
        low = lowered(text)
        lowered_non_ascii += low is not None and not text.isascii()
        assert [m.span(1) + m.span(2) for m in finder._phrases(text, low)] == \
            [m.span(1) + m.span(2) for m in finder.phrase.finditer(text)]
        if low is not None:
            assert [m.span(1) for m in finder.lexicon_low.finditer(low)] == \
                [m.span(1) for m in finder.lexicon.finditer(text)]
            assert [m.span(1) for m in finder.head_low.finditer(low)] == \
                [m.span(1) for m in finder.head_ci.finditer(text)]
        assert name_words(text) == [m.span() for m in _WORD.finditer(text)]
    assert lowered_non_ascii > 100
    assert lowered("Nystr\u00f6m") is None and lowered("a\u2019s \u2014 B") == "a\u2019s \u2014 b"


def test_cue_tests_on_lower_cased_text_decide_as_the_patterns():
    """The context cues of ASCII text read the lower-cased text (case-sensitive patterns, the compare
    stems found once per text): the same answers as the case-insensitive patterns on every window."""
    rnd = random.Random(2)
    for text in [t for t in TRICKY + _scrambled(3000, 3) if t.isascii()] + [ABSTRACT_1, ABSTRACT_2]:
        low = text.lower()
        ctx = Context(text, [(0, len(text))])
        for _ in range(10):
            a = rnd.randint(0, len(text))
            b = rnd.randint(a, len(text))
            assert bool(_INTRO_LOW.search(low[a:b])) == bool(_INTRO.search(text[a:b]))
            assert bool(_COMPARE_LOW.search(low[a:b])) == bool(_COMPARE.search(text[a:b]))
            assert ctx._stem_between(a, b) == bool(_COMPARE_STEMS.search(low, a, b))


def test_packed_screen_never_skips_a_candidate_the_exact_scores_name():
    """The screen's integer sums (quick and full tests) against exact scores, on random weights up to
    the largest the screen takes and on random feature sets."""
    rnd = random.Random(4)
    classes = tuple(CLASSES)
    for scale in (0.5, 3.0, 1000.0):
        rows = {f"f{i}": tuple(rnd.uniform(-scale, scale) for _ in classes) for i in range(60)}
        rows["bias"] = (3.0,) + (0.0,) * (len(classes) - 1)
        screen = _Screen(rows, classes, 0.5)
        none = classes.index("none")
        skipped = 0
        for _ in range(2000):
            feats = sorted({"bias", *rnd.sample(sorted(rows), rnd.randint(0, 12))})
            base = frozenset(feats[: len(feats) // 2])
            total = sum(screen.rows[f] for f in feats[len(feats) // 2:]) + screen.base(base)
            p = softmax(rows, feats, len(classes))
            if screen.surely_none(total):
                skipped += 1
                assert p[none] >= 0.5
            else:
                assert p[none] < 0.5 + 1e-5
        assert skipped > 0


def test_screening_decides_as_the_exact_scores():
    """Candidates the screen calls surely nothing are the ones the exact scores leave out."""
    gaz = build_nlp().get_pipe("kg_extract").gaz
    tagger = load_tagger()
    papers = [Paper(id=f"t-{i}", title=t, abstract=a) for i, (t, a) in enumerate(zip(TRICKY[::-1], TRICKY))]
    papers.append(Paper(id="t-z", title="Zorblat: Serving Made Quick", abstract=ABSTRACT_1 + " " + ABSTRACT_2))
    screened, exact = Relabeler(gaz, tagger), Relabeler(gaz, tagger)
    exact._screen = False
    assert screened._screen
    for p, ex in zip(papers, extract(papers, tagger="rules")):
        assert screened.relabel(p, ex) == exact.relabel(p, ex)


def test_decoding_with_hand_set_weights():
    """A tagger that trusts the rules' model verdict and names capitalised words that follow
    `outperforms` as mentioned systems: the decision, overlaps and relations follow from the weights."""
    gaz = build_nlp().get_pipe("kg_extract").gaz
    k = {c: i for i, c in enumerate(CLASSES)}
    w = {"bias": [2.0] + [0.0] * (len(CLASSES) - 1)}
    w["rule=models"] = [0.0] * len(CLASSES)
    w["rule=models"][k["models"]] = 5.0
    w["L1=outperforms"] = [0.0] * len(CLASSES)
    w["L1=outperforms"][k["systems_mentioned"]] = 5.0
    w["title_prefix"] = [0.0] * len(CLASSES)
    w["title_prefix"][k["systems_introduced"]] = 5.0
    tagger = Tagger(tuple(CLASSES), w, "test")
    p = Paper(id="t-1", title="Zorblat: Fast", abstract="Zorblat outperforms Blitzserve on LLaMA-2-7B.")
    [rules_ex] = extract([p], tagger="rules")
    ex = Relabeler(gaz, tagger).relabel(p, rules_ex)
    assert [m.name for m in ex.systems_introduced] == ["Zorblat"]
    assert [m.name for m in ex.systems_mentioned] == ["Blitzserve"]
    assert [m.text for m in ex.models] == ["LLaMA-2-7B"]
    assert ex.hardware == () and ex.techniques == ()
    assert ex.systems_mentioned[0].evidence.sentence == "Zorblat outperforms Blitzserve on LLaMA-2-7B."


def test_shipped_weights_on_a_hand_written_abstract():
    tagger = load_tagger()
    assert tagger.classes == tuple(CLASSES) and len(tagger.weights) > 1000
    text = ("We present Zorblat, a serving system for large models. Zorblat is built on top of PyTorch and "
            "outperforms vLLM by 2.5x in throughput on A100 GPUs with LLaMA-2-7B.")
    p = Paper(id="t-2", title="Zorblat: Serving Made Quick", abstract=text)
    [ex] = extract([p])
    assert [m.name for m in ex.systems_introduced] == ["Zorblat"]
    assert [m.name for m in ex.systems_mentioned] == ["PyTorch", "vLLM"]
    assert [m.text for m in ex.hardware] == ["A100"]
    assert [m.text for m in ex.models] == ["LLaMA-2-7B"]
    assert [(r.source, r.type, r.target, r.factor) for r in ex.relations] == [
        ("Zorblat", "builds_on", "PyTorch", None), ("Zorblat", "compares_with", "vLLM", "2.5x")]


def test_weights_that_are_not_a_tagger_file_are_one_line_errors(tmp_path):
    bad = tmp_path / "w.json"
    bad.write_text("{}")
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "none.jsonl"), "--model", str(bad)])
    assert result.exit_code == 1


def need_corpus() -> None:
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the corpus at {CORPUS}")
        pytest.skip("../shared/corpus is not here")


def test_every_committed_annotation_matches_the_corpus():
    need_corpus()
    gold = load_corpus_gold()
    sample = json.loads((ROOT / "tests" / "gold" / "corpus" / "sample.json").read_text())
    assert len(sample["test"]) == 320 and not set(sample["test"]) & set(sample["train"])
    assert {r["corpus_id"] for r in gold.rows.values()} <= set(sample["test"]) | set(sample["train"])


@pytest.mark.slow
def test_kg_train_reproduces_the_shipped_weights():
    need_corpus()
    result = CliRunner().invoke(app, ["train", "--check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("identical to ")


def test_graph_quality_checks_node_types_against_the_annotations(corpus_gold):
    gold, corpus = corpus_gold
    result = CliRunner().invoke(app, ["eval", str(gold), "--corpus", str(corpus), "--quality", "--model", "rules"])
    assert result.exit_code == 0, result.output
    # Four of the seven annotated names are found, each on a node of the annotated type.
    assert result.stdout == (
        "graph of the whole corpus; 4 mentions of 2 annotated test papers on 4 nodes checked against the "
        "annotations\n"
        "wrong type: 0 mentions (0.0%)\n"
        "names the annotators wrote apart on one node: 0 nodes (0.0%)\n"
        "one annotated name on several nodes: 0\n")
