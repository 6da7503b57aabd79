"""Text clean-up shared by the parsers: whitespace, LaTeX accents and the bits of LaTeX math that
abstracts carry (`$7.7\\times$`, `\\%`, `$\\sim$`), made readable without touching decimals or URLs."""

from __future__ import annotations

import re
import unicodedata

# Combining marks for LaTeX accent commands.
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ",
}
_SYMBOLS = {
    "times": "×", "sim": "~", "approx": "≈", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "ne": "≠", "ll": "≪", "gg": "≫", "pm": "±", "cdot": "·", "cdots": "⋯", "ldots": "…", "dots": "…",
    "infty": "∞", "rightarrow": "→", "to": "→", "leftarrow": "←", "Rightarrow": "⇒", "in": "∈",
    "propto": "∝", "sqrt": "√", "sum": "∑", "prod": "∏", "partial": "∂", "nabla": "∇", "circ": "∘",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "ell": "ℓ", "log": "log", "exp": "exp",
    "max": "max", "min": "min", "top": "⊤", "textasciitilde": "~", "textbackslash": "\\",
    "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘", "S": "§",
    "copyright": "©", "dag": "†", "ddag": "‡", "LaTeX": "LaTeX", "TeX": "TeX",
}
# Commands whose braced argument is kept and the command dropped.
_WRAPPERS = (
    "textbf", "textit", "emph", "textrm", "texttt", "textsc", "textsf", "text", "mathrm", "mathbf",
    "mathit", "mathcal", "mathsf", "mathtt", "mathbb", "operatorname", "url", "mbox", "hbox", "textnormal",
    "underline", "boldsymbol", "bm",
)

_ACCENT_RE = re.compile(
    r"""\{?\\(?P<cmd>["'`^~=.]|[uvHckrdb](?![A-Za-z]))\s*(?:\{\s*(?P<arg1>\\?[A-Za-z])\s*\}|(?P<arg2>\\?[A-Za-z]))\}?"""
)
_LETTER_RE = re.compile(r"\{?\\(?P<cmd>ss|aa|AA|ae|AE|oe|OE|o|O|l|L|i|j)(?![A-Za-z])\s*(?:\{\})?\}?")
_WRAP_RE = re.compile(r"\\(?:" + "|".join(_WRAPPERS) + r")\s*\{([^{}]*)\}")
_ESCAPED_RE = re.compile(r"\\([%&#_$])")
_SYMBOL_RE = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\s?")
_MATH_RE = re.compile(r"\$([^$]{1,300}?)\$")
_WS_RE = re.compile(r"\s+")


# Terminal escape sequences (`ESC[31m`) and every other control character but whitespace: they make
# GraphML/GEXF invalid XML, break the embedded engine's loader and reach a reader's terminal raw.
_CONTROL_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalize_space(text: str) -> str:
    """Whitespace collapsed, and control characters and terminal escapes removed."""
    return _WS_RE.sub(" ", _CONTROL_RE.sub("", text)).strip()


def _accent(match: re.Match[str]) -> str:
    cmd = match.group("cmd")
    base = match.group("arg1") or match.group("arg2") or ""
    if base.startswith("\\"):
        # `\'{\i}` is an accented i: the dotless form only exists to carry the accent.
        base = {"i": "i", "j": "j"}.get(base[1:]) or _LETTERS.get(base[1:], base[1:])
    if not base:
        return match.group(0)
    return unicodedata.normalize("NFC", base + _ACCENTS[cmd])


def latex_accents(text: str) -> str:
    """`{\\"u}`, `\\"{u}`, `\\'e`, `{\\c c}`, `\\ss` -> unicode (NFC)."""
    if "\\" not in text:
        return text
    text = _ACCENT_RE.sub(_accent, text)
    text = _LETTER_RE.sub(lambda m: _LETTERS[m.group("cmd")], text)
    return unicodedata.normalize("NFC", text)


def _math(match: re.Match[str]) -> str:
    body = match.group(1)
    # `$5 and $10` is money, not math: real inline math has a command, a script or no spaces.
    if not any(ch in body for ch in "\\^_{}") and " " in body.strip():
        return match.group(0)
    body = _THIN_RE.sub(lambda m: "" if m.group(1) == "!" else " ", body)
    body = _SYMBOL_RE.sub(_math_symbol, body)
    body = re.sub(r"([\^_])\{([^{}]*)\}", r"\1\2", body)
    body = body.replace("{", "").replace("}", "")
    return body.strip()


def _math_symbol(match: re.Match[str]) -> str:
    name = match.group(1)
    if name not in _SYMBOLS:
        return match.group(0)
    # Relations read better spaced (`a ≪ b`); operators stay glued to numbers (`7.7×`).
    return f" {_SYMBOLS[name]} " if name in _SPACED else _SYMBOLS[name]


_THIN_RE = re.compile(r"\\([,;:! ])")
_SPACED = {"ll", "gg", "leq", "le", "geq", "ge", "approx", "neq", "ne", "in", "propto", "rightarrow", "to"}


def latex_to_text(text: str) -> str:
    """Readable text from the LaTeX an abstract or title may carry; plain text passes unchanged."""
    if "\\" not in text and "$" not in text:
        return text
    text = latex_accents(text)
    for _ in range(3):  # nested wrappers: \textbf{\emph{x}}
        new = _WRAP_RE.sub(r"\1", text)
        if new == text:
            break
        text = new
    text = _MATH_RE.sub(_math, text)
    text = _ESCAPED_RE.sub(r"\1", text)
    text = _THIN_RE.sub(lambda m: "" if m.group(1) == "!" else " ", text)
    text = _SYMBOL_RE.sub(lambda m: _SYMBOLS[m.group(1)] + (m.group(0)[-1] if m.group(0)[-1].isspace() else "")
                          if m.group(1) in _SYMBOLS else m.group(0), text)
    return text


def clean_text(text: str) -> str:
    """Whitespace collapsed, LaTeX made readable, unicode NFC."""
    return normalize_space(unicodedata.normalize("NFC", latex_to_text(text)))
