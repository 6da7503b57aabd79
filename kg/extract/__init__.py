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

    from kg.extract.cache import ExtractCache
    from kg.extract.core import CorpusNames

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
            tagger: str = "learned", cache: ExtractCache | None = None) -> list[Extraction]:
    """One `Extraction` per paper, in input order; the same papers always give the same output.

    `tagger`: "learned" relabels the rules' candidates with the trained weights (`kg/data/tagger.json`,
    see `kg.extract.learned`), "rules" keeps the rules' decisions, and any other value is a path to a
    weights file written by `kg train`.

    `n_process` > 1 splits the work over that many forked worker processes, in two rounds (analysing
    the abstracts and titles, then, once the corpus-wide names are known, assembling the records); each
    worker sends back plain records, not spaCy `Doc`s. Where `fork` is not available it falls back to
    spaCy's own `nlp.pipe(n_process=...)`. `progress(done, total)` is called as abstracts are analysed
    (every `batch_size` papers) and once more when all records are assembled.

    `cache` (`kg.extract.cache.ExtractCache`, a build directory's): the records of papers it holds are
    reused where the new corpus-wide names leave them unchanged, and only the other papers are
    extracted; the output is the same as without it. It is then updated for `cache.write()`."""
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
        return _extract(papers, nlp, n_process, batch_size, progress, relabeler, cache)


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
             progress: Callable[[int, int], None] | None, relabeler: Any = None,
             cache: ExtractCache | None = None) -> list[Extraction]:
    total = len(papers)
    # Papers the cache holds with the same text and record; the rest is analysed (round one).
    kept = cache.reusable(papers) if cache is not None else {}
    todo = [i for i in range(total) if i not in kept]
    state: dict[str, Any] = {"nlp": nlp, "papers": papers, "batch_size": batch_size, "relabeler": relabeler,
                             "analysed": [None] * total, "record": cache is not None}
    _analyse(state, todo, n_process, progress)
    # The corpus-wide names: a kept paper's come from the cache, so it needs no analysis.
    intros: list[Any] = [kept[i][0].intros if i in kept else _intro(state, i) for i in range(total)]
    state["intros"], state["corpus"] = intros, _corpus_names(intros)
    # A kept paper whose questions to the new corpus get another answer is extracted again.
    affected = [i for i in sorted(kept) if not cache.still_valid(kept[i][0], papers[i], state["corpus"])] \
        if cache is not None else []
    _analyse(state, affected, n_process, None)
    for i in affected:
        intros[i] = _intro(state, i)
    redo = sorted([*todo, *affected])
    assembled = [x for part in _map(_assemble_chunk, _assemble_in_worker, state, redo, n_process, batch_size)
                 for x in part]
    fresh = dict(zip(redo, assembled))
    out = [fresh[i][0] if i in fresh else kept[i][1] for i in range(total)]
    if cache is not None:
        cache.update(papers, out, kept, {i: (intros[i], finds) for i, (_, finds) in fresh.items()})
    if progress is not None:
        progress(total, total)
    return out


def _forking(n: int, n_process: int, batch_size: int) -> bool:
    return n_process > 1 and n > n_process * batch_size and "fork" in mp.get_all_start_methods()


