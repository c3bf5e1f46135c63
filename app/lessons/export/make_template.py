"""Build templates/summary.docx, the docxtpl template the DOCX export renders (see docx.py).

    python -m app.lessons.export.make_template

Run it again after changing the layout below or the TLP colours in marking.py, and commit the
result (tests/lessons/test_exports.py checks that the committed template is up to date). The template
is written with python-docx's API: paragraphs with their styles, runs with their formatting, the
table, the section header and footer. Their text is Jinja for docxtpl, values through the `text`
filter (docx.text); a paragraph, row or cell holding a `{%p …%}`, `{%tr …%}` or `{%tc …%}` tag is
replaced by the tag when rendering.

Two things python-docx has no API for: marking the table's first row as a header row that Word
repeats on each page (w:tblHeader), and leaving the cells' widths to the table grid. Both are done
on the document's element tree (Document.element, public) with lxml's API; see _lxml_touches.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Pt, RGBColor
from lxml import etree

from app.lessons.export.marking import TLP_COLOURS

TEMPLATE = Path(__file__).with_name("templates") / "summary.docx"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# The styles the export uses, and the defaults every document needs.
USED_STYLES = {"Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet", "Normal", "Table Grid",
               "Normal Table", "Default Paragraph Font", "No List", "Header", "Footer"}


def banner_key(tlp: str, rgb: tuple[int, int, int]) -> str:
    """Which of the header's banner paragraphs a document shows: "clear" (black on white) or the
    label's colour as hex (on black)."""
    return "clear" if tlp == "clear" else "".join(f"{value:02X}" for value in rgb)


def _header_and_footer(doc):
    """The banner in each of its looks, one shown by `banner_key`; the label in the footer."""
    section = doc.sections[0]
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    header = section.header
    looks = {banner_key("clear", (0, 0, 0)): (0, 0, 0)}
    looks |= {banner_key("", rgb): rgb for rgb in TLP_COLOURS.values()}
    for number, (key, rgb) in enumerate(looks.items()):
        # A new header has one empty paragraph: the first tag goes there.
        opening = header.paragraphs[0] if number == 0 else header.add_paragraph()
        opening.text = f"{{%p if banner_key == '{key}' %}}"
        paragraph = header.add_paragraph(style="Header")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run("{{ banner|text -}} ")
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(*rgb)
        if key != "clear":
            run.font.highlight_color = WD_COLOR_INDEX.BLACK
        header.add_paragraph("{%p endif %}")
    section.footer.paragraphs[0].text = "{{ tlp_label|text }}"


def _text(doc, text: str, style: str | None = None, italic: bool = False, label: bool = False):
    paragraph = doc.add_paragraph(style=style)
    if label:
        # "Observation:" — the pattern comes from gettext through the context (docx.to_docx).
        paragraph.add_run("{{ label_pattern|format(label=label)|text }} ").bold = True
    # The trailing space, cut by "-}}", makes python-docx keep the run's spaces (xml:space).
    paragraph.add_run(text + " ").italic = italic or None


def _table(doc):
    """Header row (repeated on each page), a row per data row, cells in a `{%tc for%}` loop:
    column count follows the document (docxtpl sets the grid, columns of even width)."""
    table = doc.add_table(rows=4, cols=3, style=doc.styles["Table Grid"])
    table.autofit = False
    loops = [("{%tc for value in block['headers']|cells(block['headers']) %}", "{%tc endfor %}"),
             ("{%tr for row in block['rows'] %}", None),
             ("{%tc for value in row|cells(block['headers']) %}", "{%tc endfor %}"),
             ("{%tr endfor %}", None)]
    for row, (start, end) in zip(table.rows, loops, strict=True):
        cells = row.cells
        cells[0].text = start
        if end:
            cells[1].paragraphs[0].add_run("{{ value|text -}} ")
            cells[2].text = end
    _lxml_touches(doc)
    # Two tables in a row would merge: a table is always followed by a paragraph in Word.
    doc.add_paragraph()


def _lxml_touches(doc):
    """What python-docx has no API for. The header row: <w:trPr><w:tblHeader/></w:trPr>, first in
    the row's properties. The cells' widths dropped (python-docx sets each cell to a third of the
    text width): the grid, which docxtpl evens out for the rendered column count, sets them."""
    for width in list(doc.element.iter(f"{W}tcW")):
        width.getparent().remove(width)
    header_row = next(doc.element.iter(f"{W}tr"))
    properties = header_row.find(f"{W}trPr")
    if properties is None:
        properties = etree.Element(f"{W}trPr")
        header_row.insert(0 if header_row.find(f"{W}tblPrEx") is None else 1, properties)
    etree.SubElement(properties, f"{W}tblHeader")


def _body(doc):
    tags = doc.add_paragraph
    _text(doc, "{{ title|text -}}", "Title")
    _text(doc, "{{ subtitle|text -}}", italic=True)
    tags("{%p for block in blocks %}")
    tags("{%p if block['type'] == 'entry' %}")
    _text(doc, "{{ block['title']|text -}}", "Heading 3")
    _text(doc, "{{ block['meta']|text -}}", italic=True)
    tags("{%p for label, value in block['fields'] %}")
    _text(doc, "{{ value|text -}}", label=True)
    tags("{%p endfor %}")
    for level, test in ((1, "<= 1"), (2, "== 2"), (3, ">= 3")):
        tags(f"{{%p elif block['type'] == 'heading' and block['level'] {test} %}}")
        _text(doc, "{{ block['text']|text -}}", f"Heading {level}")
    tags("{%p elif block['type'] == 'paragraph' %}")
    _text(doc, "{{ block['text']|text -}}")
    tags("{%p elif block['type'] == 'list' %}")
    tags("{%p for item in block['items'] %}")
    _text(doc, "{{ item|text -}}", "List Bullet")
    tags("{%p endfor %}")
    tags("{%p elif block['type'] == 'table' %}")
    _table(doc)
    tags("{%p endif %}")
    tags("{%p endfor %}")


def build(path: Path = TEMPLATE) -> None:
    doc = Document()
    for style in list(doc.styles):
        if style.name not in USED_STYLES:
            style.delete()
    _header_and_footer(doc)
    _body(doc)
    path.parent.mkdir(exist_ok=True)
    doc.save(path)


if __name__ == "__main__":
    build()
