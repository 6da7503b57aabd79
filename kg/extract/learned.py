"""The learned tagger: a multinomial logistic regression over candidate names (`kg train` fits it).

Weights are data (`kg/data/tagger.json`): one row of per-class weights per feature string. Scoring is a
sum of the rows of a candidate's features and a softmax, in plain Python, so nothing but the JSON file is
loaded and nothing is downloaded. `relabel(paper, extraction)` turns the rules' extraction of a paper
into the learned one: every candidate gets the class with the highest probability (or none), overlapping
names keep the more probable one, and the rules' mentions and relations are kept where the model agrees.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Sequence
from itertools import chain, repeat
from operator import mul, sub
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import ExtractError
from kg.extract import rules
from kg.extract.candidates import FIELDS, Candidate, CandidateFinder
from kg.extract.features import Context, feature_parts, features
from kg.extract.gazetteer import Gazetteer, norm
from kg.extract.pairs import REL_CLASSES, REL_NONE, build_relation, pair_features
from kg.model import Evidence, Extraction, Mention, Paper, Relation

NONE = "none"
REL_THRESHOLD = 0.5  # a relation the rules did not state is added when the model gives its type this much
CLASSES = (NONE, *FIELDS)
FIELD_KIND = {"systems_introduced": "system", "systems_mentioned": "system", "models": "model",
              "hardware": "hardware", "datasets": "dataset", "benchmarks": "benchmark",
              "techniques": "technique"}


@dataclass(frozen=True, slots=True)
class Tagger:
    """Weights per feature, the names the training annotations gave a class to (`lexicon`: written form
    -> class; matched in new text as candidates and read as a feature), and the decision rule: a
    candidate is named when the model gives `none` less than `none_threshold`."""

    classes: tuple[str, ...]
    weights: dict[str, list[float]]
    version: str
    lexicon: dict[str, str] = field(default_factory=dict)
    none_threshold: float = 0.5
    # A name the rules tagged is dropped only when the model gives `none` at least this much, and moved
    # to another class only when the model gives that class at least `switch_threshold`: the rules keep
    # what they are sure of (the seed gold), the model adds what they missed and removes what it knows.
    drop_threshold: float = 0.95
    switch_threshold: float = 0.8
    # Per class (the rules' class of the name), chosen by cross-validation; else `drop_threshold`.
    drop_thresholds: dict[str, float] = field(default_factory=dict)
    # Relation typing (`kg.extract.pairs`): weights per feature over REL_CLASSES; empty: the rules' relations.
    rel_weights: dict[str, list[float]] = field(default_factory=dict)

    def probs(self, feats: Sequence[str]) -> list[float]:
        return softmax(self.weights, feats, len(self.classes))


def softmax(weights: dict[str, Sequence[float]], feats: Sequence[str], n: int) -> list[float]:
    """Class probabilities: the rows of the features that have weights, summed column by column in the
    features' (sorted) order, then a softmax. (The order of the additions is part of the result, to the
    last bit: keep it when changing this.)"""
    rows = list(filter(None, map(weights.get, feats)))
    if not rows:
        return [1.0 / n] * n  # what the sums of no rows (all zero) give
    z = list(map(sum, zip(*rows)))
    m = max(z)
    ex = [_exp(v - m) for v in z]
    total = sum(ex)
    return [v / total for v in ex]


_exp = math.exp

# Screening (`Relabeler._surely_none`): a candidate the rules did not tag is named only when the model
# gives `none` less than `none_threshold`, and nine in ten plainly are nothing. That shows in approximate
# sums of the weights of its features, without the exact sum in the features' order: each weight is
# rounded to a multiple of 2**-40 (off by at most 2**-41), and the classes' multiples are packed 64 bits
# apart into one integer (`_Screen`), so that summing a candidate's rows is one exact integer addition per
# feature instead of one float addition per feature and class, and the sums of a name's own features
# (`feature_parts`' first part) are kept by name. With at most `_SCREEN_MAX_TERMS` weights below
# `_SCREEN_MAX_WEIGHT` in size, a packed sum is within 100 * 2**-41 (about 5e-11) of the true sum, the
# exact float sum (in any order) within 100 * 2**-53 * 100 * 1000 (about 1.1e-9), so the two differ by
# less than 2e-9 and the probabilities by less than 1e-8: a candidate whose approximate probability of
# none is at least the threshold plus `_SCREEN_MARGIN` has an exact one above the threshold too, and is
# skipped. Every other candidate is scored exactly: the output is the same as without screening. (The
# fields cannot overflow: 100 * 1000 * 2**40 < 2**57.)
_SCREEN_MARGIN = 1e-6
_SCREEN_MAX_TERMS = 100
_SCREEN_MAX_WEIGHT = 1000.0
_FIXED = 40  # bits after the point
_FIELD = 64  # bits per class in a packed row


class _Screen:
    """A tagger's weights packed for screening, and the packed sums of names' features."""

    def __init__(self, rows: dict[str, tuple[float, ...]], classes: tuple[str, ...],
                 threshold: float) -> None:
        n = len(classes)
        none = classes.index(NONE)
        self.rows = {k: sum(round(w * 2.0 ** _FIXED) << (_FIELD * j) for j, w in enumerate(v))
                     for k, v in rows.items()}
        # Each field offset by 2**63 (once, in the names' sums), so that every field of a sum is
        # non-negative and reads back by bytes.
        self.bias = sum(1 << (_FIELD - 1) << (_FIELD * j) for j in range(n))
        self.sums: dict[frozenset[str], int] = {}
        self.none_shift = _FIELD * none
        self.mask = (1 << _FIELD) - 1
        self.unpack = struct.Struct(f"<{n}Q").unpack
        self.nbytes = _FIELD // 8 * n
        self.none = none
        self.limit = 1.0 / (threshold + _SCREEN_MARGIN)
        # The quick test: every other class at least `gap` below none makes the probability of none at
        # least 1 / (1 + (n - 1) * exp(-gap)) >= threshold + margin. Adding `gap - 1 - none's field +
        # 2**63` to every other field leaves its top bit clear exactly when it is that far below.
        k = self.limit - 1.0
        self.gap = math.ceil(math.log((n - 1) / k) * 2.0 ** _FIXED) + 1 if k > 0 and n > 1 else None
        self.others = sum(1 << (_FIELD * j) for j in range(n) if j != none)
        self.tops = sum(1 << (_FIELD - 1) << (_FIELD * j) for j in range(n) if j != none)

    def base(self, feats: frozenset[str]) -> int:
        """The packed sum (with the offsets) of a name's features. Bounded."""
        got = self.sums.get(feats)
        if got is None:
            if len(self.sums) > 100_000:
                self.sums.clear()
            got = self.sums[feats] = sum(map(self.rows.get, feats, repeat(0)), self.bias)
        return got

    def surely_none(self, total: int) -> bool:
        """Whether a packed sum (with the offsets) gives none at least the threshold plus the margin."""
        if self.gap is not None:
            mine = (total >> self.none_shift) & self.mask
            if (total + (self.gap - 1 - mine + (1 << (_FIELD - 1))) * self.others) & self.tops == 0:
                return True
        u = self.unpack(total.to_bytes(self.nbytes, "little"))
        try:
            return sum(map(_exp, map(mul, map(sub, u, repeat(u[self.none])), repeat(2.0 ** -_FIXED)))) \
                <= self.limit
        except OverflowError:  # some class far above none
            return False


