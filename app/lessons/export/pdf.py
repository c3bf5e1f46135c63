"""A document as PDF, through fpdf2's public API only: FPDF with header()/footer() for the TLP
banner and the page footer, add_font() for the bundled DejaVu faces, set_font(), get_string_width(),
text(), rect(), add_page().

Speed (a 5,000-entry summary, ~190,000 lines, 13.7 M characters): cell()/multi_cell()/write() break
lines character by character in Python (multi_cell: ~9 us a character, over a minute here). Here
each character is measured once per face and size for the whole document (get_string_width(), a
word's width is the sum of its characters'), paragraphs are wrapped at spaces by bisection over the
running widths of their words, a text is wrapped once (labels repeat, and an entry listed under two
themes), each line is drawn with one text() call, and set_font() is called only when the face or
size changes. What remains is fpdf2's own: text() encodes every character through the font subset
one at a time (TTFFont.encode_text, ~0.16 us a character, about 2.2 s of CPU here, as much as the
whole pre-public-API export took) and output() serialises and compresses 3,249 pages (~0.5-1 s).
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections.abc import Callable
from itertools import accumulate, repeat
from operator import add
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF

from app.lessons.export.marking import banner, colour, language

# fpdf2 subsets the TTF font through fontTools, which logs every table at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)

APP_FONTS = Path(__file__).resolve().parent.parent.parent / "fonts"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
FAMILY = "DejaVu"
BOTTOM_MARGIN = 16


def font_path(name: str = "DejaVuSans.ttf") -> Path:
    """The vendored font (app/fonts) or, if it is absent, the system's DejaVu."""
    for folder in (APP_FONTS, SYSTEM_FONTS):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} not found in {APP_FONTS} or {SYSTEM_FONTS}")


class _Widths(dict):
    """word -> its width (mm) in one face and size, for the whole document: each character measured
    once by fpdf (get_string_width), a word as the sum of its characters' widths (what fpdf does
    without text shaping, which this export does not turn on: no kerning)."""

    def __init__(self, measure: Callable[[str], float]):
        super().__init__()
        self.measure = measure

    def __missing__(self, word: str) -> float:
        value = self[word] = self.measure(word) if len(word) < 2 else sum(map(self.__getitem__, word))
        return value


def _cut(word: str, width: float, widths: _Widths) -> list[str]:
    """A word wider than the line (a URL) cut by characters."""
    pieces, piece, piece_width = [], "", 0.0
    for char in word:
        char_width = widths[char]
        if piece and piece_width + char_width > width:
            pieces.append(piece)
            piece, piece_width = "", 0.0
        piece += char
        piece_width += char_width
    pieces.append(piece)
    return pieces


