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


_START, _END, _GROUP = re.Match.start, re.Match.end, re.Match.group
# The compare words' stems, one inside any `_COMPARE` match (literals only, case-sensitive: `re` jumps
# between their first letters): a window of ASCII text without any of them is not tried with `_COMPARE`,
# whose leading `\b` is tried at every character.
_STEM_WORDS = ("than", "over", "outperform", "compar", "versus", "vs", "against", "baseline", "beat",
               "surpass", "relative", "speedup")
_COMPARE_STEMS = re.compile("|".join(_STEM_WORDS))
_NAMING_WORDS = ("called", "named", "dubbed", "termed", "namely")
# `_INTRO` and `_COMPARE` for lower-cased ASCII text: case-sensitive, and the leading `\b` after the
# first letter of each word (`(?<!\w.)`), so that `re` skips ahead to those letters instead of trying
# the `\b` at every character (the same matches, a third of the time).
_INTRO_LOW = re.compile(r"(?:w(?<!\w.)e|t(?<!\w.)his (?:paper|work))\s+(?:\w+\s+){0,3}?(?:propose|present|"
                        r"introduce|design|develop|build|implement|describe|call|name|term|dub)")
_COMPARE_LOW = re.compile(r"(?:t(?<!\w.)han|o(?<!\w.)(?:ver|utperform\w*)|c(?<!\w.)ompar(?:ed|ison)|"
                          r"v(?<!\w.)(?:ersus|s)|a(?<!\w.)gainst|b(?<!\w.)(?:aselines?|eats?)|"
                          r"s(?<!\w.)(?:urpass\w*|peedups?)|r(?<!\w.)elative)\b")


