"""The visa support letter as a PDF (fpdf2 with the vendored DejaVu font, so Cyrillic and Georgian
names and text render): letterhead, place and date, the filled text, the signature. Plain data in,
bytes out."""

from __future__ import annotations

from pathlib import Path

from app.travel.letters import Letter

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"


def letter_pdf(letter: Letter) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(25, 20, 25)
    pdf.set_title(letter.title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, letter.letterhead, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if letter.letterhead_detail:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, letter.letterhead_detail, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_line_width(0.4)
    pdf.line(25, pdf.get_y() + 2, 185, pdf.get_y() + 2)
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, letter.place_and_date, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 7, letter.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 11)
    for paragraph in letter.body.replace("\r\n", "\n").split("\n\n"):
        pdf.multi_cell(0, 6, paragraph.strip(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)
    pdf.ln(14)
    pdf.cell(70, 0, "", border="T")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, letter.signatory, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, letter.signatory_role, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