def wrap(text, width: float, widths: _Widths) -> list[str]:
    """`text` wrapped (greedy, at spaces) into lines no wider than `width`; the author's line breaks
    kept ("" for an empty line). Line breaks are found by bisection over the words' running widths."""
    text = "" if text is None else str(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\t" in text:
        text = text.replace("\t", "    ")
    space = widths[" "]
    limit = width + space
    out: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split(" ")
        # ends[j]: width of words 0..j with one space after each.
        ends = list(accumulate(map(add, map(widths.__getitem__, words), repeat(space))))
        if ends[-1] <= limit:  # fits on one line (titles, labels, empty lines)
            out.append(paragraph)
            continue
        count, first = len(words), 0
        while first < count:
            after = bisect_right(ends, (ends[first - 1] if first else 0) + limit, first)
            if after == first:
                out.extend(_cut(words[first], width, widths))
                after = first + 1
            else:
                out.append(" ".join(words[first:after]))
            first = after
    return out


class _Writer:
    """Flowing text, tables and centred lines on an FPDF document, page breaks included."""

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self._widths: dict[tuple[str, float], _Widths] = {}
        self.font: tuple[str, float] | None = None  # what set_font() was last given here
        # Texts wrapped once for the document: the labels, and entries listed under two themes.
        self._wrapped: dict[tuple, list[str]] = {}

    def set_font(self, style: str, size: float):
        if self.font != (style, size):
            self.pdf.set_font(FAMILY, style, size)
            self.font = (style, size)

    def widths(self, style: str, size: float) -> _Widths:
        found = self._widths.get((style, size))
        if found is None:
            def measure(word: str) -> float:
                self.set_font(style, size)
                return self.pdf.get_string_width(word)

            found = self._widths[(style, size)] = _Widths(measure)
        return found

    def _bottom(self) -> float:
        return self.pdf.h - self.pdf.b_margin

    def lines_at(self, x: float, top: float, height: float, lines: list[str], style: str, size: float):
        """Draw `lines`, the first baseline at top + 0.75 * height."""
        text = self.pdf.text
        self.set_font(style, size)
        baseline = top + 0.75 * height
        for line in lines:
            if line:
                text(x, baseline, line)
            baseline += height

    def new_page(self):
        """add_page(), which restores the font after the header and footer: so does the record here."""
        font = self.font
        self.pdf.add_page()
        self.font = font

    def write(self, text, size: float = 10, style: str = "", height: float = 5, indent: float = 0,
              bullet: str | None = None):
        """Wrapped text from the current line down, one text() call per line, a new page when a line
        would cross the bottom margin."""
        pdf = self.pdf
        x = pdf.l_margin + indent
        key = ("" if text is None else str(text), style, size, x)
        lines = self._wrapped.get(key)
        if lines is None:
            lines = self._wrapped[key] = wrap(text, pdf.w - pdf.r_margin - x, self.widths(style, size))
        if self.font != (style, size):
            self.set_font(style, size)
        draw, bottom, top = pdf.text, pdf.h - pdf.b_margin + height * 1e-6, pdf.get_y()
        if bullet:
            if top + height > bottom:
                self.new_page()
                top = pdf.get_y()
            draw(pdf.l_margin, top + 0.75 * height, bullet)
        for line in lines:
            if top + height > bottom:
                self.new_page()
                top = pdf.get_y()
            if line:
                draw(x, top + 0.75 * height, line)
            top += height
        pdf.set_y(top)  # and x at the left margin

    def table(self, headers: list, rows: list[list], size: float = 9, height: float = 4.5, padding: float = 1):
        """A bordered table; long cells wrap (a row taller than a page continues on the next),
        and the header row is repeated at the top of each page the table runs onto."""
        column_width = self.pdf.epw / max(1, len(headers))
        inner = column_width - 2 * padding
        bold, regular = self.widths("B", size), self.widths("", size)
        head = [wrap(h, inner, bold) for h in headers]
        self._rows(head, "B", None, column_width, size, height, padding)
        for row in rows:
            self._rows([wrap(cell, inner, regular) for cell in row], "", head, column_width, size, height, padding)

    def _rows(self, cells: list[list[str]], style: str, head: list[list[str]] | None, column_width: float,
              size: float, height: float, padding: float):
        """One table row, split over pages if taller than the room left (the head drawn again)."""
        pdf = self.pdf
        remaining = [list(lines) for lines in cells]
        fresh = False  # at most one new page before drawing a line (no endless loop)
        while any(remaining):
            room = int((self._bottom() - pdf.get_y() - 2 * padding) / height + 1e-6)
            tallest = max(len(lines) for lines in remaining)
            if not fresh and room < min(tallest, 3) and pdf.get_y() > pdf.t_margin + 15:
                pdf.add_page()
                fresh = True
                if head is not None:
                    self._rows(head, "B", None, column_width, size, height, padding)
                continue
            fresh = False
            take = max(1, min(tallest, room))
            row_height = take * height + 2 * padding
            top = pdf.get_y()
            for column, lines in enumerate(remaining):
                left = pdf.l_margin + column * column_width
                pdf.rect(left, top, column_width, row_height)
                self.lines_at(left + padding, top + padding, height, lines[:take], style, size)
                del lines[:take]
            pdf.set_xy(pdf.l_margin, top + row_height)

    def centred(self, text: str, style: str, size: float, top: float, height: float,
                rgb: tuple[int, int, int], fill: tuple[int, int, int] | None = None):
        """One line centred across the text width (made smaller if it would not fit), on an
        optional filled band: the TLP banner and the footer."""
        pdf = self.pdf
        self.set_font(style, size)
        width, room = self.widths(style, size)[text], pdf.epw - 4  # the banner measured once
        if width > room:
            size, width = size * room / width, room
            self.set_font(style, size)
        if fill is not None:
            pdf.set_fill_color(*fill)
            pdf.rect(pdf.l_margin, top, pdf.epw, height, style="F")
        pdf.set_text_color(*rgb)
        pdf.text(pdf.l_margin + (pdf.epw - width) / 2, top + height / 2 + 0.3 * size / pdf.k, text)
        pdf.set_text_color(0)
        pdf.set_fill_color(0)


class _SummaryPDF(FPDF):
    """A4 pages with the TLP banner (the label's colour on black, as TLP 2.0 asks) at the top of
    EVERY page and a footer naming the marking, the title and the page."""

    def __init__(self, document: dict):
        super().__init__(format="A4")
        self.banner_text, self.banner_colour = banner(document), colour(document)
        self.footer_text = f"{document['tlp_label']} · {document['title'][:80]}"
        self.add_font(FAMILY, "", str(font_path("DejaVuSans.ttf")))
        self.add_font(FAMILY, "B", str(font_path("DejaVuSans-Bold.ttf")))
        self.set_auto_page_break(auto=False, margin=BOTTOM_MARGIN)
        self.set_title(document["title"])
        self.set_lang(language())
        self.set_font(FAMILY, "", 10)
        self.writer = _Writer(self)

    def header(self):
        self.writer.centred(self.banner_text, "B", 9, self.t_margin, 7, self.banner_colour, fill=(0, 0, 0))
        self.set_xy(self.l_margin, self.t_margin + 10)
        self.writer.font = None  # add_page() sets the page's font again after header()

    def footer(self):
        page = _("page %(number)s", number=self.page_no())
        self.writer.centred(f"{self.footer_text} · {page}", "", 8, self.h - 12, 6, (90, 90, 90))
        self.writer.font = None


def _block(pdf: _SummaryPDF, block: dict):
    write, kind = pdf.writer.write, block["type"]
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
        pdf.writer.table(block["headers"], block["rows"])
        pdf.ln(2)
    elif kind == "entry":
        pdf.ln(1)
        write(block["title"], 11, "B", 6)
        write(block["meta"], 8, "", 4)
        for label_text, text in block["fields"]:
            write(_("%(label)s:", label=label_text), 9, "B", 5)
            write(text, 9, "", 4.5)


def to_pdf(document: dict) -> bytes:
    pdf = _SummaryPDF(document)
    pdf.add_page()
    pdf.writer.write(document["title"], 16, "B", 8)
    pdf.writer.write(document["subtitle"], 9)
    pdf.ln(3)
    for block in document["blocks"]:
        _block(pdf, block)
    return bytes(pdf.output())
