"""Summary and wrap-up exports: a plain document (see app.lessons.summaries) rendered as PDF, DOCX,
Markdown or HTML.

A document is {"title", "subtitle", "tlp", "tlp_label", "blocks": [...]} where a block is a heading
(level, text), a paragraph (text), a list (items), a table (headers, rows) or an entry (title, meta,
fields). Every export carries the document's TLP banner (see marking.py): the PDF header of each
page, the DOCX section header, the top of the Markdown and HTML. This module only dispatches.
"""

from __future__ import annotations

from app.lessons.export.docx import to_docx
from app.lessons.export.html import to_html
from app.lessons.export.markdown import to_markdown
from app.lessons.export.pdf import to_pdf

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
}


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
