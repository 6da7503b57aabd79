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
from dataclasses import dataclass, field

from kg.extract.gazetteer import Gazetteer, norm, trie_regex
from kg.model import Extraction, Mention

FIELDS = ("systems_introduced", "systems_mentioned", "models", "hardware", "datasets", "benchmarks",
          "techniques")

# A word: letters, digits and the joiners names use (`Megatron-LM`, `llm.npu`, `C++`, `TPU-v4`). Only
# words with a capital, a digit or an inner dot can be (part of) a name, so only those are matched: the
# scan skips plain lower-case words in C.
_WORD = re.compile(r"(?<![\w\-+.])(?=[a-z\-+]*[A-Z0-9.])[A-Za-z0-9][\w\-+.]*[\w+]|(?<![\w\-+.])[A-Z0-9](?![\w\-+.])")
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


class CandidateFinder:
    """Built once per gazetteer; `find(title, abstract, extraction)` per paper."""

    def __init__(self, gaz: Gazetteer, lexicon: dict[str, str] | None = None) -> None:
        self.gaz = gaz
        self.heads = technique_heads(gaz)
        self.phrase = _phrase_regex(self.heads) if self.heads else None
        # Names the training annotations gave a class, found again in any text (ignoring case).
        forms = sorted({f.casefold() for f in (lexicon or {}) if len(norm(f)) >= 3})
        self.lexicon = re.compile(r"(?<![\w\-./+])(" + trie_regex(forms) + r")(?:s|es)?(?![\w+]|-\w)", re.I) \
            if forms else None

    def find(self, title: str, abstract: str, ex: Extraction | None) -> list[Candidate]:
        cands: dict[str, Candidate] = {}

        def add(surface: str, fld: str, s: int, origin: str) -> Candidate | None:
            k = norm(surface)
            if not k or len(k) > 80:
                return None
            c = cands.get(k)
            if c is None:
                if len(cands) >= MAX_CANDIDATES:
                    return None
                c = cands[k] = Candidate(k, surface, origin=origin)
            if len(c.occ) < 16 and (fld, s, s + len(surface)) not in c.occ:
                c.occ.append((fld, s, s + len(surface)))
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

        prev_end = -1
        for m in _WORD.finditer(text):
            s, e = m.span()
            w = m.group()
            # Trailing dots belong to the sentence, not the name (`... than vLLM.`).
            while w.endswith(".") and len(w) > 1:
                w, e = w[:-1], e - 1
            # Words between two matches (plain lower case, never matched) break a run.
            joined = prev_end >= 0 and s == prev_end + 1 and text[prev_end] == " "
            if not joined:
                flush()
            nameish = _is_nameish(w)
            if nameish or (run and _NUMERIC.fullmatch(w)):
                if len(run) >= _MAX_RUN:
                    flush()
                run.append((s, e))
                if nameish:
                    add(w, fld, s, "token")
            else:
                flush()
            prev_end = e
        flush()
        if self.lexicon is not None:
            for m in self.lexicon.finditer(text):
                add(m.group(1), fld, m.start(1), "lexicon")
        if self.phrase is not None:
            for m in self.phrase.finditer(text):
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
