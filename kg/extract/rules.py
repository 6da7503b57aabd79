"""Pure functions over plain strings: sentence spans, LaTeX masking, name candidates, introduction cues,
acronym definitions, factors and relation cues.

Every function returns character offsets into the text it was given, so evidence can always be sliced
back out of the abstract. Nothing here knows about spaCy; the components in `kg.extract.components` are
thin wrappers and `tests/test_extract_rules.py` calls these directly.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

# --- text normalisation ---------------------------------------------------------------------------

# LaTeX commands are replaced by spaces of the same length (not removed) so that every offset found in
# the masked text is still an offset into the original abstract.
_LATEX_CMD = re.compile(r"\\(?:textbf|textit|emph|texttt|mathrm|text|mathbf|textsc|underline)\{")
_LATEX_TIMES = re.compile(r"\$?\s*\\times\s*\$?|\$")


def mask_latex(text: str) -> str:
    """Same-length copy of `text` with LaTeX markup blanked: `\\textbf{DDO}` -> `        DDO `,
    `$7.7\\times$` -> `7.7x     `, a bare macro `\\HyperRouter` -> ` HyperRouter`."""
    if "\\" not in text and "$" not in text and "{" not in text:
        return text
    chars = list(text)
    for m in _LATEX_TIMES.finditer(text):
        s, e = m.span()
        fill = [" "] * (e - s)
        if "times" in m.group(0):
            # `\times` after a number is the factor sign: keep one `x` right after the number.
            fill[0] = "x"
        chars[s:e] = fill
    for m in _LATEX_CMD.finditer(text):
        s, e = m.span()
        chars[s:e] = [" "] * (e - s)
        close = text.find("}", e)
        if close != -1:
            chars[close] = " "
    out = "".join(chars)
    out = re.sub(r"[{}]", " ", out)
    return out.replace("\\", " ")


# --- candidate tokens ----------------------------------------------------------------------------

# The patterns below are only tried where they can start: at tokens of the right class, found once per
# token text (memoised) instead of trying each pattern at every character of every abstract, which was
# most of the extraction time. Inside the spaCy pipeline the tokens come from the tokenizer, which has
# run anyway (see `components.ExtractComponent`); elsewhere from `word_tokens`.
CAP = 1  # has a capital: where a name introduced somewhere in the corpus may start
GAZ = 2  # first word of a case-sensitive vocabulary entry (`Gazetteer`)
GAZ_CI = 64  # first word of a case-insensitive vocabulary entry
MODEL = 128  # first word of a model family (`ResNet` of `ResNet-50`)
NAME = 4  # may start a coined name (`_NAMEISH`)
INTRO = 8  # may start `_INTRO` or `_OUR`
NAMING = 16  # may start `_NAMING`
NOVEL = 32  # the keyword of `_NOVEL_APPOSITIVE`
PART = 256  # the verb of `_PART_VERB` ("MemServe introduces MemPool, an ...")
_INTRO_WORDS = frozenset({"we", "this", "in", "our", "the"})
_NAMING_WORDS = frozenset({"called", "named", "dubbed", "termed", "coined", "we", "which", "namely", "refer",
                           "key"})
_NOVEL_WORDS = frozenset({"novel", "new"})
_PART_WORDS = frozenset({"introduces", "features", "builds", "adds", "develops", "designs", "incorporates",
                         "proposes", "employs"})
WORD_RUN = re.compile(r"\w*")
_WORD_TOKEN = re.compile(r"\w\w*")
# The main part of a coined name, as in `_NAMEISH`.
_NAME_MAIN = re.compile(r"[A-Za-z\u00b5\u03b1-\u03c9][a-z0-9]*[A-Z]|[A-Z][A-Z0-9]|[A-Z][a-z]*[0-9]")


def first_part(s: str) -> str:
    """The leading run of word characters: `GPT` of `GPT-4`, `vLLM` of `vLLM's`."""
    m = WORD_RUN.match(s)
    return m.group() if m else ""


class TokenClasses:
    """The classes (bit set of `CAP`, `GAZ`, ...) of a token text, memoised per token text.
    `cs_first`/`ci_first`/`model_first`: first parts of the case-sensitive / lower-cased vocabulary
    surfaces and of the model families, each also with a plural `s`/`es`."""

    def __init__(self, cs_first: frozenset[str], ci_first: frozenset[str],
                 model_first: frozenset[str] = frozenset()) -> None:
        self.cs_first = cs_first
        self.ci_first = ci_first
        self.model_first = model_first
        self.memo: dict[str, int] = {}

    def __call__(self, tok: str) -> int:
        b = self.memo.get(tok)
        if b is None:
            b = self.memo[tok] = self._classify(tok)
        return b

    def interesting(self, tok: str) -> bool:
        """The spaCy lexeme flag: whether the token belongs to any class."""
        return self(tok) != 0

    def _classify(self, tok: str) -> int:
        b = 0
        if not tok.islower() and any(c.isupper() for c in tok):
            b |= CAP
        head = first_part(tok)
        low = head.lower()
        if head in self.cs_first:
            b |= GAZ
        if low in self.ci_first:
            b |= GAZ_CI
        if head in self.model_first:
            b |= MODEL
        if _NAME_MAIN.match(head):
            b |= NAME
        if low in _INTRO_WORDS:
            b |= INTRO
        if low in _NAMING_WORDS:
            b |= NAMING
        if low in _NOVEL_WORDS:
            b |= NOVEL
        if low in _PART_WORDS:
            b |= PART
        return b

    def word_tokens(self, text: str) -> list[tuple[int, int]]:
        """(start, classes) of the classified words of `text`, without a tokenizer: runs of word
        characters (every name starts one)."""
        out = []
        known = self.memo.get
        for m in _WORD_TOKEN.finditer(text):
            w = m.group()
            b = known(w)
            if b is None:
                b = self(w)
            if b:
                out.append((m.start(), b))
        return out


def starts_of(tokens: list[tuple[int, int]], cls: int) -> list[int]:
    return [p for p, b in tokens if b & cls]


# --- sentences ------------------------------------------------------------------------------------

# Words that end with a period without ending the sentence.
_ABBREV = frozenset(
    "e.g i.e etc al vs cf fig figs eq eqs sec approx resp no nos dr prof mr ms inc ltd corp jr sr st "
    "vol pp ca ref refs tab esp incl viz".split()
)
# Two patterns, each starting with a literal character class so that `re` skips to candidates instead
# of trying three alternatives at every character.
# A sentence may also start with a coined name in lower case (`vAttention also ...`, `vLLM is ...`).
# Every pattern that is scanned (not only `match`ed) starts with a single character class, never a
# repeat (`[.!?][.!?]*`, not `[.!?]+`): only then does `re` skip ahead to candidate characters instead
# of trying the pattern at every position, three times faster here.
_BOUNDARY = re.compile(r"[.!?][.!?]*[\"')\]]*(?:(?=\s+[\"'(\[]?(?:[A-Z0-9$\\]|[a-z]+[A-Z]))|\s*$)")
_BREAK = re.compile(r"\n(?:\s*\n|(?=[A-Z]))")
_LETTERS_DOT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans `(start, end)` of `text`, whitespace trimmed, covering every non-blank character.

    A period ends a sentence only when whitespace and an upper-case letter, digit or `$` follow, and the
    word before it is not an abbreviation (`e.g.`, `et al.`, `vs.`, `Fig.`) or an initial (`K. V.`), so
    decimals (`1.4x`), URLs and version numbers stay inside their sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    ends = [m for m in _BOUNDARY.finditer(text)]
    if "\n" in text:
        ends += _BREAK.finditer(text)
        ends.sort(key=lambda m: m.start())
    for m in ends:
        end = m.end()
        if end <= start:
            continue
        p = m.start()
        if text[p] == ".":
            # The word before the period: the run of letters and dots (at most 12 characters) ending
            # there, starting with a letter.
            j = p
            lo = max(0, p - 12)
            while j > lo and text[j - 1] in _LETTERS_DOT:
                j -= 1
            while j < p and text[j] == ".":
                j += 1
            if j < p:
                word = text[j:p].rstrip(".").lower()
                if word in _ABBREV or (len(word) == 1 and text[j].isupper()):
                    continue
        _add_span(text, start, end, spans)
        start = end
    if start < n:
        _add_span(text, start, n, spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_of(spans: Sequence[Sequence[int]], pos: int) -> int:
    """Index of the sentence span that holds character `pos` (the last one starting at or before it)."""
    lo, hi = 0, len(spans) - 1
    best = 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if spans[mid][0] <= pos:
            best = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return best


# --- names ----------------------------------------------------------------------------------------

# A token that looks like a coined name: an inner capital (vLLM, FlashInfer, cuDNN, sGraph), several
# capitals (GSPMD, PGT-I), letters with digits (C4, Llama-2), or a `++` suffix (MoE++).
_NAMEISH = re.compile(
    r"(?<![\w\-./])("
    # A Greek prefix counts as a lower-case letter (`μGraphs`).
    r"(?:[A-Za-z\u00b5\u03b1-\u03c9][a-z0-9]*[A-Z][\w]*|[A-Z][A-Z0-9]+[a-z]*[\w]*|[A-Z][a-z]*[0-9][\w]*)"
    r"(?:[\-/.][A-Za-z0-9]+)*(?:\+\+)?"
    r")(?:'s|\u2019s)?(?![\w\-]|\.[A-Za-z0-9])"
)
_CAPWORDS = re.compile(r"([A-Z][a-z]+(?:-[A-Za-z]+)*(?:\s+(?:[A-Z][a-z]+(?:-[A-Za-z]+)*|[A-Z]{2,6})){1,2})(?=\s*,)")
_CAPWORD = re.compile(r"(?<![\w\-./])([A-Z][a-z]+(?:-[A-Za-z0-9]+)*)(?:'s|\u2019s)?(?![\w\-])")


def is_nameish(token: str) -> bool:
    m = _NAMEISH.fullmatch(token)
    return bool(m)


def nameish_tokens(text: str, start: int = 0, end: int | None = None,
                   starts: list[int] | None = None) -> list[tuple[int, int, str]]:
    """Coined-looking names in `text[start:end]` as (start, end, name) with possessives dropped.
    Compounds such as `LLM-based` or `SLO-aware` describe something else and are left out.
    `starts`: the sorted positions where a name may start (`NAME` tokens); else every position."""
    end = len(text) if end is None else end
    if starts is None:
        found = list(_NAMEISH.finditer(text, start, end))
    else:
        found = []
        last = start
        for pos in starts:
            if pos < last or pos >= end:
                continue
            m = _NAMEISH.match(text, pos, end)
            if m is not None:
                found.append(m)
                last = m.end()
    return [(m.start(1), m.end(1), m.group(1)) for m in found if not _GENERIC_HEAD.search(m.group(1))]


# Nouns that say a name is a software artifact when the text puts them right after it.
_KIND_WORDS = r"(?:systems?|platforms?|librar(?:y|ies)|engines?|frameworks?|toolkits?|compilers?|runtimes?|databases?|queues?)"
# "Dynabench, a research platform", "Kafka, a distributed message queue".
_KIND_APPOSITIVE = re.compile(r"([A-Z][\w\-+]*(?:\s+[A-Z][\w\-+]*)?),\s+an?\s+(?:[\w\-]+\s+){0,4}?" + _KIND_WORDS
                              + r"\b")
# "the FastFlow parallel programming library", "the Dynabench platform".
_THE_KIND = re.compile(r"([A-Z][\w\-+]*)\s+(?:[a-z][\w\-]*\s+){0,2}?" + _KIND_WORDS + r"\b")


def kind_named(text: str, caps: list[int]) -> list[tuple[int, int, str]]:
    """Names the text itself calls a system, library, platform, engine... (start, end, name), tried at the
    capitalised tokens `caps`: the appositive `X, a ... platform` and `the X ... library`. A name the paper
    introduces that ends like a field (`Freeze Inference, a system that ...`) is a system when listed here.
    (As mentions on their own they cost precision: `Quux, a commercial platform` is as often a company.)"""
    out: list[tuple[int, int, str]] = []
    last = 0
    for p in caps:
        if p < last:
            continue
        m = _KIND_APPOSITIVE.match(text, p)
        if m is None and text[max(0, p - 4):p] == "the ":
            m = _THE_KIND.match(text, p)
        if m is not None and not _GENERIC_HEAD.search(m.group(1)):
            out.append((m.start(1), m.end(1), m.group(1)))
            last = m.end(1)
    return out


# --- introduction cues ----------------------------------------------------------------------------

_INTRO_VERB = (
    r"(?:present|presents|presenting|introduce|introduces|introducing|propose|proposes|proposing|build|builds|"
    r"design|designs|develop|develops|developed|designed|built|implement|implements|release|describe|describes|"
    r"contribute|offer|define|defines)"
)
_INTRO_SUBJ = (
    r"(?:[Ww]e|[Tt]his (?:paper|work|article|study)|[Ii]n this (?:paper|work)|[Oo]ur (?:work|paper)|[Tt]he paper)"
)
# "we present X", "we have developed a framework called X", "This paper introduces X".
_INTRO = re.compile(_INTRO_SUBJ + r"[^.;:]{0,80}?\b" + _INTRO_VERB + r"\b[,]?\s*")
# "called X", "named X", "dubbed X", "we call X", "namely (the) X", "refer to ... as X".
_NAMING = re.compile(
    r"\b(?:(?:called|named|dubbed|termed|coined)(?: as)?|"
    # "We name this “Long Form” (ACR)", "we call it Foo.": only a quoted or whole capitalised name ("We
    # term this the DTR bandit problem" names a problem).
    r"[Ww]e (?:call|name|term|dub) (?:this|it|them|these|our [\w\-]+)(?=\s+(?:[\u201c\"'\u2018]|[A-Z][\w\-]*\s*[.,;(]))|"
    r"we call(?: it| the)?|which we call(?: the)?|namely(?: the)?|"
    r"refer to [^.]{0,60}? as|key (?:contribution|idea|component|building block)s?(?: (?:in|of|behind) [\w\-]+)?"
    r" (?:is|are))\s+"
)
# "we (1) characterize ..., (2) present X, and (3) introduce Y": numbered contributions, each verb far from
# the subject.
_ENUM_START = re.compile(r"[Ww]e\s+\((?:\d|i|a)\)\s")
# "we rethink the costs of ..., and propose X": the introducing verb coordinated after another one.
_COORD_VERB = re.compile(r",?\s+and\s+(?:then\s+|also\s+)?" + _INTRO_VERB + r"\b,?\s*")
_ENUM_VERB = re.compile(r"\((?:\d{1,2}|[ivx]{1,4}|[a-h])\)\s+(?:we\s+)?" + _INTRO_VERB + r"\b,?\s*")
# "..., X, a novel strategy": an appositive with "novel"/"new" presents X as the paper's own anywhere.
_NOVEL_APPOSITIVE = re.compile(
    r"(?<![\w\-./])([A-Z][\w\-+]*(?:\s+[A-Z][\w\-+]*){0,2}),\s+(?:a|an)\s+(?:novel|new)\b")
_GENERIC_HEAD = re.compile(r"(?:-based|-like|-aware|-style|-powered|-specific|-free|-level|-friendly|-centric|"
                           r"-oriented|-efficient|-scale)$", re.I)
# "Our system, X, ...", "Our approach, X, ...", "Our solution, X, is", "Our implementation, X, takes".
_OUR = re.compile(r"\b[Oo]ur (?:new |novel )?(?:system|approach|solution|framework|implementation|method|tool|design|"
                  r"prototype|library|compiler|scheduler|algorithm)s?,\s+")
# "X is a ... system that", "X, a system for": the appositive or copula that follows a name.
_APPOSITIVE = re.compile(r"\s*(?:,|---|--|\u2014|:)?\s*(?:is\s+)?(?:an?|the)\s+")
_ACRONYM_AFTER = re.compile(r"\s*\(([^()]{1,80})\)")


# What each cue pattern starts with: a cheap `startswith` test before the pattern itself.
_INTRO_PREFIXES = ("we", "We", "this ", "This ", "in this ", "In this ", "our ", "Our ", "the paper",
                   "The paper")
_OUR_PREFIXES = ("our ", "Our ")
_INTRO_VERB_STEMS = ("present", "introduc", "propos", "build", "built", "design", "develop", "implement",
                     "release", "describ", "contribut", "offer", "defin")
# One scan of the lower-cased window for any of the stems (same answer as `any(v in window ...)`).
_has_verb_stem = re.compile("|".join(map(re.escape, _INTRO_VERB_STEMS))).search
_NAMING_PREFIXES = ("called", "named", "dubbed", "termed", "coined", "we call", "which we call", "namely",
                    "refer to", "key ", "We call", "we name", "We name", "we term", "We term", "we dub", "We dub")


_CUE_CLASSES = INTRO | NAMING | NOVEL | PART


def intro_candidates(text: str, tokens: list[tuple[int, int]]) -> tuple[list[int], ...]:
    """Sorted start positions for `_INTRO`, `_NAMING`, `_OUR`, the `_NOVEL_APPOSITIVE` keywords and the
    `_PART_VERB` verbs, from the classified tokens of `text` (`TokenClasses`)."""
    intro: list[int] = []
    naming: list[int] = []
    novel: list[int] = []
    part: list[int] = []
    our_only: list[int] = []
    startswith = text.startswith
    for p, b in tokens:
        if not b & _CUE_CLASSES:
            continue
        if b & INTRO and startswith(_INTRO_PREFIXES, p):
            # `_INTRO` needs one of its verbs within the next few words: checked with `in`, which is far
            # cheaper than the pattern's lazy scan.
            if _has_verb_stem(text[p:p + 80].lower()) or _ENUM_START.match(text, p) or (
                    startswith(("we ", "We "), p) and _COORD_VERB.search(text, p, p + 300)):
                intro.append(p)
            elif startswith(_OUR_PREFIXES, p):
                our_only.append(p)
        if b & NAMING and startswith(_NAMING_PREFIXES, p):
            naming.append(p)
        if b & NOVEL:
            novel.append(p)
        if b & PART:
            part.append(p)
    our = sorted(our_only + [p for p in intro if startswith(_OUR_PREFIXES, p)])
    return intro, naming, our, novel, part


def _in_span(pos: list[int], s: int, e: int) -> list[int]:
    return pos[bisect_left(pos, s):bisect_left(pos, e)]


def intro_names(text: str, span: tuple[int, int], cands: tuple[list[int], ...] | None = None,
                acronyms: list[tuple[int, int, str, int, int, str]] | None = None,
                later: list[tuple[int, int, str, list[str]]] | None = None,
                ) -> list[tuple[int, int, str, list[str]]]:
    """Names the sentence `text[span]` presents as the paper's own, with aliases:
    (start, end, name, aliases). Covers intro verbs, naming verbs and `Our system, X,`.
    `cands`: `intro_candidates(...)` of the text, else every position is tried; `acronyms`:
    `acronym_definitions(text)` (both computed once per text by the caller, else here). `later`: a list
    that receives the names a later sentence gives to what this one introduces unnamed
    (`definite_name`)."""
    s, e = span
    found: list[tuple[int, int, str, list[str]]] = []
    if cands is None:
        every = list(range(s, e))
        cands = (every, every, every, every, every)
    intro_at = None
    for rx, pos in zip((_INTRO, _NAMING, _OUR), cands):
        last = s
        for p in _in_span(pos, s, e):
            if p < last:
                continue
            m = rx.match(text, p, e)
            if rx is _INTRO and _ENUM_START.match(text, p, e):
                for em in _ENUM_VERB.finditer(text, p, e):
                    intro_at = em.end() if intro_at is None else intro_at
                    got = _name_after(text, em.end(), e, strict=True)
                    if got:
                        found.append(got)
                        found.extend(_and_also(text, got[1], e))
                last = e
                continue
            if m is None and rx is _INTRO and text.startswith(("we ", "We "), p):
                cm = _COORD_VERB.search(text, p, min(e, p + 300))
                if cm is not None:
                    last = cm.end()
                    intro_at = cm.end() if intro_at is None else intro_at
                    got = _name_after(text, cm.end(), e, strict=True)
                    if got:
                        found.append(got)
                    continue
            if m is None:
                if rx is _OUR:
                    got = _our_long_form(text, p, e) or _our_named_part(text, p, e)
                    if got:
                        found.append(got)
                continue
            last = m.end()
            if rx is _INTRO and intro_at is None:
                intro_at = m.end()
            got = _name_after(text, m.end(), e, strict=rx is _INTRO)
            if got:
                found.append(got)
                if rx is _INTRO:
                    found.extend(_and_also(text, got[1], e))
            elif rx is _INTRO:
                found.extend(_and_titled_kind(text, m.end(), e))
            if not got and rx is _INTRO and later is not None:
                named = definite_name(text, span, m.end())
                if named and not any(f[2] == named[2] for f in later):
                    later.append((*named, []))
    for p in _in_span(cands[4], s, e):
        got = _part_name(text, p, s, e)
        if got:
            found.append(got)
            found.extend(_and_also(text, got[1], e))
    keys = _in_span(cands[3], s, e)
    if keys:
        # The name sits right before `, a novel`: three words at most, well inside 120 characters.
        for m in _NOVEL_APPOSITIVE.finditer(text, max(s, keys[0] - 120), e):
            if m.start(1) == s and not is_nameish(m.group(1).split()[0]):
                continue  # a sentence-initial ordinary word ("However, a new ...")
            found.append((m.start(1), m.end(1), m.group(1), []))
    if intro_at is not None:
        # "we propose a framework for X, Weigh And Select (WAS), where": a capitalised long form with
        # its acronym later in an introducing sentence.
        if acronyms is None:
            acronyms = acronym_definitions(text[:e])
        # Only the definitions inside this sentence (they are in text order): a bisect, not a scan of
        # all of them, so that a text with thousands of sentences stays linear.
        first = bisect_left(acronyms, s, key=lambda a: a[0])
        for ls, le, long, ss, se, short in acronyms[first:]:
            if ls >= e:
                break
            if se >= e:
                continue
            if _USED_BEFORE.search(text, max(s, ls - 30), ls):
                continue  # "using Neural Radiance Fields (NeRF)": a building block, not the paper's own
            if long.split()[-1].lower() in TECHNIQUE_HEADS:
                continue  # "relies on Gradient Bucket Sharing (GBS)": a technique, not the paper's system
            if ls >= intro_at and all(w[:1].isupper() or w.lower() in _STOP for w in long.split()):
                if long.split()[0][:1].isupper():
                    found.append((ss, se, short, [long]))
    return found


# "We present the design and implementation of GATI": the name comes after "design of".
# "MemServe introduces MemPool, an elastic memory pool", "It features OSQ, an optimized ...", "it builds an
# in-house serving engine FlowServe": a part of the paper's system, named by the system (or "it").
_PART_VERB = re.compile(r"(?:introduces|features|builds|adds|develops|designs|incorporates|proposes|employs)\s+"
                        # "designs two key techniques: X, a ..."
                        r"(?:(?:two|three|four|several|the following)\s+(?:key\s+|novel\s+|new\s+|main\s+)?"
                        r"(?:techniques|components|mechanisms|optimizations|ideas|innovations|modules)\s*:\s*)?")


def _and_also(text: str, pos: int, end: int) -> list[tuple[int, int, str, list[str]]]:
    """Names coordinated after an introduced one (`X, a system, and Y, a library`), each with a descriptor."""
    out = []
    # Within a few hundred characters: a 1 MB "sentence" of introductions must stay linear.
    for m in _AND_ALSO.finditer(text, pos, min(end, pos + 400)):
        out.append((m.start(1), m.end(1), m.group(1), []))
    return out


def _and_titled_kind(text: str, pos: int, end: int) -> list[tuple[int, int, str, list[str]]]:
    """`... and a Dependency Proxy mechanism`: a capitalised name with its kind noun, coordinated after an
    introducing verb's first object."""
    out = []
    for m in _AND_TITLED_KIND.finditer(text, pos, min(end, pos + 200)):
        if not _CAPWORD_STOP.search(m.group(1)):
            out.append((m.start(1), m.end(1), m.group(1), []))
    return out
