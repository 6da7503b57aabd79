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
from kg.authors import AuthorDecision, resolve_authors
from kg.resolve import AliasRule, load_alias_rules, resolve

PAPERS_FILE = "papers.jsonl"
EXTRACTIONS_FILE = "extractions.jsonl"
# Merge decisions recorded by `kg merges join|split` beside the graph; every build of the directory applies them.
DECISIONS_FILE = "merges.jsonl"

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
    return graph


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
    from kg.ingest import ingest, write_jsonl

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

        graph, report, merges = assemble(papers, profiles, extractions, load_rules(out, aliases, decisions))
        _remember_rules(graph, aliases, decisions)
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
        merges=[*result.report.merges, *merges],
        dropped=report.dropped,
        previous_papers=previous_papers,
    )


__all__ = ["BuildResult", "GraphReport", "build"]