class Context:
    """One field's text with its sentences and lower-cased words indexed once, so the words around
    any occurrence are found by bisection instead of a regex per occurrence. The features of what
    precedes and follows an occurrence are kept by position: the candidates of a paper overlap
    (`NVIDIA A100`, `NVIDIA`, `A100`) and share them."""

    __slots__ = ("text", "low", "spans", "starts", "first_start", "words", "wstarts", "wends", "_left",
                 "_right", "_stems")

    def __init__(self, text: str, spans: Sequence[Sequence[int]]) -> None:
        self.text = text
        self.spans = [(int(a), int(b)) for a, b in spans] or [(0, len(text))]
        self.starts = [a for a, _ in self.spans]
        self.first_start = self.starts[0]
        # The text lower-cased when that keeps every offset (ASCII), for the cue tests; else None.
        self.low: str | None = None
        if text.isascii():  # lower-cased first, the same words (the pattern ignores case) at once
            self.low = low = text.lower()
            ms = list(_WORDS.finditer(low))
            self.words = list(map(_GROUP, ms))
        else:
            ms = list(_WORDS.finditer(text))
            self.words = [m.group().casefold() for m in ms]
        self.wstarts = list(map(_START, ms))
        self.wends = list(map(_END, ms))
        self._left: dict[int, tuple[str, ...]] = {}
        self._right: dict[tuple[int, int], tuple[str, ...]] = {}
        self._stems: tuple[list[int], list[int]] | None = None

    def _stem_between(self, a: int, b: int) -> bool:
        """Whether a compare stem lies in `low[a:b]` (`_COMPARE_STEMS.search(low, a, b)`), from every
        occurrence of every stem found once (overlapping ones too): their starts, and the least end
        of those from each one on."""
        if self._stems is None:
            low = self.low or ""
            occ = []
            for stem in _STEM_WORDS:
                i = low.find(stem)
                while i != -1:
                    occ.append((i, i + len(stem)))
                    i = low.find(stem, i + 1)
            occ.sort()
            least = [0] * len(occ)
            m = len(low) + 1
            for k in range(len(occ) - 1, -1, -1):
                m = min(m, occ[k][1])
                least[k] = m
            self._stems = ([s for s, _ in occ], least)
        starts, least = self._stems
        k = bisect_left(starts, a)
        return k < len(starts) and least[k] <= b

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

    def left_features(self, st: int, sent_start: int) -> tuple[str, ...]:
        """The features of what precedes an occurrence that starts at `st` in the sentence starting at
        `sent_start` (a function of `st`): the words, introduction, naming and comparison cues, the
        punctuation."""
        got = self._left.get(st)
        if got is not None:
            return got
        text, low = self.text, self.low
        # The words nearest first, as `left` gives them; their feature strings made once per word.
        words, wstarts = self.words, self.wstarts
        i = bisect_right(self.wends, st) - 1
        out = []
        k = 0
        made = _WORD_FEATURES.get
        while i >= 0 and k < 3 and wstarts[i] >= sent_start:
            w = words[i]
            out.append((made(w) or _word_features(w))[k])
            i -= 1
            k += 1
        a = max(sent_start, st - 160)
        if low is None:
            before = text[a:st]
            if "we" in before.lower() and _INTRO.search(before):
                out.append("intro_cue")
            tail = before[-20:]
            if (not tail.isascii() or tail.rstrip().lower().endswith(_NAMING_WORDS)) and _NAMING.search(tail):
                out.append("naming_cue")
            tail = before[-80:]
            if (not tail.isascii() or _COMPARE_STEMS.search(tail.lower())) and _COMPARE.search(tail):
                out.append("compare_before")
        else:
            # ASCII text: the prefilters and the `_LOW` patterns read the lower-cased text (the same
            # characters as the window's `lower()`), and the patterns run only on the windows the
            # prefilters pass. The prefilters are necessary conditions of the patterns on ASCII text.
            if low.find("we", a, st) != -1 and _INTRO_LOW.search(low[a:st]):
                out.append("intro_cue")
            b = max(a, st - 20)
            if low[b:st].rstrip().endswith(_NAMING_WORDS) and _NAMING.search(text[b:st]):
                out.append("naming_cue")
            b = max(a, st - 80)
            if self._stem_between(b, st) and _COMPARE_LOW.search(low[b:st]):
                out.append("compare_before")
        before_c = text[max(0, st - 3):st].rstrip()[-1:]
        if before_c and not before_c.isalnum():
            out.append(_BEFORE.get(before_c) or _feature(_BEFORE, "pb=", before_c))
        got = self._left[st] = tuple(out)
        return got

    def right_features(self, en: int, sent_end: int) -> tuple[str, ...]:
        """The features of what follows an occurrence that ends at `en`, in a sentence ending at
        `sent_end`: the words, the punctuation, a parenthesis, colon or possessive."""
        key = (en, sent_end)
        got = self._right.get(key)
        if got is not None:
            return got
        text = self.text
        words, wends = self.words, self.wends
        i = bisect_left(self.wstarts, en)
        n = len(words)
        out = []
        k = 0
        made = _WORD_FEATURES.get
        while i < n and k < 3 and wends[i] <= sent_end:
            w = words[i]
            out.append((made(w) or _word_features(w))[k + 3])
            i += 1
            k += 1
        after_c = text[en:en + 3].lstrip()[:1]
        if after_c and not after_c.isalnum():
            out.append(_AFTER.get(after_c) or _feature(_AFTER, "pa=", after_c))
        nxt = text[en:en + 2]
        if nxt.startswith(" (") or nxt.startswith("("):
            out.append("paren_after")
        if nxt[:1] == ":":
            out.append("colon_after")
        if nxt in ("'s", "\u2019s"):
            out.append("possessive")
        got = self._right[key] = tuple(out)
        return got


# `L1=w`, `L2=w`, `L3=w`, `R1=w`, `R2=w`, `R3=w` by word: the same words surround names in every
# abstract, and one string object per feature also hashes once (the weight lookups hash every feature).
_WORD_FEATURES: dict[str, tuple[str, ...]] = {}


def _word_features(w: str) -> tuple[str, ...]:
    got = _WORD_FEATURES.get(w)
    if got is None:
        if len(_WORD_FEATURES) > 200_000:  # bounded, as `_surface_features`
            _WORD_FEATURES.clear()
        got = _WORD_FEATURES[w] = (f"L1={w}", f"L2={w}", f"L3={w}", f"R1={w}", f"R2={w}", f"R3={w}")
    return got


# `pb=(` and `pa=,` by character, for the same reasons. Bounded.
_BEFORE: dict[str, str] = {}
_AFTER: dict[str, str] = {}


def _feature(made: dict[str, str], prefix: str, ch: str) -> str:
    if len(made) > 10_000:
        made.clear()
    got = made[ch] = prefix + ch
    return got


