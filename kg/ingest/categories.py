"""arXiv category codes: listings print `LG`, `DC`, `OC`, `QUANT-PH`; records carry `cs.LG`, `math.OC`,
`quant-ph`. The mapping is data (kg/data/categories.jsonl), one entry per arXiv code with a stable id."""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "categories.jsonl"


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    by_short: dict[str, str] = {}
    by_code: dict[str, str] = {}
    with DATA_FILE.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            by_code[row["code"].casefold()] = row["code"]
            if row.get("short"):
                by_short[row["short"].casefold()] = row["code"]
    return by_short, by_code


def category_code(value: str | None) -> str | None:
    """`LG` -> `cs.LG`, `QUANT-PH` -> `quant-ph`, `cs.lg` -> `cs.LG`; None when the code is unknown."""
    if not value:
        return None
    key = value.strip().casefold()
    by_short, by_code = _tables()
    return by_code.get(key) or by_short.get(key)


def short_codes() -> tuple[str, ...]:
    """The short forms listings print, upper-cased, longest first (for gluing-aware parsing)."""
    by_short, _ = _tables()
    return tuple(sorted((s.upper() for s in by_short), key=lambda s: (-len(s), s)))
