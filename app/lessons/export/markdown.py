"""A document as Markdown. Authors' text is kept as text: raw HTML in it is escaped (a Markdown
viewer would otherwise render it), and a line cannot turn into a heading or a rule."""

from __future__ import annotations

from app.lessons.export.marking import banner


def _md_inline(text) -> str:
    # "<" opens raw HTML (and autolinks) in CommonMark; an entity shows as the character itself.
    return str(text if text is not None else "").replace("<", "&lt;")


def _md_text(text: str | None) -> str:
    # Keep the author's line breaks; stop a line from turning into a heading or a rule.
    lines = _md_inline(text).replace("\r\n", "\n").split("\n")
    return "\n".join(("\\" + line) if line.lstrip().startswith(("#", "---", "===")) else line for line in lines)


def _md_cell(text: str) -> str:
    return _md_inline(text).replace("|", "\\|").replace("\n", " ")


def _table(block: dict) -> list[str]:
    return [
        "| " + " | ".join(_md_cell(h) for h in block["headers"]) + " |",
        "|" + "---|" * len(block["headers"]),
        *("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block["rows"]),
        "",
    ]


def _block(block: dict) -> list[str]:
    kind = block["type"]
    if kind == "heading":
        return ["#" * (block["level"] + 1) + " " + _md_inline(block["text"]), ""]
    if kind == "paragraph":
        return [_md_text(block["text"]), ""]
    if kind == "list":
        return ["- " + _md_text(item).replace("\n", "\n  ") for item in block["items"]] + [""]
    if kind == "table":
        return _table(block)
    if kind == "entry":
        out = [f"#### {_md_inline(block['title'])}", "", f"_{_md_inline(block['meta'])}_", ""]
        for label, text in block["fields"]:
            out += [f"**{_md_inline(label)}:** {_md_text(text)}", ""]
        return out
    return []


def to_markdown(document: dict) -> str:
    out = [f"**{_md_inline(banner(document))}**", "", f"# {_md_inline(document['title'])}", "",
           f"_{_md_inline(document['subtitle'])}_", ""]
    for block in document["blocks"]:
        out += _block(block)
    out += [f"**{_md_inline(document['tlp_label'])}**", ""]
    return "\n".join(out)
