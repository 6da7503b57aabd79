"""The registered spaCy components. Thin wrappers: the logic is in `kg.extract.rules` and
`kg.extract.core`, which tests call without spaCy.

- `kg_sentences`: sentence spans from `rules.split_sentences` (survives `1.4x`, `e.g.`, `et al.`, URLs,
  LaTeX) into `doc.user_data["kg_sents"]`; with `set_token_flags=true` also `token.is_sent_start`, so
  `doc.sents` works (costs a pass over the tokens; extraction does not need it).
- `kg_extract`: `core.analyze` of the text into `doc.user_data["kg"]` (plain data, so it survives
  `nlp.pipe(n_process=2)`). It registers a lexeme flag for the token texts of any `rules.TokenClasses`
  class, so the patterns are tried only at those tokens (`tests/test_extract.py` checks that the result
  equals `core.analyze` without a tokenizer).
"""

from __future__ import annotations

from spacy.attrs import IDX, ORTH
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
        spans = rules.split_sentences(rules.mask_latex(doc_text(doc)))
        doc.user_data["kg_sents"] = spans
        if self.set_token_flags and len(doc):
            starts = {s for s, _ in spans}
            for tok in doc:
                tok.is_sent_start = tok.i == 0 or tok.idx in starts
        return doc


@Language.factory("kg_extract", default_config={"data_dir": None})
def make_extract(nlp: Language, name: str, data_dir: str | None) -> ExtractComponent:
    return ExtractComponent(nlp, data_dir=data_dir)


class ExtractComponent:
    """`core.analyze` with the candidate tokens taken from the tokenizer's output: a lexeme flag marks
    the token texts of any `rules.TokenClasses` class (computed once per vocabulary entry), so one
    `to_array` call gives the few positions the patterns are tried at."""

    def __init__(self, nlp: Language | None = None, *, data_dir: str | None = None) -> None:
        self.gaz = load_gazetteer(data_dir)
        self.flag = nlp.vocab.add_flag(self.gaz.classes.interesting) if nlp is not None else None
        self._by_orth: dict[int, int] = {}

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        tokens = None
        if self.flag is not None:
            arr = doc.to_array([IDX, ORTH, self.flag])
            arr = arr[arr[:, 2] != 0]
            starts = arr[:, 0].tolist()
            orths = arr[:, 1].tolist()
            # Classes by ORTH id (a pure function of the token text, as the lexeme flag is).
            known = self._by_orth
            try:
                tokens = list(zip(starts, map(known.__getitem__, orths)))
            except KeyError:
                classes, strings = self.gaz.classes, doc.vocab.strings
                for o in orths:
                    if o not in known:
                        known[o] = classes(strings[o])
                tokens = list(zip(starts, map(known.__getitem__, orths)))
        doc.user_data["kg"] = analyze(text, self.gaz, doc.user_data.get("kg_sents"), tokens)
        return doc


class KeepText:
    """Wraps the tokenizer to keep the input string in `doc.user_data`: `doc.text` rebuilds it from the
    tokens, which cost as much as tokenizing again (measured by benchmarks/bench_extract.py)."""

    def __init__(self, tokenizer) -> None:  # type: ignore[no-untyped-def]
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data["kg_text"] = text
        return doc

    def pipe(self, texts, batch_size: int = 1000):  # type: ignore[no-untyped-def]
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.tokenizer, name)


def doc_text(doc: Doc) -> str:
    text = doc.user_data.get("kg_text")
    return text if isinstance(text, str) else doc.text
