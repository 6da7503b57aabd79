"""Ingest: paper listings in any supported format -> merged `Paper` records with provenance.

    from kg.ingest import ingest, write_jsonl
    result = ingest(["listings/"])
    write_jsonl(result.papers, "papers.jsonl", profiles=result.profiles)
"""

from kg.ingest.core import expand_paths, ingest, read_records
from kg.ingest.formats import Format, detect_format
from kg.ingest.jsonl import write_jsonl
from kg.ingest.merge import merge_papers, similarity
from kg.ingest.names import author_key, normalize_author
from kg.ingest.records import Warn
from kg.ingest.summary import summary_lines

__all__ = [
    "Format",
    "Warn",
    "author_key",
    "detect_format",
    "expand_paths",
    "ingest",
    "merge_papers",
    "normalize_author",
    "read_records",
    "similarity",
    "summary_lines",
    "write_jsonl",
]
