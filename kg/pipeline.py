"""The main job: ingest -> extract -> resolve -> graph, written to a build directory.

A build directory holds what the next build needs to merge into the same entities: the merged paper
records and profile headers (`papers.jsonl`, our own JSON Lines format), the extractions and the graph file.
Building again with more files re-reads the previous records together with the new files, so a build of
A then B gives the same files, byte for byte, as one build of A and B.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.atomic import build_lock, write_atomic
from kg.config import GRAPH_FILE
from kg.errors import GraphError
from kg.graph import GraphReport, build_graph
from kg.graphio import write_graph
from kg.manifest import MANIFEST_FILE, mismatched, write_manifest
from kg.model import Extraction, IngestReport, IngestResult, Merge, Paper, Profile, Source
from kg.authors import AuthorDecision, resolve_authors
from kg.resolve import AliasRule, load_alias_rules, resolve

PAPERS_FILE = "papers.jsonl"
# The records as read, before merging (papers.jsonl holds them merged). A later build re-reads these, not
# the merged papers: an abstract-only entry joins the paper it fits best among all papers, so it must be
# judged again when new files bring a better fit (a build of A then B equals one of A and B).
RECORDS_FILE = "records.jsonl"
# What one build writes, in this order; manifest.json (kg.manifest) comes after them.
BUILD_FILES = (RECORDS_FILE, "papers.jsonl", "extractions.jsonl", GRAPH_FILE, "extract-cache.jsonl")
EXTRACTIONS_FILE = "extractions.jsonl"
# Merge decisions recorded by `kg merges join|split` beside the graph; every build of the directory applies them.
DECISIONS_FILE = "merges.jsonl"

Progress = Callable[..., None]  # (stage, done, total[, note]): the note says more ("4,773 records")


@dataclass(slots=True)
class BuildResult:
    graph: nx.MultiDiGraph
    out: Path
    ingest: IngestReport
    ingested: IngestResult
    merges: list[Merge] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    previous_papers: int = 0
    # Papers extracted by this build (new, changed, or whose matches of other papers' names changed)
    # and papers whose records were reused from the directory's extraction cache.
    extracted: int = 0
    reused: int = 0
    # Files of the directory that did not match its manifest when this build began: the last build was
    # cut short after writing them (their records were read, so nothing was lost).
    interrupted: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        nodes = Counter(d["type"] for _, d in self.graph.nodes(data=True))
        edges = Counter(d["type"] for _, _, d in self.graph.edges(data=True))
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}


def _unique_profiles(profiles: Sequence[Profile]) -> list[Profile]:
    """One profile per owner and page: the same page read twice (directly and via profiles.jsonl) counts once."""
    seen: dict[tuple[str, Source], Profile] = {}
    for p in profiles:
        seen.setdefault((p.name, p.source), p)
    return [seen[k] for k in sorted(seen)]


def load_rules(out: Path, aliases: str | Path | None = None,
               decisions: Sequence[str | Path] = ()) -> list[AliasRule]:
    """The alias rules (kg/data/aliases.jsonl or --aliases), then the directory's recorded decisions, then
    the user's decision files: later rules win where they disagree, so a decision overrides a default."""
    rules = load_alias_rules(aliases) if aliases else load_alias_rules()
    recorded = out / DECISIONS_FILE
    for path in [*([recorded] if recorded.is_file() else []), *decisions]:
        rules.extend(load_alias_rules(path))
    return rules


def assemble(papers: Sequence[Paper], profiles: Sequence[Profile], extractions: Sequence[Extraction],
             rules: Sequence[AliasRule]):
    """resolve -> graph: the graph, its report and every merge, split and decision (for `kg merges`)."""
    from kg.ingest.names import author_key
    from kg.review import resolution_rows

    resolution = resolve(extractions, rules=[r for r in rules if r.label != "Author"], papers=papers)
    decisions = [AuthorDecision(r.id, r.action, author_key(r.names[0]), r.papers) for r in rules if r.label == "Author"]
    authors = resolve_authors(papers, author_key, decisions=decisions)
    graph, report = build_graph(papers, profiles, extractions, resolution, author_key=author_key, authors=authors)
    merges = [*resolution.merges, *authors.merges]
    graph.graph["resolution"] = resolution_rows(graph, merges, authors.report, rules)
    return graph, report, merges


def reassemble(out: str | Path, *, aliases: str | Path | None = None,
               decisions: Sequence[str | Path] = ()) -> nx.MultiDiGraph:
    """Re-resolve a build directory from its records (no ingest, no extraction) and write its graph: what
    `kg merges join|split` runs so that a decision shows at once."""
    from kg.ingest import ingest

    out = Path(out)
    papers_path, extractions_path = out / PAPERS_FILE, out / EXTRACTIONS_FILE
    for path in (papers_path, extractions_path):
        if not path.is_file():
            raise GraphError(f"{out} holds no {path.name}: run `kg build PATH... --out {out}` first")
    with build_lock(out):
        _require_whole(out)
        result = ingest([papers_path])
        papers = sorted(result.papers, key=lambda p: p.id)
        extractions = []
        with extractions_path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh, 1):
                try:
                    extractions.append(Extraction.from_dict(json.loads(line)))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
                    raise GraphError(f"{extractions_path}:{i}: not an extraction record ({err}); "
                                     "rebuild with `kg build`") from None
        graph, _, _ = assemble(papers, _unique_profiles(result.profiles), extractions,
                               load_rules(out, aliases, decisions))
        _remember_rules(graph, aliases, decisions)
        write_graph(graph, out / GRAPH_FILE)
        write_manifest(out, BUILD_FILES)
    return graph