_PART_SUBJECT = re.compile(r"(?:\b[Ii]t|(?<![\w\-])[A-Za-z][\w\-]*[A-Z][\w\-]*|(?<![\w\-])[A-Z][a-z][\w\-]*)"
                           r"\s+(?:(?:also|further|then|additionally)\s+)?$")
_PART_APPOSITIVE = re.compile(r"\s*(?:,|\s-+|\u2014)\s*(?:an?)\s+")


def _part_name(text: str, pos: int, start: int, end: int) -> tuple[int, int, str, list[str]] | None:
    """The coined name after `X introduces|features|builds|adds` at `pos`, when a descriptor noun comes
    before it or an appositive (`, a ...`) after it; these verbs also take plain objects ("adds overhead")."""
    subj = _PART_SUBJECT.search(text, max(start, pos - 40), pos)
    verb = _PART_VERB.match(text, pos, end)
    if subj is None or verb is None or subj.group(0).split()[0] in ("This", "That", "There"):
        return None
    hk = _HYPHEN_KIND.match(text, verb.end(), end)
    if hk is not None:
        return (hk.start(1), hk.end(1), hk.group(1), [])
    if subj.group(0).split()[0] in ("It", "it") or is_nameish(subj.group(0).split()[0]):
        tp = _TITLE_PHRASE.match(text, verb.end(), end)
        if tp is not None and not _CAPWORD_STOP.search(tp.group(1)):
            return (tp.start(1), tp.end(1), tp.group(1), [])
    got = _name_after(text, verb.end(), end, strict=True)
    if got is None or not is_nameish(got[2]):
        return None
    if _PART_APPOSITIVE.match(text, got[1], end) or _DESCRIPTOR_WORD.search(text, verb.end(), got[0]):
        return got
    return None


