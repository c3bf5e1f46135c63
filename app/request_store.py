"""Answers kept for one request only."""

from __future__ import annotations

from flask.globals import _cv_app, _cv_request


def request_dict(name: str) -> dict | None:
    """A dict kept on flask.g under `name` for this request (None outside a request). g outlives a
    request when an app context is already pushed (tests, CLI): the dict is tied to the request
    object, so the next request starts with an empty one. Read through the contexts themselves, not
    flask's proxies (g, request): a page asks this a dozen times."""
    request_ctx = _cv_request.get(None)
    if request_ctx is None:
        return None
    owner = request_ctx.request
    store = _cv_app.get().g.__dict__  # a request's app context is always pushed with it
    kept = store.get(name)
    if kept is None or kept[0] is not owner:
        kept = store[name] = (owner, {})
    return kept[1]
