"""PDF builders (fpdf2 with the vendored DejaVu font, so Cyrillic and Greek names render): the
attendance sheet per day (the certificates, app.certificates.pdf, start from the same document).
Plain data in, bytes out; the fixed wording speaks the current locale."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext

if TYPE_CHECKING:  # fpdf2 (~25 MB with PIL and fontTools) loads only when a PDF is built
    from fpdf import FPDF

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"


@dataclass
class SheetRow:
    name: str
    organisation: str
    country: str


def document(orientation: str = "P") -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 15, 15)
    return pdf


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Shorten text to fit a cell, so a long organisation name never breaks the table."""
    text = text or ""
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "…") > width - 2:
        text = text[:-1]
    return text + "…"


def attendance_sheet(event_title: str, day_label: str, place: str, rows: list[SheetRow]) -> bytes:
    from fpdf.enums import XPos, YPos

    pdf = document("P")
    widths = (10, 55, 55, 25, 35)
    headers = ("#", _("Name"), _("Organisation"), _("Country"), _("Signature"))

    def header():
        pdf.set_font("DejaVu", "B", 9)
        for width, label in zip(widths, headers, strict=True):
            pdf.cell(width, 8, label, border=1, align="C")
        pdf.ln()

    pdf.add_page()
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, _("Attendance sheet — %(title)s", title=event_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    line = _("Day: %(day)s", day=day_label) + ("   " + _("Place: %(place)s", place=place) if place else "")
    pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    header()
    pdf.set_font("DejaVu", "", 9)
    for number, row in enumerate(rows, start=1):
        if pdf.will_page_break(11):
            pdf.add_page()
            header()
            pdf.set_font("DejaVu", "", 9)
        values = (str(number), row.name, row.organisation, row.country, "")
        for width, value in zip(widths, values, strict=True):
            pdf.cell(width, 11, _fit(pdf, value, width), border=1)
        pdf.ln()
    if not rows:
        pdf.cell(0, 8, _("No confirmed participants."))
        pdf.ln()
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 9)
    total = ngettext("Confirmed participants: %(num)d. Organiser's signature: ______________________",
                     "Confirmed participants: %(num)d. Organiser's signature: ______________________", len(rows))
    pdf.multi_cell(0, 5, total, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
