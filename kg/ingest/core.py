"""The public ingest calls: `read_records` (one file, streamed) and `ingest` (files and folders ->
merged papers, profiles and a report)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kg.errors import IngestError, ParseError
from kg.ingest.abstracts import read_abstracts
from kg.ingest.arxiv import read_arxiv
from kg.ingest.bibtex import read_bibtex
from kg.ingest.compact import read_compact
from kg.ingest.formats import Format, detect_format, parse_format
from kg.ingest.jsonl import read_jsonl
from kg.ingest.lines import peek_text
from kg.ingest.merge import merge_papers
from kg.ingest.names import author_key
from kg.ingest.profile import read_profile
from kg.ingest.records import Warn
from kg.ingest.trending import read_trending
from kg.model import FileReport, IngestReport, IngestResult, Paper, Profile, Skip

Record = Paper | Profile | Skip | Warn

_READERS = {
    Format.PROFILE: read_profile,
    Format.ABSTRACTS: read_abstracts,
    Format.TRENDING: read_trending,
    Format.ARXIV: read_arxiv,
    Format.BIBTEX: read_bibtex,
    Format.JSONL: read_jsonl,
}


def read_records(
    path: str | Path,
    format: str | Format | None = None,
    *,
    known_authors: Iterable[str] = (),
    strict: bool = False,
) -> Iterator[Record]:
    """Stream the entries of one listing file: a `Paper` per entry (one source, not merged), the
    `Profile` of a profile page, a `Skip` per entry that could not be read, a `Warn` per problem
    that cost nothing. `known_authors` (author keys) help split compact listings. With `strict`, the
    first Skip raises ParseError instead."""
    name = str(path)
    fmt = parse_format(format) or detect_format(name)
    if fmt is Format.COMPACT:
        records: Iterator[Record] = read_compact(name, known_authors=frozenset(known_authors))
    else:
        records = _READERS[fmt](name)
    for record in records:
        if strict and isinstance(record, Skip):
            raise ParseError(record.source.file, record.source.line, record.reason)
        yield record


def _expand(paths: Sequence[str | Path]) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = []
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += [Path(root) / f for f in files if not f.startswith(".")]
            out += [(str(f), False) for f in sorted(found) if f.is_file()]
        elif path.is_file():
            out.append((str(path), True))
        elif path.exists():
            raise IngestError(f"{p}: not a regular file or folder")
        else:
            raise IngestError(f"{p}: no such file or folder")
    # A file reached twice (named, and inside a named folder) is read once; its first mention decides
    # whether it must be a listing.
    first: dict[str, bool] = {}
    for f, explicit in out:
        first.setdefault(f, explicit)
    return list(first.items())


def expand_paths(paths: Sequence[str | Path]) -> list[str]:
    """Files as given; folders as every regular file below them, recursively, sorted, hidden files
    and folders skipped."""
    return [f for f, _ in _expand(paths)]


def _is_empty(path: str) -> bool:
    if os.path.getsize(path) == 0:
        return True
    return not peek_text(path).strip() and os.path.getsize(path) < (64 * 1024)


@dataclass(frozen=True)
class _FileRead:
    papers: list[Paper]
    profiles: list[Profile]
    known: set[str]
    report: FileReport


def _read_file(f: str, fmt: Format, known: frozenset[str], strict: bool) -> _FileRead:
    """Every record of one file, kept apart until the whole file has been read."""
    papers: list[Paper] = []
    profiles: list[Profile] = []
    names: set[str] = set()
    skipped: list[Skip] = []
    warnings: list[str] = []
    for record in read_records(f, fmt, known_authors=known, strict=strict):
        if isinstance(record, Paper):
            papers.append(record)
            if fmt is not Format.COMPACT:
                names.update(author_key(a.name) for a in record.authors if not a.inferred)
        elif isinstance(record, Profile):
            profiles.append(record)
            names.add(author_key(record.name))
        elif isinstance(record, Skip):
            skipped.append(record)
        else:
            warnings.append(str(record))
    if not papers and not skipped:
        warnings.append(f"{f}: no records")
    report = FileReport(f, fmt.value, len(papers), tuple(skipped), tuple(warnings))
    return _FileRead(papers, profiles, names, report)


def _skipped(f: str, err: IngestError) -> str:
    """The warning for a file found in a folder that is not read: `<file>[:<line>]: skipped: <why>`."""
    if isinstance(err, ParseError):
        return f"{err.path}:{err.line}: skipped: {err.reason}"
    return f"{f}: skipped: {str(err).removeprefix(f + ': ')}"


# (files done, files in all, records read so far): called after each file.
FileProgress = Callable[[int, int, int], None]


def ingest(
    paths: Sequence[str | Path], *, format: str | Format | None = None, strict: bool = False,
    progress: FileProgress | None = None, own: Sequence[str | Path] = (),
) -> IngestResult:
    """Read every listing in `paths` (files or folders), merge the records of the same paper, and
    report what was read, skipped and merged. Papers come back sorted by id. `progress` hears of every
    file read, with the number of paper records read so far (before merging). `own`: files of our own
    JSON Lines (a build directory's records), read as such whatever `format` forces on the listings."""
    listed = _expand([*paths, *own])
    ours = {str(Path(p)) for p in own}
    if not listed:
        raise IngestError(f"no files to read in {', '.join(map(str, paths)) or '(no paths)'}")
    files = [f for f, _ in listed]
    forced = parse_format(format)
    named = dict(listed)
    formats: dict[str, Format | None] = {}
    unknown: dict[str, str] = {}
    for f, explicit in listed:
        try:
            if _is_empty(f):
                formats[f] = None
                continue
            formats[f] = Format.JSONL if f in ours else forced or detect_format(f)
        except IngestError as err:
            # A folder may hold other files (a README beside the listings, an image, a binary): those
            # are reported and passed over; a file the user named must be a listing.
            if explicit or strict:
                raise
            formats[f] = None
            unknown[f] = _skipped(f, err)
    # Compact listings glue titles to author lists; names seen in the other files help split them,
    # so those files are read first.
    order = sorted(files, key=lambda f: formats[f] is Format.COMPACT)
    papers: list[Paper] = []
    profiles: set[Profile] = set()
    known: set[str] = set()
    reports: dict[str, FileReport] = {}
    for done, f in enumerate(order):
        if progress is not None:
            progress(done, len(order), len(papers))
        fmt = formats[f]
        if f in unknown:
            reports[f] = FileReport(f, None, 0, (), (unknown[f],))
            continue
        if fmt is None:
            if strict:
                raise ParseError(f, 1, "empty file")
            reports[f] = FileReport(f, None, 0, (), (f"{f}: empty file",))
            continue
        try:
            read = _read_file(f, fmt, frozenset(known), strict)
        except IngestError as err:
            # Binary or undecodable past the part detection peeked at: the file is passed over whole
            # (as if detection had seen it), so what is built never depends on where the bad byte sits.
            if named[f] or strict:
                raise
            reports[f] = FileReport(f, None, 0, (), (_skipped(f, err),))
            continue
        papers += read.papers
        profiles.update(read.profiles)
        known.update(read.known)
        reports[f] = read.report
    if progress is not None:
        progress(len(order), len(order), len(papers))
    # The same record read twice, source line and all (a file named twice, or a build's records.jsonl
    # beside the listing it came from), is one record: merging it with itself would only add noise.
    papers = list(dict.fromkeys(papers))
    merged, merges = merge_papers(papers)
    report = IngestReport(tuple(reports[f] for f in files), merges, len(merged))
    return IngestResult(merged, tuple(sorted(profiles, key=lambda p: (p.name, p.source))), report,
                        records=tuple(papers))
