"""Pure functions over plain strings: sentence spans, LaTeX masking, name candidates, introduction cues,
acronym definitions, factors and relation cues.

Every function returns character offsets into the text it was given, so evidence can always be sliced
back out of the abstract. Nothing here knows about spaCy; the components in `kg.extract.components` are
thin wrappers and `tests/test_extract_rules.py` calls these directly.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

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


# --- scan views -----------------------------------------------------------------------------------

# Name matchers run over a "delimited" copy of the text: a leading space, then the text with every
# character that may precede a name (anything but a word character, `-`, `.`, `/`, `+`) turned into a
# space. A pattern that starts with a literal space then replaces the `(?<![\w\-./+])` lookbehind, and
# Python's `re` can skip straight to the next space instead of trying every character: the difference
# between 260 and 40 microseconds per abstract for the vocabulary matchers. Offsets are the original
# ones plus one.
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+")
_DELIM_TABLE = str.maketrans({chr(i): " " for i in range(128) if chr(i) not in _NAME_CHARS})
_DELIM = re.compile(r"[^\w\-./+]")


def delimited(text: str) -> str:
    """`" " + text` with every name delimiter replaced by a space (same length plus one)."""
    if text.isascii():
        return " " + text.translate(_DELIM_TABLE)
    return " " + _DELIM.sub(" ", text)


def lowered(text: str) -> str:
    """`text.lower()` with the same length (the few characters whose lower case is longer stay as they are)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


# --- sentences ------------------------------------------------------------------------------------

