"""Small bar charts laid out for an inline SVG drawn by the template (templates/newsroom/_charts.html): no chart
script, and each chart comes with the table of its numbers. Hand-written because a chart library (matplotlib,
pygal) would bring tens of megabytes, or a script, to draw a few rectangles."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH = 600
HEIGHT = 160
TOP = 16  # room for the maximum's label
BAR_GAP = 0.2  # share of each slot left empty


@dataclass(frozen=True)
class Bar:
    """One bar: its place and size in the SVG's units, its label and its value."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class BarChart:
    """A chart's size, its bars and its largest value."""

    width: int
    height: int
    bars: list[Bar]
    maximum: int


def bar_chart(points: list[tuple[str, int]], width: int = WIDTH, height: int = HEIGHT) -> BarChart:
    """Vertical bars for (label, value) points, left to right, scaled to the largest value (an empty chart
    when every value is 0)."""
    maximum = max((value for _, value in points), default=0)
    slot = width / max(1, len(points))
    bar_width = round(slot * (1 - BAR_GAP), 2) if len(points) > 1 else round(slot / 4, 2)
    drawable = height - TOP
    bars = []
    for position, (label, value) in enumerate(points):
        bar_height = round(drawable * value / maximum, 2) if maximum else 0.0
        bars.append(Bar(
            x=round(position * slot + (slot - bar_width) / 2, 2), y=round(height - bar_height, 2),
            width=bar_width, height=bar_height, label=label, value=value,
        ))
    return BarChart(width, height, bars, maximum)