# What scoring keeps per tagger object (`load_tagger` returns the same one; at most four): the weight
# rows as tuples, read faster than lists, with equal numbers made one object (the rows take less
# memory); the screen when it applies (its sums of the names' features recur from one `extract()` call
# to the next).
_Rows = dict[str, tuple[float, ...]]
_ROWS: dict[int, tuple[Tagger, _Rows, _Screen | None]] = {}


def _scoring_rows(tagger: Tagger) -> tuple[_Rows, _Screen | None]:
    got = _ROWS.get(id(tagger))
    if got is None or got[0] is not tagger:
        same: dict[float, float] = {}
        rows = {k: tuple(same.setdefault(x, x) for x in v) for k, v in tagger.weights.items()}
        screen = _Screen(rows, tagger.classes, tagger.none_threshold) \
            if NONE in tagger.classes and max(map(abs, same), default=0.0) <= _SCREEN_MAX_WEIGHT else None
        if len(_ROWS) >= 4:
            _ROWS.clear()
        got = _ROWS[id(tagger)] = (tagger, rows, screen)
    return got[1], got[2]


def default_path() -> Path:
    return Path(__file__).resolve().parents[1] / "data" / "tagger.json"


@lru_cache(maxsize=4)
def load_tagger(path: str | None = None) -> Tagger:
    p = Path(path) if path else default_path()
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
        return Tagger(tuple(d["classes"]), {k: list(v) for k, v in d["weights"].items()}, str(d["version"]),
                      lexicon=dict(d.get("lexicon", {})), none_threshold=float(d.get("none_threshold", 0.5)),
                      rel_weights={k: list(v) for k, v in d.get("rel_weights", {}).items()},
                      drop_threshold=float(d.get("drop_threshold", 0.95)),
                      switch_threshold=float(d.get("switch_threshold", 0.8)),
                      drop_thresholds={k: float(v) for k, v in d.get("drop_thresholds", {}).items()})
    except FileNotFoundError:
        raise ExtractError(f"model weights {p} do not exist; run `kg train` or use --model rules") from None
    except (ValueError, KeyError, TypeError) as err:
        raise ExtractError(f"model weights {p} are not a kg tagger file ({err})") from None