_LEAD = re.compile(r"(?:(?:a|an|the|our|new|novel|first|\u2014|design(?: and implementation)? of)\s+)*", re.I)
_DESCRIPTOR_WORDS = (
    "system|framework|library|engine|compiler|scheduler|method|approach|algorithm|technique|tool|platform|"
    "benchmark|mechanism|architecture|model|pipeline|runtime|protocol|metric|solution|policy|structure|"
    "abstraction|interface|layer|language|toolkit|suite|simulator|optimizer|superoptimizer|kernel|service|"
    "design|methodology|strategy|primitive|paradigm|representation|agent|format"
)
_DESCRIPTOR_WORDS_PLUS = _DESCRIPTOR_WORDS + "|ontology|taxonomy"
_DESCRIPTOR = re.compile(
    r"(?:[\w\-]+\s+){0,6}?(?:" + _DESCRIPTOR_WORDS + r")s?\s*,?\s*(?:called|named|dubbed|termed)\s+", re.I)
# "We introduce an efficient LLM inference scheduler Sarathi-Serve", "a Reinforcement Learning agent,
# mallocMuZero", "a dynamic learning framework (V1D3)": a descriptor noun right before a coined or
# hyphenated name (not "a new system design").
_DESCRIPTOR_BARE = re.compile(r"(?:[\w\-]+\s+){0,6}?(?:" + _DESCRIPTOR_WORDS + r")s?(?:\s*(\()|,\s+|\s+)", re.I)
_DESCRIPTOR_WORD = re.compile(r"\b(?:" + _DESCRIPTOR_WORDS + r")s?\b", re.I)
# "FastGL develops the Match-Reorder strategy": a hyphenated capitalised name with its kind noun.
_HYPHEN_KIND = re.compile(r"(?:the|an?)\s+([A-Z][a-z]+(?:-[A-Z][\w]*)+)\s+(?:" + _DESCRIPTOR_WORDS + r")\b")
# "It introduces Hierarchical Asynchronous Snapshotting Coordination in ...": a name of three or more
# capitalised words (a hyphenated lower-case part allowed) that the system introduces.
_TITLE_PHRASE = re.compile(r"([A-Z][a-z]+(?:-[A-Za-z]+)?(?:\s+[A-Z][a-z]*(?:-[A-Za-z]+)?){2,5})"
                           r"(?=\s+(?:in|to|for|that|which|on|at)\b|\s*[,.;(])")
