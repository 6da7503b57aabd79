"""The registered spaCy components. Thin wrappers: the logic is in `kg.extract.rules` and
`kg.extract.core`, which tests call without spaCy.

- `kg_sentences`: sentence spans from `rules.split_sentences` (survives `1.4x`, `e.g.`, `et al.`, URLs,
  LaTeX) into `doc.user_data["kg_sents"]`; with `set_token_flags=true` also `token.is_sent_start`, so
  `doc.sents` works (costs a pass over the tokens; extraction does not need it).
- `kg_extract`: `core.analyze` of the text into `doc.user_data["kg"]` (plain data, so it survives
  `nlp.pipe(n_process=2)`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract import rules
from kg.extract.core import analyze
from kg.extract.gazetteer import load_gazetteer


@Language.factory("kg_sentences", default_config={"set_token_flags": False})
def make_sentences(nlp: Language, name: str, set_token_flags: bool) -> SentenceSpans:
    return SentenceSpans(set_token_flags=set_token_flags)


class SentenceSpans:
    def __init__(self, *, set_token_flags: bool = False) -> None:
        self.set_token_flags = set_token_flags

    def __call__(self, doc: Doc) -> Doc:
        spans = rules.split_sentences(rules.mask_latex(doc.text))
        doc.user_data["kg_sents"] = [list(s) for s in spans]
        if self.set_token_flags and len(doc):
            starts = {s for s, _ in spans}
            for tok in doc:
                tok.is_sent_start = tok.i == 0 or tok.idx in starts
        return doc


@Language.factory("kg_extract", default_config={"data_dir": None})
def make_extract(nlp: Language, name: str, data_dir: str | None) -> ExtractComponent:
    return ExtractComponent(data_dir=data_dir)


class ExtractComponent:
    def __init__(self, *, data_dir: str | None = None) -> None:
        self.gaz = load_gazetteer(data_dir)

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data["kg"] = analyze(doc.text, self.gaz)
        return doc
