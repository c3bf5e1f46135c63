"""Server-drawn SVG charts: plain markup with presentation attributes (no script, no style
attributes), so they render under the strict CSP and in any browser, with a title and a description
for screen readers. Each chart's data table is rendered next to it by the template."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from app.escaping import escaped as escape  # (to a str: the same text as markupsafe's)
from app.reports.chart_text import shorten, text_width, wrap
from app.reports.results import Chart, cell_text

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
TEXT = "#212529"
GRID = "#ced4da"
WIDTH = 640


def _fmt(value: float) -> str:
    return cell_text(round(value, 1) if isinstance(value, float) else value)


# Labels of horizontal bars: at most this wide (two lines each), so the bars keep most of the width.
LABEL_MAX = 230
# Labels under columns (rotated 45°): at most this long.
COLUMN_LABEL_MAX = 120


def _open(chart: Chart, height: int) -> list[str]:
    ident = f"chart-{chart.key}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" data-chart="{escape(chart.key)}" '
        # Inherited by every label (a text with another size says so itself).
        f'font-size="12" fill="{TEXT}">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description())}</desc>',
    ]


def _legend(chart: Chart, y: int) -> list[str]:
    if len(chart.series) < 2:
        return []
    parts, x = [], 10
    for index, series in enumerate(chart.series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 17}" y="{y}">{escape(series.name)}</text>')
        x += 30 + 7 * len(series.name)
    return parts


def _empty(chart: Chart) -> Markup:
    parts = _open(chart, 40)
    parts.append(f'<text x="10" y="25" font-size="13">{escape(_("No data for this filter."))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _label(x: float, y: float, lines: list[str], row: int) -> str:
    """A right-aligned label of one or two lines, centred on its bar."""
    if len(lines) == 1:
        return f'<text x="{x:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" text-anchor="end">{escape(lines[0])}</text>'
    first = y + row / 2 - 3
    spans = "".join(f'<tspan x="{x:.1f}" y="{first + 13 * i:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text font-size="12" text-anchor="end">{spans}</text>'


def horizontal_bars(chart: Chart) -> Markup:
    """Stacked horizontal bars, one row per category: good for long labels (countries, themes). The
    label column is as wide as the longest label needs (measured, up to LABEL_MAX, a long label on
    two lines), so no label runs past the chart's left edge."""
    if not chart.categories:
        return _empty(chart)
    labels = [wrap(category, LABEL_MAX) for category in chart.categories]
    label_width = 12 + max(60.0, max(text_width(line) for lines in labels for line in lines))
    right, top = 60, (26 if len(chart.series) > 1 else 6)
    row = 36 if any(len(lines) > 1 for lines in labels) else 26
    height = top + row * len(chart.categories) + 8
    totals = chart.totals  # (a property that adds up every series: once, not once per row)
    scale_max = chart.maximum or max(totals) or 1
    span = WIDTH - label_width - right
    parts = _open(chart, height)
    parts += _legend(chart, 16)
    names = [escape(series.name) for series in chart.series]
    for i, category in enumerate(chart.categories):
        y = top + i * row
        parts.append(_label(label_width - 8, y, labels[i], row))
        x, bar_y, bar_height = float(label_width), y + (row - 18) / 2, 18
        category = escape(category)
        for index, series in enumerate(chart.series):
            value = series.values[i] or 0
            width = span * value / scale_max
            if width > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{bar_y:.1f}" width="{width:.1f}" height="{bar_height}" '
                    f'fill="{PALETTE[index % len(PALETTE)]}"><title>{category}, '
                    f"{names[index]}: {_fmt(value)}</title></rect>"
                )
            x += width
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + row / 2 + 4:.1f}">{_fmt(totals[i])}</text>'
        )
    parts.append(
        f'<line x1="{label_width:.1f}" y1="{top}" x2="{label_width:.1f}" y2="{height - 8}" stroke="{GRID}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def vertical_columns(chart: Chart) -> Markup:
    """Stacked columns along a time axis (months)."""
    if not chart.categories:
        return _empty(chart)
    count = len(chart.categories)
    labels = [shorten(category, COLUMN_LABEL_MAX, 11) for category in chart.categories]
    # A label is rotated 45° and ends under its column: it reaches left and down by 0.71 of its width.
    reach = [0.71 * text_width(label, 11) for label in labels]
    left, top = 40, 30
    slot = (WIDTH - left - 10) / count
    left = max(left, int(reach[0] - slot / 2) + 6)
    slot = (WIDTH - left - 10) / count
    bottom = max(60, int(max(reach)) + 24)
    height = top + 190 + bottom
    plot_height = height - top - bottom
    bar = max(2.0, min(40.0, slot * 0.7))
    scale_max = chart.maximum or max(chart.totals) or 1
    parts = _open(chart, height)
    parts += _legend(chart, 16)
    base = top + plot_height
    for tick in _ticks(scale_max):
        y = base - plot_height * tick / scale_max
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_fmt(tick)}</text>'
        )
    label_every = max(1, round(count / 24))
    names = [escape(series.name) for series in chart.series]
    for i, category in enumerate(chart.categories):
        x = left + i * slot + (slot - bar) / 2
        y = float(base)
        category = escape(category)
        for index, series in enumerate(chart.series):
            value = series.values[i] or 0
            h = plot_height * value / scale_max
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[index % len(PALETTE)]}"><title>{category}, '
                    f"{names[index]}: {_fmt(value)}</title></rect>"
                )
        if i % label_every == 0:
            cx, cy = x + bar / 2, base + 12
            parts.append(
                f'<text x="{cx:.1f}" y="{cy}" font-size="11" text-anchor="end" '
                f'transform="rotate(-45 {cx:.1f} {cy})">{escape(labels[i])}</text>'
            )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="{TEXT}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _ticks(maximum: float) -> list[float]:
    if maximum <= 5:
        step = 1
    else:
        raw = maximum / 4
        magnitude = 10 ** (len(str(int(raw))) - 1)
        step = max(1, int(round(raw / magnitude)) * magnitude)
    ticks, value = [], 0
    while value <= maximum:
        ticks.append(value)
        value += step
    return ticks


def svg(chart: Chart) -> Markup:
    return vertical_columns(chart) if chart.vertical else horizontal_bars(chart)
