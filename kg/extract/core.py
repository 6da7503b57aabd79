"""Extraction in two steps, both pure:

1. `analyze(text, gaz)`: what one text says on its own (sentence spans, introduction cues, acronym
   definitions, vocabulary hits). Runs inside the spaCy component, so its result is plain lists and
   dicts that survive `nlp.pipe(..., n_process=2)`.
2. `assemble(paper, title_info, abstract_info, gaz, corpus)`: turns those into an `Extraction`, once the
   names that every paper of the corpus introduces are known (`CorpusNames`), so a system introduced
   in one paper is recognised in all the others.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kg.extract import rules
from kg.extract.gazetteer import Gazetteer, first_parts, norm, trie_regex
from kg.extract.hits import PROBLEM_AFTER as _PROBLEM_AFTER
from kg.extract.hits import bit_width_hits, hit_key, model_hits, technique_senses
from kg.model import Evidence, Extraction, Mention, Paper, Relation

_FIRST_SUBJECT = re.compile(r"\s*([A-Z][\w\-+]*(?:\s+[A-Z][\w\-+]*)?)\s+is\s+(?:an?|the)\s+")

SYSTEM_KINDS = ("system",)
MAX_INTRODUCED = 64


def analyze(text: str, gaz: Gazetteer, sents: Sequence[Sequence[int]] | None = None,
            tokens: list[tuple[int, int]] | None = None) -> dict[str, Any]:
    """Everything about one text that does not depend on the rest of the corpus. Plain data only.
    `sents`: the spans `kg_sentences` already found for this text, if any; `tokens`: (start, classes)
    of its classified tokens (`rules.TokenClasses`), else found here without a tokenizer."""
    masked = rules.mask_latex(text)
    if sents is None:
        sents = rules.split_sentences(masked)
    if tokens is None or masked is not text:
        # LaTeX markup hides token starts (`\\textbf{DDO}` is one token): find them in the masked text.
        tokens = gaz.classes.word_tokens(masked)
    cands = rules.intro_candidates(masked, tokens)
    acr = rules.acronym_definitions(masked) if "(" in masked else []
    intros: list[list[Any]] = []
    # Only sentences holding a cue position can introduce anything (and the first, for its subject).
    active = sorted({0, *(rules.sentence_of(sents, p) for pos in cands for p in pos)}) if sents else []
    later: list[tuple[int, int, str, list[str]]] = []
    for i in active:
        span = (sents[i][0], sents[i][1])
        for s, e, name, aliases in rules.intro_names(masked, span, cands, acr, later):
            intros.append([s, e, name, list(aliases)])
        if i == 0:
            m = _FIRST_SUBJECT.match(masked, span[0], span[1])
            # A system the vocabulary knows is being described, not introduced ("Apache Spark is a ...").
            if m and not gaz.is_generic(m.group(1)) and not gaz.lookup("system", m.group(1)):
                intros.append([m.start(1), m.end(1), m.group(1), []])
    intros += [[s, e, name, list(aliases)] for s, e, name, aliases in later]
    hits = [[s, e, ent.kind, ent.key, surface]
            for s, e, ent, surface in gaz.find(masked, tokens)]
    hits += model_hits(masked, gaz, hits)
    hits += bit_width_hits(masked, gaz)
    hits = technique_senses(masked, gaz, hits)
    hits.sort(key=hit_key)
    acronyms = [list(a) for a in acr]
    name_starts = rules.starts_of(tokens, rules.NAME)
    names = [[s, e, n] for s, e, n in rules.nameish_tokens(masked, starts=name_starts)]
    caps = rules.starts_of(tokens, rules.CAP)
    kinds = [[s, e, n] for s, e, n in rules.kind_named(masked, caps)]
    return {"sents": sents, "intros": intros, "hits": hits, "acronyms": acronyms,
            "names": names, "kinds": kinds, "caps": caps,
            "masked": masked if masked != text else None}


# A possessive at the end of a name.
_POSSESSIVE_END = re.compile(r"(?:'s|\u2019s)$").sub


@dataclass
class CorpusNames:
    """Names introduced anywhere in the corpus: canonical name by normalised surface, and a matcher."""

    canonical: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _cs: re.Pattern[str] | None = None
    _ci: re.Pattern[str] | None = None
    _cs_first: frozenset[str] = frozenset()
    _ci_first: frozenset[str] = frozenset()
    _first_memo: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, aliases: Iterable[str] = ()) -> None:
        key = norm(name)
        if not key:
            return
        canon = self.canonical.setdefault(key, name)
        old = self.aliases.get(canon, ())
        new = tuple(dict.fromkeys([*old, *(a for a in aliases if norm(a) != norm(canon))]))
        self.aliases[canon] = new
        for a in aliases:
            self.canonical.setdefault(norm(a), canon)
        self._cs = self._ci = None

    def compile(self) -> None:
        surfaces: set[str] = set()
        coined: set[str] = set()
        for canon, al in self.aliases.items():
            for s in (canon, *al):
                surfaces.add(s)
                # Coined names (inner capitals or digits) also match in other casings (`BagPipe` /
                # `Bagpipe`); plain words (`Prism`, `Nexus`, `Ray`) only as written.
                if rules.is_nameish(s) and len(norm(s)) >= 4:
                    coined.add(s.casefold())
                elif len(s) >= 4:
                    surfaces.add(s.upper())  # `ZORBLAT` for `Zorblat`, but never `zorblat`
        end = r"(?:'s|\u2019s|s)?(?![\w+]|-(?!based|like|style|powered)\w)"
        self._cs = re.compile(r"(?<![\w\-./+])(" + trie_regex(surfaces) + ")" + end)
        self._ci = re.compile(r"(?<![\w\-./+])(" + trie_regex(coined) + ")" + end, re.I)
        # First words of the names: a pattern is only tried at a word that can start one.
        self._cs_first = first_parts(surfaces)
        self._ci_first = first_parts(coined, lower=True)
        self._first_memo = {}

    def find(self, text: str, starts: list[int] | None = None) -> list[tuple[int, int, str, str]]:
        """(start, end, canonical, surface) of every corpus name in `text`. `starts`: the sorted
        positions of `rules.CAP` tokens (a name is only looked for where a word with a capital starts,
        so a coined name matches as `BagPipe`, `Bagpipe` or `BAGPIPE` but not as `bagpipe`); else
        every position."""
        if not self.aliases:
            return []
        if self._cs is None or self._ci is None:
            self.compile()
        assert self._cs is not None and self._ci is not None
        out = []
        if starts is None:
            for rx in (self._cs, self._ci):
                for m in rx.finditer(text):
                    canon = self.canonical.get(norm(m.group(1)))
                    if canon:
                        out.append((m.start(1), m.end(1), canon, m.group(1)))
            return out
        # One pass over the start words: where each pattern can start (first words of its names).
        word_at = rules.WORD_RUN.match
        # Per start word (a pure function of the word and the compiled names): 1 if the case-sensitive
        # pattern can start there, 2 if the case-insensitive one can.
        where = self._first_memo
        cs_at: list[int] = []
        ci_at: list[int] = []
        for p in starts:
            w = word_at(text, p).group()  # type: ignore[union-attr]
            b = where.get(w)
            if b is None:
                b = where[w] = (w in self._cs_first) | (w.lower() in self._ci_first) << 1
            if b:
                if b & 1:
                    cs_at.append(p)
                if b & 2:
                    ci_at.append(p)
        for rx, cands in ((self._cs, cs_at), (self._ci, ci_at)):
            last = 0
            for p in cands:
                if p < last:
                    continue
                hit = rx.match(text, p)
                if hit is not None:
                    last = hit.end()
                    canon = self.canonical.get(norm(hit.group(1)))
                    if canon:
                        out.append((hit.start(1), hit.end(1), canon, hit.group(1)))
        return out


_QUALIFIED = re.compile(r"\)\s*(?:models?|jobs?|workloads?|tasks?|applications?|problems?|settings?|datasets?|"
                        r"corpus|corpora|(?:[a-z]+\s+)?(?:metrics?|scores?|latency|latencies))\b")
# "the Smart Price-aware Routing (SPROUT) dataset": the acronym names a dataset.
_DATASET_AFTER = re.compile(r"\)\s*(?:datasets?|corpus|corpora)\b")


def dataset_acronyms(info: dict[str, Any], text: str) -> list[list[Any]]:
    """The acronym definitions that name a dataset (`... (SPROUT) dataset`)."""
    return [a for a in info["acronyms"] if _DATASET_AFTER.match(text, a[4])]


def concept_acronyms(info: dict[str, Any], text: str, *, mentions: bool) -> set[str]:
    """Normalised short and long forms of the acronyms that the text defines as a concept, not a system:
    a long form whose head is a task or field (`Language Modeling (LM)`, `Gradient Coding (GC)`), or
    that is followed by `model` (`Dynamic Efficiency (DE) model`). With `mentions`, also long forms with
    a technique head (`Locality Sensitive Hashing (LSH)`) and lower-case long forms (`outlier detection
    (OD)`, `learning rate (LR)`): a paper may name its own method that way, but an acronym it only
    mentions so is a common noun."""
    out: set[str] = set()
    for ls, le, long, ss, se, short in info["acronyms"]:
        words = long.split()
        head = words[-1].lower().rstrip("s") if words else ""
        heads = {head, words[-1].lower()} if words else set()
        # "Dynamic Efficiency (DE) model", "Deep Learning Training (DLT) jobs": the acronym qualifies a noun.
        concept = bool(heads & rules.CONCEPT_HEADS) or bool(_QUALIFIED.match(text, se))
        if mentions and not concept:
            # (Hyphens separate words too: `activity-on-vertex (AOV)` is a common noun.)
            parts = re.split(r"[\s\-]+", long.strip())
            concept = bool(heads & rules.TECHNIQUE_HEADS) or (
                len(parts) >= 2 and not any(c.isupper() for w in parts[1:] for c in w))
        if concept:
            out.update((norm(short), norm(long)))
    return out


def introduced_names(title_info: dict[str, Any] | None, info: dict[str, Any], title: str | None,
                     text: str, gaz: Gazetteer) -> list[tuple[str, list[str], str, int, int]]:
    """The systems a paper introduces: (name, aliases, field, start, end), title first."""
    out: list[tuple[str, list[str], str, int, int]] = []
    concepts = concept_acronyms(info, info.get("masked") or text, mentions=False)
    if title:
        t = rules.title_name(rules.mask_latex(title)) if not title.lstrip().startswith("\\") else None
        if t and _acceptable_intro(t[2], gaz) and _named_in_abstract(t[2], text) and not _not_artifact(t[2], text):
            out.append((t[2], rules.subtitle_long_form(title, t[2], t[1]), "title", t[0], t[1]))
        t = rules.title_suffix_name(rules.mask_latex(title), plain=True)
        # `... with Name`: only a name no vocabulary knows (a known system there is used, not introduced);
        # a plain word only when the abstract defines it (`Certaindex, a proxy that ...`).
        if t and _acceptable_intro(t[2], gaz) and not any(gaz.lookup(k, t[2]) for k in ("system", "dataset")) \
                and (rules.is_nameish(t[2]) or "-" in t[2] or _defined_in(t[2], text)):
            out.append((t[2], [], "title", t[0], t[1]))
        ta = rules.title_acronym_name(rules.mask_latex(title))
        if ta and _acceptable_intro(ta[2], gaz) and not gaz.lookup("system", ta[2]):
            out.append((ta[2], ta[3], "title", ta[0], ta[1]))
        if title_info:
            for s, e, name, aliases in title_info["intros"]:
                if _acceptable_intro(name, gaz):
                    out.append((name, list(aliases), "title", s, e))
    # Names the abstract calls a system, a platform...: never a field of study (`Freeze Inference, a system`).
    artifacts = {norm(k[2]) for k in info.get("kinds", ())}
    for s, e, name, aliases in info["intros"]:
        if _acceptable_intro(name, gaz, artifact=norm(name) in artifacts) and (
                norm(name) not in concepts or _NAMED_BY_VERB.search(text, max(0, s - 130), s)):
            out.append((name, list(aliases), "abstract", s, e))
    # An abstract introduces a handful of systems; the cap keeps the pairwise merging below bounded on
    # absurd input (a 1 MB text of "We propose X (ACR), a ..." sentences).
    out = out[:MAX_INTRODUCED]
    # Merge spellings of one system: by normalised form, and an acronym with its long form.
    merged: list[tuple[str, list[str], str, int, int]] = []
    acr = [(a[2], a[5]) for a in info["acronyms"]]
    for name, aliases, fld, s, e in out:
        forms = {norm(name), *(norm(a) for a in aliases)}
        aliases = list(aliases)
        have = set(aliases)  # each written form once (a repeated definition adds nothing)
        for long, short in acr:
            if norm(long) in forms or norm(short) in forms:
                for form in (long, short):
                    if form not in have:
                        have.add(form)
                        aliases.append(form)
                forms |= {norm(long), norm(short)}
        for i, (mn, mal, mf, ms, me) in enumerate(merged):
            if forms & ({norm(mn)} | {norm(a) for a in mal}) or _same_system(name, mn):
                merged[i] = (mn, list(dict.fromkeys([*mal, name, *aliases])), mf, ms, me)
                break
        else:
            merged.append((name, aliases, fld, s, e))
    merged += _variants_of_own(merged, info["names"], gaz)
    result = []
    for name, aliases, fld, s, e in merged:
        al = [a for a in dict.fromkeys(aliases) if norm(a) != norm(name)]
        result.append((name, al, fld, s, e))
    return result


_AFFIX = re.compile(r"[A-Za-z]{1,4}")
_GLUED = re.compile(r"[A-Z]{1,2}")


def _variants_of_own(own: list[tuple[str, list[str], str, int, int]], names: list[list[Any]],
                     gaz: Gazetteer) -> list[tuple[str, list[str], str, int, int]]:
    """Variants the paper names after its own system with a short letter affix (`DP-FedP3` of `FedP3`,
    `MHR-z` of `MHR`): they are its systems too. Versions (`FedP3-2`) and known names are not."""
    forms = {norm(f) for name, aliases, *_ in own for f in (name, *aliases)}
    written = {f for name, aliases, *_ in own for f in (name, *aliases) if len(f) >= 3}
    out: list[tuple[str, list[str], str, int, int]] = []
    seen = set(forms)
    for s, e, name in names:
        key = norm(name)
        if key in seen or gaz.is_generic(name) or gaz.lookup("system", name):
            continue
        if "-" not in name:
            # `HadarE` of `Hadar`: one or two capitals glued to the name as written.
            if any(name.startswith(f) and _GLUED.fullmatch(name[len(f):]) for f in written):
                seen.add(key)
                out.append((name, [], "abstract", s, e))
            continue
        head, _, tail = name.partition("-")
        if (norm(head) in forms and _AFFIX.fullmatch(tail)) or (norm(tail) in forms and _AFFIX.fullmatch(head)):
            seen.add(key)
            out.append((name, [], "abstract", s, e))
    return out


# "The scheme, termed the multi-layer embeddings training (MLET)": a naming verb makes even a lower-case
# long form with a field's head noun a name (a capitalised one, "termed Hindsight Learning (HL)", stays
# a field: GUIDELINE.md).
_NAMED_BY_VERB = re.compile(r"\b(?:termed|called|named|dubbed)\s+(?:as\s+)?(?:the\s+)?[a-z][^()A-Z]{2,110}\(\s*$")


def _defined_in(name: str, text: str) -> bool:
    """Whether the abstract defines `name` by an appositive (`Certaindex, a proxy that ...`)."""
    return bool(text) and re.search(r"(?<![\w\-])" + re.escape(name) + r",\s+an?\s", text) is not None


def _named_in_abstract(name: str, text: str) -> bool:
    """Whether a `Name: subtitle` title prefix reads as a name: a coined word in it (`CAT Pruning`, `BASE
    Layers`), or the phrase again in the abstract (`Event Tensor`). Plain words that the abstract never
    repeats name a topic (`Multi-agent Online Scheduling: ...`)."""
    words = name.split()
    if len(words) < 2 or any(rules.is_nameish(w) for w in words) or not text:
        return True
    # Words in order with any punctuation or spacing between them (`Event-Tensor`, `event tensor`).
    parts = [p for p in re.split(r"[\W_]+", name) if p]
    return re.search(r"[\W_]*".join(map(re.escape, parts)), text, re.I) is not None


_HARDWARE_AFTER = re.compile(r"(?:\s+[A-Z][\w\-]*){0,3}\s*(?:\([^()]{1,20}\))?\s*(?:-+|,|\u2014)?\s*"
                             r"(?:an?\s+(?:[\w\-]+\s+){0,3})?(?:accelerator|chip|processor|GPU|TPU|NPU)s?\b")


def _not_artifact(name: str, text: str) -> bool:
    """Whether the abstract says that a `Name: subtitle` title names a problem or a phenomenon (`We term
    this the DTR bandit problem`, `Gradient Starvation arises when`) or a piece of hardware (`SambaNova
    SN40L Reconfigurable Dataflow Unit (RDU) - a commercial dataflow accelerator`)."""
    if not text:
        return False
    low, key = rules.lower_same_length(text), rules.lower_same_length(name)
    i = low.find(key)
    while i != -1:
        end = i + len(key)
        if (i == 0 or not (low[i - 1].isalnum() or low[i - 1] in "_-")) and (
                _PROBLEM_AFTER.match(text, end) or (text[i:end] == name and _HARDWARE_AFTER.match(text, end))):
            return True
        i = low.find(key, i + 1)
    return False


def _same_system(a: str, b: str) -> bool:
    """Two names one paper gives its system: a short form of the long one (`ParM` / `Parity Models`,
    `PHub` / `Parameter Hub`), or the name with a kind noun (`SWARM` / `SWARM parallelism`)."""
    short, long = sorted((a, b), key=len)
    # Whole words only: `MHR-mu` is a variant of `MHR`, not its long form.
    if " " in long.strip() and rules.is_acronym_of(short, long):
        return True
    words = long.split()
    return (len(words) >= 2 and norm(" ".join(words[:-1])) == norm(short)
            and words[-1].lower().rstrip("s") in rules.KIND_NOUNS)


def _claim(mask: bytearray, s: int, e: int) -> None:
    mask[s:e] = b"\x01" * (e - s)


def _acceptable_intro(name: str, gaz: Gazetteer, *, artifact: bool = False) -> bool:
    if gaz.is_generic(name) or len(norm(name)) < 2:
        return False
    words = name.split()
    if len(words) >= 2 and words[-1].lower() in rules.CONCEPT_HEADS and not artifact:
        return False  # "Dynamic Sparse Learning": a field or paradigm, not an artifact
    # A dataset name may be reused for a system (`C4`); models, hardware and techniques may not.
    # (A paper's own method that the taxonomy lists, `PagedAttention`, stays one Technique node.)
    for kind in ("model", "hardware", "technique"):
        if gaz.lookup(kind, name):
            return False
    return True


def _evidence(text: str, sents: Sequence[Sequence[int]], pos: int, fld: str = "abstract") -> Evidence:
    if not sents:
        return Evidence(text, 0, len(text), fld)
    i = rules.sentence_of(sents, pos)  # type: ignore[arg-type]
    s, e = sents[i]
    return Evidence(text[s:e], s, e, fld)


def assemble(paper: Paper, title_info: dict[str, Any] | None, info: dict[str, Any], gaz: Gazetteer,
             corpus: CorpusNames, intro: list[tuple[str, list[str], str, int, int]] | None = None,
             ) -> Extraction:
    """Build the `Extraction` of one paper from its two analyses and the corpus-wide names.
    `intro`: its `introduced_names(...)`, when the caller already has them."""
    text = paper.abstract or ""
    title = paper.title or ""
    masked = info.get("masked") or text
    sents: Sequence[Sequence[int]] = info["sents"]
    tsents = [[0, len(title)]] if title.strip() else []
    if intro is None:
        intro = introduced_names(title_info, info, title, text, gaz)
    intro_forms: dict[str, str] = {}
    for name, aliases, *_ in intro:
        for f in (name, *aliases):
            intro_forms.setdefault(norm(f), name)

    concepts = concept_acronyms(info, masked, mentions=True)
    # Relation cues per sentence, found once per field (see `rules.relation_cue`).
    cue_cache: dict[str, dict[Any, Any]] = {"title": {}, "abstract": {}}
    # Every occurrence of a name, title first: (field, start, end, kind, key, canonical, surface).
    occ: list[tuple[str, int, int, str, str | None, str, str]] = []
    for fld, ftext, finfo in (("title", title, title_info), ("abstract", text, info)):
        if not finfo:
            continue
        fmasked = finfo.get("masked") or ftext
        # Characters already claimed by a name (a byte mask: overlap tests stay linear on 1 MB texts).
        covered = bytearray(len(fmasked) + 1)
        claimed_at = covered.find  # claimed_at(1, s, e) != -1: a character of [s, e) is claimed
        if fld == "abstract":
            # Datasets the abstract defines by an acronym: the long form is not a technique or a system.
            for ls, le, long, ss, se, short in dataset_acronyms(finfo, fmasked):
                if claimed_at(1, ls, se) == -1:
                    _claim(covered, ls, se + 1)
                    occ.append((fld, ss, se, "dataset", None, short, short))
        last_hit: tuple[int, int, str] | None = None
        for s, e, kind, key, surface in finfo["hits"]:
            # (One span may name two techniques: `W4A8` is 4-bit and 8-bit quantization.)
            if claimed_at(1, s, e) != -1 and not (kind == "technique" and last_hit == (s, e, kind)):
                continue
            last_hit = (s, e, kind)
            canon = intro_forms.get(norm(surface))
            if canon:
                occ.append((fld, s, e, "system", None, canon, surface))
            else:
                ent = gaz.entries.get((kind, key))
                occ.append((fld, s, e, kind, key, ent.name if ent else surface, surface))
            _claim(covered, s, e)
        for s, e, canon, surface in corpus.find(fmasked, finfo.get("caps")):
            if claimed_at(1, s, e) != -1:
                continue
            if norm(surface) in concepts and norm(surface) not in intro_forms:
                # this paper defines the acronym as a concept (`Pipeline parallelism (PP)`)
                _claim(covered, s, e)
                continue
            _claim(covered, s, e)
            occ.append((fld, s, e, "system", None, intro_forms.get(norm(surface), canon), surface))
        # Intro spans that no vocabulary covered (the defining sentence itself).
        for name, aliases, ifld, s, e in intro:
            if ifld == fld and claimed_at(1, s, s + 1) == -1:
                _claim(covered, s, e)
                occ.append((fld, s, e, "system", None, name, fmasked[s:e]))
        # Unknown coined names in a comparison or lineage context: other systems the paper names.
        fsents = finfo["sents"] if fld == "abstract" else tsents
        span_list = [tuple(x) for x in fsents]
        for s, e, name in finfo["names"]:
            if claimed_at(1, s, e) != -1 or gaz.is_generic(name):
                continue
            if norm(name) in concepts and norm(name) not in intro_forms:
                continue
            if norm(name) in intro_forms:
                _claim(covered, s, e)
                occ.append((fld, s, e, "system", None, intro_forms[norm(name)], name))
                continue
            if not span_list:
                continue
            si = rules.sentence_of(span_list, s)  # type: ignore[arg-type]
            if rules.relation_cue(fmasked, span_list[si], s, for_mention=True,  # type: ignore[arg-type]
                                  cache=cue_cache[fld]) is None:
                continue
            _claim(covered, s, e)
            occ.append((fld, s, e, "system", None, name, name))
        # Plain capitalised names listed with a system the paper compares or builds on ("outperforms
        # PipeDream and Piper", "AccelWattch (32%) and Guser (25%)"): systems too, if a cue reaches them.
        i = 0
        while i < len(occ):
            o = occ[i]
            i += 1
            if o[0] != fld or o[3] != "system" or not span_list:
                continue
            m = _COORDINATED.match(fmasked, o[2])
            if m is None:
                continue
            s1, e1, name = m.start(1), m.end(1), m.group(1)
            if claimed_at(1, s1, e1) != -1 or name in _NOT_NAMES or gaz.is_generic(name) or any(
                    gaz.lookup(k, name) for k in ("system", "model", "hardware", "dataset", "technique")):
                continue
            si = rules.sentence_of(span_list, s1)  # type: ignore[arg-type]
            # The systems listed before it count as a list the cue reaches over ("compared to X, Y, Z, and
            # Hotline").
            listed = sorted(x[1] for x in occ if x[0] == fld and x[3] == "system" and x[1] < s1)
            if rules.relation_cue(fmasked, span_list[si], s1, listed, for_mention=True,  # type: ignore[arg-type]
                                  cache=cue_cache[fld]) is None:
                continue
            _claim(covered, s1, e1)
            occ.append((fld, s1, e1, "system", None, intro_forms.get(norm(name), name), name))
    occ.sort(key=lambda o: (o[0] != "title", o[1]))

    def ev(fld: str, pos: int) -> Evidence:
        return _evidence(title, tsents, pos, "title") if fld == "title" else _evidence(text, sents, pos)

    intro_names_set = {name for name, *_ in intro}
    systems_introduced: list[Mention] = []
    for name, aliases, fld, s, e in intro:
        surface = (title if fld == "title" else masked)[s:e]
        ent = gaz.lookup("system", name)
        systems_introduced.append(Mention(name=name, text=surface, kind="system", evidence=ev(fld, s),
                                          key=ent.key if ent else None, aliases=tuple(aliases), introduced=True))
    buckets: dict[str, list[Mention]] = {k: [] for k in ("system", "model", "hardware", "dataset", "technique")}
    seen: set[tuple[str, str]] = set()
    for fld, s, e, kind, key, canon, surface in occ:
        if kind == "system" and canon in intro_names_set:
            continue
        ident = (kind, norm(canon) if kind != "model" else norm(surface))
        if ident in seen:
            continue
        seen.add(ident)
        ent = gaz.entries.get((kind, key)) if key else None
        name = surface if kind == "model" else canon
        name = _POSSESSIVE_END("", " ".join(name.split()))
        buckets[kind].append(Mention(
            name=name, text=surface, kind=kind, evidence=ev(fld, s),
            key=(key if key and not key.startswith("sized:") else None),
            # A sized model (`LLaMA-65B`) keeps its family key but not the family's spellings.
            aliases=ent.aliases if ent and kind != "technique" and norm(surface) in
            {norm(x) for x in (ent.name, *ent.aliases)} else (),
            parent=ent.parent if ent and kind == "technique" else None,
        ))
    _acronym_techniques(info, text, sents, gaz, intro_forms, seen, buckets["technique"])
    relations = _relations(paper, title, text, masked, info, tsents, occ, intro, intro_names_set, cue_cache)
    return Extraction(
        id=paper.id, title=paper.title,
        systems_introduced=tuple(systems_introduced), systems_mentioned=tuple(buckets["system"]),
        models=tuple(buckets["model"]), hardware=tuple(buckets["hardware"]), datasets=tuple(buckets["dataset"]),
        techniques=tuple(buckets["technique"]), relations=tuple(relations),
    )


def _acronym_techniques(info: dict[str, Any], text: str, sents: Sequence[Sequence[int]], gaz: Gazetteer,
                        intro_forms: dict[str, str], seen: set[tuple[str, str]], out: list[Mention]) -> None:
    """Techniques defined by an acronym: known ones by either form, unknown ones (`discovered`) when the
    long form ends in a technique head noun and the paper does not present it as its own system."""
    datasets = {a[3] for a in dataset_acronyms(info, info.get("masked") or text)}
    for ls, le, long, ss, se, short in info["acronyms"]:
        if norm(short) in intro_forms or norm(long) in intro_forms or ss in datasets:
            continue
        ent = gaz.lookup("technique", long) or gaz.lookup("technique", short)
        if ent is not None:
            ident = ("technique", norm(ent.name))
            if ident not in seen:
                seen.add(ident)
                out.append(Mention(name=ent.name, text=long, kind="technique", evidence=_evidence(text, sents, ls),
                                   key=ent.key, parent=ent.parent))
            continue
        head = long.split()[-1].lower().rstrip("s") if long.split() else ""
        head_words = {head, long.split()[-1].lower()}
        if not (head_words & rules.TECHNIQUE_HEADS) or any(gaz.lookup(k, long) for k in ("system", "model", "dataset")):
            continue
        # "the ... scheduling (MSS) problem", "degree of parallelism (DoP)": a problem or a knob, not a method.
        if _PROBLEM_AFTER.match(text, se + 1) or long.lower().startswith("degree of"):
            continue
        name = " ".join(w if w.isupper() else w.lower() for w in long.split())
        ident = ("technique", norm(name))
        if ident in seen:
            continue
        seen.add(ident)
        out.append(Mention(name=name, text=long, kind="technique", evidence=_evidence(text, sents, ls),
                           key=None, aliases=(short,), discovered=True))


# "a novel Ray-based implementation", "our PyTorch-based prototype": the paper's own work built on X.
_OWN_BEFORE = re.compile(r"\b(?:our|novel|new|proposed)\s+(?:[\w\-]+\s+){0,2}$", re.I)
_BASED_AFTER = re.compile(r"-(?:based|powered)\b", re.I)


# After a system: an optional "(25%)", a list joint, then one capitalised word that ends a list item.
_COORDINATED = re.compile(r"\s*(?:\([^()]{0,20}\))?\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)"
                          r"([A-Z][a-z]{2,}(?:-[A-Za-z0-9]+)?|[A-Z]-[A-Z][A-Za-z0-9]+)(?![\w\-])"
                          r"(?=\s*(?:\([^()]{0,20}\))?\s*(?:[,.;:)]|$|\s+(?:and|or|by|on|in|with|for|under|"
                          r"across|respectively)\b))")
# Capitalised words that end such lists without being names.
_NOT_NAMES = frozenset("Section Sections Figure Figures Fig Table Tables Appendix Eq Equation Algorithm Chapter "
                       "Part Step Theorem Lemma Definition Python Java Linux Windows".split())


def _own_based_on(text: str, sent_start: int, s: int, e: int) -> tuple[str, int] | None:
    if _BASED_AFTER.match(text, e) and _OWN_BEFORE.search(text, max(sent_start, s - 60), s):
        return "builds_on", s
    return None


def _relations(paper: Paper, title: str, text: str, masked: str, info: dict[str, Any], tsents: Sequence[Sequence[int]],
               occ: list[tuple[str, int, int, str, str | None, str, str]],
               intro: list[tuple[str, list[str], str, int, int]], intro_names_set: set[str],
               cue_cache: dict[str, dict[Any, Any]]) -> list[Relation]:
    primary = intro[0][0] if intro else None
    out: list[Relation] = []
    seen: set[tuple[str, str, str]] = set()
    for fld in ("title", "abstract"):
        ftext = title if fld == "title" else masked
        orig = title if fld == "title" else text
        spans = [tuple(s) for s in (tsents if fld == "title" else info["sents"])]
        if not spans:
            continue
        f_occ = [o for o in occ if o[0] == fld]
        sys_starts = sorted(o[1] for o in f_occ if o[3] == "system")
        own = sorted((o[1], o[5]) for o in f_occ if o[3] == "system" and o[5] in intro_names_set)
        own_starts = [o[0] for o in own]
        own_set = set(own_starts)
        tech_starts = sorted(o[1] for o in f_occ if o[3] == "technique")
        for _, s, e, kind, _key, canon, _surface in f_occ:
            if kind != "system" or canon in intro_names_set:
                continue
            si = rules.sentence_of(spans, s)  # type: ignore[arg-type]
            span = spans[si]
            cue = rules.relation_cue(ftext, span, s, sys_starts, cache=cue_cache[fld])  # type: ignore[arg-type]
            if cue is None:
                cue = _own_based_on(ftext, span[0], s, e)
            if cue is None:
                continue
            rtype, cue_pos = cue
            if rtype != "compares_with":
                # "mitigate it via continuous batching (vLLM, Orca)": systems in parentheses after a
                # technique are examples of that technique, not what the paper builds on.
                paren = ftext.rfind("(", cue_pos, s)
                if paren != -1 and ftext.find(")", paren, s) == -1:
                    t = bisect_left(tech_starts, cue_pos)
                    if t < len(tech_starts) and tech_starts[t] < paren:
                        continue
            # The source: the paper's own system named last before the cue in this sentence, else its
            # first one, else the paper itself.
            source = None
            j = bisect_left(own_starts, span[0])
            if j < len(own) and own[j][0] < cue_pos:
                source = own[j][1]
            if source is None and rules.is_weak_cue(ftext, cue_pos):
                # "(e.g., METIS)" in a background sentence: a list, not the paper's comparison.
                continue
            source = source or primary
            source_kind = "system" if source else "paper"
            source = source or paper.id
            k = (source, rtype, canon)
            if k in seen:
                continue
            seen.add(k)
            factor = metric = None
            if rtype == "compares_with":
                # A factor in parentheses is a baseline's own figure (`AccelWattch (32%)`), not a result.
                fs = [f for f in rules.factors(ftext, span[0], span[1])
                      if not (ftext[f[0] - 1:f[0]] == "(" and ftext[f[1]:f[1] + 1] == ")")]
                if fs:
                    # As many factors before the cue as targets after it ("9%, 7% and 15% higher than
                    # DyGFormer, TGN and GraphMixer", "3.92x and 1.45x faster than A and B"): in order.
                    # Else the factor closest before the target, else the first one after the cue.
                    before = [f for f in fs if f[1] <= s]
                    lead = [f for f in fs if f[1] <= cue_pos]
                    targets = [p for p in sys_starts[bisect_right(sys_starts, cue_pos):bisect_left(sys_starts, span[1])]
                               if p not in own_set]
                    trail = [f for f in fs if targets and f[0] >= targets[-1]]
                    if len(targets) >= 2 and len(lead) == len(targets) == len(fs) and s in targets:
                        chosen = lead[targets.index(s)]
                    elif len(targets) >= 2 and len(trail) == len(targets) == len(fs) and s in targets:
                        # "than A and B, achieving 11.2x and 5.1x speedups, respectively": after them.
                        chosen = trail[targets.index(s)]
                    else:
                        chosen = before[-1] if before else fs[0]
                    factor = chosen[2]
                    # The metric this factor is about, not the one nearest the target.
                    metric = rules.metric_near(ftext, span[0], span[1], chosen[0], chosen[1])
            ev = Evidence(orig[span[0]:span[1]], span[0], span[1], fld)
            out.append(Relation(source=source, type=rtype, target=canon, evidence=ev, factor=factor,
                                metric=metric, source_kind=source_kind))
    return out
