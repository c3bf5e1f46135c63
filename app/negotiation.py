"""Content negotiation: does this request want JSON rather than a page?"""

from __future__ import annotations

from flask import request

# The answer for each (Content-Type, Accept) pair met: it depends on nothing else, a browser sends the
# same pair on every request, and parsing its Accept header cost ~30 µs of every page view (the consent
# hook asks on every GET). At most this many pairs are kept, none longer than a browser's; others are
# worked out every time.
_KEPT_MAX = 256
_KEPT_HEADERS_MAX = 600  # characters
_kept: dict[tuple[str | None, str | None], bool] = {}


def wants_json() -> bool:
    environ = request.environ
    key = (environ.get("CONTENT_TYPE"), environ.get("HTTP_ACCEPT"))
    known = _kept.get(key)
    if known is None:
        known = _worked_out()
        if len(_kept) < _KEPT_MAX and len(key[0] or "") + len(key[1] or "") <= _KEPT_HEADERS_MAX:
            _kept[key] = known
    return known


def _worked_out() -> bool:
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
