"""Addresses on this site that work outside a request too (emails, calendars, the scheduler, the
CLI): everything absolute is built on BASE_URL, the site's public address."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, has_request_context
from flask.globals import request_ctx
from werkzeug.routing import BuildError


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def absolute_url(path: str) -> str:
    """BASE_URL followed by a path of this site."""
    return base_url() + (path if path.startswith("/") else "/" + path)


def absolute(endpoint: str, fallback: str, **values) -> str:
    """The absolute URL of a route (or BASE_URL + `fallback` when it cannot be built)."""
    return _absolute(current_app._get_current_object(), base_url(), endpoint, fallback, tuple(sorted(values.items())))


@lru_cache(maxsize=4096)
def _absolute(app, base: str, endpoint: str, fallback: str, values: tuple) -> str:
    path_prefix = urlsplit(base).path
    adapter = app.url_map.bind(urlsplit(base).hostname or "localhost", script_name=path_prefix or "/")
    try:
        path = adapter.build(endpoint, dict(values))
    except BuildError:
        return base + fallback
    origin = base[: len(base) - len(path_prefix)] if path_prefix else base
    return origin + path


_SENTINEL = 918273645546372819


def absolute_with_id(endpoint: str, name: str, value: int, fallback: str) -> str:
    """absolute() of a route with one integer argument, for long lists (a feed of hundreds of
    events): the route is built once, then only the number changes."""
    before, after = _id_pattern(current_app._get_current_object(), base_url(), endpoint, name, fallback)
    return f"{before}{value}{after}"


@lru_cache(maxsize=64)
def _id_pattern(app, base: str, endpoint: str, name: str, fallback: str) -> tuple[str, str]:
    url = _absolute(app, base, endpoint, fallback + str(_SENTINEL), ((name, _SENTINEL),))
    before, _, after = url.partition(str(_SENTINEL))
    return before, after


def path_with_id(endpoint: str, name: str, value: int) -> str:
    """The path of a route with one integer argument, as url_for gives it in this request (built
    once per route and script root, then only the number changes)."""
    if has_request_context():  # the request's context looked up once, not through three proxies
        context = request_ctx._get_current_object()
        app, root = context.app, context.request.script_root
    else:
        app, root = current_app._get_current_object(), urlsplit(base_url()).path
    before, after = _path_pattern(app, root, endpoint, name)
    return f"{before}{value}{after}"


@lru_cache(maxsize=64)
def _path_pattern(app, script_root: str, endpoint: str, name: str) -> tuple[str, str]:
    path = app.url_map.bind("localhost", script_name=script_root or "/").build(endpoint, {name: _SENTINEL})
    before, _, after = path.partition(str(_SENTINEL))
    return before, after
