"""The certificate of attendance as a one-page PDF: holder, training, dates, hours, learning
objectives, issuer's logo, signatory's name and signature, the certificate number, and a QR code of
the public verification URL. Plain content in (app.certificates.content), bytes out; the fixed
wording speaks the current locale."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from app.registrations.pdf import document

if TYPE_CHECKING:
    from fpdf import FPDF

    from app.certificates.content import CertificateContent

BODY_BOTTOM = 146  # mm: the body stops here; the footer (signature, QR code, number) is below
WIDTH = 297 - 2 * 15


def qr_png(url: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=2)
    return out.getvalue()


def _centred(pdf: FPDF, size: int, text: str, *, bold: bool = False, height: float = 7) -> None:
    from fpdf.enums import XPos, YPos

    if not text or pdf.get_y() > BODY_BOTTOM - height:
        return
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _body(pdf: FPDF, content: CertificateContent) -> None:
    pdf.set_y(24)
    _centred(pdf, 26, _("Certificate of attendance"), bold=True, height=13)
    pdf.ln(4)
    _centred(pdf, 12, _("This is to certify that"))
    pdf.ln(2)
    _centred(pdf, 20, content.holder, bold=True, height=10)
    _centred(pdf, 12, content.organisation)
    pdf.ln(2)
    _centred(pdf, 12, content.heading)
    _centred(pdf, 16, content.title, bold=True, height=8)
    if content.part_of:
        _centred(pdf, 11, _("part of %(event)s", event=content.part_of), height=6)
    _centred(pdf, 12, content.dates + (f", {content.place}" if content.place else ""))
    _centred(pdf, 11, content.hours, height=6)
    if content.objectives:
        pdf.ln(1)
        _centred(pdf, 9, _("Learning objectives: %(objectives)s", objectives=content.objectives), height=4.5)
    if content.sessions:
        pdf.ln(1)
        _centred(pdf, 9, _("Sessions attended: %(sessions)s", sessions="; ".join(content.sessions)), height=4.5)


def _footer(pdf: FPDF, content: CertificateContent) -> None:
    if content.signature_png:
        pdf.image(io.BytesIO(content.signature_png), x=40, y=152, h=16, keep_aspect_ratio=True, w=70)
    pdf.set_draw_color(80, 80, 80)
    pdf.set_line_width(0.3)
    pdf.line(30, 170, 120, 170)
    pdf.set_xy(30, 171)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(90, 5, content.signatory, align="C")
    pdf.set_xy(30, 176)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(90, 5, _("Issued by %(issuer)s", issuer=content.issuer), align="C")
    pdf.image(io.BytesIO(qr_png(content.verify_url)), x=244, y=150, w=33, h=33)
    pdf.set_xy(130, 168)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(110, 5, _("Certificate number: %(number)s", number=content.number), align="R")
    pdf.set_xy(130, 174)
    pdf.set_font("DejaVu", "", 8)
    pdf.cell(110, 4, _("Verify at"), align="R")
    pdf.set_xy(130, 178)
    pdf.cell(110, 4, content.verify_url, align="R", link=content.verify_url)


def certificate(content: CertificateContent) -> bytes:
    pdf = document("L")
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(_("Certificate of attendance"))
    pdf.add_page()
    pdf.set_line_width(0.8)
    pdf.rect(10, 10, 277, 190)
    if content.logo_png:
        pdf.image(io.BytesIO(content.logo_png), x=18, y=15, h=20, w=60, keep_aspect_ratio=True)
    _body(pdf, content)
    _footer(pdf, content)
    return bytes(pdf.output())
