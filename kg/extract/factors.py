"""Factors and metrics: `2.1x higher throughput`, `by up to 3.2x`.

Pure functions over plain strings; every one returns character offsets into the text it was given,
so evidence can always be sliced back out of the abstract."""

from __future__ import annotations

import re

from kg.extract.tokens import lower_same_length

# --- factors and metrics --------------------------------------------------------------------------

_NUM = r"\d+(?:[.,]\d+)?"
FACTOR = re.compile(
    r"(?:(?:up to|by up to|by|an average of|on average|average of|over|nearly|about|roughly|around|"
    r"a|as much as)\s+)?"
    r"(?:" + _NUM + r"\s*(?:x|\u00d7|times|%|\\%| percent)?\s*(?:-|\u2013|to|~)\s*)?"
    + _NUM + r"\s*(?:x|\u00d7|times|%|\\%| percent)(?![a-z])"
    r"|(?:(?:up to|by|about)\s+)?(?:one|an|two|three)\s+orders? of magnitude",
    re.I,
)
# Metric words, and the name each is reported under (`time-to-first-token` is `ttft`).
METRICS = {
    "goodput": "goodput", "throughput": "throughput", "latency": "latency", "tail latency": "tail latency",
    "speedup": "speedup", "memory": "memory", "cost": "cost", "energy": "energy", "accuracy": "accuracy",
    "utilization": "utilization", "slo attainment": "slo attainment", "request rate": "request rate",
    "makespan": "makespan", "jct": "jct", "job completion time": "jct", "ttft": "ttft",
    "time-to-first-token": "ttft", "time to first token": "ttft", "tpot": "tpot",
    "time-per-output-token": "tpot", "time per output token": "tpot", "qoe": "qoe", "bandwidth": "bandwidth",
    "runtime": "runtime", "training time": "training time", "convergence": "convergence",
    "memory footprint": "memory", "energy consumption": "energy", "inference time": "latency",
    "tbt": "tbt", "time between tokens": "tbt", "time-between-tokens": "tbt", "speed up": "speedup",
    "speed-up": "speedup", "faster": "speedup", "slower": "speedup",
}
# A metric word followed by one of these is a constraint the result holds under ("throughput within
# desired latency SLOs"), not what the factor measures.
_CONSTRAINT_AFTER = re.compile(r"\s*(?:SLOs?|targets?|constraints?|budgets?|requirements?|bounds?)\b", re.I)
_METRIC = re.compile(r"\b(" + "|".join(sorted((re.escape(m) for m in METRICS), key=len, reverse=True)) + r")\b",
                     re.I)
_METRIC_WORDS = tuple(sorted({m.split()[0].split("-")[0] for m in METRICS}))
_DIGIT = re.compile(r"\d")
# Scraped LaTeX writes `3.2\times` as `3.2times`, glued to the number.
_TIMES = re.compile(r"(\d)\s*(?:times|\u00d7|x)(?![a-z])", re.I)
_PERCENT = re.compile(r"(\d)\s*(?:\\%|%| percent)")
_LEAD_WORDS = re.compile(r"^(?:by|a)\s+", re.I)


def normalize_factor(raw: str) -> str:
    """The factor as reported: `3.2times` and `3.2 \u00d7` -> `3.2x`, `2-4times` -> `2-4x`, `5\\%` -> `5%`,
    and without a leading `by` or article (`by up to 3.2x` -> `up to 3.2x`, `a 4.3x` -> `4.3x`)."""
    f = " ".join(raw.split())
    f = _TIMES.sub(r"\1x", f)
    f = _PERCENT.sub(r"\1%", f)
    f = re.sub(r"(\d)\s*(-|\u2013|~)\s*(?=\d)", r"\1\2", f)
    while True:
        g = _LEAD_WORDS.sub("", f)
        if g == f:
            return f
        f = g


