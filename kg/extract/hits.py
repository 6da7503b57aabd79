"""Vocabulary hits corrected after matching (`core.analyze`): sized and versioned model names (`OPT-66B`,
`Qwen2.5-7B-Instruct`) that extend or replace the family the vocabulary knows, the n-bit quantization a
`W4A8` setting names, and the two readings of a technique word (modifiers sharing its head, a problem
rather than a method). Pure functions over a text and its hits `[start, end, kind, key, surface]`."""

from __future__ import annotations

import re
from typing import Any

from kg.extract.gazetteer import Gazetteer, norm

# Model names with a size or version suffix that is not in the vocabulary (`LLaMA-65B`, `Morph-1B`,
# `Llama 3-V`, `Qwen2.5-7B-Instruct`): the family from `models.jsonl`, or any capitalised stem whose
# suffix is a parameter count.
# Also a minor version (`LLaMA-3` + `.2`), an expert count (`Mixtral 8x7B`) and a release tag (`-v0.2`).
_MODEL_SUFFIX = (r"(?:\.\d+)?(?: \d+x\d+(?:\.\d+)?[BM])?(?: \d+(?:\.\d+)?[BM](?![\w\-]))?"
                 r"(?:[- ]?v?\d+(?:\.\d+)?(?:[-/]\d+(?:\.\d+)?)*)?(?:-?\d+(?:\.\d+)?[BMK])?"
                 # Active parameters of a mixture-of-experts model (`Qwen3-30B-A3B`).
                 r"(?:-A\d+(?:\.\d+)?B)?"
                 r"(?:-(?:V|Chat|Instruct|Base|hf|XL|Large|Small|Medium|mini|nano|turbo|Turbo|preview))?"
                 r"(?:-v\d+(?:\.\d+)*)?")
_SIZE_MODEL = re.compile(r"(?<![\w\-./])([A-Za-z][A-Za-z]*(?:[- ]?\d+(?:\.\d+)?)*(?:-[A-Za-z]+)*"
                         r"-\d+(?:\.\d+)?[BM](?:-A\d+(?:\.\d+)?B)?(?:-(?:Chat|Instruct|Base|hf))?)(?![\w\-])")
# "model and data parallelism", "tensor, pipeline, and expert parallelism": modifiers that share the head.
_SHARED_HEAD = re.compile(r"((?:[A-Za-z][\w\-]*,\s*)*[A-Za-z][\w\-]*),?\s+(?:and|or|and/or)\s+$")
_MODIFIER = re.compile(r"[A-Za-z][\w\-]*")
# A technique word that names a problem ("the load balancing problem", "... phenomenon", "... arises"),
# not a method the paper uses. (`core` reads it too, after a title name and an acronym's long form.
# Before this module was split off, core defined a shorter `\s+problems?\b` first and this one later,
# which replaced it: this is the one every caller has used.)
PROBLEM_AFTER = re.compile(r"\s+(?:problems?|phenomenon|phenomena|setting|arises|occurs|emerges)\b", re.I)
# "task pruning", "graph pruning", "search-space pruning": pruning of something other than a model.
_OTHER_PRUNING = re.compile(r"\b(?:task|graph|search|space|candidate|path|branch|token|query)\s*-?\s*$", re.I)


def technique_senses(text: str, gaz: Gazetteer, hits: list[list[Any]]) -> list[list[Any]]:
    """Technique hits corrected for two readings: a coordinated modifier list shares the head noun
    (`model and data parallelism` also names data parallelism... and model parallelism), and a word that
    names a problem or prunes something other than a model is not the technique."""
    out: list[list[Any]] = []
    for h in hits:
        s, e, kind, key, surface = h
        if kind != "technique":
            out.append(h)
            continue
        if PROBLEM_AFTER.match(text, e) or (surface.lower() == "pruning" and
                                              _OTHER_PRUNING.search(text, max(0, s - 20), s)):
            continue
        out.append(h)
        words = surface.split()
        if len(words) != 2:
            continue
        m = _SHARED_HEAD.search(text, max(0, s - 80), s)
        if m is None:
            continue
        for mod in _MODIFIER.finditer(text, m.start(1), m.end(1)):
            ent = gaz.by_ci.get(f"{mod.group()} {words[1]}".casefold())
            if ent is not None and ent.kind == "technique":
                out.append([mod.start(), mod.end(), "technique", ent.key, mod.group()])
    return out


# "W4A8", "W4A4", "W4Ax": a quantization setting, with weight and activation bit widths.
_WEIGHT_ACT_BITS = re.compile(r"(?<![\w\-])W(\d{1,2})A(\d{1,2}|x)(?![\w])")
# Its leading lookbehind makes the scan slow; texts without a `W` and a digit (nearly all) skip it.
_WEIGHT_HINT = re.compile(r"W\d")


def bit_width_hits(text: str, gaz: Gazetteer) -> list[list[Any]]:
    """The n-bit quantization techniques a `W<n>A<m>` setting names (both widths when they differ), as far
    as the taxonomy has them."""
    out: list[list[Any]] = []
    if not _WEIGHT_HINT.search(text):
        return out
    for m in _WEIGHT_ACT_BITS.finditer(text):
        for bits in dict.fromkeys((m.group(1), m.group(2))):
            key = f"{bits}-bit-quantization"
            if bits != "x" and ("technique", key) in gaz.entries:
                out.append([m.start(), m.end(), "technique", key, m.group(0)])
    return out


def hit_key(h: list[Any]) -> tuple[int, int]:
    return (h[0], h[0] - h[1])


_MODEL_SUFFIX_RX = re.compile(_MODEL_SUFFIX)
# A sized model name needs a parameter count right after a hyphen (`-66B`, `-1.5M`): texts without one
# skip `_SIZE_MODEL`, whose leading lookbehind makes it slow to scan.
_SIZE_HINT = re.compile(r"-\d+(?:\.\d+)?[BM]")
_FAMILY = re.compile(r"[A-Za-z]+")


def model_hits(text: str, gaz: Gazetteer, hits: list[list[Any]]) -> list[list[Any]]:
    """Sized model names (`OPT-66B`), which replace a shorter vocabulary hit on the same family."""
    extra: list[list[Any]] = []
    for h in hits:
        if h[2] != "model":
            continue
        m = _MODEL_SUFFIX_RX.match(text, h[1])
        if m and m.end() > h[1] and not text[m.end():m.end() + 1].isalnum():
            h[1] = m.end()
            h[4] = text[h[0]:h[1]]
    if "-" not in text or not _SIZE_HINT.search(text):
        return extra
    for m in _SIZE_MODEL.finditer(text):
        s0, e0 = m.span(1)
        # A sized name replaces the shorter hits inside it (`Llama-2` in `Llama-2-70B`).
        hits[:] = [h for h in hits if not (s0 <= h[0] and h[1] <= e0)]
        if any(h[0] < e0 and s0 < h[1] for h in hits):
            continue
        family = _FAMILY.match(m.group(1))
        ent = gaz.lookup("model", family.group(0)) if family else None
        key = ent.key if ent else "sized:" + norm(m.group(1))
        extra.append([s0, e0, "model", key, m.group(1)])
    return extra
