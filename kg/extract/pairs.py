"""Relation typing, learned: for each system a paper names, does the paper compare with it, build on it or
integrate into it (or none)?

One decision per (paper, target system), as the gold records it. The features are the rules' own verdict
on the pair (`rule_rel=compares_with`), the cue the rules' cue finder sees before each occurrence
(`cue=builds_on`, its words), the words around the target, whether the sentence states a factor, and what
the tagger made of the target. The relation's source is the paper's first introduced system (or the
paper); its factor and metric come from the rules' relation when they agree, else from the target's
sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.extract import rules
from kg.extract.features import Context
from kg.extract.gazetteer import norm
from kg.model import Evidence, Extraction, Mention, Relation

REL_NONE = "none"
REL_CLASSES = (REL_NONE, "compares_with", "builds_on", "integrates_into")
_OCC = 4


def pair_features(target: Mention, occ: Sequence[tuple[str, int, int]], field: str, ex: Extraction,
                  contexts: dict[str, Context], source_forms: set[str]) -> list[str]:
    f = {"bias", f"t_field={field}"}
    key = norm(target.name)
    tkeys = {norm(x) for x in (target.name, target.text, *target.aliases)}
    for r in ex.relations:
        if norm(r.target) in tkeys:
            f.add(f"rule_rel={r.type}")
            if r.factor:
                f.add("rule_factor")
    cache: dict = {}
    for fld, s, e in occ[:_OCC]:
        ctx = contexts[fld]
        sent = ctx.sentence(s)
        if fld == "title":
            f.add("in_title")
        got = rules.relation_cue(ctx.text, sent, s, (), cache=cache)
        if got is not None:
            typ, at = got
            f.add(f"cue={typ}")
            words = ctx.right(at, s)
            for w in words[:2]:
                f.add(f"cw={w}")
        for i, w in enumerate(ctx.left(s, sent[0])):
            f.add(f"L{i + 1}={w}")
        for i, w in enumerate(ctx.right(e, sent[1])[:2]):
            f.add(f"R{i + 1}={w}")
        if rules.factors(ctx.text, sent[0], sent[1]):
            f.add("factor_in_sentence")
        low = ctx.text[sent[0]:sent[1]].casefold()
        if any(sf and sf in low for sf in source_forms):
            f.add("with_source")
    if key in source_forms:
        f.add("is_source")
    return sorted(f)


def build_relation(paper_id: str, source: Mention | None, target: Mention, typ: str,
                   occ: Sequence[tuple[str, int, int]], ex: Extraction, texts: dict[str, str],
                   contexts: dict[str, Context]) -> Relation:
    """The relation with its evidence sentence, factor and metric: the rules' when they found this pair,
    else from the first sentence whose cue has this type (else the first occurrence)."""
    tkeys = {norm(x) for x in (target.name, target.text, *target.aliases)}
    for r in ex.relations:
        if norm(r.target) in tkeys and r.type == typ:
            return Relation(source=source.name if source else paper_id, type=typ, target=target.name,
                            evidence=r.evidence, factor=r.factor, metric=r.metric,
                            source_kind="system" if source else "paper")
    chosen = occ[0] if occ else ("abstract", 0, 0)
    cache: dict = {}
    for fld, s, e in occ[:_OCC]:
        got = rules.relation_cue(contexts[fld].text, contexts[fld].sentence(s), s, (), cache=cache)
        if got is not None and got[0] == typ:
            chosen = (fld, s, e)
            break
    fld, s, e = chosen
    text = texts.get(fld) or ""
    ss, se = contexts[fld].sentence(s) if fld == "abstract" else (0, len(text))
    factor = metric = None
    if typ == "compares_with":
        found = rules.factors(contexts[fld].text, ss, se)
        if found:
            fs, fe, factor = min(found, key=lambda t: abs(t[0] - s))
            metric = rules.metric_near(contexts[fld].text, ss, se, fs, fe)
    return Relation(source=source.name if source else paper_id, type=typ, target=target.name,
                    evidence=Evidence(text[ss:se], ss, se, fld), factor=factor, metric=metric,
                    source_kind="system" if source else "paper")