def _require_whole(out: Path) -> None:
    """Refuse a directory whose records are not those of its last finished build (see kg.manifest)."""
    wrong = mismatched(out, (PAPERS_FILE, EXTRACTIONS_FILE))
    if wrong:
        raise GraphError(f"{out}: {' and '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not the build "
                         f"{MANIFEST_FILE} records (a kg build was interrupted); run `kg build` into {out} "
                         "again to finish it, nothing is lost")


def _remember_rules(graph: nx.MultiDiGraph, aliases: str | Path | None, decisions: Sequence[str | Path]) -> None:
    # The rule files a build used, so that re-resolving after a decision uses the same ones.
    graph.graph["rule_files"] = {"aliases": str(aliases) if aliases else None,
                                 "decisions": [str(d) for d in decisions]}


def record_decision(out: str | Path, make: Callable[[nx.MultiDiGraph, int], AliasRule]) -> tuple[AliasRule, nx.MultiDiGraph]:
    """Append the rule `make(graph, number)` to the directory's merges.jsonl and re-resolve the graph."""
    from kg.graphio import read_graph
    from kg.review import rule_line

    out = Path(out)
    with build_lock(out):
        _require_whole(out)  # before the decision is written: a refused directory must not keep it
        graph = read_graph(out / GRAPH_FILE)
        path = out / DECISIONS_FILE
        lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
        rule = make(graph, len([line for line in lines if line.strip()]) + 1)
        lines.append(json.dumps(rule_line(rule), ensure_ascii=False, sort_keys=True))
        write_atomic(path, ["".join(line + "\n" for line in lines)])
    used = graph.graph.get("rule_files") or {}
    return rule, reassemble(out, aliases=used.get("aliases"), decisions=used.get("decisions", ()))


def build(
    paths: Sequence[str | Path],
    *,
    out: str | Path = "kg-out",
    aliases: str | Path | None = None,
    decisions: Sequence[str | Path] = (),
    model: str | None = None,
    n_process: int = 1,
    format: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build (or extend) the graph in `out` from listing files or folders."""
    from kg.extract import build_nlp, extract, split_model
    from kg.extract.cache import CACHE_FILE, ExtractCache, extractor_version, record_line
    from kg.ingest import ingest, write_jsonl

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GraphError(f"--out {out} is a file; give a directory for the build")
    # One build at a time per directory: a second one fails at once instead of mixing records.
    with build_lock(out):
        # A build killed while writing leaves its temporary files (the old files are whole): ours to clear.
        for name in (PAPERS_FILE, RECORDS_FILE, EXTRACTIONS_FILE, GRAPH_FILE, CACHE_FILE):
            for stale in out.glob(f".{name}.*.tmp"):
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
        interrupted = mismatched(out, BUILD_FILES)
        previous = out / PAPERS_FILE
        own: list[Path] = []
        previous_papers = 0
        if previous.exists():
            # A directory from before records.jsonl existed still extends: from its merged papers.
            own.append(out / RECORDS_FILE if (out / RECORDS_FILE).exists() else previous)
            with previous.open(encoding="utf-8") as fh:
                previous_papers = sum(1 for line in fh if line.strip() and not line.startswith('{"type": "profile"'))
        # Our own records are JSON Lines whatever --format says of the listings.
        result = ingest(paths, format=format, strict=strict, own=own,
                        progress=(lambda done, total, n: progress("ingest", done, total, f"{n:,} records"))
                        if progress else None)
        papers: list[Paper] = sorted(result.papers, key=lambda p: p.id)
        if not papers:
            raise GraphError("no papers were read from " + ", ".join(str(p) for p in paths)
                             + ": nothing to build (see the ingest summary above for what was skipped)")
        profiles = _unique_profiles(result.profiles)

        pipeline, tagger = split_model(model)
        nlp = build_nlp(pipeline) if pipeline else None
        # The records of the last build, reused where nothing they depend on changed (kg.extract.cache).
        cache = ExtractCache(out / CACHE_FILE, out / EXTRACTIONS_FILE, extractor_version(tagger, nlp))
        extractions: list[Extraction] = extract(
            papers, nlp=nlp, n_process=n_process, tagger=tagger, cache=cache,
            progress=(lambda done, total: progress("extract", done, total)) if progress else None,
        )

        graph, report, merges = assemble(papers, profiles, extractions, load_rules(out, aliases, decisions))
        _remember_rules(graph, aliases, decisions)
        if progress:
            progress("graph", 1, 1)

        out.mkdir(parents=True, exist_ok=True)
        records = sorted(result.records, key=lambda p: (p.id, p.sources, p.title or "", p.abstract))
        write_jsonl(records, out / RECORDS_FILE, profiles=profiles)
        write_jsonl(papers, out / PAPERS_FILE, profiles=profiles)
        write_atomic(out / EXTRACTIONS_FILE, map(record_line, extractions))
        write_graph(graph, out / GRAPH_FILE)
        # Last: its entries name the records they were checked against, so whichever files a kill leaves
        # behind, a mismatch only means extracting those papers again.
        cache.write()
        # Last of all: the manifest names the files of this build; a kill before it leaves files a reader
        # can tell apart from a finished build.
        write_manifest(out, BUILD_FILES)
    return BuildResult(
        graph=graph,
        out=out,
        ingest=result.report,
        ingested=result,
        merges=[*result.report.merges, *merges],
        dropped=report.dropped,
        previous_papers=previous_papers,
        interrupted=interrupted,
        extracted=cache.new + cache.affected,
        reused=cache.reused,
    )


__all__ = ["BuildResult", "GraphReport", "build"]
