"""Extraction by the rules: the pure rules, the pipeline on hand-written abstracts, evidence offsets on the
seeds, bad input, determinism and the `kg extract` command.

These pin the rules themselves (`--model rules`, and the verdicts the learned tagger reads as features);
tests/test_learned.py covers the trained tagger on top of them."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ExtractError
from kg.extract import build_nlp, rules
from kg.extract import extract as extract_with_tagger
from kg.extract.gazetteer import load_gazetteer, norm, trie_regex
from kg.model import Paper, paper_id

extract = functools.partial(extract_with_tagger, tagger="rules")
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def paper(title: str | None, abstract: str) -> Paper:
    return Paper(id=paper_id(title=title, abstract=abstract), title=title, abstract=abstract)


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def names(mentions) -> list[str]:
    return [m.name for m in mentions]


# --- rules ----------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in rules.split_sentences(text)]


def test_sentences_survive_abbreviations_decimals_urls_and_latex():
    text = ("Zorblat is 1.4x faster than Quux (e.g. on A100s), see Fig. 3 and Smith et al. for details. "
            "It reaches $7.7\\times$ speedup vs. the baseline, i.e. more. Code: https://example.org/a.b/c. "
            "K. V. Rao helped.")
    assert sentences(text) == [
        "Zorblat is 1.4x faster than Quux (e.g. on A100s), see Fig. 3 and Smith et al. for details.",
        "It reaches $7.7\\times$ speedup vs. the baseline, i.e. more.",
        "Code: https://example.org/a.b/c.",
        "K. V. Rao helped.",
    ]


def test_sentences_of_empty_and_blank_text():
    assert rules.split_sentences("") == []
    assert rules.split_sentences("   \n ") == []


def test_mask_latex_keeps_offsets():
    text = "we propose \\textbf{DDO}, with $2.2\\times$ speedup and 5\\% less"
    masked = rules.mask_latex(text)
    assert len(masked) == len(text)
    assert masked[text.index("DDO"):text.index("DDO") + 3] == "DDO"
    assert "2.2x" in masked


def test_acronym_definitions_link_long_and_short_forms():
    text = "We store data with Invariant Bit Packing (IBP) and use graph neural networks (GNNs)."
    defs = [(d[2], d[5]) for d in rules.acronym_definitions(text)]
    assert defs == [("Invariant Bit Packing", "IBP"), ("graph neural networks", "GNNs")]
    assert not rules.is_acronym_of("XYZ", "graph neural networks")


@pytest.mark.parametrize("text, expected", [
    ("is 12x faster", ["12x"]),
    ("up to 2.4x higher throughput", ["up to 2.4x"]),
    ("by 1.5-2.8x over", ["1.5-2.8x"]),
    ("reduces cost by 29-69% and", ["29-69%"]),
    ("achieves 7.7\u00d7 speedup", ["7.7x"]),
    ("is an order of magnitude faster", ["an order of magnitude"]),
    # Scraped LaTeX glues `\times` to the number; a factor never starts with `by` or an article.
    ("speeds up decoding by up to 3.2times over", ["up to 3.2x"]),
    ("is 2-4times faster", ["2-4x"]),
    ("delivers a 4.3x speedup", ["4.3x"]),
    ("uses 5\\% less memory", ["5%"]),
    ("no numbers here", []),
    # A percentage reached "to" is a level, not a factor, unless it is a share "of" something.
    ("reduces the mean error to 14% on V100", []),
    ("cuts memory to 30% of the baseline's", ["30%"]),
    ("improves accuracy by up to 14%", ["up to 14%"]),
    ("speeds up training close to 40% over", ["40%"]),
])
def test_factors(text, expected):
    assert [f[2] for f in rules.factors(text, 0, len(text))] == expected


@pytest.mark.parametrize("text, expected", [
    # The metric the factor is about, not another one nearer the target or later in the sentence.
    ("Quux reduces the 99th-percentile time-to-first-token by 3.1x compared to vLLM and keeps goodput "
     "within 5%.", "ttft"),
    ("Quux achieves up to 2.4x higher throughput than vLLM at the same latency.", "throughput"),
    ("Quux improves goodput by 1.8x over Orca; its memory use is 20% lower.", "goodput"),
])
def test_metric_of_a_factor(text, expected):
    first = rules.factors(text, 0, len(text))[0]
    assert rules.metric_near(text, 0, len(text), first[0], first[1]) == expected


@pytest.mark.parametrize("title, expected", [
    ("Punica: Multi-Tenant LoRA Serving", "Punica"),
    ("Nexus:Proactive Intra-GPU Disaggregation", "Nexus"),
    ("The Rainbow Skip Graph: A Fault-Tolerant Structure", "Rainbow Skip Graph"),
    ("MoE++: Accelerating Mixture-of-Experts", "MoE++"),
    ("Harder Tasks Need More Experts: Dynamic Routing", None),
    ("On the Trustworthiness of Models: Guideline", None),
    ("Learning to Optimize Tensor Programs", None),
])
def test_title_name(title, expected):
    got = rules.title_name(title)
    assert (got[2] if got else None) == expected


def test_trie_regex_prefers_the_longest_name():
    import re

    rx = re.compile("(" + trie_regex(["Deep", "DeepSpeed", "DeepSpeed-MII"]) + r")\b")
    assert [m.group(1) for m in rx.finditer("DeepSpeed-MII and DeepSpeed and Deep")] == [
        "DeepSpeed-MII", "DeepSpeed", "Deep"]


def test_norm_ignores_case_punctuation_and_possessives():
    assert norm("FlashInfer's") == norm("flashinfer") == "flashinfer"
    assert norm("Megatron-LM") == norm("megatron lm")
    assert norm("MoE++") == "moe++"


def test_vocabulary_ids_are_unique_and_parents_exist():
    gaz = load_gazetteer()
    tech = {key for (kind, key) in gaz.entries if kind == "technique"}
    for (kind, key), entry in gaz.entries.items():
        if kind == "technique" and entry.parent:
            assert entry.parent in tech, key
    assert gaz.entries[("technique", "4-bit-quantization")].parent == "quantization"
    assert gaz.entries[("technique", "pipeline-parallelism")].parent == "parallelism"
    assert gaz.lookup("technique", "low-rank adaptation").name == "LoRA"


# --- extraction on hand-written abstracts ---------------------------------------------------------

ZORB = paper(
    "Zorblat: Fast Serving of Sparse Models",
    "Serving sparse models on GPUs is hard for every LLM framework. We present Zorblat, a serving system "
    "that applies speculative decoding and 4-bit quantization to mixture-of-experts models such as "
    "Mixtral and Llama-2-70B. Zorblat is built on top of PyTorch and integrated into SGLang. On A100 "
    "GPUs with ShareGPT traces, Zorblat achieves up to 2.4x higher throughput than vLLM and 1.5-2x "
    "lower latency compared to FlashInfer's kernels. We also define Invariant Bit Packing (IBP), a "
    "layout. Training relies on Gradient Bucket Sharing (GBS).",
)
QUUX = paper(
    "Scaling Sparse Inference",
    "We study serving at scale (e.g. 1.4x more requests). Unlike ZORBLAT, which batches greedily, "
    "our scheduler outperforms Zorblat's policy by 29-69% on H100 GPUs.",
)


@pytest.fixture(scope="module")
def zorb(nlp):
    return extract([ZORB, QUUX], nlp=nlp)


def test_introduced_system_from_title_and_cue(zorb):
    ex = zorb[0]
    assert names(ex.systems_introduced) == ["Zorblat", "IBP"]
    assert ex.systems_introduced[0].evidence.field == "title"
    # The acronym definition links the long form as an alias.
    assert ex.systems_introduced[1].aliases == ("Invariant Bit Packing",)


def test_mentions_by_kind(zorb):
    ex = zorb[0]
    assert names(ex.systems_mentioned) == ["PyTorch", "SGLang", "vLLM", "FlashInfer"]
    assert names(ex.models) == ["Mixtral", "Llama-2-70B"]
    assert names(ex.hardware) == ["A100"]
    assert names(ex.datasets) == ["ShareGPT"]
    techniques = {m.name: m for m in ex.techniques}
    assert {"speculative decoding", "4-bit quantization", "mixture-of-experts"} <= set(techniques)
    assert techniques["4-bit quantization"].parent == "quantization"
    # Generic capitalised words are not systems.
    assert not {"LLM", "GPU", "GPUs"} & set(names(ex.systems_mentioned))


def test_discovered_technique_from_acronym(zorb):
    found = {m.name: m for m in zorb[0].techniques}
    assert found["gradient bucket sharing"].discovered is True
    assert found["gradient bucket sharing"].aliases == ("GBS",)
    # "Invariant Bit Packing" is the paper's own (introduced), not a technique.
    assert "invariant bit packing" not in found


def test_typed_relations_with_factor_and_metric(zorb):
    rels = {(r.source, r.type, r.target): r for r in zorb[0].relations}
    assert set(rels) == {
        ("Zorblat", "builds_on", "PyTorch"),
        ("Zorblat", "integrates_into", "SGLang"),
        ("Zorblat", "compares_with", "vLLM"),
        ("Zorblat", "compares_with", "FlashInfer"),
    }
    assert rels[("Zorblat", "compares_with", "vLLM")].factor == "up to 2.4x"
    assert rels[("Zorblat", "compares_with", "vLLM")].metric == "throughput"
    assert rels[("Zorblat", "compares_with", "FlashInfer")].factor == "1.5-2x"


def relations_of(nlp, text: str, title: str | None = None) -> list[tuple]:
    [ex] = extract([paper(title, text)], nlp=nlp)
    return [(r.source, r.type, r.target, r.factor) for r in ex.relations]


@pytest.mark.parametrize("text, expected", [
    # A cue is a whole word: "overhead" is not "over".
    ("We present Zorblat, a cache. We measure the overhead of vLLM in detail.", []),
    # Integration and lineage cues.
    ("We present Zorblat, a cache. Zorblat is integrated and open-sourced into SGLang.",
     [("Zorblat", "integrates_into", "SGLang", None)]),
    ("We present Zorblat, a cache. We incorporate Zorblat into PyTorch for training.",
     [("Zorblat", "integrates_into", "PyTorch", None)]),
    ("We present Zorblat, a simulator. Zorblat is written in JAX.", [("Zorblat", "builds_on", "JAX", None)]),
    # ... but "written in" about something else in the sentence is not the paper's lineage.
    ("We present Zorblat, a compiler. Programs written in frameworks such as PyTorch are slow.", []),
    # "over" compares only when the sentence says how, and not before a platform.
    ("We present Zorblat, a trainer. Zorblat trains over an AWS Lambda cluster of 256 nodes.", []),
    ("We present Zorblat, a trainer. Zorblat runs over Ray for scheduling.", []),
    ("We present Zorblat, a trainer. Zorblat gives a 2x speedup over Ray.",
     [("Zorblat", "compares_with", "Ray", "2x")]),
    # The `by 3.7% on X` slot holds a benchmark, not a baseline.
    ("We present Zorblat, a coder. Zorblat outperforms o1-preview by 3.7% on LiveCodeBench.", []),
    # What a system is applied to is not what it is compared with.
    ("We present Zorblat, a profiler. We apply it to applications such as Backprop and QMCPACK, and "
     "Zorblat is 2x more accurate.", []),
    # "while X only ..." contrasts X with the paper's system; a plain "while" is a clause joint.
    ("We present Zorblat, an offloader. Zorblat achieves 156 TFLOPS while ZeRO-Infinity only achieves 45.",
     [("Zorblat", "compares_with", "ZeRO-Infinity", None)]),
    ("We present Zorblat, an offloader. Zorblat beats vLLM by 2x while Orca stays close.",
     [("Zorblat", "compares_with", "vLLM", "2x")]),
    ("We present Zorblat, a suite evolving from ToolForge.", [("Zorblat", "builds_on", "ToolForge", None)]),
    # The paper's own "X-based" work builds on X; someone else's does not.
    ("We present Zorblat, a tuner with a novel Ray-based implementation.", [("Zorblat", "builds_on", "Ray", None)]),
    ("We present Zorblat, a tuner. Existing Ray-based tuners are slow.", []),
    # Plain capitalised names listed with a known system after a cue are systems too.
    ("We present Zorblat, a pipeliner. Zorblat outperforms PipeDream and Piperon by up to 1.6x.",
     [("Zorblat", "compares_with", "PipeDream", "up to 1.6x"), ("Zorblat", "compares_with", "Piperon", "up to 1.6x")]),
    ("We present Zorblat, a pipeliner. Zorblat outperforms PipeDream and Figure 3 shows why.",
     [("Zorblat", "compares_with", "PipeDream", None)]),
    # A comparison cue before "... based on X" wins over the lineage cue.
    ("We present Zorblat, a planner. Zorblat gives 26% improvement over heuristic approaches based on "
     "Megatron-LM.", [("Zorblat", "compares_with", "Megatron-LM", "26%")]),
    # A long list after the cue still reaches a plain name coordinated at its end.
    ("We present Zorblat, a trainer. Zorblat cuts time by 2x compared to Baseline XDL, Intel-tuned DLRM "
     "code, FAE, and Hotzorb, respectively.",
     [("Zorblat", "compares_with", "XDL", "2x"), ("Zorblat", "compares_with", "FAE", "2x"),
      ("Zorblat", "compares_with", "Hotzorb", "2x")]),
    ("We present Zorblat, a store. On one node, Zorblat provides performance similar to that of the "
     "XFS file system.", [("Zorblat", "compares_with", "XFS", None)]),
    ("We present Zorblat, a kernel. Deployed as a drop-in replacement in unmodified vLLM, it is fast.",
     [("Zorblat", "integrates_into", "vLLM", None)]),
    ("We present Zorblat, a scheduler. We integrate our approach as a plug-and-play layer in vLLM.",
     [("Zorblat", "integrates_into", "vLLM", None)]),
    ("We present Zorblat, a recommender, and provide its implementation in both PyTorch and JAX.",
     [("Zorblat", "builds_on", "PyTorch", None), ("Zorblat", "builds_on", "JAX", None)]),
    # Systems in parentheses after a technique are its examples, not the paper's building blocks.
    ("We present Zorblat, a proxy. While servers mitigate blocking via continuous batching (vLLM, Orca), "
     "they need memory.", []),
    ("We present Zorblat, a KV store. We have implemented Zorblat and integrated it to vLLM.",
     [("Zorblat", "integrates_into", "vLLM", None)]),
    ("We present Zorblat, a tuner. Compared with the state-of-the-art Optuna and A-Zorb, Zorblat achieves "
     "up to 11.2x and 5.1x speedups, respectively.",
     [("Zorblat", "compares_with", "Optuna", "up to 11.2x"), ("Zorblat", "compares_with", "A-Zorb", "5.1x")]),
    ("We present Zorblat, a tuner. Zorblat outperforms tuning systems on a wide range of scenarios, "
     "including XGBoost and CNNs.", []),
    ("We present Zorblat, a batcher. It shows cost advantages over the state-of-the-art method ZArk and the "
     "state-of-the-practice tool SageMaker.",
     [("Zorblat", "compares_with", "ZArk", None), ("Zorblat", "compares_with", "Amazon SageMaker", None)]),
    # A level reached ("below 6%") is not a factor.
    ("We present Zorblat, a runtime. Zorblat outperforms vLLM while keeping memory pressure below 6%.",
     [("Zorblat", "compares_with", "vLLM", None)]),
])
def test_relation_cues(nlp, text, expected):
    assert relations_of(nlp, text) == expected


def test_factors_pair_with_targets_in_order(nlp):
    text = ("We present Zorblat, a graph learner. Zorblat achieves 11%, 4%, and 13% higher accuracy than - "
            "respectively - DyGFormer, TGN, and GraphMixer.")
    assert relations_of(nlp, text) == [("Zorblat", "compares_with", "DyGFormer", "11%"),
                                       ("Zorblat", "compares_with", "TGN", "4%"),
                                       ("Zorblat", "compares_with", "GraphMixer", "13%")]
    # A figure in parentheses after a baseline is the baseline's own, not a result.
    text = ("We present Zorblat, a power model. Baselines like AccelWattch (32%) err more than Zorblat, and "
            "Zorblat is 2x faster than AccelWattch.")
    assert relations_of(nlp, text) == [("Zorblat", "compares_with", "AccelWattch", "2x")]


def test_names_the_text_calls_a_system(nlp):
    # A name that ends like a field of study is the paper's system when the abstract calls it one.
    [ex] = extract([paper(None, "We present Blorp Inference, a system that caches. It is fast.")], nlp=nlp)
    assert names(ex.systems_introduced) == ["Blorp Inference"]
    [ex] = extract([paper(None, "We present Blorp Inference, which caches. It is fast.")], nlp=nlp)
    assert names(ex.systems_introduced) == []
    # An acronym whose hyphenated long form is a common noun is a concept.
    [ex] = extract([paper(None, "We present Zorblat. It builds on activity-on-vertex (AOV) graphs.")], nlp=nlp)
    assert names(ex.systems_mentioned) == []


def test_generic_compounds_are_not_systems(nlp):
    [ex] = extract([paper("Zorblat: Sharing", "Zorblat is 2x faster than KV-zorbthrough. It outperforms "
                                              "GPU-sharing and LLM-system by 3x over the CPU/GPU pair.")], nlp=nlp)
    assert names(ex.systems_mentioned) == ["KV-zorbthrough"]
    [ex] = extract([paper("Zorblat: Memory", "We propose Zorblat, which leverages a CXL-hybrid memory.")], nlp=nlp)
    assert names(ex.systems_mentioned) == []


def test_technique_matched_only_as_written_and_generic_operations(nlp):
    [ex] = extract([paper("Zorbfed: Drift", "Zorbfed corrects drift like SCAFFOLD. The scaffold of the proof is "
                                            "simple. Zorbfed beats GEMM baselines by 2x.")], nlp=nlp)
    assert [(m.name, m.text) for m in ex.techniques] == [("SCAFFOLD", "SCAFFOLD")]
    assert names(ex.systems_mentioned) == []


def test_weight_activation_bit_widths_are_quantization_not_systems(nlp):
    [ex] = extract([paper("ZorbGEMM: A W4A8 Kernel", "ZorbGEMM beats W4Ax kernels and W4A4 ones by 2x over vLLM.")],
                   nlp=nlp)
    assert names(ex.techniques) == ["4-bit quantization", "8-bit quantization"]
    assert names(ex.systems_mentioned) == ["vLLM"]


def test_model_versions_and_expert_counts(nlp):
    [ex] = extract([paper(None, "We serve LLaMA-3.2 and Mixtral 8x7B on one node.")], nlp=nlp)
    assert names(ex.models) == ["LLaMA-3.2", "Mixtral 8x7B"]
    # A size after a space, and the active parameters of a mixture-of-experts model.
    [ex] = extract([paper(None, "We train GPT-3 13B and Zorbqwen-30B-A3B models.")], nlp=nlp)
    assert names(ex.models) == ["GPT-3 13B", "Zorbqwen-30B-A3B"]


@pytest.mark.parametrize("text, expected", [
    # Modifiers that share a head noun name each technique.
    ("We combine model and data parallelism.", ["model parallelism", "data parallelism"]),
    ("It mixes tensor, pipeline, and expert parallelism.",
     ["tensor parallelism", "pipeline parallelism", "expert parallelism"]),
    # A technique word naming a problem, or pruning something other than a model, is not the technique.
    ("We study the load balancing problem in clusters.", []),
    ("Graph pruning and task pruning speed up search.", []),
    ("We apply pruning to the weights.", ["pruning"]),
    # A defined acronym for a problem or a knob is not a discovered technique.
    ("We solve the Priority Zorb Routing (PZR) problem. We tune the degree of parallelism (DoP).", []),
    ("We rely on Priority Zorb Routing (PZR) for speed.", ["priority zorb routing"]),
])
def test_technique_senses(nlp, text, expected):
    [ex] = extract([paper(None, text)], nlp=nlp)
    assert names(ex.techniques) == expected


def test_corpus_pass_finds_systems_introduced_elsewhere_in_any_case(zorb):
    ex = zorb[1]
    assert names(ex.systems_introduced) == []
    assert names(ex.systems_mentioned) == ["Zorblat"]
    assert [m.text for m in ex.systems_mentioned] == ["ZORBLAT"]
    rel = ex.relations[0]
    assert (rel.source, rel.source_kind, rel.type, rel.target, rel.factor) == (
        QUUX.id, "paper", "compares_with", "Zorblat", "29-69%")


def test_every_evidence_is_a_sentence_of_its_field(zorb):
    for p, ex in zip([ZORB, QUUX], zorb):
        _check_evidence(p, ex)


def _check_evidence(p: Paper, ex) -> None:
    # Control characters read as spaces, as in `extract` (same length: offsets still index the abstract).
    cleaned = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in p.abstract)
    spans = {"abstract": rules.split_sentences(rules.mask_latex(cleaned)), "title": [(0, len(p.title or ""))]}
    items = [m.evidence for f in ("systems_introduced", "systems_mentioned", "models", "hardware", "datasets",
                                  "techniques") for m in getattr(ex, f)]
    items += [r.evidence for r in ex.relations]
    for ev in items:
        text = p.abstract if ev.field == "abstract" else p.title
        assert text[ev.start:ev.end] == ev.sentence
        assert (ev.start, ev.end) in spans[ev.field]


@pytest.mark.seeds
def test_evidence_offsets_on_the_seed_corpus(nlp):
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"seed files are required in CI: {SEEDS} is missing")
        pytest.skip("no ../shared/seeds")
    from kg.ingest import ingest

    papers = ingest(sorted(SEEDS.glob("*.txt"))).papers
    extractions = extract(papers, nlp=nlp)
    assert len(extractions) == len(papers) > 200
    assert sum(len(e.systems_introduced) for e in extractions) > 100
    for p, ex in zip(papers, extractions):
        assert ex.id == p.id
        _check_evidence(p, ex)


# --- bad input ------------------------------------------------------------------------------------


def test_empty_abstract_gives_an_empty_record(nlp):
    [ex] = extract([paper("Nothing Here", "")], nlp=nlp)
    assert ex.to_dict()["systems_mentioned"] == [] and ex.relations == ()


def test_no_title_and_no_abstract(nlp):
    [ex] = extract([Paper(id="a-0", title=None, abstract="")], nlp=nlp)
    assert ex.id == "a-0" and ex.systems_introduced == ()


def test_one_megabyte_abstract(nlp):
    unit = "We compare Zorblat with vLLM and it is 2x faster than vLLM on A100 GPUs. "
    text = unit * (1_048_576 // len(unit) + 1)
    assert len(text) > 1_000_000
    [ex] = extract([paper("Big", text)], nlp=nlp)
    assert names(ex.systems_mentioned) == ["vLLM"]
    assert ex.relations[0].target == "vLLM"
    _check_evidence(paper("Big", text), ex)


@pytest.mark.slow
@pytest.mark.timeout(120)  # a guard against quadratic work, not a speed assertion: each takes seconds
@pytest.mark.parametrize("unit", [
    "We propose a framework for things. ",  # introductions named later (bounded look-ahead)
    "We propose Hierarchically Merged compute Graphs (HMGs), a new graph. ",  # acronym introductions
    "We present Zorblat, a server that is 2x faster than vLLM, 3x than Orca and 4x than Quuxly, ",  # one sentence
    "Zorblat gets 11%, 4%, and 13% higher accuracy than - respectively - DyGFormer, TGN, and GraphMixer; ",
    "we (1) present ZorbA, a store, and ZorbB, a library, (2) introduce ZorbC, a format, and ZorbD, a tool, ",
])
def test_one_megabyte_of_one_rule(nlp, unit):
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    p = paper("Zorb Tensor: A Thing", text)
    [ex] = extract([p], nlp=nlp)
    assert ex.id == p.id
    _check_evidence(p, ex)


def test_control_characters(nlp):
    text = "We present Zorblat,\x00 a system\x07 that beats vLLM\x1b by 3x.\x0c Done."
    p = paper("Ctl", text)
    [ex] = extract([p], nlp=nlp)
    assert names(ex.systems_introduced) == ["Zorblat"]
    assert [(r.type, r.target, r.factor) for r in ex.relations] == [("compares_with", "vLLM", "3x")]
    _check_evidence(p, ex)


def test_non_english_text(nlp):
    text = ("我们提出了一个新的系统。Nous présentons un système rapide, 2x plus rapide que vLLM. "
            "Мы представляем систему.")
    p = paper("Système", text)
    [ex] = extract([p], nlp=nlp)
    assert names(ex.systems_mentioned) == ["vLLM"]
    _check_evidence(p, ex)


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ExtractError, match="spaCy pipeline 'no_such_pipeline' is not installed; install it with"):
        build_nlp("no_such_pipeline")


def test_bad_batch_size(nlp):
    with pytest.raises(ExtractError, match="batch_size must be at least 1, got 0"):
        extract([ZORB], nlp=nlp, batch_size=0)


# --- precision rules ------------------------------------------------------------------------------

GENERIC = paper(
    "Plinth: Placing Jobs on Shared Clusters",
    "Approximate nearest neighbor search (ANNS) is everywhere. We present Plinth, a scheduler that "
    "outperforms the best ANNS engines and Pipeline parallelism (PP) baselines; unlike PP, Plinth "
    "packs VMs and GPUs of several GCDs. It keeps FP16 weights and beats INT8 kernels compared to "
    "GPU-oriented and DRL-guided designs such as TopK-routed MoE on a DGX A100 and RISC-V boards. "
    "It runs ResNet-50, BERT-Large and GPT-4o-mini 3x faster than FlorpDB, a GPGPU tool.",
)


def test_generic_words_acronyms_and_models_are_not_systems(nlp):
    [ex] = extract([GENERIC], nlp=nlp)
    assert names(ex.systems_introduced) == ["Plinth"]
    # FlorpDB is a system; ANNS/PP (defined as concepts), VMs/GCDs (plural acronyms), FP16/INT8 (number
    # formats), X-oriented/X-guided/X-routed (adjectives) and GPGPU are not.
    assert names(ex.systems_mentioned) == ["FlorpDB"]
    assert names(ex.models) == ["ResNet-50", "BERT-Large", "GPT-4o-mini"]
    # RISC-V is an instruction set: neither hardware nor a system.
    assert names(ex.hardware) == ["DGX", "A100"]
    assert names(ex.techniques) == ["pipeline parallelism", "mixture-of-experts"]
    assert [(r.source, r.type, r.target, r.factor) for r in ex.relations] == [
        ("Plinth", "compares_with", "FlorpDB", "3x")]


def test_generic_patterns_are_data_with_ids():
    gaz = load_gazetteer()
    for name in ("SOTAs", "LLMs", "FP16", "BF16", "GPU-oriented", "DRL-guided", "TopK-routed"):
        assert gaz.is_generic(name), name
    for name in ("vLLM", "PGT-I", "Sarathi-Serve", "MoE++", "C4", "ZeRO++"):
        assert not gaz.is_generic(name), name


@pytest.mark.parametrize("text, expected", [
    # A task named by "namely" is not the paper's system; neither is a field (`... Learning (HL)`).
    ("We characterise two workloads, namely Language Modeling (LM) and Machine Translation (MT).", []),
    ("We design a class of algorithms termed Hindsight Planning Learning (HPL) for this.", []),
    # "a/an NAME <descriptor>": NAME is a kind of thing; the acronym defined after it is the name.
    ("In this paper we design an AQM mechanism (Learning Fair Qdisc (LFQ)) that adapts.", ["LFQ"]),
    ("We propose a CAP principle for serving.", []),
    # A descriptor noun right before a coined or hyphenated name.
    ("We introduce an efficient inference scheduler Quux-Serve inspired by earlier work.", ["Quux-Serve"]),
    # Something the paper uses is not its own: "using Neural Radiance Fields (NeRF)".
    ("We propose the Drone-Blorp framework for photography using Neural Radiance Fields (NeRF).", []),
])
def test_introduced_names_precision(nlp, text, expected):
    [ex] = extract([paper(None, text)], nlp=nlp)
    assert names(ex.systems_introduced) == expected


@pytest.mark.parametrize("title, text, expected", [
    # Naming and lead variants.
    (None, "We aggregate updates with learned weights, named as FedZork, and converge faster.", ["FedZork"]),
    (None, "We present the design and implementation of BLORPI, an end-to-end caching system.", ["BLORPI"]),
    # A descriptor noun with a comma or a parenthesis before the name.
    (None, "We also introduce a reinforcement learning agent, zorbZero, that plays the game.", ["zorbZero"]),
    (None, "In this paper we propose a unified dynamic learning framework (Q7X2) for dispatching.", ["Q7X2"]),
    # ... but not an acronym that only abbreviates the description before it.
    (None, "We propose a mixed-precision quantization algorithm (MPQA) for edge devices.", []),
    # Parts the paper's system introduces: named by the system or by "it", with a descriptor or an appositive.
    (None, "We present Zorblat, a cache. Zorblat introduces QuuxPool, an elastic memory pool. It adds overhead.",
     ["Zorblat", "QuuxPool"]),
    (None, "We present Zorblat, a serving system. It builds an in-house engine FlurbServe for routing.",
     ["Zorblat", "FlurbServe"]),
    # An introduction without a name, named by a capitalised phrase with the same noun later on.
    (None, "This paper introduces an ontology for benchmark metadata. The Open Blorp Benchmarks Ontology "
           "is extensible.", ["Open Blorp Benchmarks Ontology"]),
    # `our Long Form (ACR)`; a long form with a lower-case word when an appositive follows.
    (None, "We present Zorblat, a compiler. Then our Zorb Tensor Compiler (ZTC) lowers the graphs.",
     ["Zorblat", "ZTC"]),
    (None, "We propose Hierarchically Merged compute Graphs (HMGs), a new graph representation.", ["HMG"]),
    # Variants named after the paper's own system with a letter affix; versions are not variants.
    (None, "We propose FedZork, a pruning method. Its private variant DP-FedZork adds noise. "
           "FedZork-2 is future work.", ["FedZork", "DP-FedZork"]),
    # A system the vocabulary knows, described in the first sentence, is not introduced.
    (None, "Apache Spark is a popular engine for data processing. We tune it.", []),
    # Title prefixes that name a problem, a phenomenon or hardware are not systems.
    ("Zorb Bandit: Learning to Decide With Low Regret", "We term this the Zorb bandit problem. We solve it.",
     []),
    ("Gradient Blorping: A Proclivity in Networks", "Gradient Blorping arises when losses are small.", []),
    ("Blorp X9: Scaling the Memory Wall", "We deploy models on the Blorp X9 Dataflow Unit (BDU) - a "
                                           "commercial dataflow accelerator.", []),
    # A title prefix of plain words that the abstract never repeats names a topic.
    ("Speedy Online Packing: Knowing Sizes is not Necessary", "We study packing without sizes.", []),
    ("Zorb Tensor: A Unified Abstraction", "We present Zorb Tensor, an abstraction for kernels.", ["Zorb Tensor"]),
    # One system under a long and a short name, or with a kind noun, is one entry.
    ("Parity Zorbs: A General Framework", "We present PaZ, a novel framework that learns parity zorbs.",
     ["Parity Zorbs"]),
    ("BLORP Parallelism: Training Is Cheap", "We propose BLORP, a model-parallel algorithm.",
     ["BLORP Parallelism"]),
    # Numbered contributions; a mixed-case name after plain modifiers.
    (None, "In response, we (1) measure the overheads, (2) present a fairness-first batch drafting ZorbSpec "
           "that exposes them, and (3) introduce QuuxSpec, which hides them.", ["ZorbSpec", "QuuxSpec"]),
    # A plain word named by the descriptor's comma; a glued variant of the paper's own name.
    (None, "We propose a novel design of a cost-aware scheduler, Zorbar, based on a solver. Our Zorbar "
           "scheduler is extended to ZorbarE by forking jobs.", ["Zorbar", "ZorbarE"]),
    # After a naming verb: a plain word, a lower-case long form, a quoted long form.
    (None, "A simple algorithm named Blenda is proposed to place layers.", ["Blenda"]),
    (None, "The scheme, termed the cross-layer zorb training (CLZT), trains faster.", ["CLZT"]),
    (None, "We name this \u201cZorb-Aware Layout for Tensors\u201d (ZALT-Net).", ["ZALT-Net"]),
    ("Zorb Learning: Online", "We design algorithms termed Zorb Learning (ZL) for them.", []),
    # A long form with its acronym as an appositive; a lower-case coined name with a descriptor.
    (None, "We propose Federated Zorb-Aware Client Picking, FedZCP, a method for clients.", ["FedZCP"]),
    (None, "We introduce zorb-bench, a new benchmark for kernels.", ["zorb-bench"]),
    # A second name coordinated after the first, with its own descriptor.
    (None, "We describe ZorbStore, a storage system, and ZorbSet, a storage format and library.",
     ["ZorbStore", "ZorbSet"]),
    # Parts: "designs two key techniques: X, a ...", "develops the X-Y strategy", a long capitalised name.
    (None, "We present ZorbGEMM, a kernel. ZorbGEMM designs two key techniques: ZorbQuant, a quantizer, and "
           "a pipeline. ZorbGEMM further incorporates the Fused-Zorb approach.",
     ["ZorbGEMM", "ZorbQuant", "Fused-Zorb"]),
    (None, "This paper introduces a checkpointing system. (1) It introduces Hierarchical Zorb Snapshot "
           "Coordination in the saving stage.", ["Hierarchical Zorb Snapshot Coordination"]),
    # Not names: "We term this the X problem"; "a novel approach named lower-case words".
    (None, "We term this the ZRB bandit problem.", []),
    # A coordinated introducing verb; the paper's own capitalised part as a subject; a two-word "with" title.
    (None, "In this paper, we rethink the costs of memory and of communication in training, and propose a "
           "balanced strategy set Partial Zorb Optimizer (PaZO).", ["PaZO"]),
    (None, "We present ZorbSparse, a kernel. Our Sliding Zorb Decomposition reconstructs the blocks.",
     ["ZorbSparse", "Sliding Zorb Decomposition"]),
    (None, "We present ZorbSparse, a kernel. Our Experimental Evaluation shows gains.", ["ZorbSparse"]),
    ("Toward Huge Models with Zorb Offloading", "Zorb Offloading, a system that combines these parts, runs.",
     ["Zorb Offloading"]),
    (None, "We present zorb.npu, the first inference system for NPUs.", ["zorb.npu"]),
    # "our ... NAME optimizer"; a lower-case long form of a prefixed acronym; the verb far from "we".
    (None, "We present our deep RL-based ZQ optimizer, which plans joins.", ["ZQ"]),
    (None, "We propose a compression method, named global-zorbing SGD (gz-SGD).", ["gz-SGD"]),
    (None, "In this work, we aim to close the gap between data-driven and query-driven methods by proposing a "
           "new unified deep zorb model, ZAE, that learns both.", ["ZAE"]),
    # A capitalised phrase ending in an acronym; a capitalised name before its kind noun, also coordinated.
    (None, "We propose Tail-Zorbed LRU, a two-line change. Tail-Zorbed LRU cuts tail latency.",
     ["Tail-Zorbed LRU"]),
    (None, "To make it general, we introduce a unified abstraction and a Zorb Proxy mechanism.", ["Zorb Proxy"]),
    (None, "We introduce a Zorb Routing architecture for payments.", ["Zorb Routing"]),
    (None, "We design a Graph Neural Network model for zorbs.", []),
    # Parts coordinated after a part.
    (None, "We present ZorbH, a trainer. ZorbH incorporates ZorbTorch, a unified interface, and ZorbComm, a "
           "communication library.", ["ZorbH", "ZorbTorch", "ZorbComm"]),
    # A LaTeX macro standing in for the name in a title is no name.
    ("\\name: KV Cache Storage for Zorbs", "We store caches.", []),
    # An acronym that names a metric is not a system.
    (None, "We further propose the Global-Local Zorbness (GLZ) correlation metric.", []),
    ("AI Zorb Benchmarking: Power-Aware Analysis", "We introduce a benchmarking framework for AI Zorb "
                                                   "Benchmarking.", []),
    (None, "We propose a novel approach named parameter ReaLzorb, which moves weights.", []),
])
def test_introduced_names_recall_and_merges(nlp, title, text, expected):
    [ex] = extract([paper(title, text)], nlp=nlp)
    assert names(ex.systems_introduced) == expected


@pytest.mark.parametrize("title, text, expected", [
    # A title ending in `Long Form -- ACR`.
    ("Sampling Streams with Parallel Zorb Quantization -- PZQ", "We sample streams quickly.", ["PZQ"]),
    # `... with Word`: a plain word only when the abstract defines it.
    ("Serving Reasoning Programs with Certazor", "We track Certazor, a proxy of progress.", ["Certazor"]),
    ("Serving Reasoning Programs with Batching", "We batch requests.", []),
    # A capitalised phrase after a cue that the abstract keeps using as a name.
    (None, "We propose Loss-Free Zorbing, featured by a bias. Loss-Free Zorbing keeps balance.",
     ["Loss-Free Zorbing"]),
    (None, "We propose Better Scheduling Rules, which help.", []),
])
def test_introduced_names_from_titles_and_phrases(nlp, title, text, expected):
    [ex] = extract([paper(title, text)], nlp=nlp)
    assert names(ex.systems_introduced) == expected


def test_introduced_aliases_from_merges(nlp):
    [ex] = extract([paper("Parity Zorbs: A General Framework", "We present PaZ, a framework of parity zorbs.")],
                   nlp=nlp)
    assert ex.systems_introduced[0].aliases == ("PaZ",)
    [ex] = extract([paper(None, "We propose Hierarchically Merged compute Graphs (HMGs), a new graph "
                                "representation.")], nlp=nlp)
    assert ex.systems_introduced[0].aliases == ("Hierarchically Merged compute Graphs", "HMGs")


@pytest.mark.parametrize("title, text, expected", [
    # In parentheses, up to 80 characters, and for a name with a suffix (`PCB-Merging`).
    (None, "In this paper, we introduce ZORBA (Zero-shot Orchestrated Routing for Big mixture Architectures) "
           "- a data mixture strategy.", ("Zero-shot Orchestrated Routing for Big mixture Architectures",)),
    (None, "We propose QRX-Merging (Quantized Residual eXchange), a merging method.", ("Quantized Residual eXchange",)),
    # As an appositive whose capitals spell the name, not any phrase that contains its letters.
    (None, "We introduce CARBO, a Cost AwaRe BOuncer that picks models.", ("Cost AwaRe BOuncer",)),
    (None, "We introduce CARBO, a cheap and robust bouncer that picks models.", ()),
    # A title `ACR: Long Form for ...` spells its long form out.
    # (`ZAT` is what the abstract's cue took as the name; it merges as the name without its kind noun.)
    ("ZAT Pruning: Zone-Aware Token Pruning For Diffusion Models", "We present ZAT Pruning, a method.",
     ("Zone-Aware Token Pruning", "ZAT")),
    ("FAVOR: Federated AVeraging with Ordered Rounds", "We present FAVOR, a framework.",
     ("Federated AVeraging with Ordered Rounds",)),
])
def test_introduced_long_forms(nlp, title, text, expected):
    [ex] = extract([paper(title, text)], nlp=nlp)
    assert ex.systems_introduced[0].aliases == expected


def test_named_method_of_one_paper_is_its_system(nlp):
    # PagedAttention is a system (the guideline: a named method from one paper), so the paper that
    # proposes it introduces it.
    [ex] = extract([paper(None, "We propose PagedAttention, an attention algorithm. On it we build vLLM, "
                                "a serving system.")], nlp=nlp)
    assert names(ex.systems_introduced) == ["PagedAttention", "vLLM"]
    assert names(ex.techniques) == []


def test_greek_prefixed_names(nlp):
    text = "We present Zorblat, a superoptimizer. A key idea in Zorblat is \u03bcBlocks, a uniform representation."
    [ex] = extract([paper(None, text)], nlp=nlp)
    assert names(ex.systems_introduced) == ["Zorblat", "\u03bcBlocks"]


def test_acronym_defined_as_a_dataset(nlp):
    text = ("We present Zorblat, a router. We also introduce the Quick Price-aware Routing (QUIPR) dataset "
            "for evaluation.")
    [ex] = extract([paper(None, text)], nlp=nlp)
    assert names(ex.systems_introduced) == ["Zorblat"]
    assert names(ex.datasets) == ["QUIPR"]
    assert names(ex.techniques) == []


def test_title_with_name_introduces_it(nlp):
    p = paper("Taming Tail Latency in Batch Inference with Quux-Serve",
              "Batching is hard. Quux-Serve splits prefills into chunks and beats vLLM by 2x.")
    [ex] = extract([p], nlp=nlp)
    assert names(ex.systems_introduced) == ["Quux-Serve"]
    assert ex.systems_introduced[0].evidence.field == "title"
    # A known system after "with" is used, not introduced.
    [ex] = extract([paper("Fast Training with PyTorch", "We tune PyTorch.")], nlp=nlp)
    assert names(ex.systems_introduced) == []


def test_sentence_may_start_with_a_lower_case_coined_name():
    text = "We show kernels work. vAttention also generates tokens 2x faster than vLLM."
    assert sentences(text) == ["We show kernels work.", "vAttention also generates tokens 2x faster than vLLM."]


def test_tokenizer_candidates_match_the_plain_text_path(nlp):
    """The spaCy component only tries patterns at tokens of the right class; analysing the text without
    a tokenizer (every word) must give the same result."""
    from kg.extract.core import analyze

    gaz = nlp.get_pipe("kg_extract").gaz
    for p in (ZORB, QUUX, GENERIC):
        doc = nlp(p.abstract)
        assert doc.user_data["kg"] == analyze(p.abstract, gaz, doc.user_data["kg_sents"])


def test_progress_is_reported_per_batch(nlp):
    calls = []
    extract([ZORB, QUUX, GENERIC], nlp=nlp, batch_size=2, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2, 3), (3, 3)]


# --- determinism, processes -----------------------------------------------------------------------


def test_same_input_same_output(nlp):
    a = [e.to_dict() for e in extract([ZORB, QUUX], nlp=nlp)]
    b = [e.to_dict() for e in extract([ZORB, QUUX], nlp=build_nlp(), batch_size=1)]
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.slow
def test_two_processes_give_the_same_output(nlp):
    papers = [ZORB, QUUX] * 20
    one = [e.to_dict() for e in extract(papers, nlp=nlp)]
    two = [e.to_dict() for e in extract(papers, nlp=nlp, n_process=2, batch_size=8)]
    assert one == two


# --- CLI ------------------------------------------------------------------------------------------


def test_cli_extract_writes_jsonl(tmp_path):
    src = tmp_path / "papers.jsonl"
    src.write_text(json.dumps(ZORB.to_dict()) + "\n", encoding="utf-8")
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(app, ["extract", str(src), "-o", str(out), "--model", "rules"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"wrote 1 extractions to {out} (2 systems introduced, 4 relations)\n"
    # progress: one line per stage when stderr is not a terminal, counting files then papers
    assert result.stderr == "ingest: 1/1 files, 1 records\nextract: 1/1 papers\n"
    [line] = out.read_text(encoding="utf-8").splitlines()
    d = json.loads(line)
    assert d["id"] == ZORB.id and d["systems_introduced"][0]["name"] == "Zorblat"


def test_cli_extract_missing_model(tmp_path):
    src = tmp_path / "papers.jsonl"
    src.write_text(json.dumps(ZORB.to_dict()) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(src), "--model", "no_such_pipeline"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith("Error: spaCy pipeline 'no_such_pipeline' is not installed")
    assert "Traceback" not in result.output