def _surface_features(gaz: Gazetteer, s: str) -> frozenset[str]:
    """The features of the written form alone (shape, vocabulary hits, digits...): names repeat across
    abstracts, so they are computed once per gazetteer and form."""
    cache: dict[str, frozenset[str]] = gaz.__dict__.get("_surface_features") \
        or gaz.__dict__.setdefault("_surface_features", {})
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


def _candidate_features(gaz: Gazetteer, s: str, origin: str, rule_fields: set[str],
                        lex: str | None) -> frozenset[str]:
    """The features of the name without its context: its written form, where it came from, the
    rules' verdicts and the lexicon's class. The same names come back in paper after paper with the
    same verdicts, so they are computed once per (form, origin, verdicts, class)."""
    key = (s, origin, tuple(sorted(rule_fields)) if rule_fields else (), lex)
    cache: dict[tuple, frozenset[str]] = gaz.__dict__.get("_candidate_features") \
        or gaz.__dict__.setdefault("_candidate_features", {})
    hit = cache.get(key)
    if hit is not None:
        return hit
    sh3 = shape(s)[:3]
    f = set(_surface_features(gaz, s))
    f.add(f"origin={origin}")
    if not rule_fields:
        f.add("rule=none")
        f.add(f"rule=none|{sh3}")
    for r in rule_fields:
        f.add(f"rule={r}")
        f.add(f"rule={r}|{sh3}")
        for kind in _KINDS:
            if f"gaz={kind}" in f:
                f.add(f"gaz={kind}|rule={r}")
    if lex is not None:
        f.add(f"lex={lex}")
        f.add(f"lex={lex}|{sh3}")
    if len(cache) > 200_000:  # bounded, as `_surface_features`
        cache.clear()
    out = cache[key] = frozenset(f)
    return out


_COUNT = ("count=0", "count=1", "count=2", "count=3")


def feature_parts(c: Candidate, contexts: dict[str, Context], gaz: Gazetteer, title: str,
                  lexicon: dict[str, str] | None = None,
                  ) -> tuple[frozenset[str], list[tuple[str, ...]], list[str]]:
    """The features of one candidate in three parts, whose union is `features(...)`: those of the name
    alone (one object per name, verdicts and class, in any paper), those of what precedes and what
    follows each occurrence (one object per position), and the rest (count, title, sentence position,
    parentheses). `learned.Relabeler` sums the weights of a part once."""
    s = c.surface
    base = _candidate_features(gaz, s, c.origin, c.rule_fields, lexicon.get(c.key) if lexicon else None)
    occ = c.occ
    n = len(occ)
    extra = [_COUNT[n if n < 3 else 3]]
    around: list[tuple[str, ...]] = []
    if n and (occ[0][0] == "title" or any(o[0] == "title" for o in occ)):
        extra.append("in_title")
        if all(o[0] == "title" for o in occ):
            extra.append("title_only")
        if title.startswith(s) and title[len(s):len(s) + 2].strip()[:1] in (":", "-", "\u2014"):
            extra.append("title_prefix")
    all_initial = True
    for fld, st, en in (occ if n <= _CONTEXT_OCC else occ[:_CONTEXT_OCC]):
        ctx = contexts[fld]
        # `ctx.sentence(st)` and the two feature caches, inline: this runs for every candidate.
        i = bisect_right(ctx.starts, st) - 1
        s0, s1 = ctx.spans[i if i > 0 else 0]
        if st != s0:
            all_initial = False
        if fld == "abstract" and s0 == ctx.first_start:
            extra.append("first_sentence")
        got = ctx._left.get(st)
        around.append(got if got is not None else ctx.left_features(st, s0))
        got = ctx._right.get((en, s1))
        around.append(got if got is not None else ctx.right_features(en, s1))
        text = ctx.text
        if st and text[st - 1:st] == "(" and text[en:en + 1] == ")":
            extra.append("in_paren")
    if all_initial and n:
        extra.append("sent_initial_only")
    return base, around, extra


def features(c: Candidate, contexts: dict[str, Context], gaz: Gazetteer, title: str,
             lexicon: dict[str, str] | None = None) -> list[str]:
    """The indicator features of one candidate (sorted, no duplicates)."""
    base, around, extra = feature_parts(c, contexts, gaz, title, lexicon)
    return sorted(base.union(*around, extra))
