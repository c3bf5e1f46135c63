"""Render a plain document (see app.lessons.summaries) as PDF, DOCX, Markdown or HTML.

A document is {"title", "subtitle", "tlp", "tlp_label", "blocks": [...]} where a block is a heading
(level, text), a paragraph (text), a list (items), a table (headers, rows) or an entry (title, meta,
fields). Every export carries the document's TLP banner on every page: the PDF header of each page,
the DOCX section header, the top of the Markdown and HTML.
"""

from __future__ import annotations

import io
import re
from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add
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
#
# fpdf2 draws the pages, the header (TLP banner) and footer, embeds the DejaVu subset and writes
# the file; the body text does not go through cell()/multi_cell()/text(), which measure and encode
# every string character by character in Python (a 5,000-entry summary took 15-30 s). Instead each
# font face keeps, for the whole document, the width of every word it has measured and a
# translation table from characters to their codes in the font subset (str.translate, C speed),
# and each run of lines on a page is written as ONE text object (BT ... T* ... ET).


def font_path(name: str = "DejaVuSans.ttf") -> Path:
    """The vendored font (app/fonts) or, if it is absent, the system's DejaVu."""
    for folder in (APP_FONTS, SYSTEM_FONTS):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} not found in {APP_FONTS} or {SYSTEM_FONTS}")


class _SubsetCodes(dict):
    """ord(character) -> the character's code in the embedded font subset, picked on first use
    (None, which str.translate drops, for a character the font has no glyph for)."""

    def __init__(self, font):
        super().__init__()
        self.font = font

    def __missing__(self, code: int):
        picked = self.font.subset.pick(code)
        value = None if picked is None else chr(picked)
        self[code] = value
        return value


class _Advances(dict):
    """character -> advance width in font units (thousandths of the font size)."""

    def __init__(self, font):
        super().__init__()
        self.widths = font.cw

    def __missing__(self, char: str) -> int:
        try:
            value = self.widths[ord(char)] or 0
        except (IndexError, KeyError):
            value = 1000
        self[char] = value
        return value


def _pdf_escape(mapped: str) -> str:
    return mapped.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", "\\r")


class _WordUnits(dict):
    """word -> width in font units, measured once for the whole document."""

    def __init__(self, advances: _Advances):
        super().__init__()
        self.advances = advances

    def __missing__(self, word: str) -> int:
        value = self[word] = sum(map(self.advances.__getitem__, word))
        return value


class _Face:
    """One style of the DejaVu family: measuring, wrapping and encoding, cached for the document."""

    def __init__(self, font):
        self.font = font
        self.codes = _SubsetCodes(font)
        self.advances = _Advances(font)
        self.words = _WordUnits(self.advances)

    def measure(self, text: str) -> int:
        """Width of `text` in font units (size 1000)."""
        return sum(map(self.words.__getitem__, text.split(" "))) + self.words[" "] * text.count(" ")

    def _mapped(self, text: str) -> str | None:
        """`text` as subset codes, two bytes (latin-1 characters) per character; None if the font
        lacks a glyph for one of them (then lines are encoded one by one, dropping that character)."""
        if self.font.is_symbol:
            return None
        mapped = text.translate(self.codes).encode("utf-16-be").decode("latin-1")
        return mapped if len(mapped) == 2 * len(text) else None

    def encode(self, line: str) -> str:
        """`(…) Tj` for a line, the characters mapped to their subset codes (UTF-16BE, escaped)."""
        if self.font.is_symbol:  # not DejaVu, but stay correct for any font
            return self.font.encode_text(line)
        mapped = line.translate(self.codes).encode("utf-16-be").decode("latin-1")
        return f"({_pdf_escape(mapped)}) Tj"

    def lines(self, text: str, width_units: float) -> list[str]:
        """`text` wrapped (greedy, at spaces) into lines no wider than `width_units`, each already
        encoded as `(…) Tj` ("" for an empty line). Each paragraph is mapped to subset codes in one
        call and line breaks are found by bisection over the running widths of its words."""
        out: list[str] = []
        space = self.words[" "]
        limit = width_units + space
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\t" in text:
            text = text.replace("\t", "    ")
        for paragraph in text.split("\n"):
            if not paragraph:
                out.append("")
                continue
            words = paragraph.split(" ")
            # ends[j]: width of words 0..j plus one space after each; starts[i]: first character.
            ends = list(accumulate(map(add, map(self.words.__getitem__, words), repeat(space))))
            mapped = self._mapped(paragraph)
            if ends[-1] <= limit and mapped is not None:  # fits on one line (titles, labels)
                out.append(f"({_pdf_escape(mapped)}) Tj")
                continue
            starts = [0, *accumulate(map(add, map(len, words), repeat(1)))]
            count, first = len(words), 0
            while first < count:
                base = ends[first - 1] if first else 0
                after = bisect_right(ends, base + limit, first)  # words first..after-1 fit
                if after == first:  # one word wider than the line (a URL): cut it by characters
                    piece, piece_width = "", 0
                    for char in words[first]:
                        char_width = self.advances[char]
                        if piece and piece_width + char_width > width_units:
                            out.append(self.encode(piece))
                            piece, piece_width = "", 0
                        piece += char
                        piece_width += char_width
                    out.append(self.encode(piece))
                    first += 1
                    continue
                if mapped is None:
                    out.append(self.encode(" ".join(words[first:after])))
                else:
                    out.append(f"({_pdf_escape(mapped[2 * starts[first]:2 * starts[after] - 2])}) Tj")
                first = after
        return out


