"""Author names: a display form, a matching key, and the shape test the compact-listing splitter uses.

Two spellings of one person (`K.V. Rashmi`, `K. V. Rashmi`, `Aditya K Kamath`/`Aditya K. Kamath`,
`Ozgur`/`Özgür`) get one key; two different full names never do, because the key keeps every token
of the name (only case, accents, dots and hyphens are dropped).
"""

from __future__ import annotations

import re
import unicodedata

from kg.ingest.text import latex_accents, normalize_space

_INITIALS_RE = re.compile(r"\b([A-Z])\.(?=[A-Z]\b|[A-Z]\.)")
_PARTICLES = frozenset(
    "von van der den de del della da di du la le bin al dos das y ten ter zu af".split()
)
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})
# Capitalised prefixes that legitimately carry an inner capital (McDonald, DeWitt, LeCun, O'Brien).
INNER_CAPITAL_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Le", "La", "Van", "Von", "O'", "O’", "D'", "Fitz")


def normalize_author(name: str) -> str:
    """Display form: NFC, LaTeX accents resolved, braces dropped, whitespace collapsed, run-together
    initials spaced (`K.V. Rashmi` -> `K. V. Rashmi`)."""
    text = latex_accents(name).replace("{", "").replace("}", "")
    text = normalize_space(unicodedata.normalize("NFC", text))
    text = _INITIALS_RE.sub(r"\1. ", text)
    return normalize_space(text)


def author_key(name: str) -> str:
    """Matching key: case, accents, dots, hyphens and spacing dropped; every name token kept."""
    text = unicodedata.normalize("NFKD", normalize_author(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("ı", "i").replace("ł", "l").replace("ø", "o").replace("ß", "ss")
    return " ".join("".join(ch if ch.isalnum() or ch == "'" else " " for ch in text).split())


# One romanized Korean or Chinese syllable (Hyouk, Joong, Jong, Xiao, Ming): an optional initial, one
# to three vowels (with a y/w glide), an optional final. English words (Speed, John, Flash) do not fit,
# which is what lets a compact given name (`HyoukJoong Lee`) be told from a title word glued to a name.
_SYLLABLE = re.compile(r"(?:[cksz]h|kk|tt|pp|ss|jj|[bcdfghjklmnpqrstwxz])?[yw]?[aeiou]{1,3}(?:ng|[nmklpt])?")


def _compact_given(token: str) -> bool:
    """`HyoukJoong`, `JongHyun`, `XiaoMing`: two capitalised syllables written as one word."""
    parts = re.fullmatch(r"([A-Z][a-z]+)([A-Z][a-z]+)", token)
    return bool(parts) and all(_SYLLABLE.fullmatch(p.lower()) for p in parts.groups())


def _is_word(token: str) -> bool:
    """`Chen`, `Chien-Yu`, `O'Brien`, `McDonald`, `Müller`."""
    parts = token.split("-")
    if any(not p for p in parts):
        return False
    for i, part in enumerate(parts):
        if not part[0].isupper() and not (i > 0 and part[0].islower()):
            return False
        rest = part[1:]
        if all(ch.islower() or ch in "'’" for ch in rest):
            continue
        if not any(
            part.startswith(prefix) and len(part) > len(prefix) + 1 and part[len(prefix)].isupper()
            and all(ch.islower() for ch in part[len(prefix) + 1 :])
            for prefix in INNER_CAPITAL_PREFIXES
        ):
            return False
    return len(token) >= 2 or token.isupper()


def _is_initial(token: str) -> bool:
    """`H.`, `K`, `K.V.`, `J.-P.`, `Md.`."""
    if re.fullmatch(r"[^\W\d_]\.?", token) and token[0].isupper():
        return True
    if re.fullmatch(r"(?:[^\W\d_]\.-?){2,3}", token) and token[0].isupper():
        return True
    return bool(re.fullmatch(r"[^\W\d_][^\W\d_]{1,2}\.", token)) and token[0].isupper() and token[1:-1].islower()


# The longest of the 25,720 author names in the seed and corpus listings has 39 characters; a longer
# "name" is a title fragment. The bound also keeps splitting a long compact line linear in its length.
MAX_NAME_CHARS = 100


def name_shape(name: str) -> bool:
    """Does `name` look like one person's name: 2-5 tokens, each a capitalised word, an initial or a
    particle (`von`), the last a capitalised word or a suffix (`Jr.`), at most MAX_NAME_CHARS long."""
    if len(name) > MAX_NAME_CHARS:
        return False
    tokens = name.split()
    if not 2 <= len(tokens) <= 5:
        return False
    if tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
        if len(tokens) < 2:
            return False
    if not _is_word(tokens[-1]) or len(tokens[-1]) < 2:
        return False
    if tokens[0] in _PARTICLES:
        return False
    return all(_is_word(t) or _is_initial(t) or t in _PARTICLES or _compact_given(t) for t in tokens[:-1])