# A number with its unit: every factor except "orders of magnitude" ends with one. `factors` looks for
# these first (a digit is a cheap place to start) and only then matches `FACTOR` in a short window.
_NUM_UNIT = re.compile(r"\d\d*(?:[.,]\d+)?\s*(?:[xX]|\u00d7|[Tt]imes|TIMES|%|\\%| [Pp]ercent)(?![a-zA-Z])")


# "reduces the error to 14%", "keeps memory below 6%" state a level, not a factor (unlike "by 14%" or
# "to 14% of ...").
_TO_LEVEL = re.compile(r"(?<![Uu]p )(?<![Cc]lose )\b(?:to|below|under|within)\s+$")
_OF_AFTER = re.compile(r"\s+of\b")


def _is_level(text: str, m: re.Match[str]) -> bool:
    return (m.group(0).rstrip().endswith(("%", "percent")) and _TO_LEVEL.search(text, max(0, m.start() - 9), m.start())
            is not None and _OF_AFTER.match(text, m.end()) is None)


def factors(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Stated factors in `text[start:end]`: `12x`, `up to 2.4x`, `1.5-2.8x`, `29-69%`, `36%`
    (normalised by `normalize_factor`); not a percentage reached "to" (a level: "reduces the error to
    14%")."""
    if "magnitude" in text[start:end]:
        found = list(FACTOR.finditer(text, start, end))
    else:
        found = []
        last = start
        for u in _NUM_UNIT.finditer(text, start, end):
            if u.start() < last:
                continue
            # The factor that ends with this number starts at most five words before it: the leftmost
            # word start from which `FACTOR` matches up to the number's end.
            lo = max(last, u.start() - 40)
            cands = [j for j in range(lo, u.start() + 1)
                     if text[j].isalnum() and (j == 0 or not text[j - 1].isalnum())][-6:]
            for c in cands:
                m = FACTOR.match(text, c, u.end())
                if m is not None and m.end() == u.end():
                    found.append(m)
                    last = m.end()
                    break
    return [(m.start(), m.end(), normalize_factor(m.group(0))) for m in found if not _is_level(text, m)]


_CLAUSE_BREAK = re.compile(r";|\band\b|\bwhile\b|\bwhereas\b")


def _metric_matches(text: str, start: int, end: int, low: str) -> list[re.Match[str]]:
    """`_METRIC` matches in `text[start:end]` (`low`: that slice lower-cased), tried only where one of the
    metric words starts."""
    starts = set()
    for w in _METRIC_WORDS:
        i = low.find(w)
        while i != -1:
            if i == 0 or not low[i - 1].isalnum():
                starts.add(i)
            i = low.find(w, i + 1)
    out = []
    last = start
    for i in sorted(starts):
        if start + i < last:
            continue
        m = _METRIC.match(text, start + i, end)
        if m is not None:
            out.append(m)
            last = m.end()
    return out


def metric_near(text: str, start: int, end: int, pos: int, pos_end: int | None = None) -> str | None:
    """The metric that the factor at `text[pos:pos_end]` refers to: the metric word of the sentence
    `text[start:end]` nearest to it (before its start or after its end) without a clause break
    (`;`, `, and`, ` and keeps`) in between; else the nearest one at all."""
    pos_end = pos if pos_end is None else pos_end
    best: tuple[int, int, str] | None = None
    low = lower_same_length(text[start:end])
    for m in _metric_matches(text, start, end, low):
        if _CONSTRAINT_AFTER.match(text, m.end()):
            continue
        if m.end() <= pos:
            gap, d = text[m.end():pos], pos - m.end()
        elif m.start() >= pos_end:
            gap, d = text[pos_end:m.start()], m.start() - pos_end
        else:
            gap, d = "", 0
        broken = 1 if _CLAUSE_BREAK.search(gap) else 0
        key = (broken, d, METRICS[m.group(1).lower()])
        if best is None or key[:2] < best[:2]:
            best = key
    return best[2] if best else None
