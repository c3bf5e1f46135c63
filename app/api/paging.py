"""Pages of a list: the envelope (items, page, per_page, total, links) and the RFC 8288 Link header."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

from app.pagination import Page


def _link(number: int) -> str:
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    args.append(("page", str(number)))
    return f"{request.path}?{urlencode(args)}"


def envelope(page: Page, items: list) -> tuple[dict, int, dict]:
    """(body, status, headers) for a page of `items` (already shaped for the response schema)."""
    links = {
        "self": _link(page.page),
        "first": _link(1),
        "last": _link(page.pages),
        "next": _link(page.page + 1) if page.has_next else None,
        "prev": _link(page.page - 1) if page.has_prev else None,
    }
    header = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self")
    body = {"items": items, "page": page.page, "per_page": page.per_page, "total": page.total, "links": links}
    return body, 200, {"Link": header}