class _PdfWriter:
    """Flowing text, tables, the banner and the footer on an FPDF document, page breaks included."""

    def __init__(self, pdf, family: str):
        self.pdf, self.family = pdf, family
        self.faces: dict[str, _Face] = {}
        self._fonts: dict[tuple, str] = {}
        self._fonts_page = 0
        self._pending: list[str] = []  # this page's operators, handed to fpdf in one piece

    def emit(self, operators: str):
        self._pending.append(operators)

    def flush(self):
        """Hand the page's operators to fpdf (before the page closes: the footer calls it)."""
        if self._pending:
            self.pdf._out("\n".join(self._pending))
            self._pending.clear()

    def face(self, style: str) -> _Face:
        if style not in self.faces:
            pdf = self.pdf
            previous = (pdf.font_style, pdf.font_size_pt)
            pdf.set_font(self.family, style, previous[1] or 10)
            self.faces[style] = _Face(pdf.current_font)
            pdf.set_font(self.family, *previous)
        return self.faces[style]

    def _font(self, face: _Face, size: float) -> str:
        """The `Tf` operator for face and size; the font is recorded as a resource of the page."""
        pdf = self.pdf
        if pdf.page != self._fonts_page:
            self._fonts.clear()
            self._fonts_page = pdf.page
        key = (face.font.i, size)
        operator = self._fonts.get(key)
        if operator is None:
            operator = self._fonts[key] = pdf._set_font_for_page(face.font, size, wrap_in_text_object=False)
            pdf.current_font_is_set_on_page = False  # fpdf's own text calls set their font again
        return operator

    def _room(self, height: float) -> int:
        """How many lines of `height` still fit on the page (a new page if none)."""
        pdf = self.pdf
        room = int((pdf.page_break_trigger - pdf.y) / height + 1e-6)
        if room < 1:
            pdf.add_page()
            room = max(1, int((pdf.page_break_trigger - pdf.y) / height + 1e-6))
        return room

    def _show(self, face: _Face, size: float, x: float, top: float, height: float, lines: list[str]):
        """Draw encoded `lines` in one text object, the first baseline at top + 0.75 * height."""
        pdf = self.pdf
        k = pdf.k
        self._pending.append(
            f"BT 0 g {self._font(face, size)} {height * k:.2f} TL {x * k:.2f} "
            f"{(pdf.h - top - height * 0.75) * k:.2f} Td " + " T* ".join(lines) + " ET")

    def write(self, text, size: float = 10, style: str = "", height: float = 5, indent: float = 0,
              bullet: str | None = None):
        pdf = self.pdf
        face = self.faces.get(style) or self.face(style)
        x = pdf.l_margin + indent
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        lines = face.lines(text, (pdf.w - pdf.r_margin - x) * pdf.k * 1000 / size)
        done, count = 0, len(lines)
        while done < count:
            room = self._room(height)
            chunk = lines[done:done + room] if done or room < count else lines
            if bullet and done == 0:
                self._show(face, size, pdf.l_margin, pdf.y, height, [face.encode(bullet)])
            self._show(face, size, x, pdf.y, height, chunk)
            pdf.x, pdf.y = pdf.l_margin, pdf.y + height * len(chunk)
            done += len(chunk)

    def table(self, headers: list, rows: list[list], size: float = 9, height: float = 4.5, padding: float = 1):
        """A bordered table; long cells wrap (a row taller than a page continues on the next),
        and the header row is repeated at the top of each page the table runs onto."""
        pdf = self.pdf
        columns = max(1, len(headers))
        column_width = pdf.epw / columns
        inner = (column_width - 2 * padding) * pdf.k * 1000 / size
        bold, regular = self.face("B"), self.face("")
        head = [bold.lines(str(h), inner) for h in headers]

        def draw(face, cells: list[list[str]], repeat_head: bool):
            remaining = [list(lines) for lines in cells]
            fresh = False  # at most one new page before drawing a line (no endless loop)
            while any(remaining):
                room = int((pdf.page_break_trigger - pdf.y - 2 * padding) / height + 1e-6)
                tallest = max(len(lines) for lines in remaining)
                if not fresh and room < min(tallest, 3) and pdf.y > pdf.t_margin + 15:
                    pdf.add_page()
                    fresh = True
                    if repeat_head:
                        draw(bold, head, False)
                    continue
                fresh = False
                take = max(1, min(tallest, room))
                row_height = take * height + 2 * padding
                top = pdf.y
                k, page_height = pdf.k, pdf.h
                rects = []
                for column, lines in enumerate(remaining):
                    left = pdf.l_margin + column * column_width
                    rects.append(f"{left * k:.2f} {(page_height - top) * k:.2f} "
                                 f"{column_width * k:.2f} {-row_height * k:.2f} re")
                    if lines[:take]:
                        self._show(face, size, left + padding, top + padding, height, lines[:take])
                    del lines[:take]
                self.emit(" ".join(rects) + " S")
                pdf.set_xy(pdf.l_margin, top + row_height)

        draw(bold, head, False)
        for row in rows:
            draw(regular, [regular.lines(str(cell), inner) for cell in row], True)

    def centred(self, text: str, style: str, size: float, top: float, height: float,
                colour: tuple[int, int, int], fill: tuple[int, int, int] | None = None):
        """One line centred across the text width (made smaller if it would not fit), on an
        optional filled band: the TLP banner and the footer."""
        pdf = self.pdf
        k, face = pdf.k, self.face(style)
        width = face.measure(text) * size / 1000 / k
        room = pdf.epw - 4
        if width > room:
            size, width = size * room / width, room
        x = pdf.l_margin + (pdf.epw - width) / 2
        baseline = top + height / 2 + 0.3 * size / k
        ops = ["q"]
        if fill is not None:
            ops.append(f"{fill[0] / 255:.3f} {fill[1] / 255:.3f} {fill[2] / 255:.3f} rg "
                       f"{pdf.l_margin * k:.2f} {(pdf.h - top) * k:.2f} {pdf.epw * k:.2f} {-height * k:.2f} re f")
        ops.append(f"{colour[0] / 255:.3f} {colour[1] / 255:.3f} {colour[2] / 255:.3f} rg "
                   f"BT {self._font(face, size)} {x * k:.2f} {(pdf.h - baseline) * k:.2f} Td {face.encode(text)} ET Q")
        self.emit(" ".join(ops))


