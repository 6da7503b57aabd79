"""Candidate names of one paper, for the learned tagger to label.

The rules' own mentions are candidates, and so is every name-shaped span they passed over: capitalised,
mixed-case or digit-bearing tokens and short runs of them (`Deep Graph Library`, `NVIDIA A100`,
`Llama 3.1 8B`), with the run's first or last word dropped (`A100` of `NVIDIA A100`), and lower-case
technique phrases that end in a technique head noun taken from the taxonomy (`credit-based batching`).
A candidate is one normalised name per paper with all its occurrences, so the model decides once per
name, as the gold does. Generation is linear in the text: one regex pass per field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.extract.gazetteer import Gazetteer, norm, trie_regex
from kg.model import Extraction, Mention

FIELDS = ("systems_introduced", "systems_mentioned", "models", "hardware", "datasets", "benchmarks",
          "techniques")

# A word: letters, digits and the joiners names use (`Megatron-LM`, `llm.npu`, `C++`, `TPU-v4`). Only
# words with a capital, a digit or an inner dot can be (part of) a name, so only those are matched: the
# scan skips plain lower-case words in C. It reads: a letter or digit not preceded by a word character,
# then either two or more characters ending in a word character, with a capital, digit or dot first or
# right after a lower-case start, or a lone capital or digit. The character class comes first so that
# `re` skips ahead to letters and digits instead of trying the lookbehind at every character (1.4x
# faster than the lookbehind first, the same matches). A match never ends with a dot.
_WORD_REST = r"(?:(?:(?<=[A-Z0-9])|(?=[a-z\-+]*[A-Z0-9.]))[\w\-+.]*[\w+]|(?<=[A-Z0-9])(?![\w\-+.]))"
_WORD = re.compile(r"[A-Za-z0-9](?<![\w\-+.].)" + _WORD_REST)
# `_WORD` is still tried at every letter, and at the start of every lower-case word it reads the word
# through (its lookahead): most of the scan. `name_words` finds the same matches in two cheaper scans.
# Those starting with a capital or digit: `re` skips ahead to capitals and digits (a few in a hundred
# characters). Those starting with a lower-case letter need a capital, digit or dot after a run of
# lower-case letters and joiners (`vLLM`, `llm.npu`, and any word before a full stop): that character
# is found first, and the pattern tried once at the start of the run before it.
_WORD_UPPER = re.compile(r"[A-Z0-9](?<![\w\-+.].)" + _WORD_REST)
_WORD_LOWER = re.compile(r"[a-z](?<![\w\-+.].)" + _WORD_REST)
_AFTER_LOWER = re.compile(r"[A-Z0-9.](?<=[a-z\-+].)")
_LOWER_RUN = re.compile(r"[a-z\-+]*")


def name_words(text: str) -> list[tuple[int, int]]:
    """The spans of `_WORD.finditer(text)`, in order. (Matches never overlap, and whether one starts
    at a position does not depend on earlier matches: no match holds a character that may precede
    one, so the two scans' matches together are finditer's.)"""
    spans = [m.span() for m in _WORD_UPPER.finditer(text)]
    rev = None
    n = len(text)
    lower = []
    for m in _AFTER_LOWER.finditer(text):
        if rev is None:
            rev = text[::-1]
        p = m.start()
        # The start of the run of lower-case letters and joiners that ends right before `p`.
        got = _WORD_LOWER.match(text, n - _LOWER_RUN.match(rev, n - p).end())
        if got is not None:
            lower.append(got.span())
    if lower:
        spans += lower
        spans.sort()
    return spans


# Capitalised words that start sentences or clauses and never name anything.
_STOP = frozenset("""a an the we our this that these those it its in on of for to with by from as at and or
but is are was were be been has have had can may our their there here however moreover furthermore also
while when where which who how what why then thus hence finally first second third overall specifically
existing prior recent modern current unlike compared such each both all any many most some other new
further besides additionally instead rather since because although though yet so not no one two three
let given using based via through across over under into onto upon after before during within without
experiments experimental results evaluation extensive empirical""".split())
_NUMERIC = re.compile(r"\d+(?:\.\d+)*[BMKx%]?|v\d+(?:\.\d+)*")
_MAX_RUN = 4
MAX_CANDIDATES = 400  # per paper: a 1 MB abstract stays bounded


@dataclass(slots=True)
class Candidate:
    """One name of one paper: its surface forms and occurrences `(field, start, end)` in the title
    ("title") or abstract ("abstract"), the rules' verdicts on it, and the rules' mention if any."""

    key: str
    surface: str
    occ: list[tuple[str, int, int]] = field(default_factory=list)
    rule_fields: set[str] = field(default_factory=set)
    mention: Mention | None = None
    origin: str = "token"  # token | run | phrase | rule


def _is_nameish(w: str) -> bool:
    if w.islower() and w.isalpha():  # most words: plain lower case
        return False
    if w.casefold() in _STOP:
        return False
    return any(c.isupper() for c in w) or (any(c.isdigit() for c in w) and any(c.isalpha() for c in w)) \
        or ("." in w.strip(".") and w[0].isalpha())


# `_is_nameish` by word: the same few thousand words recur in every abstract. Bounded (cleared when full).
_NAMEISH: dict[str, bool] = {}
_MEMO_MAX = 100_000
# `norm` by surface, for the same reason (and bound).
_NORMS: dict[str, str] = {}


def technique_heads(gaz: Gazetteer) -> frozenset[str]:
    """Last words of taxonomy technique names (`batching`, `offloading`, `parallelism`, ...)."""
    heads: dict[str, int] = {}
    for (kind, _), ent in gaz.entries.items():
        if kind != "technique":
            continue
        for name in (ent.name, *ent.aliases):
            w = name.split()[-1].casefold() if name.split() else ""
            if len(w) > 4 and w.isalpha():
                heads[w] = heads.get(w, 0) + 1
    return frozenset(w for w, n in heads.items() if n >= 2 and w not in _VAGUE_HEADS)


# Head words too vague to make a technique phrase of their own (`performance model`, `first`).
_VAGUE_HEADS = frozenset("first algorithm algorithms features inference generation computation model models index "
                         "gradient gradients feedback embedding embeddings experts fairness".split())


def _phrase_regex(heads: frozenset[str]) -> re.Pattern[str]:
    alt = "|".join(sorted(map(re.escape, heads), key=lambda s: (-len(s), s)))
    return re.compile(r"(?<![\w'\u2019\-])((?:[a-z][a-z0-9]*(?:-[a-z0-9]+)*\s+){1,2})(" + alt + r")\b", re.I)


# The only non-ASCII characters that match an ASCII one under re.IGNORECASE (İ, ı, ſ, the Kelvin sign):
# patterns without them match an ASCII text ignoring case exactly as their plain form matches the text
# lower-cased, which `re` does about twice as fast.
_FOLDS_TO_ASCII = frozenset("\u0130\u0131\u017f\u212a")


def _lower_pattern(words: list[str], template: str) -> re.Pattern[str] | None:
    """`template` around a case-sensitive trie of the lower-case `words`, for the texts `lowered`
    gives: None when a word could match ASCII text only through case folding (then the
    case-insensitive pattern serves every text). Words with other cased non-ASCII characters never
    match those texts, which have none."""
    if any(ch in _FOLDS_TO_ASCII for w in words for ch in w) or any(w != w.lower() for w in words):
        return None
    return re.compile(template.replace("TRIE", trie_regex(w for w in words if all(map(_caseless, w)))))


def _caseless(ch: str) -> bool:
    """ASCII, or a character without case (`’`, `—`, a no-break space): ignoring case, a non-ASCII
    character matches another one only if it has case."""
    got = _CASELESS.get(ch)
    if got is None:
        got = _CASELESS[ch] = ch.isascii() or ch.lower() == ch == ch.upper()
    return got


_CASELESS: dict[str, bool] = {}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def lowered(text: str) -> str | None:
    """`text` lower-cased, for the case-sensitive patterns of `_lower_pattern`, when that keeps every
    offset and decides as ignoring case does: ASCII text, or text whose other characters have no case
    (a quarter of the abstracts hold a `’` or a `—`, and the case-insensitive scan costs twice as
    much). Else None."""
    if text.isascii():
        return text.lower()
    if all(map(_caseless, set(_NON_ASCII.findall(text)))):
        return text.lower()  # (only ASCII letters change: the same length)
    return None


# Whitespace-separated tokens around a head word: the two before it (where a phrase ending at it can
# start) and the two after it (how far a phrase starting at or before it can reach).
_TWO_BACK = re.compile(r"\s*\S*\s*\S*")
_TWO_ON = re.compile(r"\S*\s*\S*\s*\S*")


class CandidateFinder:
    """Built once per gazetteer and lexicon (`cached`); `find(title, abstract, extraction)` per paper."""

    def __init__(self, gaz: Gazetteer, lexicon: dict[str, str] | None = None) -> None:
        self.gaz = gaz
        self.heads = technique_heads(gaz)
        self.phrase = _phrase_regex(self.heads) if self.heads else None
        # Where a phrase can end: a head word after whitespace (the phrase regex's last `\s+`).
        self.head_ci = re.compile(r"\s(" + trie_regex(self.heads) + r")\b", re.I) if self.heads else None
        self.head_low = _lower_pattern(sorted(self.heads), r"\s(TRIE)\b") if self.heads else None
        # Names the training annotations gave a class, found again in any text (ignoring case).
        forms = sorted({f.casefold() for f in (lexicon or {}) if len(norm(f)) >= 3})
        lexicon_rx = r"(?<![\w\-./+])(TRIE)(?:s|es)?(?![\w+]|-\w)"
        self.lexicon = re.compile(lexicon_rx.replace("TRIE", trie_regex(forms)), re.I) if forms else None
        self.lexicon_low = _lower_pattern(forms, lexicon_rx) if forms else None

    @classmethod
    def cached(cls, gaz: Gazetteer, lexicon: dict[str, str] | None = None) -> CandidateFinder:
        """The finder of `gaz` and the lexicon's names, built once: compiling its patterns takes a quarter
        of a second, and `extract()` builds a relabeler per call. Kept on the gazetteer (as the feature
        caches are), at most four."""
        finders: dict[frozenset[str], CandidateFinder] = gaz.__dict__.setdefault("_candidate_finders", {})
        key = frozenset(lexicon or ())
        got = finders.get(key)
        if got is None:
            if len(finders) >= 4:
                finders.clear()
            got = finders[key] = cls(gaz, lexicon)
        return got

    def find(self, title: str, abstract: str, ex: Extraction | None) -> list[Candidate]:
        """The candidates of a paper, in order of first occurrence."""
        cands: dict[str, Candidate] = {}
        norms = _NORMS
        if len(norms) > _MEMO_MAX:
            norms.clear()

        def add(surface: str, fld: str, s: int, origin: str) -> Candidate | None:
            k = norms.get(surface)
            if k is None:
                k = norms[surface] = norm(surface)
            if not k or len(k) > 80:
                return None
            c = cands.get(k)
            if c is None:
                if len(cands) >= MAX_CANDIDATES:
                    return None
                c = cands[k] = Candidate(k, surface, [(fld, s, s + len(surface))], set(), None, origin)
                return c
            o = (fld, s, s + len(surface))
            if len(c.occ) < 16 and o not in c.occ:
                c.occ.append(o)
            return c

        for fld, text in (("title", title), ("abstract", abstract)):
            if text:
                self._scan(text, fld, add)
        if ex is not None:
            texts = {"title": title, "abstract": abstract}
            for f in FIELDS:
                for m in getattr(ex, f, ()):
                    forms = [m.text, m.name, *m.aliases] if f == "systems_introduced" else [m.text]
                    for i, form in enumerate(forms):
                        if not form:
                            continue
                        k = norm(form)
                        c = cands.get(k)
                        if c is None:
                            src = texts.get(m.evidence.field) or ""
                            at = src.find(form, m.evidence.start, m.evidence.end) if src else -1
                            c = add(form, m.evidence.field, at if at >= 0 else m.evidence.start, "rule")
                            if c is None:
                                continue
                            if at < 0:
                                c.occ.pop()
                        c.rule_fields.add(f if i == 0 else f + ":alias")
                        if i == 0 and c.mention is None:
                            c.mention = m
        return sorted(cands.values(), key=lambda c: (c.occ[0] if c.occ else ("~", 0, 0), c.key))

    def _scan(self, text: str, fld: str, add) -> None:  # type: ignore[no-untyped-def]
        run: list[tuple[int, int]] = []

        def flush() -> None:
            if len(run) >= 2:
                s0, e_last = run[0][0], run[-1][1]
                add(text[s0:e_last], fld, s0, "run")
                if len(run) >= 3 or _is_nameish(text[run[1][0]:run[1][1]]):
                    add(text[run[1][0]:e_last], fld, run[1][0], "run")
                add(text[s0:run[-2][1]], fld, s0, "run")
            run.clear()

        nameish_of = _NAMEISH
        if len(nameish_of) > _MEMO_MAX:
            nameish_of.clear()
        prev_end = -1
        for s, e in name_words(text):
            w = text[s:e]
            # Words between two matches (plain lower case, never matched) break a run.
            if run and not (s == prev_end + 1 and text[prev_end] == " "):
                flush()
            nameish = nameish_of.get(w)
            if nameish is None:
                nameish = nameish_of[w] = _is_nameish(w)
            if nameish or (run and _NUMERIC.fullmatch(w)):
                if len(run) >= _MAX_RUN:
                    flush()
                run.append((s, e))
                if nameish:
                    add(w, fld, s, "token")
            elif run:
                flush()
            prev_end = e
        flush()
        low = lowered(text)
        if self.lexicon is not None:
            if low is not None and self.lexicon_low is not None:
                for m in self.lexicon_low.finditer(low):
                    add(text[m.start(1):m.end(1)], fld, m.start(1), "lexicon")
            else:
                for m in self.lexicon.finditer(text):
                    add(m.group(1), fld, m.start(1), "lexicon")
        if self.phrase is not None:
            for m in self._phrases(text, low):
                mods = m.group(1).split()
                if any(w.casefold() in _STOP for w in mods):
                    mods = mods[[i for i, w in enumerate(mods) if w.casefold() in _STOP][-1] + 1:]
                if not mods:
                    continue
                for i in range(len(mods)):
                    phrase = " ".join(mods[i:]) + " " + m.group(2)
                    start = m.start(2) - len(" ".join(mods[i:])) - 1
                    if text[start:m.end(2)] == phrase:
                        add(phrase, fld, start, "phrase")

    def _phrases(self, text: str, low: str | None) -> Iterator[re.Match[str]]:
        """`self.phrase.finditer(text)`, tried only around head words (a fifth of the time).

        Every phrase ends with a head word that follows whitespace, so the head words are found first
        (one fast scan) and the phrase regex is searched only from two tokens before each head (where a
        phrase ending at it or later must start) to two tokens after it (as far as any phrase starting
        at or before the head can reach, so the regex decides exactly as on the whole text). A match
        starting after the head is not trusted (it may reach beyond the window): that head is passed and
        the next one's window finds it. The matches are finditer's: in order, without overlaps."""
        assert self.phrase is not None and self.head_ci is not None
        heads = self.head_low.finditer(low) if low is not None and self.head_low is not None \
            else self.head_ci.finditer(text)
        start_min = 0  # the next match starts here or later
        rev = None
        n = len(text)
        for hm in heads:
            h = hm.start(1)
            if h <= start_min:
                continue
            if rev is None:
                rev = text[::-1]
            lo = max(start_min, n - _TWO_BACK.match(rev, n - h).end())  # type: ignore[union-attr]
            hi = _TWO_ON.match(text, h).end() + 1  # type: ignore[union-attr]
            m = self.phrase.search(text, lo, hi)
            if m is not None and m.start() <= h:
                yield m
                start_min = m.end()
            else:
                start_min = h + 1