# "we describe AIStore, a ... system, and WebDataset, a ... library": a second name with its own appositive.
_AND_ALSO = re.compile(r",?\s+and\s+([A-Z][\w\-+.]*[\w+]),\s+an?\s+(?:[\w\-]+,?\s+){0,8}?(?:" + _DESCRIPTOR_WORDS
                       + r")s?\b")
# "a Dependency Proxy mechanism": a capitalised name of two to four words before its kind noun.
_TITLED_KIND = re.compile(r"([A-Z][a-z]+(?:[\s\-][A-Z][a-z]+){1,3})\s+(?:" + _DESCRIPTOR_WORDS + r")s?\b")
_AND_TITLED_KIND = re.compile(r"\s+and\s+(?:an?|the)\s+" + _TITLED_KIND.pattern)
_CAPWORD_STOP = re.compile(r"\b(?:The|A|An|In|On|For|To|Of|And|With|This|We|Our)\b(?!-)")

# "This paper introduces an ontology for ..." ... "The MLCommons Science Benchmarks Ontology provides": an
# introduction without a name, named later by a capitalised phrase ending in the same noun.
_UNNAMED_NOUN = re.compile(r"(?:an?|the)\s+(?:[\w\-]+\s+){0,3}?(" + _DESCRIPTOR_WORDS_PLUS + r")\b", re.I)


_NAMED_LATER_WINDOW = 3000


def definite_name(text: str, sent: tuple[int, int], intro_end: int) -> tuple[int, int, str] | None:
    """The capitalised name (`The MLCommons Science Benchmarks Ontology`) that a later sentence gives the
    thing an introducing sentence presents without a name (`introduces an ontology`), if any."""
    m = _UNNAMED_NOUN.match(text, intro_end, sent[1])
    if m is None:
        return None
    noun = m.group(1).lower()
    rx = re.compile(r"\b[Tt]he\s+((?:[A-Z][\w\-]*\s+){1,5}" + re.escape(noun[:1].upper() + noun[1:]) + r")s?\b")
    # Within the next few sentences (an abstract's length): bounded, so that a text with thousands of
    # unnamed introductions stays linear.
    named = rx.search(text, sent[1], sent[1] + _NAMED_LATER_WINDOW)
    if named is None:
        return None
    return (named.start(1), named.end(1), named.group(1))


# A noun after "a/an NAME" that makes NAME an attribute ("a CAP principle", "an AQM mechanism").
_TYPE_NOUN = re.compile(r"\s+(?:" + _DESCRIPTOR_WORDS + r"|principle|theorem)s?\b", re.I)
_HYPHEN_NAME = re.compile(r"(?<![\w\-./])([A-Z][a-z]+(?:-[A-Z][\w]*)+)(?![\w\-])")


_OUR_WORD = re.compile(r"[Oo]ur\s+")


# "Our Sliding Window Decomposition reconstructs ...": a capitalised name of the paper's own part, as the
# subject of a verb.
_OUR_PART = re.compile(r"[Oo]ur\s+([A-Z][a-z]+(?:-[A-Za-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Za-z]+)?){1,4})\s+[a-z]+s\b")
_NOT_PART_HEADS = frozenset("evaluation evaluations experiments results analysis contributions findings "
                            "observations study studies".split())


def _our_named_part(text: str, pos: int, end: int) -> tuple[int, int, str, list[str]] | None:
    m = _OUR_PART.match(text, pos, end)
    if m is None or _CAPWORD_STOP.search(m.group(1)) or m.group(1).split()[-1].lower() in _NOT_PART_HEADS:
        return None
    return (m.start(1), m.end(1), m.group(1), [])


def _our_long_form(text: str, pos: int, end: int) -> tuple[int, int, str, list[str]] | None:
    """`our Event Tensor Compiler (ETC)`: a capitalised long form with its acronym after "our"."""
    our = _OUR_WORD.match(text, pos, end)
    lf = _LONG_FORM.match(text, our.end(), end) if our else None
    if lf is None or not lf.group(0)[:1].isupper():
        return None
    acr = _ACRONYM_AFTER.match(text, lf.end(), end)
    if acr is None or not is_acronym_of(acr.group(1).strip(), lf.group(0)):
        return None
    short = acr.group(1).strip()
    a0 = acr.start(1) + (len(acr.group(1)) - len(acr.group(1).lstrip()))
    return (a0, a0 + len(short), short, [lf.group(0)])


# A long form with a few lower-case words (`Hierarchically Aggregated computation Graphs (HAGs)`): taken
# only when most of its words are capitalised and an appositive follows the acronym.
_LOOSE_LONG_FORM = re.compile(r"[A-Z][\w\-]*(?:\s+[\w\-]+){1,5}(?=\s*\()")


def _loose_long_form(text: str, pos: int, end: int) -> tuple[int, int, str, list[str]] | None:
    lf = _LOOSE_LONG_FORM.match(text, pos, end)
    if lf is None:
        return None
    words = lf.group(0).split()
    if 3 * sum(w[:1].isupper() for w in words) < 2 * len(words):
        return None
    acr = _ACRONYM_AFTER.match(text, lf.end(), end)
    if acr is None or not _PART_APPOSITIVE.match(text, acr.end(), end):
        return None
    short = acr.group(1).strip()
    if not is_acronym_of(short, lf.group(0)):
        return None
    a0 = acr.start(1) + (len(acr.group(1)) - len(acr.group(1).lstrip()))
    if short.endswith("s") and short[:-1].isupper():
        short = short[:-1]  # `HAGs` names the representation `HAG`
    return (a0, a0 + len(short), short, [lf.group(0)])


# What may follow a plain word for it to be a whole name: punctuation or a clause word, not more capitals.
_NAME_CLOSE = re.compile(r"\s*[,.;:(]|\s+(?:is|are|was|that|which|to|for|based|with|in)\b")
_NOT_MODIFIER = r"(?!(?:for|of|to|in|on|with|and|or|by|from|that|which|as|at|into|over|under|the|an?|our)\b)"
_MODIFIED_NAME = re.compile(r"(?:" + _NOT_MODIFIER + r"[a-z][\w\-]*\s+){1,6}"
                            r"([A-Za-z][a-z0-9]*[A-Z][\w]*(?:-[A-Za-z0-9]+)*)(?=\s+(?:that|which)\b|\s*[,(])")
_OUR_LEAD = re.compile(r"\b[Oo]ur\s")
# "our deep RL-based DQ optimizer": the paper's own name between modifiers and its kind.
_OUR_NAMED_KIND = re.compile(r"(?:[\w\-]+\s+){0,3}?((?:[A-Za-z][a-z0-9]*[A-Z]|[A-Z][A-Z0-9]+)[\w\-]*)\s+(?:"
                             + _DESCRIPTOR_WORDS + r")s?\b")
_ARTICLE_LEAD = re.compile(r"(?:an?|An?)\s")
_QUOTES = "\u201c\"'\u2018"
_QUOTED_LONG = re.compile(r"[\u201c\"'\u2018]([A-Z][^\u201d\"'\u2019]{3,100}?)[\u201d\"'\u2019]\s*\(([^()]{1,20})\)")
_LONG_COMMA_ACR = re.compile(r"([A-Z][\w\-]*(?:\s+(?:[A-Z][\w\-]*|and|of|for|the|with|via|to|in|on|a)){1,7}),\s+"
                             r"([A-Za-z][\w\-]*[A-Z][\w\-]*)(?=\s*[,(]|\s+(?:is|that|which)\b)")
_LOWER_PREFIXED = re.compile(r"[a-z]{1,4}-[A-Z][\w\-]*")  # `gs-SGD`
_LOWER_LONG_FORM = re.compile(r"[a-z][\w\-]*(?:\s+[\w\-]+){1,6}(?=\s*\()")
_LOWER_COINED = re.compile(r"([a-z][a-z0-9]*(?:[\-.][a-z0-9]+)+),\s+(?:an?|the)\s+(?:[\w\-]+,?\s+){0,6}?(?:"
                           + _DESCRIPTOR_WORDS + r")s?\b")


