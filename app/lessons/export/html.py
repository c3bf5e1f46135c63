"""A document as a standalone HTML page (everything escaped), the TLP banner at the top and bottom."""

from __future__ import annotations

from markupsafe import escape

from app.lessons.export.marking import banner, colour, language


def _html_text(text: str | None) -> str:
    return "<br>".join(str(escape(line)) for line in (text or "").replace("\r\n", "\n").split("\n"))


def _block(block: dict) -> str:
    kind = block["type"]
    if kind == "heading":
        level = block["level"] + 1
        return f"<h{level}>{escape(block['text'])}</h{level}>"
    if kind == "paragraph":
        return f"<p>{_html_text(block['text'])}</p>"
    if kind == "list":
        return "<ul>" + "".join(f"<li>{_html_text(item)}</li>" for item in block["items"]) + "</ul>"
    if kind == "table":
        head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block["headers"])
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in block["rows"])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if kind == "entry":
        parts = [f"<section><h4>{escape(block['title'])}</h4><p class=\"meta\">{escape(block['meta'])}</p>"]
        for label, text in block["fields"]:
            parts.append(f"<p><strong>{escape(label)}:</strong> {_html_text(text)}</p>")
        parts.append("</section>")
        return "\n".join(parts)
    return ""


def to_html(document: dict) -> str:
    r, g, b = colour(document)
    parts = [
        "<!doctype html>",
        f'<html lang="{language()}"><head><meta charset="utf-8">',
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
    parts.extend(filter(None, (_block(block) for block in document["blocks"])))
    parts.append(f'<div class="tlp" role="note">{escape(document["tlp_label"])}</div>')
    parts.append("</body></html>")
    return "\n".join(parts)
