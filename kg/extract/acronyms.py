"""Acronym definitions (Schwartz & Hearst 2003, simplified).

Pure functions over plain strings; every one returns character offsets into the text it was given,
so evidence can always be sliced back out of the abstract."""

from __future__ import annotations

import re

# --- acronym definitions (Schwartz & Hearst 2003, simplified) ---------------------------------------

_LONG_FORM = re.compile(r"(?:[A-Z][\w\-]*|and|of|for|the|with|via|to|in|on|a)(?:\s+(?:[A-Z][\w\-]*|and|of|for|the|"
                        r"with|via|to|in|on|a)){1,7}(?=\s*\()")
_PAREN = re.compile(r"\(([A-Za-z][\w\-+/]{0,14})\)")


def is_acronym_of(short: str, long: str) -> bool:
    """Schwartz-Hearst match: every letter/digit of `short`, right to left, appears in `long` in order,
    and the first one starts a word of `long`."""
    short = short.strip()
    if not (2 <= len(short) <= 12) or not any(c.isupper() for c in short) or " " in short:
        return False
    if len(long.split()) < 2 and "-" not in long:
        return False
    s = [c.lower() for c in short if c.isalnum()]
    lf = long.lower()
    li = len(lf) - 1
    for si in range(len(s) - 1, -1, -1):
        c = s[si]
        while li >= 0 and (lf[li] != c or (si == 0 and li > 0 and lf[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return False
        li -= 1
    return True


_ACR_WORD = re.compile(r"[\w][\w\-/']*")


def acronym_definitions(text: str) -> list[tuple[int, int, str, int, int, str]]:
    """`long form (SHORT)` pairs: (long_start, long_end, long, short_start, short_end, short).
    The long form is the shortest run of words before the parenthesis that the acronym explains."""
    out = []
    for m in _PAREN.finditer(text):
        short = m.group(1)
        if not any(c.isupper() for c in short):
            continue
        n_letters = sum(c.isalpha() for c in short)
        base = max(0, m.start() - 120)
        words = list(_ACR_WORD.finditer(text, base, m.start()))
        base = 0
        limit = min(len(words), n_letters + 5, 2 * n_letters)
        c0 = short[0].lower()
        initial = False
        for k in range(1, limit + 1):
            first = words[-k]
            # The acronym's first letter must start a word of the long form (`is_acronym_of`).
            initial = initial or text[first.start()].lower() == c0 or any(
                not text[j - 1].isalnum() and text[j].lower() == c0
                for j in range(first.start() + 1, first.end()))
            if not initial:
                continue
            long = text[base + first.start():base + words[-1].end()]
            if is_acronym_of(short, long):
                out.append((base + first.start(), base + words[-1].end(), long, m.start(1), m.end(1), short))
                break
    return out
