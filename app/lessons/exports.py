"""Render a plain document (see app.lessons.summaries) as PDF, DOCX, Markdown or HTML.

A document is {"title", "subtitle", "tlp", "tlp_label", "blocks": [...]} where a block is a heading
(level, text), a paragraph (text), a list (items), a table (headers, rows) or an entry (title, meta,
fields). Every export carries the document's TLP banner on every page: the PDF header of each page,
the DOCX section header, the top of the Markdown and HTML.
"""

from __future__ import annotations

import io
from pathlib import Path

from markupsafe import escape

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
}

# Foreground colours of the TLP 2.0 labels (on black), as RGB.
TLP_COLOURS = {
    "clear": (255, 255, 255),
    "green": (51, 255, 0),
    "amber": (255, 192, 0),
    "amber_strict": (255, 192, 0),
    "red": (255, 43, 43),
}
TLP_MEANING = {
    "clear": "Disclosure is not limited.",
    "green": "Limited disclosure: the network's community.",
    "amber": "Limited disclosure: recipients' organisations on a need-to-know basis, and coordinators.",
    "amber_strict": "Limited disclosure: recipients' organisations only.",
    "red": "For the eyes and ears of individual recipients only, no further disclosure.",
}

APP_FONTS = Path(__file__).resolve().parent.parent / "fonts"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


def banner(document: dict) -> str:
    return f"{document['tlp_label']} — {TLP_MEANING.get(document['tlp'], '')}"


def render(document: dict, fmt: str) -> bytes:
    if fmt == "pdf":
        return to_pdf(document)
    if fmt == "docx":
        return to_docx(document)
    if fmt == "md":
        return to_markdown(document).encode("utf-8")
    if fmt == "html":
        return to_html(document).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}")


# --- Markdown ---------------------------------------------------------------------------------


def _md_text(text: str | None) -> str:
    # Keep the author's line breaks; stop a line from turning into a heading or a rule.
    lines = (text or "").replace("\r\n", "\n").split("\n")
    return "\n".join(("\\" + line) if line.lstrip().startswith(("#", "---", "===")) else line for line in lines)


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def to_markdown(document: dict) -> str:
    out = [f"**{banner(document)}**", "", f"# {document['title']}", "", f"_{document['subtitle']}_", ""]
    for block in document["blocks"]:
        kind = block["type"]
        if kind == "heading":
            out += ["#" * (block["level"] + 1) + " " + block["text"], ""]
        elif kind == "paragraph":
            out += [_md_text(block["text"]), ""]
        elif kind == "list":
            out += ["- " + _md_text(item).replace("\n", "\n  ") for item in block["items"]] + [""]
        elif kind == "table":
            out.append("| " + " | ".join(_md_cell(h) for h in block["headers"]) + " |")
            out.append("|" + "---|" * len(block["headers"]))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block["rows"]]
            out.append("")
        elif kind == "entry":
            out += [f"#### {block['title']}", "", f"_{block['meta']}_", ""]
            for label, text in block["fields"]:
                out += [f"**{label}:** {_md_text(text)}", ""]
    out += [f"**{document['tlp_label']}**", ""]
    return "\n".join(out)


# --- HTML -------------------------------------------------------------------------------------


def _html_text(text: str | None) -> str:
    return "<br>".join(str(escape(line)) for line in (text or "").replace("\r\n", "\n").split("\n"))