class Relabeler:
    """Everything per corpus that relabelling needs: the gazetteer, candidate finder and weights."""

    def __init__(self, gaz: Gazetteer, tagger: Tagger) -> None:
        self.gaz = gaz
        self.tagger = tagger
        self.finder = CandidateFinder.cached(gaz, tagger.lexicon)
        self.lexicon = {norm(k): v for k, v in tagger.lexicon.items()}
        self.rows, self._screener = _scoring_rows(tagger)
        self._screen = self._screener is not None

    def candidates(self, paper: Paper, ex: Extraction | None,
                   ) -> tuple[list[Candidate], list[list[str]], dict[str, Context]]:
        title, cands, contexts = self._find(paper, ex)
        return cands, [features(c, contexts, self.gaz, title, self.lexicon) for c in cands], contexts

    def _find(self, paper: Paper, ex: Extraction | None, sents: Sequence[Sequence[int]] | None = None,
              ) -> tuple[str, list[Candidate], dict[str, Context]]:
        """The masked title, the candidates and the contexts of a paper (`sents`: see `relabel`)."""
        title = rules.mask_latex(paper.title or "")
        text = rules.mask_latex(paper.abstract or "")
        contexts = {"title": Context(title, [(0, len(title))]),
                    "abstract": Context(text, rules.split_sentences(text) if sents is None else sents)}
        return title, self.finder.find(title, text, ex), contexts

    def _surely_none(self, base: frozenset[str], around: list[tuple[str, ...]], extra: list[str]) -> bool:
        """Whether a candidate the rules did not tag is certainly not named (the model gives `none` at
        least the threshold), from approximate sums of its weights (see `_SCREEN_MARGIN`)."""
        if len(base) + sum(map(len, around)) + len(extra) > _SCREEN_MAX_TERMS:
            return False
        screen = self._screener
        assert screen is not None
        # The name's features are never context features (other names: `feature_parts`), so its
        # sum counts each of them once; so do the parts of one occurrence, which share no feature.
        # Several occurrences may share some (`L1=the`): their union counts each once.
        feats = chain(around[0], around[1], extra) if len(around) == 2 else set().union(*around, extra)
        return screen.surely_none(sum(map(screen.rows.get, feats, repeat(0)),
                                      screen.sums.get(base) or screen.base(base)))

    def relabel(self, paper: Paper, ex: Extraction, *, sents: Sequence[Sequence[int]] | None = None,
                ) -> Extraction:
        """The learned extraction of `paper` from the rules' one, `ex`. `sents`: the sentence spans of
        the masked abstract when the caller has them (`rules.split_sentences`, as the rules' analysis
        found them), else found here."""
        title, cands, contexts = self._find(paper, ex, sents)
        classes = self.tagger.classes
        none = classes.index(NONE)
        threshold = self.tagger.none_threshold
        chosen: list[tuple[float, Candidate, str]] = []
        drop, switch = self.tagger.drop_threshold, self.tagger.switch_threshold
        drops = self.tagger.drop_thresholds
        weights, n = self.rows, len(classes)
        for c in cands:
            base, around, extra = feature_parts(c, contexts, self.gaz, title, self.lexicon)
            if self._screen and not c.rule_fields and self._surely_none(base, around, extra):
                continue
            # The exact probabilities: the rows summed in the features' order (`features(...)`).
            p = softmax(weights, sorted(base.union(*around, extra)), n)
            # The most probable class other than none (the first of equals).
            best, top = -1, -1.0
            for i, v in enumerate(p):
                if v > top and i != none:
                    best, top = i, v
            rule = next((fld for fld in FIELDS if fld in c.rule_fields), None) if c.rule_fields else None
            if rule is not None:
                if p[none] >= drops.get(rule, drop):
                    continue
                fld = classes[best] if classes[best] != rule and p[best] >= switch else rule
                chosen.append((max(p[classes.index(fld)], 1.0 - p[none]), c, fld))
            elif p[none] < threshold:
                chosen.append((p[best], c, classes[best]))
        chosen = _drop_overlaps(chosen)
        texts = {"title": paper.title or "", "abstract": paper.abstract or ""}
        out: dict[str, list[Mention]] = {f: [] for f in FIELDS}
        occ_of: dict[int, tuple[list[tuple[str, int, int]], str]] = {}
        for _, c, fld in sorted(chosen, key=lambda t: (t[1].occ[0] if t[1].occ else ("~", 0, 0), t[1].key)):
            m = self._mention(c, fld, texts, contexts)
            out[fld].append(m)
            occ_of[id(m)] = (c.occ, fld)
        relations = _relations(ex, out)
        if self.tagger.rel_weights:
            relations += self._relations(paper, ex, out, occ_of, texts, contexts, relations)
        return replace(ex, **{f: tuple(v) for f, v in out.items()},  # type: ignore[arg-type]
                       relations=relations)

    def _relations(self, paper: Paper, ex: Extraction, out: dict[str, list[Mention]],
                   occ_of: dict[int, tuple[list[tuple[str, int, int]], str]], texts: dict[str, str],
                   contexts: dict[str, Context], have: tuple[Relation, ...] = ()) -> tuple[Relation, ...]:
        """Relations the model finds towards systems the rules' relations do not reach."""
        reached = {norm(r.target) for r in have}
        source = out["systems_introduced"][0] if out["systems_introduced"] else None
        source_forms = {norm(f) for m in out["systems_introduced"] for f in (m.name, m.text, *m.aliases)}
        source_words = {f.casefold() for m in out["systems_introduced"] for f in (m.name, m.text) if f}
        rels = []
        for fld in ("systems_introduced", "systems_mentioned"):
            for m in out[fld]:
                if source is not None and m is source:
                    continue
                if norm(m.name) in source_forms or norm(m.name) in reached or norm(m.text) in reached:
                    continue  # (decided before its features: they would not be read)
                occ, tfield = occ_of[id(m)]
                feats = pair_features(m, occ, tfield, ex, contexts, source_words)
                p = softmax(self.tagger.rel_weights, feats, len(REL_CLASSES))
                best = max(range(len(p)), key=lambda i: (p[i], -i))
                if REL_CLASSES[best] != REL_NONE and p[best] >= REL_THRESHOLD:
                    rels.append(build_relation(paper.id, source, m, REL_CLASSES[best], occ, ex, texts, contexts))
        return tuple(rels)

    def _mention(self, c: Candidate, fld: str, texts: dict[str, str], contexts: dict[str, Context]) -> Mention:
        kind = FIELD_KIND[fld]
        m = c.mention
        introduced = fld == "systems_introduced"
        if m is not None and (m.kind == kind or (kind == "system" and m.kind == "system")):
            return replace(m, introduced=introduced, aliases=m.aliases if introduced or m.aliases else ())
        ent = self.gaz.lookup(kind, c.surface) if kind != "benchmark" else None
        fldname, s, _ = c.occ[0] if c.occ else ("abstract", 0, 0)
        ev = _sentence(texts, fldname, s, contexts)
        if kind == "technique":
            parent = ent.parent if ent else self._parent(c.surface)
            return Mention(name=ent.name if ent else c.surface.lower() if not _acronymish(c.surface) else c.surface,
                           text=c.surface, kind=kind, evidence=ev, key=ent.key if ent else None,
                           discovered=ent is None, parent=parent)
        return Mention(name=ent.name if ent else c.surface, text=c.surface, kind=kind, evidence=ev,
                       key=ent.key if ent else None, introduced=introduced, aliases=() if not introduced else ())

    def _parent(self, phrase: str) -> str | None:
        """A discovered technique's parent: the longest taxonomy technique that ends the phrase."""
        words = phrase.split()
        for i in range(1, len(words)):
            ent = self.gaz.lookup("technique", " ".join(words[i:]))
            if ent is not None:
                return ent.key
        return None


