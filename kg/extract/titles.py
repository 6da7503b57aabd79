"""Title patterns: `Name: what it does`.

Pure functions over plain strings; every one returns character offsets into the text it was given,
so evidence can always be sliced back out of the abstract."""

from __future__ import annotations

import re

from kg.extract.tokens import _STOP
from kg.extract.acronyms import is_acronym_of
from kg.extract.names import _HYPHEN_NAME, is_nameish

# --- title pattern --------------------------------------------------------------------------------

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


# The pattern is anchored at the end, but `search` tries it from every start: quadratic on a 40k-character
# "title" (7 s). Six words and an acronym fit well inside this many characters of a real title.
_TITLE_TAIL = 400


def title_acronym_name(title: str) -> tuple[int, int, str, list[str]] | None:
    """(start, end, acronym, [long form]) of a title that ends in `Long Form -- ACR` or `Long Form (ACR)`."""
    offset = max(0, len(title) - _TITLE_TAIL)
    m = _TITLE_ACRONYM.search(title, offset)
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
