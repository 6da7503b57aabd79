"""The graph schema: node labels, edge types, their required properties, and node ids.

The graph is a `networkx.MultiDiGraph`. Every node has `type` (one of NODE_TYPES) and `name` (display
name); every edge has `type` (one of EDGE_TYPES). Edge keys are deterministic: the edge type, or
`TYPE|paper-id` for the system-citation edges, which exist once per paper that states them.
Attributes whose value is unknown are absent (never None), so every export format can hold them; list
values are lists of strings or ints.
"""

from __future__ import annotations

import re
import unicodedata

NODE_TYPES: dict[str, tuple[str, ...]] = {
    # label: required properties (beyond `type` and `name`)
    "Author": (),
    "Paper": ("title", "has_code", "abstract", "sources"),
    "System": ("aliases",),
    "Technique": ("key", "discovered"),
    "Model": ("aliases",),
    "Hardware": ("aliases",),
    "Dataset": ("aliases",),
    # A named workload or performance suite (MLPerf, TPC-H, YCSB): neither a system nor a dataset.
    "Benchmark": ("aliases",),
    "Organization": (),
    "Category": (),
}

# Optional properties, listed so sinks that need a fixed table schema (the embedded engine, CSV
# headers) know every column. Type names: STRING, INT64, DOUBLE, BOOL, STRING[].
NODE_PROPERTIES: dict[str, dict[str, str]] = {
    "Author": {"name": "STRING", "h_index": "INT64", "paper_count": "INT64", "citations": "INT64",
               "novelty": "INT64", "ai_score": "INT64", "profile_category": "STRING", "profile": "BOOL"},
    "Paper": {"name": "STRING", "title": "STRING", "year": "INT64", "month": "INT64", "day": "INT64",
              "category": "STRING", "has_code": "BOOL", "org": "STRING", "abstract": "STRING",
              "sources": "STRING[]", "arxiv_id": "STRING", "authors_truncated": "BOOL"},
    "System": {"name": "STRING", "aliases": "STRING[]", "homonym_of": "STRING", "split_reason": "STRING"},
    "Technique": {"name": "STRING", "key": "STRING", "parent": "STRING", "discovered": "BOOL",
                  "aliases": "STRING[]"},
    "Model": {"name": "STRING", "aliases": "STRING[]"},
    "Hardware": {"name": "STRING", "aliases": "STRING[]"},
    "Dataset": {"name": "STRING", "aliases": "STRING[]"},
    "Benchmark": {"name": "STRING", "aliases": "STRING[]"},
    "Organization": {"name": "STRING"},
    "Category": {"name": "STRING"},
}

_EVIDENCE = {"evidence": "STRING", "start": "INT64", "end": "INT64", "text": "STRING", "field": "STRING"}
_RELATION = {"paper": "STRING", "factor": "STRING", "metric": "STRING", **_EVIDENCE}

# type: (allowed (source label, target label) pairs, required properties, all properties)
EDGE_TYPES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...], dict[str, str]]] = {
    "AUTHORED": ((("Author", "Paper"),), ("position", "inferred"), {"position": "INT64", "inferred": "BOOL"}),
    "CO_AUTHOR": ((("Author", "Author"),), ("weight", "papers"), {"weight": "INT64", "papers": "STRING[]"}),
    "INTRODUCES": ((("Paper", "System"), ("Paper", "Technique")), ("evidence", "start", "end"), _EVIDENCE),
    "MENTIONS": (
        (("Paper", "System"), ("Paper", "Model"), ("Paper", "Hardware"), ("Paper", "Dataset"),
         ("Paper", "Benchmark")),
        ("evidence", "start", "end"),
        _EVIDENCE,
    ),
    "USES": ((("Paper", "Technique"),), ("evidence", "start", "end"), _EVIDENCE),
    # The system-citation graph. The source is the system a paper introduces, or the paper itself
    # when it introduces none.
    "COMPARES_WITH": ((("System", "System"), ("Paper", "System")), ("evidence", "paper"), _RELATION),
    "BUILDS_ON": ((("System", "System"), ("Paper", "System")), ("evidence", "paper"), _RELATION),
    "INTEGRATES_INTO": ((("System", "System"), ("Paper", "System")), ("evidence", "paper"), _RELATION),
    "IN_CATEGORY": ((("Paper", "Category"),), (), {}),
    # A listing's organisation tag (` · uw`, ` · openai, uw`) describes the author list as a whole, not one
    # author, so the edge starts at the paper.
    "AFFILIATED_WITH": ((("Paper", "Organization"),), (), {}),
    "SUBTOPIC_OF": ((("Technique", "Technique"),), (), {}),
    # A version or product of a known system, kept as its own entity (FlashAttention-2 -> FlashAttention).
    "VARIANT_OF": ((("System", "System"), ("Model", "Model")), (), {}),
}

CITATION_EDGES = ("COMPARES_WITH", "BUILDS_ON", "INTEGRATES_INTO")

ID_PREFIX = {
    "Author": "author",
    "Paper": "paper",
    "System": "system",
    "Technique": "technique",
    "Model": "model",
    "Hardware": "hardware",
    "Dataset": "dataset",
    "Benchmark": "benchmark",
    "Organization": "org",
    "Category": "category",
}

_NON_WORD = re.compile(r"[^\w.+#]+")


def slug(name: str) -> str:
    """A stable, readable key for a name: NFKC, case-folded, accents dropped, runs of other characters
    replaced by `-`. `vLLM` -> `vllm`, `K. V. Rashmi` -> `k.-v.-rashmi`, `GPT-4` -> `gpt-4`."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("'", "").replace("\u2019", "")
    return _NON_WORD.sub("-", text).strip("-.") or "_"


def node_id(label: str, key: str) -> str:
    """`node_id("System", "vllm")` -> `system:vllm`. `key` is used as is (already a slug or paper id)."""
    return f"{ID_PREFIX[label]}:{key}"


def edge_key(edge_type: str, paper: str | None = None) -> str:
    return f"{edge_type}|{paper}" if paper and edge_type in CITATION_EDGES else edge_type


def loose_key(name: str) -> str:
    """Case-, accent-, punctuation- and possessive-insensitive key for matching names:
    `FlashInfer's` -> `flashinfer`, `Bag-Pipe` -> `bagpipe`."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"['\u2019]s\b", "", text)
    return "".join(ch for ch in text if ch.isalnum())
