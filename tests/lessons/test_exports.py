"""The PDF and DOCX exports, read back by independent readers (pypdf, python-docx): nothing is lost
by the fast paths (own word wrap and subset encoding in the PDF, a docxtpl template in the DOCX)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Pt, RGBColor
from lxml import etree
from pypdf import PdfReader

from app.lessons import export as exports
from app.lessons.export.marking import TLP_COLOURS

CYRILLIC = "Ковальчук: рація не працює на кордоні"
GEORGIAN = "საზღვრის პატრული (ქართული)"
URL = "https://example.org/" + "very-long-path-segment/" * 12 + "end"
LONG_CELL = ("Fix the radios at the border crossing point, train the interpreters and sign the "
             "data-sharing agreement before the next joint action day " * 3).strip()


def _document(tlp="red", label="TLP:RED"):
    paragraph = (f"Parens (stay) and a backslash \\ and 100% {CYRILLIC} {GEORGIAN} "
                 + " ".join(f"word{i}" for i in range(400)))
    return {
        "title": f"Summary {GEORGIAN}", "subtitle": "Version 1", "tlp": tlp, "tlp_label": label,
        "blocks": [
            {"type": "heading", "level": 1, "text": "Key figures"},
            {"type": "table", "headers": ["Action", "Owner", "Due", "Status"],
             "rows": [[f"Action {n}: {LONG_CELL}", CYRILLIC, "2026-12-01", "open"] for n in range(40)]},
            {"type": "paragraph", "text": paragraph + "\nSecond line\n\nAfter a blank line"},
            {"type": "list", "items": [f"Item {n}: {CYRILLIC}" for n in range(5)] + [URL]},
            {"type": "entry", "title": "Entry with <markup> & ampersand", "meta": "Observation · TLP:RED",
             "fields": [("Observation", "Control \x0b characters\x01 are dropped"), ("Analysis", paragraph)]},
        ],
    }


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _in_order(needle: str, haystack: list[str], start: int) -> bool:
    """Every word of `needle`, in order, in `haystack` from `start` (other cells of the row, or the
    next page's banner when a tall row continues there, may come in between)."""
    words = iter(haystack[start:])
    return all(any(word == token for token in words) for word in needle.split())


def test_pdf_keeps_all_text_wraps_long_cells_and_repeats_the_banner():
    document = _document()
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(exports.to_pdf(document))).pages]
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert text.startswith("TLP:RED — For the eyes and ears of individual recipients only"), number
        assert f"TLP:RED · Summary {GEORGIAN} · page {number}" in text
    everything = _flat(" ".join(pages))
    # Every table cell in full (the old export cut cells at the column width), wrapped over lines.
    tokens = everything.split(" ")
    for n in range(40):
        assert _in_order(f"Action {n}: {LONG_CELL} {CYRILLIC} 2026-12-01 open", tokens, tokens.index(f"{n}:") - 1)
    # The table runs onto a second page, which repeats the header row.
    table_pages = [text for text in pages if "Action 39" in text or "Action 0:" in text]
    assert all("Action Owner Due Status" in _flat(text) for text in table_pages)
    # Text wrapped at spaces, word for word, with PDF-special characters and Unicode intact.
    paragraph = document["blocks"][2]["text"].split("\n")[0]
    assert _flat(paragraph)[:300] in everything  # (a page break falls later in the paragraph)
    assert _in_order(paragraph, tokens, tokens.index("Parens"))
    assert "Second line" in everything and "After a blank line" in everything
    assert f"Item 4: {CYRILLIC}" in everything
    # A word longer than a line is cut by characters, not lost.
    assert URL in re.sub(r"\s+", "", " ".join(pages))
    assert "Entry with <markup> & ampersand" in everything
    assert "Control characters are dropped" in everything  # no glyph: left out


def test_pdf_of_an_empty_document_still_has_the_banner():
    document = {"title": "Empty", "subtitle": "", "tlp": "clear", "tlp_label": "TLP:CLEAR", "blocks": []}
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(exports.to_pdf(document))).pages]
    assert len(pages) == 1 and pages[0].startswith("TLP:CLEAR") and "Empty" in pages[0]