def _name_after(text: str, pos: int, end: int, *, strict: bool) -> tuple[int, int, str, list[str]] | None:
    """The name that starts right at `pos` (after articles), or after `a <descriptor> called`."""
    m = _DESCRIPTOR.match(text, pos, end)
    if m:
        pos = m.end()
    elif strict:
        lead0 = _LEAD.match(text, pos, end)
        bare = _DESCRIPTOR_BARE.match(text, lead0.end() if lead0 else pos, end)
        if bare:
            named = _NAMEISH.match(text, bare.end(), end) or _HYPHEN_NAME.match(text, bare.end(), end)
            if named is None and text[bare.end() - 2:bare.end()].strip() == ",":
                # "a ... heterogeneity-aware scheduler, Hadar, based on": a plain word named by the
                # appositive comma.
                named = _CAPWORD.match(text, bare.end(), end)
                if named is not None and not _NAME_CLOSE.match(text, named.end(), end):
                    named = None
            # In parentheses, only a name that does not spell out the words before it: "a quantization
            # algorithm (FMPQ)" abbreviates a description, "a learning framework (V1D3)" names one.
            if named and bare.group(1) and (text[named.end(1):named.end(1) + 1] != ")"
                                            or is_acronym_of(named.group(1), text[pos:bare.start(1)])):
                named = None
            if named:
                return (named.start(1), named.end(1), named.group(1), [])
    lead = _LEAD.match(text, pos, end)
    if lead:
        pos = lead.end()
    if strict and lead and _OUR_LEAD.search(lead.group(0)):
        own = _OUR_NAMED_KIND.match(text, pos, end)
        if own is not None:
            return (own.start(1), own.end(1), own.group(1), [])
    if strict and lead and _ARTICLE_LEAD.match(lead.group(0)):
        tk = _TITLED_KIND.match(text, pos, end)
        if tk is not None and not _CAPWORD_STOP.search(tk.group(1)) and \
                tk.group(1).split()[-1].lower() not in ("network", "networks"):
            return (tk.start(1), tk.end(1), tk.group(1), [])
        # "present a correctness-first batch speculative decoding EqSpec that": a mixed-case coined
        # name after plain modifiers.
        mod = _MODIFIED_NAME.match(text, pos, end)
        if mod is not None and any(c.islower() for c in mod.group(1)):
            return (mod.start(1), mod.end(1), mod.group(1), [])
    if pos < end and text[pos] in _QUOTES:
        # We name this “Communication-Aware Architecture for Tensor-parallelism” (CAAT-Net).
        quoted = _QUOTED_LONG.match(text, pos, end)
        short = quoted.group(2).strip() if quoted is not None else ""
        if quoted is not None and (is_acronym_of(short, quoted.group(1)) or (
                "-" in short and is_acronym_of(short.split("-")[0], quoted.group(1)))):
            return (quoted.start(2), quoted.end(2), quoted.group(2), [quoted.group(1)])
    comma = _LONG_COMMA_ACR.match(text, pos, end)
    if comma is not None and is_acronym_of(comma.group(2), comma.group(1)):
        # "we propose Federated Heterogeneity-Aware Client Sampling, FedACS, a universal method".
        return (comma.start(2), comma.end(2), comma.group(2), [comma.group(1)])
    if not strict:
        # "termed the multi-layer embeddings training (MLET)": after a naming verb, a lower-case long form.
        low = _LOWER_LONG_FORM.match(text, pos, end)
        if low is not None:
            acr = _ACRONYM_AFTER.match(text, low.end(), end)
            if acr and is_acronym_of(acr.group(1).strip(), low.group(0)) and (
                    _NAMEISH.fullmatch(acr.group(1).strip()) or _LOWER_PREFIXED.fullmatch(acr.group(1).strip())):
                a0 = acr.start(1) + (len(acr.group(1)) - len(acr.group(1).lstrip()))
                short = acr.group(1).strip()
                return (a0, a0 + len(short), short, [low.group(0)])
    # Long form with an acronym: "Clustered Head Attention (CHAI)", "Weigh And Select (WAS)".
    lf = _LONG_FORM.match(text, pos, end)
    if lf:
        acr = _ACRONYM_AFTER.match(text, lf.end(), end)
        if acr and is_acronym_of(acr.group(1).strip(), lf.group(0)):
            a0 = acr.start(1) + (len(acr.group(1)) - len(acr.group(1).lstrip()))
            short = acr.group(1).strip()
            return (a0, a0 + len(short), short, [lf.group(0)])
    else:
        loose = _loose_long_form(text, pos, end)
        if loose:
            return loose
    m2 = _NAMEISH.match(text, pos, end)
    name_end = None
    if m2:
        s0, name_end, name = m2.start(1), m2.end(1), m2.group(1)
        if lead and re.search(r"\b(?:a|an)\s+$", lead.group(0), re.I) and \
                _TYPE_NOUN.match(text, name_end, end):
            return None  # "we design an AQM mechanism": a kind of mechanism, not its name
    else:
        multi = _CAPWORDS.match(text, pos, end)
        if multi and (text.find(multi.group(1), multi.end(1)) != -1 or _KIND_APPOSITIVE.match(text, pos, end)):
            # "we propose Loss-Free Balancing, featured by ...", and "Loss-Free Balancing" again later:
            # a capitalised phrase the abstract keeps using as a name; or "We present Freeze Inference, a
            # system that ...": one it calls a system.
            return (multi.start(1), multi.end(1), multi.group(1), [])
        m3 = _CAPWORD.match(text, pos, end)
        if not m3:
            if strict:
                # "we introduce robust-kbench, a new benchmark": a lower-case coined name defined by its
                # appositive.
                lc = _LOWER_COINED.match(text, pos, end)
                if lc is not None:
                    return (lc.start(1), lc.end(1), lc.group(1), [])
            return None
        s0, name_end, name = m3.start(1), m3.end(1), m3.group(1)
        # A plain capitalised word is a name only when an appositive or a naming context follows
        # ("Marius, a system", "Ray---a distributed system"), not "We present Efficient Serving ...".
        after = text[name_end:end]
        if not (_APPOSITIVE.match(after) or after[:1] in ("", ",", ".", ";", ":") or after.startswith(" (")
                # "An elegant algorithm named Halda is proposed": a naming verb names even a plain word.
                or (not strict and _NAME_CLOSE.match(text, name_end, end))):
            return None
        if strict and not _APPOSITIVE.match(after):
            return None
    return (s0, name_end, name, long_forms_after(text, name, name_end, end))


# "CARROT, a Cost AwaRe Rate Optimal rouTer that": a long form as the appositive, up to a clause word.
_APPOSITIVE_LONG = re.compile(r",\s+(?:an?\s+)?((?:[\w\-]+\s+){1,8}?[\w\-]+)(?=\s+(?:that|which|for|to|with)\b|\s*[,(.;])")


def long_forms_after(text: str, name: str, pos: int, end: int) -> list[str]:
    """The spelled-out forms of `name` written right after it (at `pos`): in parentheses (`SMART (Submodular
    data Mixture strAtegy for instRuction Tuning)`, `PCB-Merging (Parameter Competition Balancing)`) or as
    an appositive whose letters spell the name (`CARROT, a Cost AwaRe Rate Optimal rouTer`)."""
    head = name.split("-")[0]
    acr = _ACRONYM_AFTER.match(text, pos, end)
    if acr:
        inner = acr.group(1).strip()
        if is_acronym_of(name, inner) or is_acronym_of(inner, name) or (
                head != name and len(head) >= 2 and is_acronym_of(head, inner)):
            return [inner]
        return []
    app = _APPOSITIVE_LONG.match(text, pos, end)
    if app and is_acronym_of(name, app.group(1)) and _capitals_spell(name, app.group(1)):
        return [app.group(1)]
    return []


def _capitals_spell(short: str, long: str) -> bool:
    """Whether the capitals of `long` are the letters of `short` in order (`Cost AwaRe Rate Optimal rouTer`
    spells CARROT): an appositive is a long form only then, not any phrase that happens to contain them."""
    caps = "".join(c for c in long if c.isupper()).lower()
    return len(caps) >= 2 and caps == "".join(c for c in short if c.isalpha()).lower()


_USED_BEFORE = re.compile(r"\b(?:using|uses?|with|via|on|of|leverag\w+|adopt\w*|employ\w*|by|from|"
                          r"based on)\s+(?:the\s+|an?\s+)?$", re.I)
# Acronym long forms ending in one of these nouns name a task or field of study (`Language Modeling (LM)`,
# `Integer Linear Programming (ILP)`, `Hindsight Learning (HL)`), never a system.
CONCEPT_HEADS = frozenset(
    "learning modeling modelling programming translation prediction detection recognition classification "
    "regression search estimation segmentation generation coding analysis retrieval rate training inference "
    "serving computing processing management networking benchmarking profiling "
    # hardware parts: `Binary Tensor Core (BTC)`, `Reconfigurable Dataflow Unit (RDU)`
    "core unit".split()
)
# Acronym long forms ending in one of these nouns name a technique (`randomized parameter-sharing
# (RPS)`); other long forms (`Large Reasoning Models (LRMs)`, `time to first token (TTFT)`) do not.
TECHNIQUE_HEADS = frozenset(
    "parallelism quantization pruning distillation decoding batching caching sharing sampling routing "
    "partitioning compression sparsification offloading checkpointing recomputation aggregation hashing "
    "adaptation tuning fine-tuning finetuning disaggregation speculation prefetching scheduling".split()
)


# Nouns that say what kind of thing a name is (`SWARM parallelism`, `Hydra system`): the name with one of
# them is the same system as the bare name.
KIND_NOUNS = TECHNIQUE_HEADS | frozenset(_DESCRIPTOR_WORDS.split("|"))


