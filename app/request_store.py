"""Answers kept for one request only."""

from __future__ import annotations

from flask import g, has_request_context, request


def request_dict(name: str) -> dict | None:
    """A dict kept on flask.g under `name` for this request (None outside a request). g outlives a
    request when an app context is already pushed (tests, CLI): the dict is tied to the request
    object, so the next request starts with an empty one."""
    if not has_request_context():
        return None
    owner = request._get_current_object()
    kept = g.get(name)
    if kept is None or kept[0] is not owner:
        kept = (owner, {})
        setattr(g, name, kept)
    return kept[1]
