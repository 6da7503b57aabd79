"""What the per-format readers yield besides papers: skipped entries and warnings, and the helpers
that build a single-source `Paper` and parse the listing conventions the web formats share."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.ingest.categories import category_code
from kg.ingest.names import normalize_author
from kg.model import AuthorRef, Paper, Source, paper_id

MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_ALT = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# `LGJan 30, 2025Code`, `DCMay 24Code`, `QUANT-PHJul 17, 2023`: category glued to the date, an
# optional `Code` flag glued to its end.
META_RE = re.compile(
    rf"^(?P<cat>[A-Z][A-Z-]*?)(?P<mon>{_MONTH_ALT})[a-z]*\.? ?(?P<day>\d{{1,2}})(?:, ?(?P<year>\d{{4}}))?"
    r"(?P<code>Code)?\s*$"
)
ET_AL_RE = re.compile(r",?\s+et\s+al\.?\s*$")
ORG_SEP = " · "


@dataclass(frozen=True, slots=True)
class Warn:
    """A problem that did not cost an entry (an unknown category code, an empty file)."""

    source: Source
    message: str

    def __str__(self) -> str:
        return f"{self.source.file}:{self.source.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class EntryMeta:
    category: str | None
    raw_category: str
    year: int | None
    month: int | None
    day: int | None
    has_code: bool


def parse_meta(line: str) -> EntryMeta | None:
    """The category+date(+Code) line, or None when `line` is not one."""
    m = META_RE.match(line.strip())
    if not m:
        return None
    month = MONTHS[m.group("mon").lower()]
    day = int(m.group("day"))
    if not 1 <= day <= 31:
        return None
    year = int(m.group("year")) if m.group("year") else None
    return EntryMeta(category_code(m.group("cat")), m.group("cat"), year, month, day, bool(m.group("code")))


def split_org(line: str) -> tuple[str, str | None]:
    """`A, B et al. · uw` -> (`A, B et al.`, `uw`)."""
    if ORG_SEP in line:
        head, _, org = line.rpartition(ORG_SEP)
        org = " ".join(org.split())
        return head, org or None
    return line, None


def split_et_al(line: str) -> tuple[str, bool]:
    """`A, B et al.` -> (`A, B`, True): what `ET_AL_RE` finds, read from the end of the line, because
    searching for it tries every start in a run of spaces and takes quadratic time on a long one."""
    rest = line.rstrip()
    rest = rest[:-1] if rest.endswith(".") else rest
    if not rest.endswith("al"):
        return line, False
    before_al = rest[:-2].rstrip()
    if len(before_al) == len(rest) - 2 or not before_al.endswith("et"):
        return line, False
    head = before_al[:-2].rstrip()
    if len(head) == len(before_al) - 2:
        return line, False
    return (head[:-1] if head.endswith(",") else head), True


def author_refs(names: list[str]) -> tuple[AuthorRef, ...]:
    return tuple(AuthorRef(normalize_author(n)) for n in names if normalize_author(n))


def make_paper(
    source: Source,
    *,
    title: str | None,
    abstract: str,
    authors: tuple[AuthorRef, ...] = (),
    authors_truncated: bool = False,
    year: int | None = None,
    month: int | None = None,
    day: int | None = None,
    category: str | None = None,
    has_code: bool = False,
    org: str | None = None,
    arxiv_id: str | None = None,
    profile_owners: tuple[str, ...] = (),
) -> Paper:
    return Paper(
        id=paper_id(arxiv_id=arxiv_id, title=title, abstract=abstract),
        title=title or None,
        authors=authors,
        authors_truncated=authors_truncated,
        year=year,
        month=month,
        day=day,
        category=category,
        has_code=has_code,
        org=org,
        abstract=abstract,
        sources=(source,),
        arxiv_id=arxiv_id,
        profile_owners=profile_owners,
    )


def mentions_code(text: str) -> bool:
    """A comment or note that points at released code (`Code: https://github.com/...`, `code is
    available at`)."""
    low = text.casefold()
    return bool(re.search(r"github\.com/|gitlab\.com/|code (?:is |will be )?(?:publicly )?(?:available|released)"
                          r"|source code|our code|code:", low))
