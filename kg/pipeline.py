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
from kg.model import Extraction, IngestReport, IngestResult, Merge, Paper, Profile, Source
from kg.resolve import load_alias_rules, resolve, resolve_authors

PAPERS_FILE = "papers.jsonl"
EXTRACTIONS_FILE = "extractions.jsonl"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(slots=True)
class BuildResult:
    graph: nx.MultiDiGraph
    out: Path
    ingest: IngestReport
    ingested: IngestResult
    merges: list[Merge] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    previous_papers: int = 0

    def counts(self) -> dict[str, dict[str, int]]:
        nodes = Counter(d["type"] for _, d in self.graph.nodes(data=True))
        edges = Counter(d["type"] for _, _, d in self.graph.edges(data=True))
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}


def _write_jsonl(path: Path, rows) -> None:
    write_atomic(path, (json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def _unique_profiles(profiles: Sequence[Profile]) -> list[Profile]:
    """One profile per owner and page: the same page read twice (directly and via profiles.jsonl) counts once."""
    seen: dict[tuple[str, Source], Profile] = {}
    for p in profiles:
        seen.setdefault((p.name, p.source), p)
    return [seen[k] for k in sorted(seen)]


def build(
    paths: Sequence[str | Path],
    *,
    out: str | Path = "kg-out",
    aliases: str | Path | None = None,
    model: str | None = None,
    n_process: int = 1,
    format: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build (or extend) the graph in `out` from listing files or folders."""
    from kg.extract import build_nlp, extract, split_model
    from kg.ingest import ingest, write_jsonl
    from kg.ingest.names import author_key

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GraphError(f"--out {out} is a file; give a directory for the build")
    # One build at a time per directory: a second one fails at once instead of mixing records.
    with build_lock(out):
        # A build killed while writing leaves its temporary files (the old files are whole): ours to clear.
        for name in (PAPERS_FILE, EXTRACTIONS_FILE, GRAPH_FILE):
            for stale in out.glob(f".{name}.*.tmp"):
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
        previous = out / PAPERS_FILE
        sources: list[str | Path] = [*paths]
        previous_papers = 0
        if previous.exists():
            sources.append(previous)
            with previous.open(encoding="utf-8") as fh:
                previous_papers = sum(1 for line in fh if line.strip() and not line.startswith('{"type": "profile"'))
        if progress:
            progress("ingest", 0, 1)
        result = ingest(sources, format=format, strict=strict)
        papers: list[Paper] = sorted(result.papers, key=lambda p: p.id)
        if not papers:
            raise GraphError("no papers were read from " + ", ".join(str(p) for p in paths)
                             + ": nothing to build (see the ingest summary above for what was skipped)")
        profiles = _unique_profiles(result.profiles)
        if progress:
            progress("ingest", 1, 1)

        pipeline, tagger = split_model(model)
        nlp = build_nlp(pipeline) if pipeline else None
        extractions: list[Extraction] = extract(
            papers, nlp=nlp, n_process=n_process, tagger=tagger,
            progress=(lambda done, total: progress("extract", done, total)) if progress else None,
        )

        resolution = resolve(extractions, rules=load_alias_rules(aliases) if aliases else load_alias_rules(),
                             papers=papers)
        author_ids, author_names, author_merges = resolve_authors(papers, author_key)
        graph, report = build_graph(papers, profiles, extractions, resolution, author_key=author_key,
                                    author_ids=author_ids, author_names=author_names)
        if progress:
            progress("graph", 1, 1)

        out.mkdir(parents=True, exist_ok=True)
        write_jsonl(papers, out / PAPERS_FILE, profiles=profiles)
        _write_jsonl(out / EXTRACTIONS_FILE, (e.to_dict() for e in extractions))
        write_graph(graph, out / GRAPH_FILE)
    return BuildResult(
        graph=graph,
        out=out,
        ingest=result.report,
        ingested=result,
        merges=[*result.report.merges, *resolution.merges, *author_merges],
        dropped=report.dropped,
        previous_papers=previous_papers,
    )


__all__ = ["BuildResult", "GraphReport", "build"]
