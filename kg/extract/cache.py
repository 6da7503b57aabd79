"""The extraction cache of a build directory: a rebuild re-extracts only new or changed papers and still
writes, byte for byte, what a clean build of all the papers writes.

Why a plain cache of final records by abstract would be wrong: a paper's record also depends on the
corpus-wide pass (`core.CorpusNames`, the names every paper introduces), so a new paper that introduces
`Zorb` changes the record of an old paper that mentions Zorb. `core.assemble` sees the corpus only through
`CorpusNames.find(text, starts)`; everything else it reads is the paper's own text and analysis. So each
entry keeps, besides the key of the paper's text:

- `intros`: the names the paper introduces (a pure function of its text), so that the corpus-wide names
  are rebuilt without analysing the cached papers again;
- `finds`: every question assemble asked the corpus (which text, which start positions) with a digest of
  the answer. A rebuild asks the new corpus the same questions: same answers, same record (assemble, the
  learned relabeler and the type table are deterministic functions of the paper and those answers);
  any other answer and the paper is extracted again (`affected`);
- `rec`: a digest of the paper's line in extractions.jsonl, which holds the record itself (not copied
  here: it would double the largest file of the build).

Where the entries and records come from different builds (a build killed between the two writes), or a
file is edited, cut or from another extractor, the digests disagree and the paper is simply extracted
again: a stale or broken cache costs time, never changes the output. The header names the extractor
version (`extractor_version`: our code and data files, the tagger weights, spaCy and the --model pipeline),
and the last line counts the entries and digests the lines before it, so a file that is not whole, or
that another version wrote, is ignored as a whole.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.atomic import write_atomic
from kg.model import Extraction, Paper

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from kg.extract.core import CorpusNames

CACHE_FILE = "extract-cache.jsonl"
FORMAT = 1
_KG = Path(__file__).resolve().parents[1]


def record_line(ex: Extraction) -> str:
    """The line of `ex` in extractions.jsonl: one definition, so that `rec` digests the written bytes."""
    return json.dumps(ex.to_dict(), ensure_ascii=False) + "\n"


def _digest(text: str) -> str:
    # surrogatepass: a lone surrogate from a JSON escape must not make hashing fail.
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def text_key(paper: Paper) -> str:
    """What a paper's extraction reads of it: its id (records carry it), title and abstract."""
    return _digest(json.dumps([paper.id, paper.title, paper.abstract]))


def _answer(found: Sequence[tuple[int, int, str, str]]) -> str:
    return _digest(ascii(found))


