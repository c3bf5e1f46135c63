"""Feeds in gzip for the calendar programs that ask for it (all the common ones do): the same feed,
compressed once per cached body, under its own ETag, with 304s and HEAD still right."""

from __future__ import annotations

import gzip
import urllib.request
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from app.calendar import serving
from app.calendar.serving import gzip_body
from app.extensions import db
from app.timeutil import set_now

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _vevents(body: bytes) -> int:
    return len(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def _vary(response) -> set[str]:
    return {value.strip().lower() for value in response.headers.get("Vary", "").split(",")}


@pytest.fixture
def feeds(make, cal):
    """The public feed and a personal feed, each with a few events in it."""
    set_now(NOW)
    user = make.user()
    events = [make.event(f"Workshop on case {n}", starts_at=NOW + timedelta(days=3 + n)) for n in range(4)]
    for event in events[:2]:
        make.registration(event, user)
    return {"/calendar/public.ics": 4, f"/calendar/feed/{user.calendar_token}.ics": 2}, events


def test_feeds_are_gzipped_for_clients_that_accept_it(client, feeds):
    urls, _events = feeds
    for url, count in urls.items():
        identity = client.get(url)
        zipped = client.get(url, headers=GZIP)
        assert identity.status_code == zipped.status_code == 200
        assert "Content-Encoding" not in identity.headers
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "accept-encoding" in _vary(identity) and "accept-encoding" in _vary(zipped)
        assert zipped.headers["Content-Type"] == identity.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert int(zipped.headers["Content-Length"]) == len(zipped.data)
        assert gzip.decompress(zipped.data) == identity.data
        assert _vevents(gzip.decompress(zipped.data)) == _vevents(identity.data) == count
        # Two representations, two strong ETags.
        assert zipped.headers["ETag"] == identity.headers["ETag"][:-1] + '-gz"'
        assert not zipped.headers["ETag"].startswith("W/")


def test_gzip_refused_or_not_asked_for_gives_the_feed_as_it_is(client, feeds):
    urls, _events = feeds
    url = next(iter(urls))
    plain = client.get(url)
    for accept in ("gzip;q=0", "identity", "br", "*;q=0", "*, gzip;q=0"):
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert "Content-Encoding" not in response.headers, accept
        assert response.data == plain.data and response.headers["ETag"] == plain.headers["ETag"]
        assert "accept-encoding" in _vary(response)
    assert client.get(url, headers={"Accept-Encoding": "deflate, gzip;q=0.5"}).headers["Content-Encoding"] == "gzip"


def test_either_etag_gives_304_without_building_the_feed(client, feeds, cal, monkeypatch):
    urls, _events = feeds
    for url in urls:
        identity_etag = client.get(url).headers["ETag"]
        gzip_etag = client.get(url, headers=GZIP).headers["ETag"]

        def no_build(*args, **kwargs):
            raise AssertionError("a 304 must not read the cache")

        with monkeypatch.context() as patch:
            patch.setattr(serving, "feed_body", no_build)
            with cal.count_queries() as statements:
                again = client.get(url, headers={**GZIP, "If-None-Match": gzip_etag})
            assert again.status_code == 304 and again.data == b""
            assert again.headers["ETag"] == gzip_etag and "accept-encoding" in _vary(again)
            assert len([s for s in statements if not s.lstrip().upper().startswith("BEGIN")]) <= 2
            # A client (or shared cache) holding the other coding has the current feed too: the 304
            # names the ETag it holds.
            held_identity = client.get(url, headers={**GZIP, "If-None-Match": identity_etag})
            assert held_identity.status_code == 304 and held_identity.headers["ETag"] == identity_etag
            held_gzip = client.get(url, headers={"If-None-Match": gzip_etag})
            assert held_gzip.status_code == 304 and held_gzip.headers["ETag"] == gzip_etag
            both = client.get(url, headers={**GZIP, "If-None-Match": f"{identity_etag}, {gzip_etag}"})
            assert both.status_code == 304 and both.headers["ETag"] == gzip_etag
        assert client.get(url, headers={**GZIP, "If-None-Match": '"something-else"'}).status_code == 200


def test_head_gives_the_headers_of_the_gzipped_get(client, feeds):
    urls, _events = feeds
    url = next(iter(urls))
    get = client.get(url, headers=GZIP)
    head = client.head(url, headers=GZIP)
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Encoding", "Content-Length", "ETag", "Vary"):
        assert head.headers[name] == get.headers[name], name
    plain_head = client.head(url)
    assert "Content-Encoding" not in plain_head.headers
    assert int(plain_head.headers["Content-Length"]) == len(client.get(url).data)


def test_a_feed_is_compressed_once_while_it_is_unchanged(client, feeds, monkeypatch):
    urls, _events = feeds
    calls = []

    def counting(body: bytes) -> bytes:
        calls.append(len(body))
        return gzip_body(body)

    monkeypatch.setattr(serving, "gzip_body", counting)
    for url in urls:
        first = client.get(url, headers=GZIP)
        for _ in range(3):
            assert client.get(url, headers=GZIP).data == first.data
        client.get(url)  # identity from the same entry
    assert len(calls) == len(urls)


def test_a_changed_event_changes_the_gzipped_feed(client, feeds):
    urls, events = feeds
    before = {url: client.get(url, headers=GZIP) for url in urls}
    set_now(NOW + timedelta(minutes=5))
    events[0].title = "Moved to the blue room"
    events[0].sequence += 1
    db.session.commit()
    for url, old in before.items():
        response = client.get(url, headers={**GZIP, "If-None-Match": old.headers["ETag"]})
        assert response.status_code == 200 and response.headers["ETag"] != old.headers["ETag"]
        body = gzip.decompress(response.data)
        assert b"Moved to the blue room" in body and b"Moved to the blue room" not in gzip.decompress(old.data)
        assert body == client.get(url).data


def test_pages_and_single_event_downloads_are_not_compressed(client, feeds):
    _urls, events = feeds
    for url in ("/", "/events", f"/events/{events[0].id}.ics"):
        response = client.get(url, headers=GZIP)
        assert response.status_code == 200, url
        assert "Content-Encoding" not in response.headers, url


def test_a_real_http_client_gets_and_inflates_the_gzipped_feed(live_server, feeds):
    urls, _events = feeds
    url = next(iter(urls))
    request = urllib.request.Request(live_server + url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["Vary"]
        raw = response.read()
        assert int(response.headers["Content-Length"]) == len(raw)
    with urllib.request.urlopen(live_server + url, timeout=10) as response:
        assert response.headers.get("Content-Encoding") is None
        plain = response.read()
    assert gzip.decompress(raw) == plain
    assert _vevents(plain) == urls[url]
