"""Extraction on generated text built from the pieces the rules react to (cue words, coined names,
acronyms in parentheses, colons, dashes, LaTeX, factors, non-ASCII): never an exception, one record per
paper, and every evidence is a sentence of its field."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kg.extract import build_nlp, extract
from kg.model import Paper
from tests.test_extract import _check_evidence

PIECES = [
    "We", "we", "propose", "present", "introduce", "the design of", "named as", "called", "a", "an", "the",
    "system", "framework", "agent", "ontology", "It", "features", "introduces", "builds", "our", "Our",
    "Zorblat", "ZorbServe", "QX-Merging", "DP-Zorblat", "\u03bcBlocks", "Zone Aware Token", "Pruning",
    "(ZAT)", "(QX)", "(ZATs)", "Loss-Free Zorbing", "The Open Zorb Ontology", "outperforms", "vLLM",
    "compared to", "PyTorch", "built on top of", "integrated into", "by up to", "2.4x", "29-69%", "dataset",
    "problem", "arises", "accelerator", "-", "--", ",", ".", ":", ";", "(", ")", "e.g.", "\\textbf{", "}",
    "$3\\times$", "LLMs", "GPU", "\u00e9t\u00e9", "\u4e2d\u6587", "\n", "\x00", "'s",
]
words = st.lists(st.sampled_from(PIECES), max_size=60).map(" ".join)


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=words, abstract=words)
def test_generated_text_gives_records_with_real_evidence(nlp, title, abstract):
    assume(title.strip() or abstract.strip())
    p = Paper(id="t-generated", title=title or None, abstract=abstract)
    [ex] = extract([p], nlp=nlp)
    assert ex.id == p.id
    _check_evidence(p, ex)
