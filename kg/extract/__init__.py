"""Extraction: systems, models, hardware, datasets, techniques and typed system relations from paper
titles and abstracts, each with its evidence sentence.

`build_nlp()` gives `spacy.blank("en")` plus our registered components; `extract(papers)` runs it over
the abstracts (batched, optionally in several processes) and then a corpus-level pass, so that every
system introduced anywhere in the corpus is recognised in every paper.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kg.errors import ExtractError
from kg.model import Extraction, Paper

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["build_nlp", "extract", "split_model"]

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


def split_model(model: str | None) -> tuple[str | None, str]:
    """A `--model` value as (spaCy pipeline or None, tagger): `learned` and `rules` are taggers, a path
    ending in .json is a weights file, anything else names an installed spaCy pipeline (the learned
    tagger then relabels its output)."""
    if not model or model in TAGGERS:
        return None, model or "learned"
    if model.endswith(".json"):
        return None, model
    return model, "learned"


# `tagger` values: the shipped trained weights, or the rules alone (for comparison and as a fallback).
TAGGERS = ("learned", "rules")


def extract(papers: Iterable[Paper], *, nlp: Language | None = None, n_process: int = 1,
            batch_size: int = 64, progress: Callable[[int, int], None] | None = None,
            tagger: str = "learned") -> list[Extraction]:
    """One `Extraction` per paper, in input order; the same papers always give the same output.

    `tagger`: "learned" relabels the rules' candidates with the trained weights (`kg/data/tagger.json`,
    see `kg.extract.learned`), "rules" keeps the rules' decisions, and any other value is a path to a
    weights file written by `kg train`.

    `n_process` > 1 splits the work over that many forked worker processes, in two rounds (analysing
    the abstracts and titles, then, once the corpus-wide names are known, assembling the records); each
    worker sends back plain records, not spaCy `Doc`s. Where `fork` is not available it falls back to
    spaCy's own `nlp.pipe(n_process=...)`. `progress(done, total)` is called as abstracts are analysed
    (every `batch_size` papers) and once more when all records are assembled."""
    papers = list(papers)
    if n_process < 1:
        raise ExtractError(f"n_process must be at least 1, got {n_process}")
    if batch_size < 1:
        raise ExtractError(f"batch_size must be at least 1, got {batch_size}")
    nlp = nlp or build_nlp()
    if "kg_extract" not in nlp.pipe_names:
        raise ExtractError("the spaCy pipeline given to extract() has no kg_extract component; build it "
                           "with kg.extract.build_nlp()")
    relabeler = None
    if tagger != "rules":
        from kg.extract.learned import Relabeler, load_tagger

        relabeler = Relabeler(nlp.get_pipe("kg_extract").gaz,
                              load_tagger(None if tagger == "learned" else str(tagger)))
    with _gc_paused():
        return _extract(papers, nlp, n_process, batch_size, progress, relabeler)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while extracting: the records are many small lists and dicts
    without cycles, and the collector re-scanning them as they pile up cost a third of the time on
    50,000 papers (benchmarks/bench_extract.py). Restored afterwards, whatever happens."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _extract(papers: list[Paper], nlp: Language, n_process: int, batch_size: int,
             progress: Callable[[int, int], None] | None, relabeler: Any = None) -> list[Extraction]:
    total = len(papers)
    state: dict[str, Any] = {"nlp": nlp, "papers": papers, "texts": [_clean(p.abstract) for p in papers],
                             "batch_size": batch_size, "relabeler": relabeler}
    forking = n_process > 1 and total > n_process * batch_size and "fork" in mp.get_all_start_methods()
    if forking:
        chunks = _chunks(total, max(batch_size, min(1000, -(-total // (4 * n_process)))))
        analysed: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        for part in _fork_map(_analyse_in_worker, chunks, n_process, state):
            analysed.extend(part)
            if progress is not None:
                progress(len(analysed), total)
    else:
        analysed = _analyse_chunk(state, (0, total), n_process=n_process, progress=progress)
    state["analysed"] = analysed
    _corpus_names(state)
    if forking:
        out = [x for part in _fork_map(_assemble_in_worker, chunks, n_process, state) for x in part]
    else:
        out = _assemble_chunk(state, (0, total))
    if progress is not None:
        progress(total, total)
    return out


def _chunks(total: int, size: int) -> list[tuple[int, int]]:
    return [(i, min(total, i + size)) for i in range(0, total, size)]


# The state a forked worker works on: handed over by `fork` itself (the pool initializer's arguments
# are inherited, not pickled), set only in the workers.
_WORKER_STATE: dict[str, Any] = {}


def _init_worker(state: dict[str, Any]) -> None:
    _WORKER_STATE.update(state)


def _fork_map(fn: Callable[[tuple[int, int]], list[Any]], chunks: list[tuple[int, int]], n_process: int,
              state: dict[str, Any]) -> Iterator[list[Any]]:
    with mp.get_context("fork").Pool(n_process, initializer=_init_worker, initargs=(state,)) as pool:
        yield from pool.imap(fn, chunks)


def _analyse_in_worker(bounds: tuple[int, int]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    return _analyse_chunk(_WORKER_STATE, bounds)


def _assemble_in_worker(bounds: tuple[int, int]) -> list[Extraction]:
    return _assemble_chunk(_WORKER_STATE, bounds)


def _analyse_chunk(state: dict[str, Any], bounds: tuple[int, int], *, n_process: int = 1,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(abstract analysis, title analysis) of the papers in `bounds`."""
    from kg.extract.core import analyze

    nlp, papers, batch_size = state["nlp"], state["papers"], state["batch_size"]
    gaz = nlp.get_pipe("kg_extract").gaz
    i0, i1 = bounds
    infos = []
    for doc in nlp.pipe(state["texts"][i0:i1], batch_size=batch_size, n_process=n_process):
        infos.append(doc.user_data["kg"])
        if progress is not None and len(infos) % batch_size == 0:
            progress(len(infos), i1 - i0)
    # Titles are one short line each, one sentence: analysed directly, not worth a second pipeline pass.
    titles: list[dict[str, Any] | None] = []
    for p in papers[i0:i1]:
        t = _clean(p.title) if p.title else ""
        titles.append(analyze(t, gaz, [(0, len(t))] if t.strip() else []) if t else None)
    return list(zip(infos, titles))