def test_docx_reads_back_with_styles_tables_and_unicode():
    docx = Document(io.BytesIO(exports.to_docx(_document(tlp="amber", label="TLP:AMBER"))))
    assert all(section.header.paragraphs[0].text.startswith("TLP:AMBER — ") for section in docx.sections)
    assert all(section.footer.paragraphs[0].text == "TLP:AMBER" for section in docx.sections)
    paragraphs = docx.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == f"Summary {GEORGIAN}"
    by_text = {p.text: p for p in paragraphs}
    assert by_text["Key figures"].style.name == "Heading 1"
    assert by_text["Entry with <markup> & ampersand"].style.name == "Heading 3"
    assert by_text[f"Item 0: {CYRILLIC}"].style.name == "List Bullet"
    # Line breaks kept inside a paragraph, control characters dropped, labels in bold.
    assert any(p.text.endswith("Second line\n\nAfter a blank line") for p in paragraphs)
    observation = by_text["Observation: Control  characters are dropped"]
    assert observation.runs[0].bold and observation.runs[0].text == "Observation: "
    # The table, every row and cell in full (the header row's repeat: see below).
    [table] = docx.tables
    assert table.style.name == "Table Grid" and len(table.rows) == 41
    assert [cell.text for cell in table.rows[0].cells] == ["Action", "Owner", "Due", "Status"]
    assert [cell.text for cell in table.rows[40].cells] == [f"Action 39: {LONG_CELL}", CYRILLIC, "2026-12-01", "open"]


def test_docx_tables_in_a_row_stay_separate():
    table = {"type": "table", "headers": ["A", "B"], "rows": [["1", "2"]]}
    document = {"title": "T", "subtitle": "", "tlp": "clear", "tlp_label": "TLP:CLEAR", "blocks": [table, table]}
    assert len(Document(io.BytesIO(exports.to_docx(document))).tables) == 2


def test_markdown_escapes_raw_html_from_authors():
    document = {
        "title": "Summary <b>bold</b>", "subtitle": "Version 1", "tlp": "green", "tlp_label": "TLP:GREEN",
        "blocks": [
            {"type": "heading", "level": 2, "text": "Theme <i>x</i>"},
            {"type": "paragraph", "text": "Intro <script>alert(1)</script>\n# not a heading"},
            {"type": "list", "items": ['<img src=x onerror="alert(1)">']},
            {"type": "table", "headers": ["A|B"], "rows": [["<a href='javascript:alert(1)'>x</a>"]]},
            {"type": "entry", "title": "<iframe src=//evil>", "meta": "Observation",
             "fields": [("Analysis", "a < b and <!-- comment -->")]},
        ],
    }
    markdown = exports.to_markdown(document)
    assert "<" not in markdown
    assert "# Summary &lt;b>bold&lt;/b>" in markdown
    assert "Intro &lt;script>alert(1)&lt;/script>\n\\# not a heading" in markdown
    assert "| A\\|B |" in markdown and "&lt;a href='javascript:alert(1)'>x&lt;/a>" in markdown
    assert "#### &lt;iframe src=//evil>" in markdown and "**Analysis:** a &lt; b and &lt;!-- comment -->" in markdown
    assert markdown.startswith("**TLP:GREEN — ") and markdown.endswith("**TLP:GREEN**\n")