# --- acronym definitions (Schwartz & Hearst 2003, simplified) ---------------------------------------

_LONG_FORM = re.compile(r"(?:[A-Z][\w\-]*|and|of|for|the|with|via|to|in|on|a)(?:\s+(?:[A-Z][\w\-]*|and|of|for|the|"
                        r"with|via|to|in|on|a)){1,7}(?=\s*\()")
_PAREN = re.compile(r"\(([A-Za-z][\w\-+/]{0,14})\)")


def is_acronym_of(short: str, long: str) -> bool:
    """Schwartz-Hearst match: every letter/digit of `short`, right to left, appears in `long` in order,
    and the first one starts a word of `long`."""
    short = short.strip()
    if not (2 <= len(short) <= 12) or not any(c.isupper() for c in short) or " " in short:
        return False
    if len(long.split()) < 2 and "-" not in long:
        return False
    s = [c.lower() for c in short if c.isalnum()]
    lf = long.lower()
    li = len(lf) - 1
    for si in range(len(s) - 1, -1, -1):
        c = s[si]
        while li >= 0 and (lf[li] != c or (si == 0 and li > 0 and lf[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return True


_ACR_WORD = re.compile(r"[\w][\w\-/']*")


def acronym_definitions(text: str) -> list[tuple[int, int, str, int, int, str]]:
    """`long form (SHORT)` pairs: (long_start, long_end, long, short_start, short_end, short).
    The long form is the shortest run of words before the parenthesis that the acronym explains."""
    out = []
    for m in _PAREN.finditer(text):
        short = m.group(1)
        if not any(c.isupper() for c in short):
            continue
        n_letters = sum(c.isalpha() for c in short)
        base = max(0, m.start() - 120)
        words = list(_ACR_WORD.finditer(text, base, m.start()))
        base = 0
        limit = min(len(words), n_letters + 5, 2 * n_letters)
        c0 = short[0].lower()
        initial = False
        for k in range(1, limit + 1):
            first = words[-k]
            # The acronym's first letter must start a word of the long form (`is_acronym_of`).
            initial = initial or text[first.start()].lower() == c0 or any(
                not text[j - 1].isalnum() and text[j].lower() == c0
                for j in range(first.start() + 1, first.end()))
            if not initial:
                continue
            long = text[base + first.start():base + words[-1].end()]
            if is_acronym_of(short, long):
                out.append((base + first.start(), base + words[-1].end(), long, m.start(1), m.end(1), short))
                break
    return out


# --- factors and metrics --------------------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)?"
FACTOR = re.compile(
    r"(?:(?:up to|by up to|by|an average of|on average|average of|over|nearly|about|roughly|around|"
    r"a|as much as)\s+)?"
    r"(?:" + _NUM + r"\s*(?:x|\u00d7|times|%|\\%| percent)?\s*(?:-|\u2013|to|~)\s*)?"
    + _NUM + r"\s*(?:x|\u00d7|times|%|\\%| percent)(?![a-z])"
    r"|(?:(?:up to|by|about)\s+)?(?:one|an|two|three)\s+orders? of magnitude",
    re.I,
)
# Metric words, and the name each is reported under (`time-to-first-token` is `ttft`).
METRICS = {
    "goodput": "goodput", "throughput": "throughput", "latency": "latency", "tail latency": "tail latency",
    "speedup": "speedup", "memory": "memory", "cost": "cost", "energy": "energy", "accuracy": "accuracy",
    "utilization": "utilization", "slo attainment": "slo attainment", "request rate": "request rate",
    "makespan": "makespan", "jct": "jct", "job completion time": "jct", "ttft": "ttft",
    "time-to-first-token": "ttft", "time to first token": "ttft", "tpot": "tpot",
    "time-per-output-token": "tpot", "time per output token": "tpot", "qoe": "qoe", "bandwidth": "bandwidth",
    "runtime": "runtime", "training time": "training time", "convergence": "convergence",
    "memory footprint": "memory", "energy consumption": "energy", "inference time": "latency",
    "tbt": "tbt", "time between tokens": "tbt", "time-between-tokens": "tbt", "speed up": "speedup",
    "speed-up": "speedup", "faster": "speedup", "slower": "speedup",
}
# A metric word followed by one of these is a constraint the result holds under ("throughput within
# desired latency SLOs"), not what the factor measures.
_CONSTRAINT_AFTER = re.compile(r"\s*(?:SLOs?|targets?|constraints?|budgets?|requirements?|bounds?)\b", re.I)
_METRIC = re.compile(r"\b(" + "|".join(sorted((re.escape(m) for m in METRICS), key=len, reverse=True)) + r")\b",
                     re.I)
_METRIC_WORDS = tuple(sorted({m.split()[0].split("-")[0] for m in METRICS}))
_DIGIT = re.compile(r"\d")
# Scraped LaTeX writes `3.2\times` as `3.2times`, glued to the number.
_TIMES = re.compile(r"(\d)\s*(?:times|\u00d7|x)(?![a-z])", re.I)
_PERCENT = re.compile(r"(\d)\s*(?:\\%|%| percent)")
_LEAD_WORDS = re.compile(r"^(?:by|a)\s+", re.I)


def normalize_factor(raw: str) -> str:
    """The factor as reported: `3.2times` and `3.2 \u00d7` -> `3.2x`, `2-4times` -> `2-4x`, `5\\%` -> `5%`,
    and without a leading `by` or article (`by up to 3.2x` -> `up to 3.2x`, `a 4.3x` -> `4.3x`)."""
    f = " ".join(raw.split())
    f = _TIMES.sub(r"\1x", f)
    f = _PERCENT.sub(r"\1%", f)
    f = re.sub(r"(\d)\s*(-|\u2013|~)\s*(?=\d)", r"\1\2", f)
    while True:
        g = _LEAD_WORDS.sub("", f)
        if g == f:
            return f
        f = g


# A number with its unit: every factor except "orders of magnitude" ends with one. `factors` looks for
# these first (a digit is a cheap place to start) and only then matches `FACTOR` in a short window.
_NUM_UNIT = re.compile(r"\d\d*(?:[.,]\d+)?\s*(?:[xX]|\u00d7|[Tt]imes|TIMES|%|\\%| [Pp]ercent)(?![a-zA-Z])")


# "reduces the error to 14%", "keeps memory below 6%" state a level, not a factor (unlike "by 14%" or
# "to 14% of ...").
_TO_LEVEL = re.compile(r"(?<![Uu]p )(?<![Cc]lose )\b(?:to|below|under|within)\s+$")
_OF_AFTER = re.compile(r"\s+of\b")


def _is_level(text: str, m: re.Match[str]) -> bool:
    return (m.group(0).rstrip().endswith(("%", "percent")) and _TO_LEVEL.search(text, max(0, m.start() - 9), m.start())
            is not None and _OF_AFTER.match(text, m.end()) is None)


def factors(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Stated factors in `text[start:end]`: `12x`, `up to 2.4x`, `1.5-2.8x`, `29-69%`, `36%`
    (normalised by `normalize_factor`); not a percentage reached "to" (a level: "reduces the error to
    14%")."""
    if "magnitude" in text[start:end]:
        found = list(FACTOR.finditer(text, start, end))
    else:
        found = []
        last = start
        for u in _NUM_UNIT.finditer(text, start, end):
            if u.start() < last:
                continue
            # The factor that ends with this number starts at most five words before it: the leftmost
            # word start from which `FACTOR` matches up to the number's end.
            lo = max(last, u.start() - 40)
            cands = [j for j in range(lo, u.start() + 1)
                     if text[j].isalnum() and (j == 0 or not text[j - 1].isalnum())][-6:]
            for c in cands:
                m = FACTOR.match(text, c, u.end())
                if m is not None and m.end() == u.end():
                    found.append(m)
                    last = m.end()
                    break
    return [(m.start(), m.end(), normalize_factor(m.group(0))) for m in found if not _is_level(text, m)]


_CLAUSE_BREAK = re.compile(r";|\band\b|\bwhile\b|\bwhereas\b")


def _metric_matches(text: str, start: int, end: int, low: str) -> list[re.Match[str]]:
    """`_METRIC` matches in `text[start:end]` (`low`: that slice lower-cased), tried only where one of the
    metric words starts."""
    starts = set()
    for w in _METRIC_WORDS:
        i = low.find(w)
        while i != -1:
            if i == 0 or not low[i - 1].isalnum():
                starts.add(i)
            i = low.find(w, i + 1)
    out = []
    last = start
    for i in sorted(starts):
        if start + i < last:
            continue
        m = _METRIC.match(text, start + i, end)
        if m is not None:
            out.append(m)
            last = m.end()
    return out


def metric_near(text: str, start: int, end: int, pos: int, pos_end: int | None = None) -> str | None:
    """The metric that the factor at `text[pos:pos_end]` refers to: the metric word of the sentence
    `text[start:end]` nearest to it (before its start or after its end) without a clause break
    (`;`, `, and`, ` and keeps`) in between; else the nearest one at all."""
    pos_end = pos if pos_end is None else pos_end
    best: tuple[int, int, str] | None = None
    low = lower_same_length(text[start:end])
    for m in _metric_matches(text, start, end, low):
        if _CONSTRAINT_AFTER.match(text, m.end()):
            continue
        if m.end() <= pos:
            gap, d = text[m.end():pos], pos - m.end()
        elif m.start() >= pos_end:
            gap, d = text[pos_end:m.start()], m.start() - pos_end
        else:
            gap, d = "", 0
        broken = 1 if _CLAUSE_BREAK.search(gap) else 0
        key = (broken, d, METRICS[m.group(1).lower()])
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None


# --- relation cues --------------------------------------------------------------------------------

# Each cue is the text right before a target system; the cue's type is the relation type. Checked in
# order, nearest cue before the target wins (see `relation_cue`).
CUES: tuple[tuple[str, str], ...] = (
    ("integrates_into", r"integrat(?:ed|es|e|ing)\s+(?:[\w\-]+\s+){0,3}?(?:into|in|with|to)|"
                        r"open-sourced (?:via|in|into|as part of)|"
                        r"incorporat(?:e|es|ed|ing)\s+(?:[\w\-]+\s+){0,3}?into|deployed in|landed in|"
                        r"adopted (?:by|in)|merged into|upstreamed (?:to|into)|part of|plug(?:-| )?in (?:for|to)|"
                        # "deployed as a drop-in replacement in unmodified vLLM", "as a plug-and-play layer in X"
                        r"drop-in replacement (?:in|within|inside)|"
                        r"as an? (?:[\w\-]+\s+){0,2}?(?:layer|module|plugin|plug-in|backend|extension) (?:in|into|of|for)"),
    ("builds_on", r"built (?:up)?on(?: top of)?|builds on(?: top of)?|on top of|atop|an extension (?:to|of)|"
                  r"extends|extending|extension of|implemented (?:in|on|atop|with|using)|based on|building on|"
                  r"adaptation of|leverag(?:e|es|ing)|combination of|modif(?:y|ies|ied|ying)|fork of|"
                  r"written in|port(?:ing)? of|ported to|evolv(?:es|ed|ing) from|derived from|draw(?:s|ing) (?:on|from)|"
                  r"reuses?|uses|using|via|on|with|take advantage of|takes advantage of|"
                  # "provide its implementation in both PyTorch and Caffe2"
                  r"its implementations? (?:in|on|atop|with|using)(?: both)?|our implementations? (?:in|on|atop|with|using)(?: both)?"),
    # (No bare "faster"/"slower": "180% faster DLRM embedding lookup" names a workload; "faster than" is
    # caught by "than".)
    ("compares_with", r"outperform(?:s|ed|ing)?|compared (?:to|with|against)|comparison (?:to|with)|"
                      r"relative to|over|than|against|versus|vs\.?|beat(?:s|ing)?|surpass(?:es|ing)?|"
                      r"comparable to|on par with|matches|exceeds|performance similar to(?: that of)?|"
                      r"performance comparable to(?: that of)?|speedups? (?:of [^,;]{0,30})?over|while|whereas|"
                      r"improves? (?:on|upon)|baselines? (?:such as|like|including)|like|such as|including|e\.g\.,?"),
)
# One pattern for all three types (a named group each, in the order of CUES): one scan per sentence. A cue
# is a whole word: "Overlapped" and "overhead" are not "over".
_CUE = re.compile(r"\b(?:" + "|".join(f"(?P<{t}>{p})" for t, p in CUES) + r")(?![\w\-])\s*(?:the\s+|a\s+|an\s+)?",
                  re.I)
# Words that make a `such as/like/including` list a comparison only when the sentence talks about
# evaluation; otherwise such lists are plain mentions.
_EVAL = re.compile(r"outperform|compared|faster|slower|speedup|higher|lower|better|improv|reduc|baseline|"
                   r"over|than|against|versus|achiev|surpass|exceed|matches|beats|comparable", re.I)
_WEAK_COMPARE = re.compile(r"^(?:like|such as|including|e\.g\.,?)$", re.I)
_WEAK_BUILD = re.compile(r"^(?:on|with|uses|using|reuses?)$", re.I)


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regex (`a|b(?:c|d)` -> `a`, `b(?:c|d)`)."""
    out, depth, cur, i = [], 0, [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


# The literal word each cue starts with: `_CUE` is only tried where one of them starts a word (found
# with `str.find`), not at every character of the sentence.
def _literal_prefix(alt: str) -> str:
    """The literal text a regex alternative starts with (`e\\.g\\.,?` -> `e.g.`, `baselines? (...)` ->
    `baseline`): letters, spaces and escaped dots, up to the first other regex syntax."""
    out: list[str] = []
    i = 0
    while i < len(alt):
        ch = alt[i]
        if ch == "\\" and alt[i + 1:i + 2] == ".":
            out.append(".")
            i += 2
        elif ch.isalpha() and ch.islower() or ch == " ":
            out.append(ch)
            i += 1
        else:
            break
    # A quantified last character is optional: `baselines?` starts with `baseline`.
    if alt[i:i + 1] in ("?", "*", "{") and out:
        out.pop()
    return "".join(out).rstrip()


_CUE_WORDS = tuple(sorted({_literal_prefix(alt) for _, p in CUES for alt in _alternatives(p)}))
assert all(_CUE_WORDS), "every cue alternative must start with a literal word"


def _prefix_tree(words: Sequence[str]) -> str:
    """A regex matching any of `words`, with shared prefixes folded (`over|outperform` ->
    `o(?:ver|utperform)`), so that it costs one pass instead of one try per word."""
    groups: dict[str, list[str]] = {}
    ends = False
    for w in words:
        if w:
            groups.setdefault(w[0], []).append(w[1:])
        else:
            ends = True
    alts = [re.escape(c) + _prefix_tree(rest) for c, rest in sorted(groups.items())]
    if not alts:
        return ""
    body = "(?:" + "|".join(alts) + ")"
    return body + "?" if ends else body


# Every position where a cue word starts a word (no letter or digit right before it): one scan of the
# lower-cased sentence, the same positions as a `str.find` loop per cue word.
_CUE_STARTS = re.compile(r"(?<![^\W_])(?=" + _prefix_tree(_CUE_WORDS) + ")")


def lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def sentence_cues(text: str, sent: Sequence[int]) -> list[tuple[int, int, str, str]]:
    """Every relation cue of the sentence `text[sent]`: (cue end, cue start, type, cue text)."""
    s, e = sent
    low = lower_same_length(text[s:e])
    out = []
    last = s
    for c in _CUE_STARTS.finditer(low):
        i = c.start()
        p = s + i
        if p < last:
            continue
        m = _CUE.match(text, p, e)
        if m is not None:
            out.append((m.end(), m.start(), m.lastgroup or "", m.group(0).strip()))
            last = m.end()
    return out


def relation_cue(text: str, sent: Sequence[int], target_start: int, other_starts: Sequence[int] = (),
                 *, for_mention: bool = False, cache: dict[Any, Any] | None = None) -> tuple[str, int] | None:
    """The relation type the sentence states towards the system at `target_start`, and the cue offset.

    The nearest cue before the target wins, but a cue may reach over a list of other systems
    (`outperforms vLLM, Orca and FasterTransformer`) and over a few words (`faster than the popular
    vLLM`). `like/such as` inherit the type of a stronger cue before them (`building on initiatives
    such as X`), else count as comparisons only in sentences that talk about evaluation; the weak
    lineage cues (`on`, `with`, `uses`) count only right before the target. `for_mention`: any cue
    will do (the caller only asks whether an unknown name sits in a context that names systems).
    `cache`: a dict kept for one text, so that each sentence's cues are found once."""
    s, e = sent
    window_start = max(s, target_start - 120)
    key = (s, e)
    if cache is not None and key in cache:
        cues = cache[key]
    else:
        cues = sentence_cues(text, sent)
        if cache is not None:
            cache[key] = cues
    # (cue end, cue start, type, cue text) of the cues in the 120 characters before the target: the cues
    # are in text order and do not overlap, so two bisects find them (a long sentence stays linear).
    lo = bisect_left(cues, window_start, key=lambda c: c[1])
    hi = bisect_right(cues, target_start, key=lambda c: c[0])
    found = cues[lo:hi]
    if not found:
        return None
    found.sort(key=lambda f: (-f[0], f[1]))
    # `other_starts` is sorted: only the few names inside the window are looked at.
    others = list(other_starts[bisect_left(other_starts, window_start):bisect_left(other_starts, target_start)])
    for cue_end, cue_start, rtype, cue_text in found:
        between = text[cue_end:target_start]
        listed = [o for o in others if cue_end <= o]
        words = re.findall(r"[A-Za-z][\w\-]*", between)
        if not listed and len(words) > 5:
            return None
        if listed and re.search(r"[;:]", between):
            return None
        if listed and len(words) > 4 * (len(listed) + 1) + 3:
            return None
        cue_word = re.sub(r"\s+(?:the|a|an)$", "", cue_text.lower()).strip()
        if _WEAK_BUILD.match(cue_word):
            if words or listed:
                continue
            before = text[max(s, cue_start - 25):cue_start + len(cue_word)]
            if cue_word == "on" and not re.search(r"\b(?:run|runs|running|deployed|built|implemented|based|"
                                                  r"atop|top)\s+on$", before):
                continue
            if cue_word == "with" and not re.search(r"\b(?:implemented|built|integrat\w*|extended)\s+with$",
                                                    before):
                continue
        if for_mention and cue_word not in ("while", "whereas"):
            return rtype, cue_start
        if rtype == "compares_with" and not _is_comparison(text, s, e, cue_word, cue_end, target_start):
            # (An unmatched "while"/"whereas" also ends the search: cues before a clause joint do not
            # reach into the next clause.)
            return None
        if rtype == "builds_on" and cue_word == "based on":
            # "over heuristic approaches based on Megatron-LM": the comparison cue before the noun phrase wins.
            for c2_end, c2_start, t2, c2_text in found:
                if t2 == "compares_with" and c2_end <= cue_start and cue_start - c2_end <= 60 and \
                        not _WEAK_COMPARE.match(c2_text.strip()) and not re.search(r"[;:,]", text[c2_end:cue_start]):
                    return t2, c2_start
        if rtype == "compares_with" and _WEAK_COMPARE.match(cue_word):
            if _NOT_COMPARED_LIST.search(text, max(s, cue_start - 40), cue_start):
                return None  # "applications such as QMCPACK": what the system is applied to
            # `such as X`: a stronger cue right before the list decides (`building on ... such as X`).
            for c2_end, c2_start, t2, c2_text in found:
                c2_word = re.sub(r"\s+(?:the|a|an)$", "", c2_text.lower()).strip()
                if c2_end <= cue_start and cue_start - c2_end <= 60 and not _WEAK_COMPARE.match(c2_word) \
                        and not _WEAK_BUILD.match(c2_word):
                    if t2 != "compares_with" or _EVAL.search(text, s, e):
                        return t2, c2_start
                    break
            if not _EVAL.search(text, s, e):
                return None
        return rtype, cue_start
    return None


# "over an AWS Lambda cluster": the platform something runs over, not a baseline.
_PLATFORM_AFTER = re.compile(r"[\w\-]+(?:\s+[\w\-]+)?\s+(?:clusters?|instances?|nodes|networks?|machines|servers)\b")
# A comparison word other than "over" itself, or a stated factor.
_COMPARATIVE = re.compile(r"outperform|faster|slower|higher|lower|better|worse|improv|speedup|speed-up|reduc|"
                          r"advantage|gains?\b|"
                          r"\d\s*(?:x|\u00d7|%)(?![a-z])|times", re.I)
# "outperforms o1-preview by 3.7% on LiveCodeBench": the target sits where the benchmark goes.
_BY_FACTOR_ON = re.compile(r"\bby\s+(?:up to\s+)?\d[\d.,]*\s*(?:x|\u00d7|%|times)?\s+(?:on|across)\s+(?:the\s+)?$", re.I)
# "applications such as X", "workloads like X": what the system is applied to, not what it is compared with.
_NOT_COMPARED_LIST = re.compile(r"\b(?:applications?|workloads?|benchmarks?|tasks?|models?|datasets?|use cases?|"
                                r"scenarios?|settings?|domains?|environments?)"
                                r"\s*,?\s*$", re.I)


_ONLY_AFTER = re.compile(r"[\w\-.+]+(?:\s+[A-Z][\w\-.+]*)?\s+(?:only|merely|just)\b")


def _is_comparison(text: str, s: int, e: int, cue_word: str, cue_end: int, target_start: int) -> bool:
    """Whether a comparison cue really compares the target: "over" only in a sentence that also says how
    (a factor or a comparative) and not before a platform (`over an AWS Lambda cluster`); no cue when the
    target sits in the `by 3.7% on X` slot of a benchmark."""
    if _BY_FACTOR_ON.search(text, cue_end, target_start):
        return False
    if cue_word in ("while", "whereas"):
        # "Fuyou achieves 156 TFLOPS while ZeRO-Infinity only achieves 45": right before the target, and
        # the target "only" does less.
        return cue_end == target_start and _ONLY_AFTER.match(text, target_start) is not None
    if cue_word == "over":
        low = text[s:e]
        if not _COMPARATIVE.search(low) or _PLATFORM_AFTER.match(text, target_start):
            return False
    return True


def is_weak_cue(text: str, cue_start: int) -> bool:
    """Whether the cue at `cue_start` is a list cue (`such as`, `like`, `including`, `e.g.`) or one that
    describes whatever the sentence is about (`programs written in PyTorch`): a relation of the paper's
    system only when the sentence names that system before it."""
    return bool(re.match(r"(?:like|such as|including|e\.g\.|written in)", text[cue_start:cue_start + 10], re.I))


# --- title pattern --------------------------------------------------------------------------------

_STOP = frozenset("a an the of for on in with to via and or is are be at by from towards toward as".split())
_TITLE_NAME = re.compile(r"^\s*(?:The\s+)?([^:]{1,40}?)\s*:")


# Only "with": "via Max-Flow", "using Tensor Operations" name the means, not the system.
_TITLE_SUFFIX = re.compile(r"with(?<=\bwith)\s+([A-Za-z][\w\-+.]*[\w+])\s*[.!?]?\s*$")
_TITLE_SUFFIX_TWO = re.compile(r"with(?<=\bwith)\s+([A-Z][a-z]{2,}\s+[A-Z][a-z]{3,})\s*[.!?]?\s*$")


def title_suffix_name(title: str, *, plain: bool = False) -> tuple[int, int, str] | None:
    """The name a `... with Name` title ends on (`Taming Throughput-Latency Tradeoff in LLM Inference
    with Sarathi-Serve`): a coined or hyphenated capitalised name, or with `plain` also one capitalised
    word (`... with Certaindex`, which callers accept only when the abstract defines it). Callers check
    that it is not a known vocabulary entry (`... in Python with PyTorch` introduces nothing)."""
    m = _TITLE_SUFFIX.search(title)
    if plain and (m is None or not is_nameish(m.group(1))):
        # "... with Embedding Offloading": two plain words, which callers accept only when defined.
        two = _TITLE_SUFFIX_TWO.search(title)
        if two is not None:
            return (two.start(1), two.end(1), two.group(1))
    if not m:
        return None
    name = m.group(1)
    if not (is_nameish(name) or _HYPHEN_NAME.fullmatch(name) or (plain and re.fullmatch(r"[A-Z][a-z]{3,}", name))):
        return None
    return (m.start(1), m.end(1), name)


# "Sampling Streaming Data with Parallel Vector Quantization -- PVQ": a title ending in a long form and
# its acronym.
_TITLE_ACRONYM = re.compile(r"((?:[A-Z][\w\-]*\s+(?:(?:of|for|and|with|the)\s+)?){1,6})(?:--|-|\u2014|\u2013|\()\s*"
                            r"([A-Z][A-Za-z0-9]{1,10})\)?\s*$")


def title_acronym_name(title: str) -> tuple[int, int, str, list[str]] | None:
    """(start, end, acronym, [long form]) of a title that ends in `Long Form -- ACR` or `Long Form (ACR)`."""
    m = _TITLE_ACRONYM.search(title)
    if m is None:
        return None
    short = m.group(2)
    words = m.group(1).split()
    for k in range(2, len(words) + 1):  # the shortest tail of the words that the acronym spells
        long = " ".join(words[-k:])
        if is_acronym_of(short, long) and "".join(c for c in long if c.isupper()).lower().startswith(
                short[0].lower()):
            return (m.start(2), m.end(2), short, [long])
    return None


# Where a subtitle's leading long form ends: a function word, a comma or a dash.
_SUBTITLE_CUT = re.compile(r"\s+(?:for|in|with|via|on|using|towards?)\s+|\s*[,;]\s*|\s+-+\s+", re.I)


def subtitle_long_form(title: str, name: str, name_end: int) -> list[str]:
    """The long form a `ACR: Long Form ...` title spells out (`CAT Pruning: Cluster-Aware Token Pruning for
    ...`, `FAVANO: Federated AVeraging with Asynchronous NOdes`): the shortest leading part of the subtitle,
    cut at a function word, whose capitals start with the acronym's letters and that the acronym abbreviates."""
    head = name.split()[0]
    if not (2 <= len(head) <= 12 and head.isupper()):
        return []
    colon = title.find(":", name_end)
    if colon == -1:
        return []
    sub = title[colon + 1:].strip()
    ends = [m.start() for m in _SUBTITLE_CUT.finditer(sub)] + [len(sub)]
    letters = "".join(c for c in head if c.isalpha()).lower()
    for e in ends:
        cand = sub[:e].strip()
        caps = "".join(c for c in cand if c.isupper()).lower()
        if caps.startswith(letters) and is_acronym_of(head, cand):
            return [cand]
    return []


def title_name(title: str) -> tuple[int, int, str] | None:
    """The system a `Name: subtitle` title introduces: one coined token (`Punica`, `PGT-I`, `MoE++`) or
    two-three capitalised words without function words (`Event Tensor`, `Rainbow Skip Graph`)."""
    m = _TITLE_NAME.match(title)
    if not m:
        return None
    name = m.group(1).strip()
    words = name.split()
    if len(words) == 1:
        if not re.fullmatch(r"[A-Za-z][\w\-+.]*", name) or not re.search(r"[A-Za-z]", name):
            return None
    elif len(words) > 3 or any(w.lower() in _STOP or not w[:1].isupper() for w in words):
        return None
    s = m.start(1)
    return (s, s + len(name), name)