def to_html(document: dict) -> str:
    r, g, b = TLP_COLOURS.get(document["tlp"], (255, 255, 255))
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(document['title'])}</title>",
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        f".tlp{{background:#000;color:rgb({r},{g},{b});font-weight:bold;padding:.4rem .8rem;letter-spacing:.05em}}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .5rem;text-align:left}"
        ".meta{color:#555;font-style:italic}</style>",
        "</head><body>",
        f'<div class="tlp" role="note">{escape(banner(document))}</div>',
        f"<h1>{escape(document['title'])}</h1>",
        f'<p class="meta">{escape(document["subtitle"])}</p>',
    ]
    for block in document["blocks"]:
        kind = block["type"]
        if kind == "heading":
            level = block["level"] + 1
            parts.append(f"<h{level}>{escape(block['text'])}</h{level}>")
        elif kind == "paragraph":
            parts.append(f"<p>{_html_text(block['text'])}</p>")
        elif kind == "list":
            parts.append("<ul>" + "".join(f"<li>{_html_text(item)}</li>" for item in block["items"]) + "</ul>")
        elif kind == "table":
            head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block["headers"])
            body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block["rows"])
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif kind == "entry":
            parts.append(f"<section><h4>{escape(block['title'])}</h4><p class=\"meta\">{escape(block['meta'])}</p>")
            for label, text in block["fields"]:
                parts.append(f"<p><strong>{escape(label)}:</strong> {_html_text(text)}</p>")
            parts.append("</section>")
    parts.append(f'<div class="tlp" role="note">{escape(document["tlp_label"])}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)


# --- PDF --------------------------------------------------------------------------------------


def font_path(name: str = "DejaVuSans.ttf") -> Path:
    """The vendored font (app/fonts) or, if it is absent, the system's DejaVu."""
    for folder in (APP_FONTS, SYSTEM_FONTS):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} not found in {APP_FONTS} or {SYSTEM_FONTS}")


