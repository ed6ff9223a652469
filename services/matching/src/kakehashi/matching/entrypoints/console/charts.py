"""Charts drawn as inline SVG on the server: no script, sharp at any size, readable by tests.

An SVG clips whatever falls outside its viewBox, so every text is placed inside it: the bars'
labels sit on their own line above each bar and the drawing widens to the longest label (its
width estimated from the characters: a CJK character is about one em, a Latin one about 0.6),
and the histogram keeps a margin for its first and last tick. The charts scale to their box
(`.chart` in the kit's CSS), never wider than the page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR_COLOUR = "#2f6f9f"
TRACK_COLOUR = "#e3e8ee"
WIDTH = 420  # the drawing's width in user units, unless a label needs more
FONT_SIZE = 12


def text_width(text: str, font_size: float = FONT_SIZE) -> float:
    """An upper estimate of `text`'s width in user units (wide East Asian characters = 1 em)."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.62 for c in text)
    return ems * font_size


def _svg(width: float, height: float, title: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width:.0f} {height:.0f}" role="img" '
        f'aria-label="{escape(title)}" font-size="{FONT_SIZE}"><title>{escape(title)}</title>'
    )


def histogram(counts: Sequence[int], *, title: str, label: str) -> Markup:
    """Counts per equal-width bin of [0, 1], as a column chart with ticks 0%, 20%, ... 100%."""
    bins = len(counts)
    left = right = 18  # room for half a tick label ("100%") either side of the axis
    top, axis_h, label_h = 16, 18, 16
    plot_w = WIDTH - left - right
    height = 160
    plot_h = height - top - axis_h - label_h
    column = plot_w / bins
    tallest = max(counts, default=0) or 1
    parts = [_svg(WIDTH, height, title)]
    base = top + plot_h
    for i, count in enumerate(counts):
        bar = plot_h * count / tallest
        x, y = left + i * column + 2, base - bar
        low, high = f"{i / bins:.0%}", f"{(i + 1) / bins:.0%}"
        parts.append(
            f'<rect class="bar" data-bin="{low}-{high}" data-count="{count}" '
            f'x="{x:.1f}" y="{y:.1f}" width="{column - 4:.1f}" height="{bar:.1f}" '
            f'fill="{BAR_COLOUR}"><title>{low}-{high}: {count}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + (column - 4) / 2:.1f}" y="{y - 3:.1f}" '
                f'text-anchor="middle">{count}</text>'
            )
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#8795a3"/>'
    )
    for i in range(0, bins + 1, 2):
        parts.append(
            f'<text class="tick" x="{left + i * column:.1f}" y="{base + 13}" '
            f'text-anchor="middle">{i / bins:.0%}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 3}" text-anchor="middle">'
        f"{escape(label)}</text></svg>"
    )
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)


def fill_bars(rows: Sequence[tuple[str, int, int]], *, title: str) -> Markup:
    """One bar per (label, selected, headcount): how full that group's orders are. Each label
    is on its own line above its bar, so a long sector name is never cut."""
    values = [f"{s}/{h} ({min(1.0, s / h) if h else 0.0:.0%})" for _, s, h in rows]
    value_w = max((text_width(v) for v in values), default=0) + 8
    label_h, bar_h, gap = 16, 12, 8
    row_h = label_h + bar_h + gap
    widest = max((text_width(label) for label, _, _ in rows), default=0)
    width = max(WIDTH, widest + 4, value_w + 120)
    track = width - value_w
    height = row_h * max(1, len(rows)) + 2
    parts = [_svg(width, height, title)]
    for i, ((label, selected, headcount), value) in enumerate(zip(rows, values, strict=True)):
        rate = min(1.0, selected / headcount) if headcount else 0.0
        y = i * row_h + 2
        parts.append(
            f'<text class="label" x="0" y="{y + 12}">{escape(label)}</text>'
            f'<rect x="0" y="{y + label_h}" width="{track:.1f}" height="{bar_h}" '
            f'fill="{TRACK_COLOUR}"/>'
            f'<rect class="bar" data-label="{escape(label)}" data-rate="{rate:.3f}" '
            f'x="0" y="{y + label_h}" width="{track * rate:.1f}" height="{bar_h}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{track + 6:.1f}" y="{y + label_h + 10}">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)
