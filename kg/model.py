"""Typed records passed between the stages (ingest -> extract -> resolve -> graph).

Frozen dataclasses only: no spaCy or networkx object crosses a stage boundary. `to_dict`/`from_dict`
give the JSON Lines shape that `kg ingest -o` and `kg extract -o` write.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Source:
    """Where a record was read: a file and the 1-based line its entry starts on."""

    file: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line}


@dataclass(frozen=True, slots=True)
class AuthorRef:
    """One author of a paper, in listing order. `inferred`: not printed in the entry (e.g. a profile
    owner hidden behind `et al.`)."""

    name: str
    inferred: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "inferred": self.inferred}


@dataclass(frozen=True, slots=True)
class Profile:
    """The header of an author profile page: the owner and their metrics."""

    name: str
    category: str | None
    h_index: int | None
    papers: int | None
    citations: int | None
    novelty: int | None  # percent
    ai_score: int | None
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "h_index": self.h_index,
            "papers": self.papers,
            "citations": self.citations,
            "novelty": self.novelty,
            "ai_score": self.ai_score,
            "source": self.source.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Profile:
        return cls(
            name=d["name"],
            category=d.get("category"),
            h_index=d.get("h_index"),
            papers=d.get("papers"),
            citations=d.get("citations"),
            novelty=d.get("novelty"),
            ai_score=d.get("ai_score"),
            source=Source(**d["source"]),
        )


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper after ingest and merging. See README "Record" for the JSON shape."""

    id: str
    title: str | None
    authors: tuple[AuthorRef, ...] = ()
    authors_truncated: bool = False
    year: int | None = None
    month: int | None = None
    day: int | None = None
    category: str | None = None
    has_code: bool = False
    org: str | None = None
    abstract: str = ""
    sources: tuple[Source, ...] = ()
    arxiv_id: str | None = None
    # Names of the profile pages this paper was listed on (their owners wrote it).
    profile_owners: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "authors": [a.to_dict() for a in self.authors],
            "authors_truncated": self.authors_truncated,
            "year": self.year,
            "month": self.month,
            "day": self.day,
            "category": self.category,
            "has_code": self.has_code,
            "org": self.org,
            "abstract": self.abstract,
            "sources": [s.to_dict() for s in self.sources],
            "arxiv_id": self.arxiv_id,
            "profile_owners": list(self.profile_owners),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Paper:
        return cls(
            id=d["id"],
            title=d.get("title"),
            authors=tuple(AuthorRef(a["name"], bool(a.get("inferred", False))) for a in d.get("authors", [])),
            authors_truncated=bool(d.get("authors_truncated", False)),
            year=d.get("year"),
            month=d.get("month"),
            day=d.get("day"),
            category=d.get("category"),
            has_code=bool(d.get("has_code", False)),
            org=d.get("org"),
            abstract=d.get("abstract") or "",
            sources=tuple(Source(s["file"], int(s["line"])) for s in d.get("sources", [])),
            arxiv_id=d.get("arxiv_id"),
            profile_owners=tuple(d.get("profile_owners", [])),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence a mention or relation was read from; offsets index the paper's abstract
    (`abstract[start:end] == sentence`). `field` is "abstract" or "title" (offsets then index the title)."""

    sentence: str
    start: int
    end: int
    field: str = "abstract"

    def to_dict(self) -> dict[str, Any]:
        return {"sentence": self.sentence, "start": self.start, "end": self.end, "field": self.field}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        return cls(d["sentence"], int(d["start"]), int(d["end"]), d.get("field", "abstract"))


# Entity kinds an extraction can name. Techniques carry a taxonomy key; the rest a gazetteer key or None.
MENTION_KINDS = ("system", "model", "hardware", "dataset", "benchmark", "technique")
RELATION_TYPES = ("compares_with", "builds_on", "integrates_into")


@dataclass(frozen=True, slots=True)
class Mention:
    """A named thing in one paper. `name` is canonical (gazetteer/taxonomy name, or the introducing
    paper's spelling); `text` the surface form as written; `key` the data-file id when known."""

    name: str
    text: str
    kind: str
    evidence: Evidence
    key: str | None = None
    aliases: tuple[str, ...] = ()
    introduced: bool = False
    discovered: bool = False  # technique found by an acronym definition, not in the taxonomy
    parent: str | None = None  # technique taxonomy parent key

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "text": self.text}
        if self.introduced or self.aliases:
            d["aliases"] = list(self.aliases)
        if self.key is not None:
            d["key"] = self.key
        if self.kind == "technique":
            d["discovered"] = self.discovered
            d["parent"] = self.parent
        d["evidence"] = self.evidence.to_dict()
        return d


@dataclass(frozen=True, slots=True)
class Relation:
    """A typed link from a system the paper introduces (or the paper itself) to another system."""

    source: str
    type: str  # one of RELATION_TYPES
    target: str
    evidence: Evidence
    factor: str | None = None
    metric: str | None = None
    # "system": `source` is the canonical name of a system the paper introduces; "paper": the paper
    # introduces none and `source` is its id.
    source_kind: str = "system"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "source_kind": self.source_kind,
            "type": self.type,
            "target": self.target,
            "factor": self.factor,
            "metric": self.metric,
            "evidence": self.evidence.sentence,
            "start": self.evidence.start,
            "end": self.evidence.end,
            "field": self.evidence.field,
        }


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extracted from one paper."""

    id: str
    title: str | None
    systems_introduced: tuple[Mention, ...] = ()
    systems_mentioned: tuple[Mention, ...] = ()
    models: tuple[Mention, ...] = ()
    hardware: tuple[Mention, ...] = ()
    datasets: tuple[Mention, ...] = ()
    benchmarks: tuple[Mention, ...] = ()
    techniques: tuple[Mention, ...] = ()
    relations: tuple[Relation, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "systems_introduced": [m.to_dict() for m in self.systems_introduced],
            "systems_mentioned": [m.to_dict() for m in self.systems_mentioned],
            "models": [m.to_dict() for m in self.models],
            "hardware": [m.to_dict() for m in self.hardware],
            "datasets": [m.to_dict() for m in self.datasets],
            "benchmarks": [m.to_dict() for m in self.benchmarks],
            "techniques": [m.to_dict() for m in self.techniques],
            "relations": [r.to_dict() for r in self.relations],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Extraction:
        """The inverse of `to_dict` (a build directory's extractions.jsonl, read back to re-resolve)."""

        def mentions(field: str, kind: str, introduced: bool = False) -> tuple[Mention, ...]:
            return tuple(
                Mention(name=m["name"], text=m["text"], kind=kind, evidence=Evidence.from_dict(m["evidence"]),
                        key=m.get("key"), aliases=tuple(m.get("aliases", ())), introduced=introduced,
                        discovered=bool(m.get("discovered", False)), parent=m.get("parent"))
                for m in d.get(field, ()))

        return cls(
            id=d["id"], title=d.get("title"),
            systems_introduced=mentions("systems_introduced", "system", True),
            systems_mentioned=mentions("systems_mentioned", "system"),
            models=mentions("models", "model"), hardware=mentions("hardware", "hardware"),
            datasets=mentions("datasets", "dataset"), benchmarks=mentions("benchmarks", "benchmark"),
            techniques=mentions("techniques", "technique"),
            relations=tuple(
                Relation(source=r["source"], type=r["type"], target=r["target"],
                         evidence=Evidence(r["evidence"], int(r["start"]), int(r["end"]), r.get("field", "abstract")),
                         factor=r.get("factor"), metric=r.get("metric"), source_kind=r.get("source_kind", "system"))
                for r in d.get("relations", ())),
        )


@dataclass(frozen=True, slots=True)
class Skip:
    """An entry that was not read, and why."""

    source: Source
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.source.file, "line": self.source.line, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Merge:
    """Two records (or entities) that became one, and why."""

    kept: str
    merged: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"kept": self.kept, "merged": self.merged, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class FileReport:
    path: str
    format: str | None
    records: int
    skipped: tuple[Skip, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IngestReport:
    files: tuple[FileReport, ...]
    merges: tuple[Merge, ...]
    papers: int

    @property
    def records_read(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def skipped(self) -> tuple[Skip, ...]:
        return tuple(s for f in self.files for s in f.skipped)


@dataclass(frozen=True, slots=True)
class IngestResult:
    papers: tuple[Paper, ...]
    profiles: tuple[Profile, ...]
    report: IngestReport
    extra: dict[str, Any] = field(default_factory=dict)
    # Every record as read, before the records of one paper were merged: what a later build must merge
    # again with its new files, since which entries join a paper can depend on all the others.
    records: tuple[Paper, ...] = ()


_NOT_ALNUM = re.compile(r"[\W_]+")


def normalize_title(title: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form of a title, used for matching
    and for title-derived paper ids."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", title))
    if not text.isascii():
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # [\W_] is exactly "not str.isalnum()": every other character separates words.
    return _NOT_ALNUM.sub(" ", text.casefold()).strip()


def paper_id(*, arxiv_id: str | None = None, title: str | None = None, abstract: str | None = None) -> str:
    """The stable id of a paper: the arXiv id (without version) when known, else `t-` + 12 hex digits of
    the SHA-1 of the normalized title, else `a-` + the same of the normalized abstract. Never random."""
    if arxiv_id:
        return re.sub(r"v\d+$", "", arxiv_id.strip())
    if title and normalize_title(title):
        return "t-" + hashlib.sha1(normalize_title(title).encode()).hexdigest()[:12]
    if abstract is not None:
        return "a-" + hashlib.sha1(" ".join(abstract.casefold().split()).encode()).hexdigest()[:12]
    raise ValueError("a paper id needs an arXiv id, a title or an abstract")
