"""Name badges as PDF (fpdf2 with the vendored DejaVu font, so Cyrillic and Georgian names render):
A4 sheets of 8 badges (2 × 4, 105 × 74 mm, with cut marks) or one badge on a page of its size.
Each badge: the event, the name, organisation, country and a QR code of the check-in address.
Plain data in, bytes out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.registrations.pdf import FONT_DIR

if TYPE_CHECKING:
    from fpdf import FPDF

WIDTH, HEIGHT = 105.0, 74.25  # an eighth of A4
QR_SIZE = 34.0
PAD = 6.0


@dataclass
class Badge:
    name: str
    organisation: str
    country: str
    event_title: str
    url: str


def _document(page_format) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format=page_format)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(0, 0, 0)
    return pdf


def _qr_png(url: str) -> io.BytesIO:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=8, border=2)
    buffer.seek(0)
    return buffer


def _fitted(pdf: FPDF, text: str, width: float, style: str, largest: float, smallest: float) -> float:
    """The largest font size (down to `smallest`) at which text fits the width on one line."""
    size = largest
    while size > smallest:
        pdf.set_font("DejaVu", style, size)
        if pdf.get_string_width(text) <= width:
            break
        size -= 1
    pdf.set_font("DejaVu", style, size)
    return size


def _lines(pdf: FPDF, x: float, y: float, width: float, text: str, line: float, limit: int) -> float:
    """Write text over at most `limit` lines (the last one shortened with …); returns the new y."""
    from fpdf.enums import XPos, YPos

    lines = pdf.multi_cell(width, line, text, dry_run=True, output="LINES")
    if len(lines) > limit:
        lines = lines[:limit]
        last = lines[-1]
        while last and pdf.get_string_width(last + "…") > width:
            last = last[:-1]
        lines[-1] = last + "…"
    for text_line in lines:
        pdf.set_xy(x, y)
        pdf.cell(width, line, text_line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        y += line
    return y


def _draw(pdf: FPDF, badge: Badge, left: float, top: float) -> None:
    text_width = WIDTH - 3 * PAD - QR_SIZE
    pdf.set_text_color(90, 90, 90)
    pdf.set_font("DejaVu", "", 8)
    _lines(pdf, left + PAD, top + PAD, WIDTH - 2 * PAD, badge.event_title, 4, 2)
    pdf.set_text_color(0, 0, 0)
    full_width = WIDTH - 2 * PAD
    size = _fitted(pdf, badge.name, full_width, "B", 18, 12)
    y = _lines(pdf, left + PAD, top + 16, full_width, badge.name, size * 0.45, 2)
    pdf.set_font("DejaVu", "", 10)
    y = _lines(pdf, left + PAD, max(y + 2, top + HEIGHT - PAD - QR_SIZE), text_width, badge.organisation, 4.6, 4)
    if badge.country:
        pdf.set_font("DejaVu", "B", 10)
        _lines(pdf, left + PAD, y + 1, text_width, badge.country, 4.6, 1)
    pdf.image(_qr_png(badge.url), x=left + WIDTH - PAD - QR_SIZE, y=top + HEIGHT - PAD - QR_SIZE,
              w=QR_SIZE, h=QR_SIZE)


def sheet(badges: list[Badge]) -> bytes:
    """A4 sheets of 8 badges, with dashed cut lines between them."""
    pdf = _document("A4")
    for index, badge in enumerate(badges):
        slot = index % 8
        if slot == 0:
            pdf.add_page()
            pdf.set_draw_color(170, 170, 170)
            pdf.set_dash_pattern(dash=1, gap=1.5)
            pdf.line(WIDTH, 0, WIDTH, 297)
            for row in range(1, 4):
                pdf.line(0, row * HEIGHT, 210, row * HEIGHT)
            pdf.set_dash_pattern()
        _draw(pdf, badge, (slot % 2) * WIDTH, (slot // 2) * HEIGHT)
    if not badges:
        pdf.add_page()
    return bytes(pdf.output())


def single(badge: Badge) -> bytes:
    """One badge on a page of its own size (105 × 74 mm), for a badge printer or a late arrival."""
    pdf = _document((HEIGHT, WIDTH))
    pdf.add_page(orientation="L")
    _draw(pdf, badge, 0, 0)
    return bytes(pdf.output())
