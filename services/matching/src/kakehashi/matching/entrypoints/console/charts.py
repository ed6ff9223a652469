"""Charts drawn as inline SVG on the server: no script, sharp at any size, readable by tests."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

BAR_COLOUR = "#2f6f9f"
TRACK_COLOUR = "#e3e8ee"


def histogram(counts: Sequence[int], *, title: str, label: str) -> Markup:
    """Counts per equal-width bin of [0, 1], as a column chart."""
    bins = len(counts)
    width, height, top, bottom = 420, 160, 16, 24
    column = width / bins
    tallest = max(counts) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, count in enumerate(counts):
        bar = (height - top - bottom) * count / tallest
        x, y = i * column + 2, height - bottom - bar
        low, high = i / bins, (i + 1) / bins
        parts.append(
            f'<rect class="bar" data-bin="{low:.1f}-{high:.1f}" data-count="{count}" '
            f'x="{x:.1f}" y="{y:.1f}" width="{column - 4:.1f}" height="{bar:.1f}" '
            f'fill="{BAR_COLOUR}"><title>{low:.1f}-{high:.1f}: {count}</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + (column - 4) / 2:.1f}" y="{y - 3:.1f}" '
                f'text-anchor="middle" font-size="10">{count}</text>'
            )
    for i in range(0, bins + 1, 2):
        parts.append(
            f'<text x="{i * column:.1f}" y="{height - 8}" font-size="10" '
            f'text-anchor="middle">{i / bins:.1f}</text>'
        )
    parts.append(
        f'<text x="{width}" y="{height - 8}" font-size="10" text-anchor="end">'
        f"{escape(label)}</text></svg>"
    )
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)


def fill_bars(rows: Sequence[tuple[str, int, int]], *, title: str) -> Markup:
    """One horizontal bar per (label, selected, headcount): how full that group's orders are."""
    width, row_height, label_width = 420, 22, 150
    height = row_height * max(1, len(rows)) + 4
    track = width - label_width - 70
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, selected, headcount) in enumerate(rows):
        rate = min(1.0, selected / headcount) if headcount else 0.0
        y = i * row_height + 4
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" font-size="11" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 2}" width="{track}" height="14" '
            f'fill="{TRACK_COLOUR}"/>'
            f'<rect class="bar" data-label="{escape(label)}" data-rate="{rate:.3f}" '
            f'x="{label_width}" y="{y + 2}" width="{track * rate:.1f}" height="14" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + track + 6}" y="{y + 13}" font-size="11">'
            f"{selected}/{headcount} ({rate:.0%})</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it is escaped above)