def _map(fn: Callable[..., list[Any]], in_worker: Callable[[list[int]], list[Any]], state: dict[str, Any],
         idx: list[int], n_process: int, batch_size: int) -> Iterator[list[Any]]:
    """`fn(state, chunk)` over chunks of the paper indices `idx`: in forked workers when there is enough
    work, else here in one chunk."""
    if _forking(len(idx), n_process, batch_size):
        size = max(batch_size, min(1000, -(-len(idx) // (4 * n_process))))
        yield from _fork_map(in_worker, [idx[k:k + size] for k in range(0, len(idx), size)], n_process, state)
    elif idx:
        yield fn(state, idx)


def _analyse(state: dict[str, Any], idx: list[int], n_process: int,
             progress: Callable[[int, int], None] | None) -> None:
    """Round one for the papers `idx`, into `state["analysed"]`."""
    analysed = state["analysed"]
    if not idx:
        return
    if not _forking(len(idx), n_process, state["batch_size"]):
        # Too few papers to be worth forking (one process), or no fork: spaCy's own n_process.
        spacy_n = 1 if "fork" in mp.get_all_start_methods() else n_process
        for i, a in zip(idx, _analyse_chunk(state, idx, n_process=spacy_n, progress=progress)):
            analysed[i] = a
        return
    done = 0
    for part in _map(_analyse_chunk, _analyse_in_worker, state, idx, n_process, state["batch_size"]):
        for i, a in zip(idx[done:done + len(part)], part):
            analysed[i] = a
        done += len(part)
        if progress is not None:
            progress(done, len(idx))


# The state a forked worker works on: handed over by `fork` itself (the pool initializer's arguments
# are inherited, not pickled), set only in the workers.
_WORKER_STATE: dict[str, Any] = {}


def _init_worker(state: dict[str, Any]) -> None:
    _WORKER_STATE.update(state)


def _fork_map(fn: Callable[[list[int]], list[Any]], chunks: list[list[int]], n_process: int,
              state: dict[str, Any]) -> Iterator[list[Any]]:
    with mp.get_context("fork").Pool(n_process, initializer=_init_worker, initargs=(state,)) as pool:
        yield from pool.imap(fn, chunks)


def _analyse_in_worker(idx: list[int]) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    return _analyse_chunk(_WORKER_STATE, idx)


def _assemble_in_worker(idx: list[int]) -> list[tuple[Extraction, list[list[Any]] | None]]:
    return _assemble_chunk(_WORKER_STATE, idx)


def _analyse_chunk(state: dict[str, Any], idx: list[int], *, n_process: int = 1,
                   progress: Callable[[int, int], None] | None = None,
                   ) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """(abstract analysis, title analysis) of the papers `idx`."""
    from kg.extract.core import analyze

    nlp, papers, batch_size = state["nlp"], state["papers"], state["batch_size"]
    gaz = nlp.get_pipe("kg_extract").gaz
    infos = []
    texts = (_clean(papers[i].abstract) for i in idx)
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
        infos.append(doc.user_data["kg"])
        if progress is not None and len(infos) % batch_size == 0:
            progress(len(infos), len(idx))
    # Titles are one short line each, one sentence: analysed directly, not worth a second pipeline pass.
    titles: list[dict[str, Any] | None] = []
    for i in idx:
        t = _clean(papers[i].title) if papers[i].title else ""
        titles.append(analyze(t, gaz, [(0, len(t))] if t.strip() else []) if t else None)
    return list(zip(infos, titles))


def _intro(state: dict[str, Any], i: int) -> list[tuple[str, list[str], str, int, int]]:
    """The systems paper `i` introduces, from its analysis."""
    from kg.extract.core import introduced_names

    p, (info, ti) = state["papers"][i], state["analysed"][i]
    return introduced_names(ti, info, p.title, p.abstract, state["nlp"].get_pipe("kg_extract").gaz)


def _corpus_names(intros: list[Any]) -> CorpusNames:
    """The names every paper introduces, in paper order, as the corpus-wide matcher."""
    from kg.extract.core import CorpusNames

    corpus = CorpusNames()
    for intro in intros:
        for name, aliases, *_ in intro:
            corpus.add(name, aliases)
    corpus.compile()
    return corpus


def _assemble_chunk(state: dict[str, Any], idx: list[int]) -> list[tuple[Extraction, list[list[Any]] | None]]:
    """(record, the questions it asked the corpus when a cache keeps them) of the papers `idx`."""
    from kg.extract.cache import Recorder
    from kg.extract.core import assemble
    from kg.extract.types import apply_types, load_types

    gaz = state["nlp"].get_pipe("kg_extract").gaz
    papers, analysed, intros = state["papers"], state["analysed"], state["intros"]
    relabeler, types = state.get("relabeler"), load_types()
    out = []
    for i in idx:
        corpus = Recorder(state["corpus"]) if state["record"] else state["corpus"]
        ex = assemble(papers[i], analysed[i][1], analysed[i][0], gaz, corpus, intros[i])
        if relabeler is not None:
            # The sentences the analysis found, when it read the abstract as it is (see `_clean`).
            text = papers[i].abstract
            sents = analysed[i][0]["sents"] if text and _clean(text) == text else None
            ex = relabeler.relabel(papers[i], ex, sents=sents)
        out.append((apply_types(ex, types), corpus.questions(papers[i]) if state["record"] else None))
    return out


def _clean(text: str) -> str:
    """Control characters become spaces (same length, so offsets still index the original text)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
