"""Text before matching: LaTeX masking, token classes, sentence spans.

Pure functions over plain strings; every one returns character offsets into the text it was given,
so evidence can always be sliced back out of the abstract."""

from __future__ import annotations

import re
from collections.abc import Sequence

# --- text normalisation ---------------------------------------------------------------------------

# LaTeX commands are replaced by spaces of the same length (not removed) so that every offset found in
# the masked text is still an offset into the original abstract.
_LATEX_CMD = re.compile(r"\\(?:textbf|textit|emph|texttt|mathrm|text|mathbf|textsc|underline)\{")
_LATEX_TIMES = re.compile(r"\$?\s*\\times\s*\$?|\$")


def mask_latex(text: str) -> str:
    """Same-length copy of `text` with LaTeX markup blanked: `\\textbf{DDO}` -> `        DDO `,
    `$7.7\\times$` -> `7.7x     `, a bare macro `\\HyperRouter` -> ` HyperRouter`."""
    if "\\" not in text and "$" not in text and "{" not in text:
        return text
    chars = list(text)
    for m in _LATEX_TIMES.finditer(text):
        s, e = m.span()
        fill = [" "] * (e - s)
        if "times" in m.group(0):
            # `\times` after a number is the factor sign: keep one `x` right after the number.
            fill[0] = "x"
        chars[s:e] = fill
    for m in _LATEX_CMD.finditer(text):
        s, e = m.span()
        chars[s:e] = [" "] * (e - s)
        close = text.find("}", e)
        if close != -1:
            chars[close] = " "
    out = "".join(chars)
    out = re.sub(r"[{}]", " ", out)
    return out.replace("\\", " ")


# --- candidate tokens ----------------------------------------------------------------------------

# The patterns below are only tried where they can start: at tokens of the right class, found once per
# token text (memoised) instead of trying each pattern at every character of every abstract, which was
# most of the extraction time. Inside the spaCy pipeline the tokens come from the tokenizer, which has
# run anyway (see `components.ExtractComponent`); elsewhere from `word_tokens`.
CAP = 1  # has a capital: where a name introduced somewhere in the corpus may start
GAZ = 2  # first word of a case-sensitive vocabulary entry (`Gazetteer`)
GAZ_CI = 64  # first word of a case-insensitive vocabulary entry
MODEL = 128  # first word of a model family (`ResNet` of `ResNet-50`)
NAME = 4  # may start a coined name (`_NAMEISH`)
INTRO = 8  # may start `_INTRO` or `_OUR`
NAMING = 16  # may start `_NAMING`
NOVEL = 32  # the keyword of `_NOVEL_APPOSITIVE`
PART = 256  # the verb of `_PART_VERB` ("MemServe introduces MemPool, an ...")
_INTRO_WORDS = frozenset({"we", "this", "in", "our", "the"})
_NAMING_WORDS = frozenset({"called", "named", "dubbed", "termed", "coined", "we", "which", "namely", "refer",
                           "key"})
_NOVEL_WORDS = frozenset({"novel", "new"})
_PART_WORDS = frozenset({"introduces", "features", "builds", "adds", "develops", "designs", "incorporates",
                         "proposes", "employs"})
WORD_RUN = re.compile(r"\w*")
_WORD_TOKEN = re.compile(r"\w\w*")
# The main part of a coined name, as in `_NAMEISH`.
_NAME_MAIN = re.compile(r"[A-Za-z\u00b5\u03b1-\u03c9][a-z0-9]*[A-Z]|[A-Z][A-Z0-9]|[A-Z][a-z]*[0-9]")


def first_part(s: str) -> str:
    """The leading run of word characters: `GPT` of `GPT-4`, `vLLM` of `vLLM's`."""
    m = WORD_RUN.match(s)
    return m.group() if m else ""


