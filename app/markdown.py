"""Markdown rendered safely: markdown-it (CommonMark) then nh3 (Rust ammonia) sanitising."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


# Pages render the same texts again and again (an event's description, its sessions' descriptions
# and objectives, on every cold event page): the result depends on the text alone, so it is kept,
# for texts up to CACHED_TEXT_LENGTH characters (at most 1,024 of them: a few megabytes at worst).
CACHED_TEXT_LENGTH = 8000


def render_markdown(text: str) -> str:
    text = text or ""
    return _render_kept(text) if len(text) <= CACHED_TEXT_LENGTH else _render(text)


@lru_cache(maxsize=1024)
def _render_kept(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def _inline_text(children) -> str:
    """The text of an inline token's children: emphasis dropped, a link as "text (address)"."""
    out: list[str] = []
    hrefs: list[tuple[str | None, int]] = []
    for token in children or ():
        if token.type in ("text", "code_inline", "html_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif token.type == "image":
            out.append(token.content or "")
        elif token.type == "link_open":
            hrefs.append((token.attrGet("href"), len(out)))
        elif token.type == "link_close" and hrefs:
            href, start = hrefs.pop()
            label = "".join(out[start:])
            if href and href != label and not href.startswith("mailto:" + label):
                out.append(f" ({href})")
    return "".join(out)


@lru_cache(maxsize=4096)  # a feed describes the same events again and again
def plain_text(text: str) -> str:
    """Markdown as plain text for places that show no formatting (calendar descriptions): paragraphs
    and headings as lines, list items with a dash or their number, table rows as "a | b", code as is."""
    lines: list[str] = []
    numbers: list[int | None] = []  # one per open list: None for bullets, else the next number
    marker: str | None = None  # a list item's marker, waiting for its first line of text
    row: list[str] | None = None  # the cells of an open table row
    for token in _md.parse(text or ""):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            numbers.append(None if kind == "bullet_list_open" else int(token.attrGet("start") or 1))
        elif kind in ("bullet_list_close", "ordered_list_close") and numbers:
            numbers.pop()
            if not numbers:
                lines.append("")
        elif kind == "list_item_open" and numbers:
            number = numbers[-1]
            marker = "  " * (len(numbers) - 1) + ("-" if number is None else f"{number}.") + " "
            if number is not None:
                numbers[-1] = number + 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            lines.append(" | ".join(row))
            row = None
        elif kind == "table_close":
            lines.append("")
        elif kind == "inline":
            content = _inline_text(token.children)
            if row is not None:
                row.append(content)
            else:
                lines.append((marker or "") + content)
                marker = None
        elif kind in ("fence", "code_block"):
            lines.extend((token.content.rstrip("\n"), ""))
        elif kind == "hr":
            lines.append("—")
        elif kind in ("paragraph_close", "heading_close") and not numbers:
            lines.append("")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