# Words that end with a period without ending the sentence.
_ABBREV = frozenset(
    "e.g i.e etc al vs cf fig figs eq eqs sec approx resp no nos dr prof mr ms inc ltd corp jr sr st "
    "vol pp ca ref refs tab esp incl viz".split()
)
# Two patterns, each starting with a literal character class so that `re` skips to candidates instead
# of trying three alternatives at every character.
_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*(?:(?=\s+[\"'(\[]?[A-Z0-9$\\])|\s*$)")
_BREAK = re.compile(r"\n(?:\s*\n|(?=[A-Z]))")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


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
        if text[m.start()] == ".":
            w = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
            if w:
                word = w.group(1).rstrip(".").lower()
                if word in _ABBREV or (len(word) == 1 and text[w.start()].isupper()):
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
    r"(?:[A-Za-z][a-z0-9]*[A-Z][\w]*|[A-Z][A-Z0-9]+[a-z]*[\w]*|[A-Z][a-z]*[0-9][\w]*)"
    r"(?:[\-/.][A-Za-z0-9]+)*(?:\+\+)?"
    r")(?:'s|\u2019s)?(?![\w\-]|\.[A-Za-z0-9])"
)
_CAPWORD = re.compile(r"(?<![\w\-./])([A-Z][a-z]+(?:-[A-Za-z0-9]+)*)(?:'s|\u2019s)?(?![\w\-])")


def is_nameish(token: str) -> bool:
    m = _NAMEISH.fullmatch(token)
    return bool(m)


# Where a coined name may start in a `delimited` view: a capital, or a lower-case run then a capital
# (`vLLM`, `cuDNN`). Only these few positions are handed to `_NAMEISH`.
_NAME_START = re.compile(r" (?=[A-Z]|[a-z][a-z0-9]*[A-Z])")


def nameish_tokens(text: str, start: int = 0, end: int | None = None,
                   view: str | None = None) -> list[tuple[int, int, str]]:
    """Coined-looking names in `text[start:end]` as (start, end, name) with possessives dropped.
    Compounds such as `LLM-based` or `SLO-aware` describe something else and are left out.
    `view`: `delimited(text)` when the caller has it."""
    end = len(text) if end is None else end
    d = view if view is not None else delimited(text)
    out = []
    last = start
    for c in _NAME_START.finditer(d, start, end + 1):
        pos = c.start()  # the space is at view offset pos, i.e. the name starts at text offset pos
        if pos < last:
            continue
        m = _NAMEISH.match(text, pos, end)
        if m is None:
            continue
        last = m.end()
        name = m.group(1)
        if not _GENERIC_HEAD.search(name):
            out.append((m.start(1), m.end(1), name))
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
_INTRO = re.compile(_INTRO_SUBJ + r"[^.;:]{0,40}?\b" + _INTRO_VERB + r"\b[,]?\s*")
# "called X", "named X", "dubbed X", "we call X", "namely (the) X", "refer to ... as X".
_NAMING = re.compile(
    r"\b(?:called|named|dubbed|termed|coined|we call(?: it| the)?|which we call(?: the)?|namely(?: the)?|"
    r"refer to [^.]{0,60}? as|key (?:contribution|idea|component|building block)s? (?:is|are))\s+"
)
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
_ACRONYM_AFTER = re.compile(r"\s*\(([^()]{1,40})\)")


# Words each cue pattern needs (lower-cased): a sentence without any of them cannot match, and an `in`
# test is far cheaper than running the pattern. Keep in step with the patterns above.
_INTRO_HINTS = ("present", "introduc", "propos", "build", "built", "design", "develop", "implement", "release",
                "describ", "contribut", "offer", "defin")
_NAMING_HINTS = ("called", "named", "dubbed", "termed", "coined", "we call", "namely", "refer to", "key ")
_OUR_HINTS = ("our ",)
_INTRO_SUBJ_HINTS = ("we", "this ", "our ", "the paper")
_NOVEL_HINTS = ("novel", "new")


def intro_hints(low: str) -> tuple[tuple[str, ...], ...]:
    """For `lowered(text)`: the hint words of each cue pattern (intro, naming, our, novel) that occur in it,
    so that `intro_names` only tests those per sentence."""
    return tuple(tuple(h for h in hints if h in low) for hints in (_INTRO_HINTS, _NAMING_HINTS, _OUR_HINTS,
                                                                      _NOVEL_HINTS))


def intro_names(text: str, span: tuple[int, int], low: str | None = None,
                hints: tuple[tuple[str, ...], ...] | None = None) -> list[tuple[int, int, str, list[str]]]:
    """Names the sentence `text[span]` presents as the paper's own, with aliases:
    (start, end, name, aliases). Covers intro verbs, naming verbs and `Our system, X,`.
    `low`, `hints`: `lowered(text)` and `intro_hints(low)`, to skip patterns that cannot match."""
    s, e = span
    found: list[tuple[int, int, str, list[str]]] = []
    if low is None:
        low = lowered(text)
    if hints is None:
        hints = intro_hints(low)
    sent = low[s:e]
    active = [any(h in sent for h in hs) for hs in hints]
    if active[0] and not any(subj in sent for subj in _INTRO_SUBJ_HINTS):
        active[0] = False
    if not any(active):
        return found
    intro_at = None
    for rx, on in zip((_INTRO, _NAMING, _OUR), active):
        if not on:
            continue
        for m in rx.finditer(text, s, e):
            if rx is _INTRO and intro_at is None:
                intro_at = m.end()
            got = _name_after(text, m.end(), e, strict=rx is _INTRO)
            if got:
                found.append(got)
    for m in (_NOVEL_APPOSITIVE.finditer(text, s, e) if active[3] else ()):
        if m.start(1) == s and not is_nameish(m.group(1).split()[0]):
            continue  # a sentence-initial ordinary word ("However, a new ...")
        found.append((m.start(1), m.end(1), m.group(1), []))
    if intro_at is not None:
        # "we propose a framework for X, Weigh And Select (WAS), where": a capitalised long form with
        # its acronym later in an introducing sentence.
        for ls, le, long, ss, se, short in acronym_definitions(text[:e]):
            if long.split()[-1].lower() in TECHNIQUE_HEADS:
                continue  # "relies on Gradient Bucket Sharing (GBS)": a technique, not the paper's system
            if ls >= intro_at and all(w[:1].isupper() or w.lower() in _STOP for w in long.split()):
                if long.split()[0][:1].isupper():
                    found.append((ss, se, short, [long]))
    return found


_LEAD = re.compile(r"(?:(?:a|an|the|our|new|novel|first|\u2014)\s+)*", re.I)
_DESCRIPTOR = re.compile(
    r"(?:[\w\-]+\s+){0,6}?(?:system|framework|library|engine|compiler|scheduler|method|approach|algorithm|"
    r"technique|tool|platform|benchmark|mechanism|architecture|model|pipeline|runtime|protocol|metric|solution|"
    r"policy|structure|abstraction|interface|layer|language|toolkit|suite|simulator|optimizer|superoptimizer|"
    r"kernel|service|design|methodology|strategy|primitive|paradigm|representation)s?\s*,?\s*"
    r"(?:called|named|dubbed|termed)\s+",
    re.I,
)


def _name_after(text: str, pos: int, end: int, *, strict: bool) -> tuple[int, int, str, list[str]] | None:
    """The name that starts right at `pos` (after articles), or after `a <descriptor> called`."""
    m = _DESCRIPTOR.match(text, pos, end)
    if m:
        pos = m.end()
    lead = _LEAD.match(text, pos, end)
    if lead:
        pos = lead.end()
    # Long form with an acronym: "Clustered Head Attention (CHAI)", "Weigh And Select (WAS)".
    lf = _LONG_FORM.match(text, pos, end)
    if lf:
        acr = _ACRONYM_AFTER.match(text, lf.end(), end)
        if acr and is_acronym_of(acr.group(1).strip(), lf.group(0)):
            a0 = acr.start(1) + (len(acr.group(1)) - len(acr.group(1).lstrip()))
            short = acr.group(1).strip()
            return (a0, a0 + len(short), short, [lf.group(0)])
    m2 = _NAMEISH.match(text, pos, end)
    name_end = None
    if m2:
        s0, name_end, name = m2.start(1), m2.end(1), m2.group(1)
    else:
        m3 = _CAPWORD.match(text, pos, end)
        if not m3:
            return None
        s0, name_end, name = m3.start(1), m3.end(1), m3.group(1)
        # A plain capitalised word is a name only when an appositive or a naming context follows
        # ("Marius, a system", "Ray---a distributed system"), not "We present Efficient Serving ...".
        after = text[name_end:end]
        if not (_APPOSITIVE.match(after) or after[:1] in ("", ",", ".", ";", ":") or after.startswith(" (")):
            return None
        if strict and not _APPOSITIVE.match(after):
            return None
    aliases: list[str] = []
    acr = _ACRONYM_AFTER.match(text, name_end, end)
    if acr:
        inner = acr.group(1).strip()
        if is_acronym_of(name, inner) or is_acronym_of(inner, name):
            aliases.append(inner)
    return (s0, name_end, name, aliases)


# Acronym long forms ending in one of these nouns name a technique (`randomized parameter-sharing
# (RPS)`); other long forms (`Large Reasoning Models (LRMs)`, `time to first token (TTFT)`) do not.
TECHNIQUE_HEADS = frozenset(
    "parallelism quantization pruning distillation decoding batching caching sharing sampling routing "
    "partitioning compression sparsification offloading checkpointing recomputation aggregation hashing "
    "adaptation tuning fine-tuning finetuning disaggregation speculation prefetching scheduling".split()
)


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


def acronym_definitions(text: str) -> list[tuple[int, int, str, int, int, str]]:
    """`long form (SHORT)` pairs: (long_start, long_end, long, short_start, short_end, short).
    The long form is the shortest run of words before the parenthesis that the acronym explains."""
    out = []
    for m in _PAREN.finditer(text):
        short = m.group(1)
        if not any(c.isupper() for c in short):
            continue
        n_letters = sum(c.isalpha() for c in short)
        words = list(re.finditer(r"[\w][\w\-/']*", text[max(0, m.start() - 120):m.start()]))
        base = max(0, m.start() - 120)
        limit = min(len(words), n_letters + 5, 2 * n_letters)
        for k in range(1, limit + 1):
            first = words[-k]
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
METRICS = (
    "goodput", "throughput", "latency", "tail latency", "speedup", "memory", "cost", "energy", "accuracy",
    "utilization", "slo attainment", "request rate", "makespan", "jct", "ttft", "tpot", "qoe", "bandwidth",
    "runtime", "training time", "convergence",
)
_METRIC = re.compile(r"\b(" + "|".join(sorted((re.escape(m) for m in METRICS), key=len, reverse=True)) + r")\b",
                     re.I)


def factors(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Stated factors in `text[start:end]`: `12x`, `up to 2.4x`, `1.5-2.8x`, `29-69%`, `by 36%`."""
    out = []
    for m in FACTOR.finditer(text, start, end):
        val = " ".join(m.group(0).split())
        out.append((m.start(), m.end(), val))
    return out


def metric_near(text: str, start: int, end: int, pos: int) -> str | None:
    """The metric word in `text[start:end]` closest to `pos` (throughput, latency, ...), lower-cased."""
    best: tuple[int, str] | None = None
    for m in _METRIC.finditer(text, start, end):
        d = abs(m.start() - pos)
        if best is None or d < best[0]:
            best = (d, m.group(1).lower())
    return best[1] if best else None


# --- relation cues --------------------------------------------------------------------------------

# Each cue is the text right before a target system; the cue's type is the relation type. Checked in
# order, nearest cue before the target wins (see `relation_cue`).
CUES: tuple[tuple[str, str], ...] = (
    ("integrates_into", r"integrat(?:ed|es|e|ing)\s+(?:\w+\s+){0,3}?(?:into|in|with)|deployed in|landed in|"
                        r"adopted (?:by|in)|merged into|upstreamed (?:to|into)|part of|plug(?:-| )?in (?:for|to)"),
    ("builds_on", r"built (?:up)?on(?: top of)?|builds on(?: top of)?|on top of|atop|an extension (?:to|of)|"
                  r"extends|extending|extension of|implemented (?:in|on|atop|with|using)|based on|building on|"
                  r"adaptation of|leverag(?:e|es|ing)|combination of|modif(?:y|ies|ied|ying)|fork of|"
                  r"reuses?|uses|using|via|on|with|take advantage of|takes advantage of"),
    ("compares_with", r"outperform(?:s|ed|ing)?|compared (?:to|with|against)|comparison (?:to|with)|"
                      r"relative to|over|than|against|versus|vs\.?|beat(?:s|ing)?|surpass(?:es|ing)?|"
                      r"comparable to|on par with|matches|exceeds|faster|slower|speedups? (?:of [^,;]{0,30})?over|"
                      r"improves? (?:on|upon)|baselines? (?:such as|like|including)|like|such as|including|e\.g\.,?"),
)
_CUE = [(t, re.compile(r"\b(?:" + p + r")\s*(?:the\s+|a\s+|an\s+)?", re.I)) for t, p in CUES]
# Words that make a `such as/like/including` list a comparison only when the sentence talks about
# evaluation; otherwise such lists are plain mentions.
_EVAL = re.compile(r"outperform|compared|faster|slower|speedup|higher|lower|better|improv|reduc|baseline|"
                   r"over|than|against|versus|achiev|surpass|exceed|matches|beats|comparable", re.I)
_WEAK_COMPARE = re.compile(r"^(?:like|such as|including|e\.g\.,?)$", re.I)
_WEAK_BUILD = re.compile(r"^(?:on|with|uses|using|reuses?)$", re.I)


def relation_cue(text: str, sent: Sequence[int], target_start: int, other_starts: Sequence[int] = (),
                 *, for_mention: bool = False) -> tuple[str, int] | None:
    """The relation type the sentence states towards the system at `target_start`, and the cue offset.

    The nearest cue before the target wins, but a cue may reach over a list of other systems
    (`outperforms vLLM, Orca and FasterTransformer`) and over a few words (`faster than the popular
    vLLM`). `like/such as` inherit the type of a stronger cue before them (`building on initiatives
    such as X`), else count as comparisons only in sentences that talk about evaluation; the weak
    lineage cues (`on`, `with`, `uses`) count only right before the target. `for_mention`: any cue
    will do (the caller only asks whether an unknown name sits in a context that names systems)."""
    s, e = sent
    window_start = max(s, target_start - 120)
    found: list[tuple[int, int, str, str]] = []  # (cue end, cue start, type, cue text)
    for rtype, rx in _CUE:
        for m in rx.finditer(text, window_start, target_start):
            if m.end() <= target_start:
                found.append((m.end(), m.start(), rtype, m.group(0).strip()))
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
        if for_mention:
            return rtype, cue_start
        if rtype == "compares_with" and _WEAK_COMPARE.match(cue_word):
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


def is_weak_cue(text: str, cue_start: int) -> bool:
    """Whether the cue at `cue_start` is a list cue (`such as`, `like`, `including`, `e.g.`)."""
    return bool(re.match(r"(?:like|such as|including|e\.g\.)", text[cue_start:cue_start + 10], re.I))


# --- title pattern --------------------------------------------------------------------------------

_STOP = frozenset("a an the of for on in with to via and or is are be at by from towards toward as".split())
_TITLE_NAME = re.compile(r"^\s*(?:The\s+)?([^:]{1,40}?)\s*:")


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
