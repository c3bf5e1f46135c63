"""A document as DOCX, through python-docx's public API (Document, styles, paragraphs, runs,
tables, section headers and footers).

Speed (a 5,000-entry summary): a paragraph appended to the body is placed before the section
properties, which lxml finds by walking every child, so 30,000 appended paragraphs cost quadratic
time. Instead a run of consecutive paragraphs is written by appending its LAST paragraph and
inserting the others before it (Paragraph.insert_paragraph_before is constant time). Run text goes
in through Run.add_text() and Run.add_break() per line, not the character-by-character Run.text;
text that is printable ASCII skips the XML-character filter. Paragraph styles are style objects
fetched once. What remains is python-docx's own cost per property: giving a run bold or italic adds
its element after scanning for each of the ~37 elements that may follow it (~45 us, 40,000 bold
labels), and assigning a paragraph style first looks up the default style among all styles
(~90 us, 12,500 headings and bullets); see _only_used_styles.
"""

from __future__ import annotations

import io
import re

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Pt, RGBColor

from app.lessons.export.marking import banner, colour

# Characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text) -> str:
    """`text` as a string XML can carry: invalid characters dropped, line breaks as "\\n". Printable
    ASCII (most text) is recognised by two C-speed checks and left as it is."""
    text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():
        return text
    text = _XML_INVALID.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _add_text(run, text: str) -> None:
    """Cleaned `text` into `run`, line breaks as breaks."""
    if "\n" not in text:
        run.add_text(text)
        return
    lines = text.split("\n")
    run.add_text(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)


class _Body:
    """Paragraphs and tables appended to a Document, in order (see the module's note on speed).

    A paragraph waits in `pending` as (text, style, italic, label); the styles are python-docx style
    objects fetched once (a style given by name is looked up among all styles each time)."""

    def __init__(self, doc):
        self.doc = doc
        self.pending: list[tuple] = []
        self.styles = {name: doc.styles[name] for name in USED_PARAGRAPH_STYLES}

    def add(self, text, style: str | None = None, italic: bool = False, label: str | None = None):
        self.pending.append((clean(text), self.styles[style] if style else None, italic, label))

    @staticmethod
    def _fill(paragraph, text: str, style, italic: bool, label: str | None):
        if style is not None:
            paragraph.style = style
        if label:
            run = paragraph.add_run()
            run.bold = True
            _add_text(run, clean(f"{label}: "))
        run = paragraph.add_run()
        if italic:
            run.italic = True
        _add_text(run, text)

    def flush(self):
        if not self.pending:
            return
        fill = self._fill
        *before, last_spec = self.pending
        last = self.doc.add_paragraph()
        new = last.insert_paragraph_before
        for spec in before:
            fill(new(), *spec)
        fill(last, *last_spec)
        self.pending.clear()

    def table(self, headers: list, rows: list[list]):
        self.flush()
        # Even column widths across the text width, fixed layout: Word does not autofit cell by cell.
        table = self.doc.add_table(rows=1, cols=max(1, len(headers)), style=self.doc.styles["Table Grid"])
        table.autofit = False
        for cell, value in zip(table.rows[0].cells, headers, strict=False):
            _add_text(cell.paragraphs[0].add_run(), clean(value))
        for values in rows:
            for cell, value in zip(table.add_row().cells, values, strict=False):
                _add_text(cell.paragraphs[0].add_run(), clean(value))
        # Two tables in a row would merge: a table is always followed by a paragraph in Word.
        self.doc.add_paragraph()


# The styles the export uses, and the defaults.
USED_PARAGRAPH_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet")
USED_STYLES = {*USED_PARAGRAPH_STYLES, "Normal", "Table Grid", "Normal Table", "Default Paragraph Font",
               "No List", "Header", "Footer"}


def _only_used_styles(doc):
    """Delete the template's other style definitions (164 of them, a hundred table styles): python-docx
    looks up the default style by walking every definition each time a paragraph's style is set
    (10,000 times in a 5,000-entry summary). Word and LibreOffice still offer their built-in styles
    (the template's latent styles)."""
    for style in list(doc.styles):
        if style.name not in USED_STYLES:
            style.delete()


def _header_and_footer(doc, document: dict):
    r, g, b = colour(document)
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(banner(document))
        run.bold = True
        run.font.size = Pt(9)
        # Coloured label on black, as TLP 2.0 asks (black text on white for CLEAR).
        if document["tlp"] != "clear":
            run.font.color.rgb = RGBColor(r, g, b)
            run.font.highlight_color = WD_COLOR_INDEX.BLACK
        else:
            run.font.color.rgb = RGBColor(0, 0, 0)
        footer = section.footer
        (footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()).text = document["tlp_label"]


def _block(body: _Body, block: dict):
    kind = block["type"]
    if kind == "heading":
        body.add(block["text"], f"Heading {min(max(block['level'], 1), 3)}")
    elif kind == "paragraph":
        body.add(block["text"])
    elif kind == "list":
        for item in block["items"]:
            body.add(item, "List Bullet")
    elif kind == "table":
        body.table(block["headers"], block["rows"])
    elif kind == "entry":
        body.add(block["title"], "Heading 3")
        body.add(block["meta"], italic=True)
        for label, text in block["fields"]:
            body.add(text, label=label)


def to_docx(document: dict) -> bytes:
    doc = Document()
    _only_used_styles(doc)
    _header_and_footer(doc, document)
    doc.core_properties.title = _XML_INVALID.sub("", document["title"])[:255]
    body = _Body(doc)
    body.add(document["title"], "Title")
    body.add(document["subtitle"], italic=True)
    for block in document["blocks"]:
        _block(body, block)
    body.flush()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
