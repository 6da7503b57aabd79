"""Features of a candidate name: what the rules and vocabularies say of it, its shape, and its context.

The rules become evidence, not the decision: `rule=models` says the rules tagged the name a model, and the
trained weights say how much that is worth next to the name's shape (`shape=Xd`), its words and the words
around it (`L1=outperforms`, `R1=gpus`). Features are strings (binary indicators), so the model file is a
plain table of weights and scoring needs no numeric library.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import lru_cache

from kg.extract.candidates import Candidate
from kg.extract.gazetteer import Gazetteer

_WORDS = re.compile(r"[A-Za-z][A-Za-z\-]*|\d+(?:\.\d+)?")
_SIZE = re.compile(r"\d+(?:\.\d+)?[BMK]\b|\d+x\d+B")
_VERSION = re.compile(r"[-\s]v?\d+(?:\.\d+)*$|\d$")
_INTRO = re.compile(r"\b(?:we|this paper|this work)\s+(?:\w+\s+){0,3}?(?:propose|present|introduce|design|"
                    r"develop|build|implement|describe|call|name|term|dub)", re.I)
_NAMING = re.compile(r"\b(?:called|named|dubbed|termed|namely)\s*$", re.I)
_COMPARE = re.compile(r"\b(?:than|over|outperform\w*|compared|comparison|versus|vs|against|baselines?|"
                      r"beats?|surpass\w*|relative|speedups?)\b", re.I)
_KINDS = ("system", "model", "hardware", "dataset", "technique")
_CONTEXT_OCC = 3


@lru_cache(maxsize=65536)  # names and words repeat across abstracts; the shape is a pure function of them
def shape(w: str) -> str:
    """`vLLM` -> `xX`, `A100` -> `Xd`, `Megatron-LM` -> `Xx-X`: character classes, repeats collapsed."""
    out: list[str] = []
    for ch in w:
        c = "X" if ch.isupper() else "x" if ch.islower() else "d" if ch.isdigit() else ch if ch in "-.+/ " else "o"
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)[:10]


def _lower_words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().casefold(), m.start(), m.end()) for m in _WORDS.finditer(text)]


class Context:
    """One field's text with its sentences and lower-cased words indexed once, so the words around
    any occurrence are found by bisection instead of a regex per occurrence."""

    __slots__ = ("text", "spans", "starts", "first_start", "words", "wstarts", "wends")

    def __init__(self, text: str, spans: Sequence[Sequence[int]]) -> None:
        self.text = text
        self.spans = [(int(a), int(b)) for a, b in spans] or [(0, len(text))]
        self.starts = [a for a, _ in self.spans]
        self.first_start = self.starts[0]
        words = _lower_words(text)
        self.words = [w for w, _, _ in words]
        self.wstarts = [a for _, a, _ in words]
        self.wends = [b for _, _, b in words]

    def sentence(self, pos: int) -> tuple[int, int]:
        return self.spans[max(0, bisect_right(self.starts, pos) - 1)]

    def left(self, pos: int, limit: int) -> list[str]:
        """Up to three words ending before `pos` within the sentence, nearest first."""
        i = bisect_right(self.wends, pos) - 1
        out = []
        while i >= 0 and len(out) < 3 and self.wstarts[i] >= limit:
            out.append(self.words[i])
            i -= 1
        return out

    def right(self, pos: int, limit: int) -> list[str]:
        i = bisect_left(self.wstarts, pos)
        out = []
        while i < len(self.words) and len(out) < 3 and self.wends[i] <= limit:
            out.append(self.words[i])
            i += 1
        return out


def _surface_features(gaz: Gazetteer, s: str) -> frozenset[str]:
    """The features of the written form alone (shape, vocabulary hits, digits...): names repeat across
    abstracts, so they are computed once per gazetteer and form."""
    cache: dict[str, frozenset[str]] = gaz.__dict__.setdefault("_surface_features", {})
    hit = cache.get(s)
    if hit is not None:
        return hit
    toks = s.split()
    f = {"bias", f"shape={shape(s)}", f"ntok={min(len(toks), 4)}",
         f"w={s.casefold()}", f"head={toks[-1].casefold()}" if toks else "head="}
    if len(toks) > 1:
        f.add(f"first={toks[0].casefold()}")
    for kind in _KINDS:
        if gaz.lookup(kind, s):
            f.add(f"gaz={kind}")
    if gaz.is_generic(s):
        f.add("generic")
    if any(ch.isdigit() for ch in s):
        f.add("digit")
    if "-" in s:
        f.add("hyphen")
    if s.isupper() and len(s) > 1:
        f.add("allcaps")
    if re.search(r"[a-z][A-Z]", s):
        f.add("camel")
    if s[:1].islower():
        f.add("lowerfirst")
    if _SIZE.search(s):
        f.add("size")
    if _VERSION.search(s):
        f.add("version")
    if len(s) <= 3:
        f.add("short")
    if len(cache) > 200_000:  # bounded: a long run over new names does not grow without end
        cache.clear()
    out = cache[s] = frozenset(f)
    return out


def features(c: Candidate, contexts: dict[str, Context], gaz: Gazetteer, title: str,
             lexicon: dict[str, str] | None = None) -> list[str]:
    """The indicator features of one candidate (sorted, no duplicates)."""
    s = c.surface
    sh3 = shape(s)[:3]
    f = set(_surface_features(gaz, s))
    f.add(f"origin={c.origin}")
    if not c.rule_fields:
        f.add("rule=none")
        f.add(f"rule=none|{sh3}")
    for r in c.rule_fields:
        f.add(f"rule={r}")
        f.add(f"rule={r}|{sh3}")
        for kind in _KINDS:
            if f"gaz={kind}" in f:
                f.add(f"gaz={kind}|rule={r}")
    if lexicon:
        lex = lexicon.get(c.key)
        if lex is not None:
            f.add(f"lex={lex}")
            f.add(f"lex={lex}|{sh3}")
    n = len(c.occ)
    f.add(f"count={min(n, 3)}")
    fields = {fld for fld, _, _ in c.occ}
    if "title" in fields:
        f.add("in_title")
        if fields == {"title"}:
            f.add("title_only")
        if title.startswith(s) and title[len(s):len(s) + 2].strip()[:1] in (":", "-", "—"):
            f.add("title_prefix")
    all_initial = True
    for fld, st, en in c.occ[:_CONTEXT_OCC]:
        ctx = contexts[fld]
        text = ctx.text
        sent = ctx.sentence(st)
        if st != sent[0]:
            all_initial = False
        if fld == "abstract" and sent[0] == ctx.first_start:
            f.add("first_sentence")
        for i, w in enumerate(ctx.left(st, sent[0])):
            f.add(f"L{i + 1}={w}")
        for i, w in enumerate(ctx.right(en, sent[1])):
            f.add(f"R{i + 1}={w}")
        before = text[max(sent[0], st - 160):st]
        if "we" in before.lower() and _INTRO.search(before):
            f.add("intro_cue")
        if _NAMING.search(before[-20:]):
            f.add("naming_cue")
        if _COMPARE.search(before[-80:]):
            f.add("compare_before")
        # The punctuation around the name: lists (`vLLM, Orca and ...`), parentheses, colons.
        before_c = text[max(0, st - 3):st].rstrip()[-1:]
        after_c = text[en:en + 3].lstrip()[:1]
        if before_c and not before_c.isalnum():
            f.add(f"pb={before_c}")
        if after_c and not after_c.isalnum():
            f.add(f"pa={after_c}")
        nxt = text[en:en + 2]
        if nxt.startswith(" (") or nxt.startswith("("):
            f.add("paren_after")
        if text[max(0, st - 1):st] == "(" and text[en:en + 1] == ")":
            f.add("in_paren")
        if nxt[:1] == ":":
            f.add("colon_after")
        if nxt in ("'s", "\u2019s"):
            f.add("possessive")
    if all_initial and c.occ:
        f.add("sent_initial_only")
    return sorted(f)