def test_a_worker_loads_the_pdf_and_docx_libraries_only_when_it_exports():
    """fpdf2 and python-docx cost each web worker about 28 MB: they load with the first export."""
    import subprocess
    import sys

    probe = ("import sys; from app import create_app; create_app(); from app.lessons import export; "
             "before = [m for m in ('fpdf', 'docx') if m in sys.modules]; export.to_docx; "
             "print(before, 'docx' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[] True"


def _docx_xml(data: bytes, part: str = "word/document.xml"):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(part))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_docx_table_header_row_repeats_and_rows_fit_the_columns():
    table = {"type": "table", "headers": ["A", "B", "C"], "rows": [["1", "2"], ["1", "2", "3", "4"]]}
    document = {"title": "T", "subtitle": "", "tlp": "clear", "tlp_label": "TLP:CLEAR", "blocks": [table]}
    data = exports.to_docx(document)
    [docx_table] = Document(io.BytesIO(data)).tables
    assert [[cell.text for cell in row.cells] for row in docx_table.rows] == [
        ["A", "B", "C"], ["1", "2", ""], ["1", "2", "3"]]
    rows = list(_docx_xml(data).iter(f"{W}tr"))
    assert [row.find(f"{W}trPr/{W}tblHeader") is not None for row in rows] == [True, False, False]
    # The grid follows the column count, columns of even width.
    [grid] = _docx_xml(data).iter(f"{W}tblGrid")
    assert len({column.get(f"{W}w") for column in grid}) == 1 and len(grid) == 3
    two = dict(table, headers=["A", "B"])
    [grid] = _docx_xml(exports.to_docx(dict(document, blocks=[two]))).iter(f"{W}tblGrid")
    assert len(grid) == 2


def test_docx_escapes_markup_drops_invalid_characters_and_keeps_line_breaks():
    title = 'Title <script>alert("x")</script> & {{ 7*7 }} {_{ kept }_}'
    document = {
        "title": title + "\x00", "subtitle": "Sub\x1ftitle", "tlp": "green", "tlp_label": "TLP:GREEN",
        "blocks": [{"type": "entry", "title": "E", "meta": "M",
                    "fields": [("Line\nlabel", "First\r\nsecond\rthird\tafter a tab")]},
                   {"type": "table", "headers": ["H\x0b"], "rows": [["cell\nnext"]]}],
    }
    data = exports.to_docx(document)
    docx = Document(io.BytesIO(data))
    assert docx.paragraphs[0].text == title and docx.core_properties.title == title
    assert docx.paragraphs[1].text == "Subtitle" and docx.paragraphs[1].runs[0].italic
    field = next(p for p in docx.paragraphs if p.text.startswith("Line"))
    assert field.text == "Line\nlabel: First\nsecond\nthird\tafter a tab"
    assert field.runs[0].bold and field.runs[0].text == "Line\nlabel: "
    assert [cell.text for row in docx.tables[0].rows for cell in row.cells] == ["H", "cell\nnext"]
    assert len(list(_docx_xml(data).iter(f"{W}br"))) == 4


@pytest.mark.parametrize("tlp", sorted(TLP_COLOURS))
def test_docx_banner_is_bold_9pt_and_coloured_on_black(tlp):
    label = "TLP:" + tlp.upper().replace("_", "+")
    document = {"title": "T", "subtitle": "", "tlp": tlp, "tlp_label": label, "blocks": []}
    [section] = Document(io.BytesIO(exports.to_docx(document))).sections
    [paragraph] = section.header.paragraphs
    [run] = paragraph.runs
    assert paragraph.text.startswith(f"{label} — ") and paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert run.bold and run.font.size == Pt(9)
    if tlp == "clear":
        assert run.font.color.rgb == RGBColor(0, 0, 0) and run.font.highlight_color is None
    else:
        assert run.font.color.rgb == RGBColor(*TLP_COLOURS[tlp])
        assert run.font.highlight_color == WD_COLOR_INDEX.BLACK
    assert [p.text for p in section.footer.paragraphs] == [label]


def test_docx_template_is_built_by_make_template(tmp_path):
    """The committed template is what make_template.py builds (run it after changing either)."""
    from app.lessons.export import make_template

    make_template.build(tmp_path / "summary.docx")
    built, committed = (zipfile.ZipFile(path) for path in (tmp_path / "summary.docx", make_template.TEMPLATE))
    assert built.namelist() == committed.namelist()
    for name in built.namelist():
        assert built.read(name) == committed.read(name), name
