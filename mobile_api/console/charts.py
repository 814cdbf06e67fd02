"""Charts drawn on the server as inline SVG: no script, no CDN, readable when printed.

Colours are paired with shapes (dashes, markers) so a black-and-white print keeps the series
apart; every chart carries a <title> and an aria-label for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_COLOUR = "#a3161a"
TRACK_COLOUR = "#e7ecf1"
AXIS_COLOUR = "#8c959f"
INK = "#1b1f24"
FONT = 'font-family="system-ui, Arial, sans-serif" font-size="12"'
LABEL_CHARACTERS = 30
MAX_X_LABELS = 14


@dataclass(frozen=True)
class Bar:
    label: str
    share: float | None  # 0..1, None when there is nothing to measure
    text: str


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]
    colour: str
    dashes: str = ""


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARACTERS else text[: LABEL_CHARACTERS - 1] + "…"


def bar_chart(*, title: str, bars: list[Bar], width: int = 720) -> Markup:
    """Horizontal bars, one per row, scaled to 100 %: agency names stay readable however long."""
    row, top, label_width, value_width = 24, 8, 230, 60
    height = top * 2 + row * max(1, len(bars))
    track = width - label_width - value_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bars" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        share = min(max(bar.share or 0.0, 0.0), 1.0)
        parts.append(
            f'<g class="bar"><text x="{label_width - 8}" y="{y + 16}" text-anchor="end" '
            f'fill="{INK}">{escape(_label(bar.label))}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{track}" height="16" '
            f'fill="{TRACK_COLOUR}"/>'
            f'<rect x="{label_width}" y="{y + 4}" width="{share * track:.1f}" height="16" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + track + 6}" y="{y + 16}" fill="{INK}">'
            f"{escape(bar.text)}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _ceiling(value: int) -> int:
    """A round top for the vertical axis: 1, 2 or 5 times a power of ten."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def line_chart(
    *, title: str, x_labels: list[str], series: list[Series], width: int = 960, height: int = 280
) -> Markup:
    """One line per series over the same x labels (weeks), with a legend and a labelled axis."""
    left, right, top, bottom = 48, 16, 28, 36
    plot_width, plot_height = width - left - right, height - top - bottom
    top_value = _ceiling(max([1, *(v for s in series for v in s.values)]))
    count = max(1, len(x_labels))

    def x(index: int) -> float:
        return left + (plot_width * (index + 0.5) / count)

    def y(value: int) -> float:
        return top + plot_height * (1 - value / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart lines" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" {FONT}>',
        f"<title>{escape(title)}</title>",
    ]
    divisions = next(d for d in (5, 4, 2, 1) if top_value % d == 0)
    for tick in range(0, top_value + 1, top_value // divisions):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{TRACK_COLOUR}"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end" fill="{AXIS_COLOUR}">{tick}</text>'
        )
    every = -(-count // MAX_X_LABELS)  # a label on every n-th point, so they never overlap
    for index, label in enumerate(x_labels):
        if index % every:
            continue
        parts.append(
            f'<text x="{x(index):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'fill="{AXIS_COLOUR}">{escape(label)}</text>'
        )
    legend_x = left
    for line in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line.values))
        dash = f' stroke-dasharray="{line.dashes}"' if line.dashes else ""
        parts.append(
            f'<g class="series" data-name="{escape(line.name)}">'
            f'<polyline fill="none" stroke="{line.colour}" stroke-width="2.5"{dash} '
            f'points="{points}"/>'
            + "".join(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{line.colour}">'
                f"<title>{escape(line.name)}: {v}</title></circle>"
                for i, v in enumerate(line.values)
            )
            + "</g>"
        )
        parts.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="12" y2="12" stroke="{line.colour}" '
            f'stroke-width="2.5"{dash}/><text x="{legend_x + 30}" y="16" fill="{INK}">'
            f"{escape(line.name)}</text>"
        )
        legend_x += 40 + 8 * len(line.name)
    parts.append("</svg>")
    return Markup("".join(parts))