def extractor_version(tagger: str, nlp: Language | None = None) -> str:
    """A digest of everything an extraction depends on besides the paper: the code in kg/extract and
    kg/model.py, every file in kg/data (vocabularies, types, weights), the tagger (`learned`, `rules`,
    or the bytes of a weights file), Python's and spaCy's versions and the --model pipeline's meta. A
    cache from another version is ignored, so editing a vocabulary or switching --model re-extracts."""
    h = hashlib.blake2b(digest_size=16)
    try:
        spacy_version = metadata.version("spacy")
    except metadata.PackageNotFoundError:  # pragma: no cover - spaCy is a dependency
        spacy_version = "none"
    h.update(repr((FORMAT, sys.version_info[:2], spacy_version, tagger)).encode())
    files = [*sorted((_KG / "extract").glob("*.py")), _KG / "model.py",
             *sorted(p for p in (_KG / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts)]
    if tagger not in ("learned", "rules"):
        files.append(Path(tagger))
    for path in files:
        h.update(str(path.relative_to(_KG) if path.is_relative_to(_KG) else path).encode())
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0missing")  # a missing weights file fails the extraction itself, with its message
    if nlp is not None:
        meta = nlp.meta
        h.update(repr((meta.get("lang"), meta.get("name"), meta.get("version"), nlp.pipe_names)).encode())
    return h.hexdigest()


class Recorder:
    """Stands in for the `CorpusNames` passed to `core.assemble`: answers `find` from the real corpus
    and keeps each question with the digest of its answer. It has no other attribute on purpose: if
    assemble ever reads the corpus another way, the cache fails loudly instead of going stale."""

    __slots__ = ("corpus", "calls")

    def __init__(self, corpus: CorpusNames) -> None:
        self.corpus = corpus
        self.calls: list[tuple[str, list[int] | None, str]] = []

    def find(self, text: str, starts: list[int] | None = None) -> list[tuple[int, int, str, str]]:
        found = self.corpus.find(text, starts)
        self.calls.append((text, starts, _answer(found)))
        return found

    def questions(self, paper: Paper) -> list[list[Any]]:
        """The calls as plain data: [field, None, starts, answer] when the text is the paper's title or
        abstract (the usual case, nothing to store), else [None, text, starts, answer]."""
        fields = {paper.abstract or "": "abstract", paper.title or "": "title"}
        return [[fields.get(text), None if text in fields else text, starts, answer]
                for text, starts, answer in self.calls]


@dataclass(slots=True)
class Entry:
    key: str  # text_key of the paper
    rec: str  # digest of its extractions.jsonl line
    intros: list[list[Any]]  # [name, aliases] of each system it introduces
    finds: list[list[Any]]  # Recorder.questions
    line: str  # the entry as written (kept to write it back unchanged)


class ExtractCache:
    """The cache file `path` beside the build's records `records` (extractions.jsonl). `extract()` asks
    `reusable`, then `still_valid` once the corpus names are known, then `update`; the build then calls
    `write`. `new`, `affected` and `reused` count the papers of the last `update`."""

    def __init__(self, path: str | Path, records: str | Path, version: str) -> None:
        self.path, self.records, self.version = Path(path), Path(records), version
        self.ignored: str | None = None  # why the file on disk was not used, if it was not
        self.new = self.affected = self.reused = 0
        self._lines: list[str] = []

    def _read(self) -> dict[str, Entry]:
        """The entries by paper id; none when the file is missing, not whole, or another version's."""
        try:
            fh = self.path.open(encoding="utf-8")
        except OSError:
            return {}
        entries: dict[str, Entry] = {}
        h = hashlib.blake2b(digest_size=16)
        with fh:
            try:
                header = json.loads(fh.readline())
                if header != {"kg": "extract-cache", "format": FORMAT, "version": self.version}:
                    self.ignored = "written by another extractor version or --model"
                    return {}
                h.update(json.dumps(header).encode())
                trailer, n = None, 0
                for line in fh:
                    if line.startswith('{"end": '):
                        trailer = json.loads(line)
                        break
                    h.update(line.encode())
                    n += 1
                    d = json.loads(line)
                    entries[d["id"]] = Entry(str(d["key"]), str(d["rec"]), list(d["intros"]),
                                             list(d["finds"]), line)
                if trailer != {"end": n, "digest": h.hexdigest()} or fh.read():
                    self.ignored = "not whole (cut short or changed)"
                    return {}
            except (ValueError, KeyError, TypeError, AttributeError, UnicodeError):
                self.ignored = "not a kg extraction cache"
                return {}
        return entries

    def reusable(self, papers: Sequence[Paper]) -> dict[int, tuple[Entry, Extraction]]:
        """Index -> (entry, record) for the papers whose text is unchanged and whose record is still the
        line that the entry digests; the corpus-wide check (`still_valid`) comes later."""
        entries = self._read()
        wanted: dict[str, int] = {}
        for i, p in enumerate(papers):
            e = entries.get(p.id)
            if e is not None and e.key == text_key(p):
                wanted[e.rec] = i
        out: dict[int, tuple[Entry, Extraction]] = {}
        if not wanted:
            return out
        try:
            with self.records.open(encoding="utf-8") as fh:
                for line in fh:
                    i = wanted.get(_digest(line))
                    if i is None:
                        continue
                    ex = Extraction.from_dict(json.loads(line))
                    if ex.id == papers[i].id:
                        out[i] = (entries[papers[i].id], ex)
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # records unreadable: extract everything, as with no cache
        return out

    @staticmethod
    def still_valid(entry: Entry, paper: Paper, corpus: CorpusNames) -> bool:
        """The new corpus gives every answer the paper's record was built from."""
        texts = {"abstract": paper.abstract or "", "title": paper.title or ""}
        try:
            return all(_answer(corpus.find(texts[fld] if fld else text, starts)) == answer
                       for fld, text, starts, answer in entry.finds)
        except (KeyError, TypeError, ValueError):
            return False  # a malformed entry: extract the paper again

    def update(self, papers: Sequence[Paper], records: Sequence[Extraction],
               kept: dict[int, tuple[Entry, Extraction]], fresh: dict[int, tuple[Iterable[Sequence[Any]],
                                                                                  list[list[Any]]]]) -> None:
        """The entries of this build, in paper order: `kept` ones as they were, `fresh` ones (index ->
        (introduced names, Recorder.questions)) new."""
        lines = []
        for i, (p, ex) in enumerate(zip(papers, records)):
            if i in fresh:
                intros, finds = fresh[i]
                d = {"id": p.id, "key": text_key(p), "rec": _digest(record_line(ex)),
                     "intros": [[name, list(aliases)] for name, aliases, *_ in intros], "finds": finds}
                lines.append(json.dumps(d) + "\n")  # ASCII: any string survives the round trip
            else:
                lines.append(kept[i][0].line)
        self._lines = lines
        self.affected = len([i for i in fresh if i in kept])
        self.new = len(fresh) - self.affected
        self.reused = len(papers) - len(fresh)

    def write(self) -> None:
        """Write the entries of the last `update` atomically (temporary file, then rename)."""
        header = json.dumps({"kg": "extract-cache", "format": FORMAT, "version": self.version})
        h = hashlib.blake2b(header.encode(), digest_size=16)

        def chunks() -> Iterable[str]:
            yield header + "\n"
            for line in self._lines:
                h.update(line.encode())
                yield line
            yield json.dumps({"end": len(self._lines), "digest": h.hexdigest()}) + "\n"

        write_atomic(self.path, chunks())
