"""Extraction: systems, models, hardware, datasets, techniques and typed system relations from paper
titles and abstracts, each with its evidence sentence.

`build_nlp()` gives `spacy.blank("en")` plus our registered components; `extract(papers)` runs it over
the abstracts (batched, optionally in several processes) and then a corpus-level pass, so that every
system introduced anywhere in the corpus is recognised in every paper.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kg.errors import ExtractError
from kg.model import Extraction, Paper

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["build_nlp", "extract"]

# A 1 MB abstract must not trip spaCy's default 1,000,000-character guard (which exists for the
# parser and NER, neither of which we run).
MAX_LENGTH = 20_000_000


def build_nlp(model: str | None = None, *, data_dir: str | None = None) -> Language:
    """`spacy.blank("en")` (or the installed trained pipeline `model`) with our components added.

    Nothing is downloaded: a `model` that is not installed is an `ExtractError` with the install hint."""
    import spacy

    from kg.extract import components  # registers the factories

    if model:
        try:
            nlp = spacy.load(model, exclude=["ner", "parser", "senter", "lemmatizer", "attribute_ruler"])
        except OSError:
            raise ExtractError(
                f"spaCy pipeline {model!r} is not installed; install it with `python -m spacy download {model}` "
                "(kg never downloads models itself) or leave out --model to use the blank English pipeline"
            ) from None
    else:
        nlp = spacy.blank("en")
    nlp.max_length = MAX_LENGTH
    if not isinstance(nlp.tokenizer, components.KeepText):
        nlp.tokenizer = components.KeepText(nlp.tokenizer)
    nlp.add_pipe("kg_sentences")
    nlp.add_pipe("kg_extract", config={"data_dir": data_dir})
    return nlp


def extract(papers: Iterable[Paper], *, nlp: Language | None = None, n_process: int = 1,
            batch_size: int = 64) -> list[Extraction]:
    """One `Extraction` per paper, in input order; the same papers always give the same output."""
    from kg.extract.core import CorpusNames, analyze, assemble, introduced_names

    papers = list(papers)
    if n_process < 1:
        raise ExtractError(f"n_process must be at least 1, got {n_process}")
    if batch_size < 1:
        raise ExtractError(f"batch_size must be at least 1, got {batch_size}")
    nlp = nlp or build_nlp()
    if "kg_extract" not in nlp.pipe_names:
        raise ExtractError("the spaCy pipeline given to extract() has no kg_extract component; build it "
                           "with kg.extract.build_nlp()")
    gaz = nlp.get_pipe("kg_extract").gaz
    texts = [_clean(p.abstract) for p in papers]
    infos: list[dict[str, Any]] = []
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        info = doc.user_data["kg"]
        infos.append(info)
    # Titles are one short line each: analysed directly, not worth a second pipeline pass.
    title_infos = [analyze(_clean(p.title or ""), gaz) if p.title else None for p in papers]
    corpus = CorpusNames()
    for p, ti, info in zip(papers, title_infos, infos):
        for name, aliases, *_ in introduced_names(ti, info, p.title, p.abstract, gaz):
            corpus.add(name, aliases)
    corpus.compile()
    return [assemble(p, ti, info, gaz, corpus) for p, ti, info in zip(papers, title_infos, infos)]


def _clean(text: str) -> str:
    """Control characters become spaces (same length, so offsets still index the original text)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