def _acronymish(s: str) -> bool:
    return sum(ch.isupper() for ch in s) >= 2


def _sentence(texts: dict[str, str], fld: str, pos: int, contexts: dict[str, Context]) -> Evidence:
    text = texts.get(fld) or ""
    if fld == "title":
        return Evidence(text, 0, len(text), "title")
    s, e = contexts[fld].sentence(pos)
    return Evidence(text[s:e], s, e, fld)


def _drop_overlaps(chosen: list[tuple[float, Candidate, str]]) -> list[tuple[float, Candidate, str]]:
    """A name all of whose occurrences lie inside a more probable chosen name's is dropped
    (`Spark` inside `Apache Spark`, `NVIDIA A100` around `A100`)."""
    order = sorted(chosen, key=lambda t: (-t[0], t[1].key))
    kept: list[tuple[float, Candidate, str]] = []
    for t in order:
        inside = False
        for k in kept:
            if t[1].occ and all(any(f == g and a <= s and e <= b and (s, e) != (a, b) or (f, s, e) == (g, a, b)
                                    for g, a, b in k[1].occ) for f, s, e in t[1].occ):
                inside = True
                break
            if k[1].occ and all(any(f == g and a <= s and e <= b for g, a, b in t[1].occ)
                                for f, s, e in k[1].occ):
                inside = True  # a longer name around a more probable one (`NVIDIA A100` around `A100`)
                break
        if not inside:
            kept.append(t)
    return kept