def to_pdf(document: dict) -> bytes:
    from fpdf import FPDF

    label = banner(document)
    colour = TLP_COLOURS.get(document["tlp"], (255, 255, 255))

    class ReportPDF(FPDF):
        def header(self):
            self.set_font("DejaVu", "B", 9)
            self.set_fill_color(0, 0, 0)
            self.set_text_color(*colour)
            self.cell(0, 7, label, fill=True, new_x="LMARGIN", new_y="NEXT", align="C")
            self.set_text_color(0, 0, 0)
            self.ln(3)

        def footer(self):
            self.set_y(-12)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 6, f"{document['tlp_label']} · {document['title'][:80]} · page {self.page_no()}",
                      align="C")
            self.set_text_color(0, 0, 0)

    pdf = ReportPDF(format="A4")
    pdf.set_title(document["title"])
    pdf.add_font("DejaVu", "", str(font_path("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(font_path("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    width = pdf.epw

    def write(text, size=10, style="", height=5):
        # Our own greedy word wrap, then one cell per line: fpdf2's multi_cell re-measures the whole
        # line for each character (quadratic), which makes a 5,000-entry summary take minutes.
        # text() at a baseline is several times cheaper than cell(); page breaks are ours to make.
        pdf.set_font("DejaVu", style, size)
        for line in _wrap(pdf, str(text or ""), width):
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
                pdf.set_font("DejaVu", style, size)
            top = pdf.get_y()
            if line:
                pdf.text(pdf.l_margin, top + height * 0.75, line)
            pdf.set_xy(pdf.l_margin, top + height)

    write(document["title"], 16, "B", 8)
    write(document["subtitle"], 9)
    pdf.ln(3)
    for block in document["blocks"]:
        kind = block["type"]
        if kind == "heading":
            pdf.ln(2)
            write(block["text"], 14 if block["level"] == 1 else 12, "B", 7)
        elif kind == "paragraph":
            write(block["text"])
            pdf.ln(1)
        elif kind == "list":
            for item in block["items"]:
                write(f"• {item}")
            pdf.ln(1)
        elif kind == "table":
            columns = len(block["headers"])
            column_width = width / columns
            pdf.set_font("DejaVu", "B", 9)
            for header in block["headers"]:
                pdf.cell(column_width, 6, str(header)[:60], border=1)
            pdf.ln(6)
            pdf.set_font("DejaVu", "", 9)
            for row in block["rows"]:
                for cell in row:
                    pdf.cell(column_width, 6, str(cell)[: int(column_width / 1.8)], border=1)
                pdf.ln(6)
            pdf.ln(2)
        elif kind == "entry":
            pdf.ln(1)
            write(block["title"], 11, "B", 6)
            write(block["meta"], 8, "", 4)
            for label, text in block["fields"]:
                write(f"{label}:", 9, "B", 5)
                write(text, 9, "", 4.5)
    return bytes(pdf.output())


def _wrap(pdf, text: str, width: float) -> list[str]:
    """Lines of `text` no wider than `width` in the current font (words measured once each)."""
    widths: dict[str, float] = {}
    # The font's own advance widths (what get_string_width sums, without its per-call overhead).
    glyph_widths = pdf.current_font.cw
    scale = pdf.font_size_pt * 0.001 / pdf.k

    def glyph(char: str) -> float:
        try:
            return glyph_widths[ord(char)] or 0
        except (IndexError, KeyError):
            return 1000

    def measure(word: str) -> float:
        if word not in widths:
            widths[word] = sum(glyph(c) for c in word) * scale
        return widths[word]

    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\t", "    ").split("\n"):
        current, current_width = [], 0.0
        for word in paragraph.split(" "):
            word_width = measure(word)
            if word_width > width:  # a very long word (a URL): cut it by characters
                if current:
                    lines.append(" ".join(current))
                    current, current_width = [], 0.0
                piece, piece_width = "", 0.0
                for char in word:
                    char_width = measure(char)
                    if piece and piece_width + char_width > width:
                        lines.append(piece)
                        piece, piece_width = "", 0.0
                    piece += char
                    piece_width += char_width
                current, current_width = [piece], piece_width
                continue
            extra = word_width + (space if current else 0.0)
            if current and current_width + extra > width:
                lines.append(" ".join(current))
                current, current_width = [word], word_width
            else:
                current.append(word)
                current_width += extra
        lines.append(" ".join(current))
    return lines


# --- DOCX -------------------------------------------------------------------------------------


def to_docx(document: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = Document()
    r, g, b = TLP_COLOURS.get(document["tlp"], (255, 255, 255))
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(banner(document))
        run.bold = True
        run.font.size = Pt(9)
        # Coloured label on black, as TLP 2.0 asks (black text on white for CLEAR).
        run.font.color.rgb = RGBColor(r, g, b) if document["tlp"] != "clear" else RGBColor(0, 0, 0)
        if document["tlp"] != "clear":
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:color"), "auto")
            shading.set(qn("w:fill"), "000000")
            run._r.get_or_add_rPr().append(shading)
        footer = section.footer
        (footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()).text = document["tlp_label"]
    doc.core_properties.title = document["title"][:255]
    body = doc.element.body
    section_properties = body.sectPr

    def paragraph(text: str = "", style_id: str | None = None, italic: bool = False, label: str | None = None):
        # Built directly in XML with a style id: python-docx's add_paragraph(style=name) scans every
        # style for each call, which is far too slow for thousands of entries.
        p = OxmlElement("w:p")
        if style_id:
            p.style = style_id
        if label:
            r = p.add_r()
            r.get_or_add_rPr().append(OxmlElement("w:b"))
            r.add_t(f"{label}: ")
        lines = str(text or "").replace("\r\n", "\n").split("\n")
        r = p.add_r()
        if italic:
            r.get_or_add_rPr().append(OxmlElement("w:i"))
        for number, line in enumerate(lines):
            if number:
                r.add_br()
            r.add_t(line)
        section_properties.addprevious(p)

    paragraph(document["title"], "Title")
    paragraph(document["subtitle"], italic=True)
    for block in document["blocks"]:
        kind = block["type"]
        if kind == "heading":
            paragraph(block["text"], f"Heading{min(block['level'], 3)}")
        elif kind == "paragraph":
            paragraph(block["text"])
        elif kind == "list":
            for item in block["items"]:
                paragraph(item, "ListBullet")
        elif kind == "table":
            table = doc.add_table(rows=1, cols=len(block["headers"]))
            table.style = "Table Grid"
            for cell, header in zip(table.rows[0].cells, block["headers"], strict=True):
                cell.text = str(header)
            for row in block["rows"]:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = str(value)
        elif kind == "entry":
            paragraph(block["title"], "Heading3")
            paragraph(block["meta"], italic=True)
            for label, text in block["fields"]:
                paragraph(text, label=label)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
