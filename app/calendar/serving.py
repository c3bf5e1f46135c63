"""Serving a calendar feed: conditional responses (ETag / Last-Modified / 304 through Werkzeug's
`make_conditional`) and the rendered body, kept in the one cache (app.cache.fragments).

A feed's fingerprint (app.calendar.feeds.Fingerprint: one aggregate query) is remembered on the
change stamps of the tables the feed reads, and recomputed at least every hour (a feed reaches a
fixed time back). An unchanged feed is answered with 304 before anything is read or built, or with
the body rendered last time under the same fingerprint.

Calendar programs ask for gzip: they get the body compressed once per fingerprint (kept beside the
body) under its own strong ETag, the fingerprint with "-gz"; the identity body keeps the plain one.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

from flask import current_app, request

from app.cache import fragments
from app.calendar.feeds import Feed, Fingerprint
from app.calendar.ics import build_calendar, write_calendar
from app.timeutil import now

FEED_REFRESH_MINUTES = 60
FEED_MAX_AGE = 300

# The tables each feed reads: its fingerprint and its body are built from these alone.
PUBLIC_TABLES = ("events", "event_projects", "event_themes", "sessions", "organisations", "users")
ORGANISER_TABLES = (*PUBLIC_TABLES, "event_organisers")
PERSONAL_TABLES = (*ORGANISER_TABLES, "registrations", "session_signups")


# zlib's level 2: measured on the bench member's feed (234 KB), 0.4x the CPU of level 6 for 31% more
# bytes (33.5 against 25.7 KB); on 59 ordinary feeds (8 KB on average) 0.08 against 0.13 ms and 7%
# more bytes. A cold feed is built, and compressed, for every changed fingerprint.
GZIP_LEVEL = 2


def gzip_body(body: bytes) -> bytes:
    """The gzip coding of a feed; mtime=0 so that the same body always compresses to the same bytes."""
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def calendar_response(body: bytes, filename: str, *, download: bool, public: bool = False):
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = (
        f"public, max-age={FEED_MAX_AGE}" if public else "private, no-cache"
    )
    return response


def remembered(key: tuple, tables: tuple[str, ...], compute: Callable[[], Fingerprint], *,
               public: bool = False) -> Fingerprint:
    """The feed's fingerprint, recomputed when one of its tables changed, and at least every hour.
    A public feed's (the same for every subscriber) is also kept in the worker (app.cache.worker)."""
    hour = now().replace(minute=0, second=0, microsecond=0)
    return fragments.remember("calendar.fingerprint", (*key, hour), tables, compute, worker=public)


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0  # the quality of gzip, or of *; 0 if refused or absent


def _validators(response, etag: str, fingerprint: Fingerprint, public: bool):
    response.set_etag(etag)
    if fingerprint.last_modified:
        response.last_modified = fingerprint.last_modified
    response.headers["Cache-Control"] = f"public, max-age={FEED_MAX_AGE}" if public else "private, max-age=0"
    response.vary.add("Accept-Encoding")
    return response


# The request headers that can make Werkzeug's make_conditional answer 304 (or 412) instead of the body.
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
                "HTTP_IF_RANGE")


def conditional() -> bool:
    """Whether the request holds a copy it may be told is current (an If-* header): a calendar
    program's poll, most often answered 304 without building anything."""
    environ = request.environ
    return any(header in environ for header in _CONDITIONAL)


def _not_modified(fingerprint: Fingerprint, etags: tuple[str, str], public: bool):
    """A 304 when the client holds the current feed, in either coding (naming the ETag it sent, so
    that it, or a shared cache, refreshes that copy); else None. A request with none of the headers
    that can make a response "not modified" is not asked (two responses made and thrown away)."""
    if not conditional():
        return None
    for held in etags:
        response = _validators(current_app.response_class(), held, fingerprint, public)
        if response.make_conditional(request).status_code == 304:
            return response
    return None


def feed_body(fingerprint: Fingerprint, tables: tuple[str, ...], build_feed: Callable[[], Feed],
              gzipped: bool, public: bool = False) -> bytes:
    """The feed's body (its gzip coding with `gzipped`), built once per fingerprint (a public feed's
    kept in the worker as well: every anonymous subscriber polls the same one)."""

    def build() -> bytes:
        feed = build_feed()
        name = f"{current_app.config['SITE_NAME']} · {feed.name}"
        if feed.vevents is not None:
            return write_calendar(feed.vevents, method="PUBLISH", dtstamp=now(), name=name,
                                  refresh_minutes=FEED_REFRESH_MINUTES)
        return build_calendar(feed.entries, method="PUBLISH", dtstamp=now(), name=name,
                              refresh_minutes=FEED_REFRESH_MINUTES)

    key = (fingerprint.key, fingerprint.etag)

    def body() -> bytes:
        return fragments.remember("calendar.feed", key, tables, build, fingerprinted=True, worker=public)

    if not gzipped:
        return body()
    # The gzip coding is looked up first: a client that takes gzip never costs a read of the plain body.
    # A personal feed's plain body is not kept for it (calendar programs all ask for gzip: kept, it was
    # never found, and pushed other entries out of the cache's bytes); a public feed's is, in the worker.
    return fragments.remember("calendar.feed_gzip", key, tables, lambda: gzip_body(body() if public else build()),
                              fingerprinted=True, worker=public)


def feed_response(fingerprint: Fingerprint, tables: tuple[str, ...], build_feed: Callable[[], Feed],
                  filename: str, *, public: bool = False):
    """Serve a feed with ETag/Last-Modified: 304 for an unchanged one, else its (cached) body."""
    gzipped = _accepts_gzip()
    identity_etag, gzip_etag = fingerprint.etag, f"{fingerprint.etag}-gz"
    etags = (gzip_etag, identity_etag) if gzipped else (identity_etag, gzip_etag)
    not_modified = _not_modified(fingerprint, etags, public)
    if not_modified is not None:
        return not_modified
    body = feed_body(fingerprint, tables, build_feed, gzipped, public)
    response = calendar_response(body, filename, download=False, public=public)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    return _validators(response, etags[0], fingerprint, public).make_conditional(request)
