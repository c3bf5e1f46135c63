"""Summary and wrap-up exports: a plain document (see app.lessons.summaries) rendered as PDF, DOCX,
Markdown or HTML.

A document is {"title", "subtitle", "tlp", "tlp_label", "blocks": [...]} where a block is a heading
(level, text), a paragraph (text), a list (items), a table (headers, rows) or an entry (title, meta,
fields). Every export carries the document's TLP banner (see marking.py): the PDF header of each
page, the DOCX section header, the top of the Markdown and HTML. This module only dispatches.

The writers are imported on first use: the PDF and DOCX ones load fpdf2 and python-docx (about 28 MB
in every web worker), which a worker that never exports should not carry.
"""

from __future__ import annotations

import importlib

# Each writer: the module that holds it (in this package).
WRITERS = {"to_pdf": "pdf", "to_docx": "docx", "to_markdown": "markdown", "to_html": "html"}

FORMATS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
}


def __getattr__(name: str):
    """export.to_pdf and the other writers, imported when first asked for (PEP 562)."""
    if name in WRITERS:
        return getattr(importlib.import_module(f"{__name__}.{WRITERS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def render(document: dict, fmt: str) -> bytes:
    if fmt == "pdf":
        return __getattr__("to_pdf")(document)
    if fmt == "docx":
        return __getattr__("to_docx")(document)
    if fmt == "md":
        return __getattr__("to_markdown")(document).encode("utf-8")
    if fmt == "html":
        return __getattr__("to_html")(document).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}")
