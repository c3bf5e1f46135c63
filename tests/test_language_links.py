"""A public page's addresses in every language (app.language_links): remembered, and the same as built
afresh, for each page, arguments, host and script root; none for other pages or methods."""

from __future__ import annotations

from app import language_links
from app.language_links import _alternates, language_alternates


def _links(app, path: str, method: str = "GET", **environ) -> list:
    with app.test_request_context(path, method=method, **environ) as context:
        request = context.request
        args = (request.url_rule.endpoint if request.url_rule else None, request.view_args, request.args)
        found = language_alternates(*args)
        fresh = list(_alternates(args[0], tuple((args[1] or {}).items()),
                                 tuple((k, v) for k, v in args[2].items() if k != "lang" and k not in (args[1] or {}))))
        return found, fresh


def test_remembered_alternates_are_the_ones_built_afresh(app):
    language_links._remembered_alternates.cache_clear()
    for _round in range(2):  # built, then found
        for path, environ in [("/events?country=BE&page=2&lang=uk", {}), ("/events/17", {}), ("/", {}),
                              ("/events/calendar?year=2026&month=3", {}), ("/events/17?q=a%26b%3Dc", {}),
                              ("/events?country=BE", {"base_url": "https://other.example/sub"}),
                              ("/events?country=BE", {"base_url": "http://localhost:8000"})]:
            found, fresh = _links(app, path, **environ)
            assert found == fresh and len(found) == len(language_links.SUPPORTED)
    with app.test_request_context("/events?country=BE", base_url="https://other.example/sub"):
        assert language_alternates("events.index", {}, {"country": "BE"})[1] == (
            "uk", "https://other.example/sub/events?country=BE&lang=uk")
    assert language_links._remembered_alternates.cache_info().hits >= 7


def test_no_alternates_for_private_pages_or_posts(app):
    with app.test_request_context("/profile"):
        assert language_alternates("accounts.profile", {}, {}) == []
    with app.test_request_context("/events", method="POST"):
        assert language_alternates("events.index", {}, {}) == []
