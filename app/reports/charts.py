"""Server-drawn SVG charts: plain markup with presentation attributes (no script, no style
attributes), so they render under the strict CSP and in any browser, with a title and a description
for screen readers. Each chart's data table is rendered next to it by the template."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.reports.results import Chart, cell_text

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
TEXT = "#212529"
GRID = "#ced4da"
WIDTH = 640


def _fmt(value: float) -> str:
    return cell_text(round(value, 1) if isinstance(value, float) else value)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def horizontal_bars(chart: Chart) -> Markup:
    """Stacked horizontal bars, one row per category: good for long labels (countries, themes)."""
    if not chart.categories:
        return _empty(chart)
    label_width, right, row, top = 200, 60, 26, (26 if len(chart.series) > 1 else 6)
    height = top + row * len(chart.categories) + 8
    scale_max = chart.maximum or max(chart.totals) or 1
    span = WIDTH - label_width - right
    parts = _open(chart, height)
    parts += _legend(chart, 16)
    for i, category in enumerate(chart.categories):
        y = top + i * row
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" font-size="12" text-anchor="end">'
            f"{escape(_shorten(category, 30))}</text>"
        )
        x = float(label_width)
        for index, series in enumerate(chart.series):
            value = series.values[i] or 0
            width = span * value / scale_max
            if width > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{row - 8}" '
                    f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(category)}, '
                    f"{escape(series.name)}: {_fmt(value)}</title></rect>"
                )
            x += width
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 16}">{_fmt(chart.totals[i])}</text>'
        )
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - 8}" stroke="{GRID}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def vertical_columns(chart: Chart) -> Markup:
    """Stacked columns along a time axis (months)."""
    if not chart.categories:
        return _empty(chart)
    left, bottom, top, height = 40, 60, 30, 280
    plot_height = height - top - bottom
    count = len(chart.categories)
    slot = (WIDTH - left - 10) / count
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
    for i, category in enumerate(chart.categories):
        x = left + i * slot + (slot - bar) / 2
        y = float(base)
        for index, series in enumerate(chart.series):
            value = series.values[i] or 0
            h = plot_height * value / scale_max
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(category)}, '
                    f"{escape(series.name)}: {_fmt(value)}</title></rect>"
                )
        if i % label_every == 0:
            cx, cy = x + bar / 2, base + 12
            parts.append(
                f'<text x="{cx:.1f}" y="{cy}" font-size="11" text-anchor="end" '
                f'transform="rotate(-45 {cx:.1f} {cy})">{escape(category)}</text>'
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
