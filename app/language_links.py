"""The addresses of a public page in every language (<link rel="alternate" hreflang> in the layout)."""

from __future__ import annotations

import functools
import re

from flask import current_app, request, url_for
from flask.globals import request_ctx

from app.i18n import SUPPORTED, html_lang

# The public pages search engines and visitors share links to: they get hreflang alternates. (Never a
# page whose address holds a secret, such as a feed token.)
PUBLIC_PAGES = {"main.home", "events.index", "events.detail", "events.calendar_month"}


def language_alternates(endpoint: str | None, view_args: dict | None, args) -> list[tuple[str, str]]:
    """(hreflang, URL) of this GET page in every language, for <link rel="alternate">."""
    if endpoint not in PUBLIC_PAGES or request.method != "GET":
        return []
    view_args = view_args or {}
    params = {key: value for key, value in args.items() if key != "lang" and key not in view_args}
    adapter = request_ctx.url_adapter
    if adapter is None or current_app.url_default_functions:
        return list(_alternates(endpoint, tuple(view_args.items()), tuple(params.items())))
    # Remembered by everything the URLs depend on (the page, its arguments, the address the request
    # came to): an event page built them on every view, ~35 µs here.
    try:
        return list(_remembered_alternates(endpoint, tuple(view_args.items()), tuple(params.items()),
                                           adapter.url_scheme, adapter.server_name, adapter.script_name,
                                           adapter.subdomain))
    except TypeError:  # a value that cannot be a key
        return list(_alternates(endpoint, tuple(view_args.items()), tuple(params.items())))


@functools.lru_cache(maxsize=512)  # ~1.2 kB an entry: the popular events' pages and the list's filters
def _remembered_alternates(endpoint: str, view_items: tuple, param_items: tuple, *_address) -> tuple:
    return _alternates(endpoint, view_items, param_items)


def _alternates(endpoint: str, view_items: tuple, param_items: tuple) -> tuple[tuple[str, str], ...]:
    # One URL built, its language put in for each: the mark is a whole `lang=` argument of the query
    # (a value's own "=" and "&" are escaped), so nothing else in the URL can match.
    url = url_for(endpoint, **dict(view_items), **dict(param_items), lang=_LANG_MARK, _external=True)
    return tuple((html_lang(code), _LANG_ARGUMENT.sub(f"lang={code}", url, count=1)) for code in SUPPORTED)


_LANG_MARK = "xx0LANG0xx"
_LANG_ARGUMENT = re.compile(rf"(?<=[?&])lang={_LANG_MARK}(?=&|#|$)")