def _relations(ex: Extraction, out: dict[str, list[Mention]]) -> tuple[Relation, ...]:
    """The rules' relations whose ends the model kept; a paper's own relations move to its one
    introduced system when the model found one the rules had not."""
    intro = [m.name for m in out["systems_introduced"]]
    systems = {norm(f) for fld in ("systems_introduced", "systems_mentioned") for m in out[fld]
               for f in (m.name, m.text, *m.aliases)}
    keep = []
    seen = set()
    for r in ex.relations:
        if norm(r.target) not in systems:
            continue
        if r.source_kind == "paper" and intro:
            r = replace(r, source=intro[0], source_kind="system")
        elif r.source_kind == "system" and norm(r.source) not in systems:
            if not intro:
                continue
            r = replace(r, source=intro[0])
        k = (r.source, r.type, norm(r.target))
        if k in seen or norm(r.target) == norm(r.source):
            continue
        seen.add(k)
        keep.append(r)
    return tuple(keep)


def training_rows(relabeler: Relabeler, paper: Paper, ex: Extraction,
                  gold: dict[str, Any]) -> list[tuple[list[str], str]]:
    """(features, class) for each candidate of a gold paper: the class is the gold field whose names
    (any written form) include the candidate's, `none` otherwise."""
    label_of: dict[str, str] = {}
    for fld in FIELDS:
        for item in gold.get(fld, []):
            forms = [item] if isinstance(item, str) else [item.get("name"), item.get("text"),
                                                            *item.get("aliases", [])]
            for form in forms:
                if form:
                    label_of.setdefault(norm(form), fld)
    cands, feats, _ = relabeler.candidates(paper, ex)
    return [(f, label_of.get(c.key, NONE)) for c, f in zip(cands, feats)]


def relation_rows(relabeler: Relabeler, paper: Paper, ex: Extraction,
                  gold: dict[str, Any]) -> list[tuple[list[str], str]]:
    """(features, relation class) for each system of a gold paper that is also a candidate: the class
    is the type of the gold relation that targets it (any written form), `none` otherwise."""
    forms_of: dict[str, set[str]] = {}
    for fld in ("systems_introduced", "systems_mentioned"):
        for item in gold.get(fld, []):
            forms = [item] if isinstance(item, str) else [item.get("name"), item.get("text"),
                                                            *item.get("aliases", [])]
            keys = {norm(f) for f in forms if f}
            for k in keys:
                forms_of[k] = keys
    rel_of: dict[str, str] = {}
    for r in gold.get("relations", []):
        for k in forms_of.get(norm(r[2]), {norm(r[2])}):
            rel_of.setdefault(k, r[1])
    intro = gold.get("systems_introduced", [])
    source_forms = {norm(i if isinstance(i, str) else i["name"]) for i in intro}
    source_words = {(i if isinstance(i, str) else i["name"]).casefold() for i in intro}
    cands, _, contexts = relabeler.candidates(paper, ex)
    rows = []
    for c in cands:
        if c.key not in forms_of or c.key in source_forms:
            continue
        m = c.mention or Mention(name=c.surface, text=c.surface, kind="system",
                                 evidence=Evidence("", 0, 0))
        fld = "systems_mentioned"
        rows.append((pair_features(m, c.occ, fld, ex, contexts, source_words), rel_of.get(c.key, REL_NONE)))
    return rows
