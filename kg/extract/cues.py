"""Relation cues: compares with, builds on, integrates into.

Pure functions over plain strings; every one returns character offsets into the text it was given,
so evidence can always be sliced back out of the abstract."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from kg.extract.tokens import lower_same_length

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


# Compiled once (the module-level `re` functions look their pattern up on every call).
_WORD_FINDALL = re.compile(r"[A-Za-z][\w\-]*").findall
_SEMI = re.compile(r"[;:]").search
_ARTICLE_END = re.compile(r"\s+(?:the|a|an)$").sub


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
        words = _WORD_FINDALL(between)
        if not listed and len(words) > 5:
            return None
        if listed and _SEMI(between):
            return None
        if listed and len(words) > 4 * (len(listed) + 1) + 3:
            return None
        cue_word = _ARTICLE_END("", cue_text.lower()).strip()
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
                c2_word = _ARTICLE_END("", c2_text.lower()).strip()
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
