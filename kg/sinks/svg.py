"""Small SVG charts of our own: lines over periods with burst spans, and bars.

Written by hand rather than with matplotlib: the charts are two shapes, the output must be byte-stable
(matplotlib's SVG carries a date and random ids unless configured) and small enough to inline many of
them in one report, and kg would otherwise pull numpy, Pillow and fonttools into every install for
them. Every text goes through `xml.sax.saxutils` escaping; numbers are written with fixed precision.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

__all__ = ["PALETTE", "bar_chart", "line_chart"]

# Tableau 10, as the HTML views use: distinct in print and for most colour-blind readers.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac")
_FONT = "font-family='system-ui, sans-serif' font-size='11'"


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _nice_max(value: int) -> int:
    """The first 1, 2 or 5 times a power of ten at or above `value` (the top of the y axis)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def line_chart(periods: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
               spans: Sequence[tuple[int, int, int]] = (), *, title: str = "", width: int = 760,
               height: int = 340) -> str:
    """One line per (label, counts) over `periods`; `spans` (series index, first, last period index)
    are drawn as thick strokes on that series (its bursts). Returns a standalone `<svg>` element."""
    left, right, top, bottom = 44, 190, 28 if title else 12, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(periods)
    y_max = _nice_max(max((max(c) for _, c in series if len(c)), default=1))

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"viewBox='0 0 {width} {height}' role='img' aria-label={quoteattr(title or 'chart')}>"]
    if title:
        out.append(f"<text x='{left}' y='16' {_FONT} font-weight='bold'>{escape(title)}</text>")
    for k in range(5):  # horizontal grid lines and y labels
        v = y_max * k / 4
        out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{_num(y(v))}' y2='{_num(y(v))}' stroke='#e5e5e5'/>")
        out.append(f"<text x='{left - 6}' y='{_num(y(v) + 4)}' text-anchor='end' {_FONT}>{_num(v)}</text>")
    every = max(1, -(-n // 12))  # at most about 12 labels on the x axis
    for i, p in enumerate(periods):
        # The last period is labelled too, unless it would overlap the label before it.
        if i % every == 0 or (i == n - 1 and i % every >= max(2, every // 2 + 1)):
            out.append(f"<text x='{_num(x(i))}' y='{top + plot_h + 16}' text-anchor='middle' {_FONT}>{escape(p)}</text>")
    out.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{top + plot_h}' y2='{top + plot_h}' stroke='#888'/>")
    for s, (label, counts) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = " ".join(f"{_num(x(i))},{_num(y(v))}" for i, v in enumerate(counts))
        out.append(f"<polyline fill='none' stroke='{colour}' stroke-width='1.5' points='{points}'>"
                   f"<title>{escape(label)}</title></polyline>")
        ly = top + 4 + 16 * s
        out.append(f"<line x1='{left + plot_w + 12}' x2='{left + plot_w + 28}' y1='{ly}' y2='{ly}' "
                   f"stroke='{colour}' stroke-width='3'/>")
        out.append(f"<text x='{left + plot_w + 32}' y='{ly + 4}' {_FONT}>{escape(_short(label, 24))}</text>")
    for s, first, last in spans:
        if s >= len(series):
            continue
        counts = series[s][1]
        colour = PALETTE[s % len(PALETTE)]
        points = " ".join(f"{_num(x(i))},{_num(y(counts[i]))}" for i in range(first, last + 1))
        if first == last:  # a one-period burst: a dot, as a line of one point draws nothing
            out.append(f"<circle cx='{_num(x(first))}' cy='{_num(y(counts[first]))}' r='4' fill='{colour}'/>")
        else:
            out.append(f"<polyline fill='none' stroke='{colour}' stroke-width='5' stroke-opacity='0.55' "
                       f"points='{points}'/>")
    out.append(f"<text x='{left}' y='{height - 8}' {_FONT} fill='#666'>papers per period; "
               "thick: a burst (Kleinberg)</text>")
    out.append("</svg>")
    return "".join(out)


def bar_chart(bars: Sequence[tuple[str, int]], *, title: str = "", width: int = 760, bar_height: int = 18) -> str:
    """Horizontal bars, one per (label, value), in the given order."""
    left, top = 210, 28 if title else 8
    height = top + bar_height * len(bars) + 10
    top_value = max((v for _, v in bars), default=1) or 1
    plot_w = width - left - 60
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
           f"viewBox='0 0 {width} {height}' role='img' aria-label={quoteattr(title or 'chart')}>"]
    if title:
        out.append(f"<text x='8' y='16' {_FONT} font-weight='bold'>{escape(title)}</text>")
    for i, (label, value) in enumerate(bars):
        y0 = top + i * bar_height
        w = plot_w * value / top_value
        out.append(f"<text x='{left - 6}' y='{y0 + bar_height - 5}' text-anchor='end' {_FONT}>"
                   f"{escape(_short(label, 32))}</text>")
        out.append(f"<rect x='{left}' y='{y0 + 2}' width='{_num(w)}' height='{bar_height - 4}' fill='{PALETTE[0]}'>"
                   f"<title>{escape(label)}: {value}</title></rect>")
        out.append(f"<text x='{_num(left + w + 4)}' y='{y0 + bar_height - 5}' {_FONT}>{value}</text>")
    out.append("</svg>")
    return "".join(out)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
