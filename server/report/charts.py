"""Bar charts as SVG text, drawn on the server: the report needs no script and prints as it shows."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

ROW = 22  # px per bar
LABEL_WIDTH = 190
BAR_WIDTH = 330
COLOURS = ("#2b6cb0", "#dd6b20", "#2f855a")  # one per series: applicants, invited, attending


def grouped_bars(title: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[int]]]) -> str:
    """Horizontal bars, one group per row label, one bar per series; values written beside each bar."""
    biggest = max((v for _, values in rows for v in values), default=0) or 1
    group = ROW * len(series) + 8
    height = 34 + group * len(rows) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{LABEL_WIDTH + BAR_WIDTH + 60}" '
             f'height="{height}" viewBox="0 0 {LABEL_WIDTH + BAR_WIDTH + 60} {height}" class="chart">',
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>']
    for index, name in enumerate(series):  # legend
        x = index * 150
        parts.append(f'<rect x="{x}" y="{height - 16}" width="12" height="12" fill="{COLOURS[index % 3]}"/>'
                     f'<text x="{x + 16}" y="{height - 6}" font-size="12">{escape(name)}</text>')
    for row_index, (label, values) in enumerate(rows):
        top = 30 + row_index * group
        parts.append(f'<text x="0" y="{top + ROW * len(series) / 2 + 4:.0f}" font-size="12">{escape(label)}</text>')
        for index, value in enumerate(values):
            width = round(BAR_WIDTH * value / biggest)
            y = top + index * ROW
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{ROW - 4}" '
                         f'fill="{COLOURS[index % 3]}"/>'
                         f'<text x="{LABEL_WIDTH + width + 4}" y="{y + ROW - 8}" font-size="12">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