def to_pdf(document: dict) -> bytes:
    from fpdf import FPDF

    label = banner(document)
    colour = TLP_COLOURS.get(document["tlp"], (255, 255, 255))
    footer_text = f"{document['tlp_label']} · {document['title'][:80]}"

    class ReportPDF(FPDF):
        def header(self):
            # The TLP banner, the label's colour on black as TLP 2.0 asks, at the top of EVERY page.
            writer.centred(label, "B", 9, self.t_margin, 7, colour, fill=(0, 0, 0))
            self.set_xy(self.l_margin, self.t_margin + 10)

        def footer(self):
            # Also hands fpdf the page's pending operators: fpdf calls footer() as a page closes.
            writer.centred(f"{footer_text} · page {self.page_no()}", "", 8, self.h - 12, 6, (90, 90, 90))
            writer.flush()

    pdf = ReportPDF(format="A4")
    pdf.set_title(document["title"])
    pdf.add_font("DejaVu", "", str(font_path("DejaVuSans.ttf")))
    pdf.add_font("DejaVu", "B", str(font_path("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_font("DejaVu", "", 10)
    writer = _PdfWriter(pdf, "DejaVu")
    write = writer.write
    pdf.add_page()

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
                write(item, indent=4, bullet="•")
            pdf.ln(1)
        elif kind == "table":
            writer.table(block["headers"], block["rows"])
            pdf.ln(2)
        elif kind == "entry":
            pdf.ln(1)
            write(block["title"], 11, "B", 6)
            write(block["meta"], 8, "", 4)
            for label_text, text in block["fields"]:
                write(f"{label_text}:", 9, "B", 5)
                write(text, 9, "", 4.5)
    return bytes(pdf.output())


# --- DOCX -------------------------------------------------------------------------------------
#
# The body is written as one WordprocessingML string and parsed once by lxml: python-docx's
# add_paragraph/add_run/add_table build each element through several Python calls (and
# add_paragraph(style=name) scans every style), which took 7-12 s for 5,000 entries.

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _w_text(text) -> str:
    """Runs' content for `text`: escaped, line breaks as <w:br/>."""
    clean = _XML_INVALID.sub("", str(text if text is not None else "")).translate(_XML_ESCAPES)
    lines = clean.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)


def _w_paragraph(text, style_id: str | None = None, italic: bool = False, label: str | None = None) -> str:
    parts = ["<w:p>"]
    if style_id:
        parts.append(f'<w:pPr><w:pStyle w:val="{style_id}"/></w:pPr>')
    if label:
        parts.append(f"<w:r><w:rPr><w:b/></w:rPr>{_w_text(f'{label}: ')}</w:r>")
    parts.append("<w:r><w:rPr><w:i/></w:rPr>" if italic else "<w:r>")
    parts.append(_w_text(text))
    parts.append("</w:r></w:p>")
    return "".join(parts)


def _w_table(headers: list, rows: list[list], width_twips: int) -> str:
    columns = max(1, len(headers))
    column = width_twips // columns
    cell_start = f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{column}"/></w:tcPr>'

    def row(values, header: bool = False) -> str:
        properties = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
        cells = "".join(f"{cell_start}<w:p><w:r>{_w_text(value)}</w:r></w:p></w:tc>" for value in values)
        return f"<w:tr>{properties}{cells}</w:tr>"

    # Fixed layout with explicit widths: Word does not have to autofit the table cell by cell.
    return "".join([
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>'
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" '
        'w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>',
        f'<w:gridCol w:w="{column}"/>' * columns,
        "</w:tblGrid>",
        row(headers, header=True),
        *(row(values) for values in rows),
        "</w:tbl>",
        # Two tables in a row would merge: a table is always followed by a paragraph in Word.
        "<w:p/>",
    ])


def to_docx(document: dict) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement, parse_xml
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
    doc.core_properties.title = _XML_INVALID.sub("", document["title"])[:255]
    section = doc.sections[-1]
    width_twips = int((section.page_width - section.left_margin - section.right_margin) / 635)

    parts = [f'<w:body xmlns:w="{_W_NS}">',
             _w_paragraph(document["title"], "Title"),
             _w_paragraph(document["subtitle"], italic=True)]
    for block in document["blocks"]:
        kind = block["type"]
        if kind == "heading":
            parts.append(_w_paragraph(block["text"], f"Heading{min(max(block['level'], 1), 3)}"))
        elif kind == "paragraph":
            parts.append(_w_paragraph(block["text"]))
        elif kind == "list":
            parts.extend(_w_paragraph(item, "ListBullet") for item in block["items"])
        elif kind == "table":
            parts.append(_w_table(block["headers"], block["rows"], width_twips))
        elif kind == "entry":
            parts.append(_w_paragraph(block["title"], "Heading3"))
            parts.append(_w_paragraph(block["meta"], italic=True))
            parts.extend(_w_paragraph(text, label=label) for label, text in block["fields"])
    parts.append("</w:body>")
    content = parse_xml("".join(parts).encode("utf-8"))

    body = doc.element.body
    section_properties = body.sectPr
    body.remove(section_properties)
    body.extend(list(content))
    body.append(section_properties)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