def _corpus_names(state: dict[str, Any]) -> None:
    """The names every paper introduces, and the corpus-wide matcher built from them, into `state`."""
    from kg.extract.core import CorpusNames, introduced_names

    gaz = state["nlp"].get_pipe("kg_extract").gaz
    corpus = CorpusNames()
    intros = []
    for p, (info, ti) in zip(state["papers"], state["analysed"]):
        intro = introduced_names(ti, info, p.title, p.abstract, gaz)
        intros.append(intro)
        for name, aliases, *_ in intro:
            corpus.add(name, aliases)
    corpus.compile()
    state["intros"] = intros
    state["corpus"] = corpus


def _assemble_chunk(state: dict[str, Any], bounds: tuple[int, int]) -> list[Extraction]:
    from kg.extract.core import assemble
    from kg.extract.types import apply_types, load_types

    gaz = state["nlp"].get_pipe("kg_extract").gaz
    papers, analysed, intros, corpus = state["papers"], state["analysed"], state["intros"], state["corpus"]
    i0, i1 = bounds
    out = [assemble(papers[i], analysed[i][1], analysed[i][0], gaz, corpus, intros[i]) for i in range(i0, i1)]
    relabeler = state.get("relabeler")
    if relabeler is not None:
        out = [relabeler.relabel(papers[i], ex) for i, ex in zip(range(i0, i1), out)]
    types = load_types()
    return [apply_types(ex, types) for ex in out]


def _clean(text: str) -> str:
    """Control characters become spaces (same length, so offsets still index the original text)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
