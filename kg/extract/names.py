"""Name candidates and introduction cues: where a paper names the system it introduces.

Pure functions over plain strings; every one returns character offsets into the text it was given,
so evidence can always be sliced back out of the abstract."""

from __future__ import annotations

import re
from bisect import bisect_left

from kg.extract.tokens import INTRO, NAMING, NOVEL, PART, _STOP
from kg.extract.acronyms import _LONG_FORM, acronym_definitions, is_acronym_of

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
