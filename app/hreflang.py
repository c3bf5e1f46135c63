"""The hreflang alternates of a public page (<link rel="alternate"> in templates/base.html): its
address in every language (a template global: app.templating)."""

from __future__ import annotations

import re

from flask import request, url_for
from flask.globals import _cv_request

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
    # The same addresses for every view of the same page (its arguments) at the same site address:
    # remembered per worker (bounded), unless the app installs URL defaults.
    request_context = _cv_request.get(None)
    adapter = request_context.url_adapter if request_context is not None else None
    key = None
    if adapter is not None and not request_context.app.url_default_functions:
        key = (endpoint, tuple(view_args.items()), tuple(params.items()), adapter.url_scheme,
               adapter.server_name, adapter.script_name, adapter.subdomain)
        try:
            found = _ALTERNATES.get(key)
        except TypeError:  # an argument's value that cannot be a key: built as it is
            found = key = None
        if found is not None:
            return list(found)
    # One URL built, its language put in for each: the mark is a whole `lang=` argument of the query
    # (a value's own "=" and "&" are escaped), so nothing else in the URL can match.
    url = url_for(endpoint, **view_args, **params, lang=_LANG_MARK, _external=True)
    alternates = [(html_lang(code), _LANG_ARGUMENT.sub(f"lang={code}", url, count=1)) for code in SUPPORTED]
    if key is not None:
        if len(_ALTERNATES) >= _ALTERNATES_MAX:
            _ALTERNATES.pop(next(iter(_ALTERNATES)), None)
        _ALTERNATES[key] = tuple(alternates)
    return alternates


_LANG_MARK = "xx0LANG0xx"
_LANG_ARGUMENT = re.compile(rf"(?<=[?&])lang={_LANG_MARK}(?=&|#|$)")
# language_alternates' answers by page and site address: ~1 KB each (the popular events' pages).
_ALTERNATES: dict[tuple, tuple] = {}
_ALTERNATES_MAX = 512
