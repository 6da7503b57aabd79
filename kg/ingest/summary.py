"""The text summary `kg ingest` prints: files, records per file and format, merged (count and what),
skipped by reason with file:line, warnings, papers."""

from __future__ import annotations

from collections import defaultdict

from kg.model import IngestResult


def summary_lines(result: IngestResult, *, limit: int = 20) -> list[str]:
    """The summary as lines. At most `limit` items are listed per merge reason and skip reason."""
    report = result.report
    lines = [f"files: {len(report.files)}"]
    width = max((len(f.path) for f in report.files), default=0)
    for f in report.files:
        fmt = f.format or "-"
        extra = f", {len(f.skipped)} skipped" if f.skipped else ""
        lines.append(f"  {f.path.ljust(width)}  {fmt:<9}  {f.records} records{extra}")
    lines.append(f"records read: {report.records_read}")
    by_reason: dict[str, list[str]] = defaultdict(list)
    for m in report.merges:
        kind = m.reason.split(" (similarity")[0]
        by_reason[kind].append(f"{m.merged} -> {m.kept}{_score(m.reason)}")
    lines.append(f"merged: {len(report.merges)}")
    for kind in sorted(by_reason):
        items = by_reason[kind]
        lines.append(f"  {kind}: {len(items)}")
        lines += [f"    {item}" for item in items[:limit]]
        if len(items) > limit:
            lines.append(f"    ... and {len(items) - limit} more")
    skips: dict[str, list[str]] = defaultdict(list)
    for s in report.skipped:
        skips[s.reason].append(f"{s.source.file}:{s.source.line}")
    lines.append(f"skipped: {len(report.skipped)}")
    for reason in sorted(skips):
        where = skips[reason]
        shown = ", ".join(where[:limit]) + (f", ... and {len(where) - limit} more" if len(where) > limit else "")
        lines.append(f"  {reason}: {len(where)} ({shown})")
    warnings = [w for f in report.files for w in f.warnings]
    if warnings:
        lines.append(f"warnings: {len(warnings)}")
        lines += [f"  {w}" for w in warnings[:limit]]
        if len(warnings) > limit:
            lines.append(f"  ... and {len(warnings) - limit} more")
    lines.append(f"papers: {report.papers}")
    if result.profiles:
        lines.append("profiles: " + ", ".join(p.name for p in result.profiles))
    return lines


def _score(reason: str) -> str:
    i = reason.find("(similarity")
    return f" {reason[i:]}" if i >= 0 else ""