class TokenClasses:
    """The classes (bit set of `CAP`, `GAZ`, ...) of a token text, memoised per token text.
    `cs_first`/`ci_first`/`model_first`: first parts of the case-sensitive / lower-cased vocabulary
    surfaces and of the model families, each also with a plural `s`/`es`."""

    def __init__(self, cs_first: frozenset[str], ci_first: frozenset[str],
                 model_first: frozenset[str] = frozenset()) -> None:
        self.cs_first = cs_first
        self.ci_first = ci_first
        self.model_first = model_first
        self.memo: dict[str, int] = {}

    def __call__(self, tok: str) -> int:
        b = self.memo.get(tok)
        if b is None:
            b = self.memo[tok] = self._classify(tok)
        return b

    def interesting(self, tok: str) -> bool:
        """The spaCy lexeme flag: whether the token belongs to any class."""
        return self(tok) != 0

    def _classify(self, tok: str) -> int:
        b = 0
        if not tok.islower() and any(c.isupper() for c in tok):
            b |= CAP
        head = first_part(tok)
        low = head.lower()
        if head in self.cs_first:
            b |= GAZ
        if low in self.ci_first:
            b |= GAZ_CI
        if head in self.model_first:
            b |= MODEL
        if _NAME_MAIN.match(head):
            b |= NAME
        if low in _INTRO_WORDS:
            b |= INTRO
        if low in _NAMING_WORDS:
            b |= NAMING
        if low in _NOVEL_WORDS:
            b |= NOVEL
        if low in _PART_WORDS:
            b |= PART
        return b

    def word_tokens(self, text: str) -> list[tuple[int, int]]:
        """(start, classes) of the classified words of `text`, without a tokenizer: runs of word
        characters (every name starts one)."""
        out = []
        known = self.memo.get
        for m in _WORD_TOKEN.finditer(text):
            w = m.group()
            b = known(w)
            if b is None:
                b = self(w)
            if b:
                out.append((m.start(), b))
        return out


def starts_of(tokens: list[tuple[int, int]], cls: int) -> list[int]:
    return [p for p, b in tokens if b & cls]


# --- sentences ------------------------------------------------------------------------------------

# Words that end with a period without ending the sentence.
_ABBREV = frozenset(
    "e.g i.e etc al vs cf fig figs eq eqs sec approx resp no nos dr prof mr ms inc ltd corp jr sr st "
    "vol pp ca ref refs tab esp incl viz".split()
)
# Two patterns, each starting with a literal character class so that `re` skips to candidates instead
# of trying three alternatives at every character.
# A sentence may also start with a coined name in lower case (`vAttention also ...`, `vLLM is ...`).
# Every pattern that is scanned (not only `match`ed) starts with a single character class, never a
# repeat (`[.!?][.!?]*`, not `[.!?]+`): only then does `re` skip ahead to candidate characters instead
# of trying the pattern at every position, three times faster here.
_BOUNDARY = re.compile(r"[.!?][.!?]*[\"')\]]*(?:(?=\s+[\"'(\[]?(?:[A-Z0-9$\\]|[a-z]+[A-Z]))|\s*$)")
_BREAK = re.compile(r"\n(?:\s*\n|(?=[A-Z]))")
_LETTERS_DOT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans `(start, end)` of `text`, whitespace trimmed, covering every non-blank character.

    A period ends a sentence only when whitespace and an upper-case letter, digit or `$` follow, and the
    word before it is not an abbreviation (`e.g.`, `et al.`, `vs.`, `Fig.`) or an initial (`K. V.`), so
    decimals (`1.4x`), URLs and version numbers stay inside their sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    ends = [m for m in _BOUNDARY.finditer(text)]
    if "\n" in text:
        ends += _BREAK.finditer(text)
        ends.sort(key=lambda m: m.start())
    for m in ends:
        end = m.end()
        if end <= start:
            continue
        p = m.start()
        if text[p] == ".":
            # The word before the period: the run of letters and dots (at most 12 characters) ending
            # there, starting with a letter.
            j = p
            lo = max(0, p - 12)
            while j > lo and text[j - 1] in _LETTERS_DOT:
                j -= 1
            while j < p and text[j] == ".":
                j += 1
            if j < p:
                word = text[j:p].rstrip(".").lower()
                if word in _ABBREV or (len(word) == 1 and text[j].isupper()):
                    continue
        _add_span(text, start, end, spans)
        start = end
    if start < n:
        _add_span(text, start, n, spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_of(spans: Sequence[Sequence[int]], pos: int) -> int:
    """Index of the sentence span that holds character `pos` (the last one starting at or before it)."""
    lo, hi = 0, len(spans) - 1
    best = 0
    while lo <= hi:
        mid = (lo + hi) // 2
        if spans[mid][0] <= pos:
            best = mid
            lo = mid + 1
        else:
            hi = mid - 1
    return best




def lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


_STOP = frozenset("a an the of for on in with to via and or is are be at by from towards toward as".split())
