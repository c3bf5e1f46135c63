"""The layout's menu and footer (issue 19) are the same on every page for the same viewer's kind of
entries, page and language but for the CSRF token: rendered once (app.templating.render_kept), the
page's own token put in; and dates of the same instant are formatted once per zone and language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import force_locale, gettext

from app.i18n import format_instant, format_pattern
from app.timeutil import to_local
from tests.rendering import rendered_templates


def _footer_token(page: str) -> str:
    return re.search(r'data-testid="language-switcher">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                     page).group(1)


def _session_token(page: str) -> str:
    """The session's own token in the footer's signed one (itsdangerous: payload.timestamp.signature;
    the timestamp is the second it was signed, so two pages a second apart carry different strings)."""
    return _footer_token(page).split(".")[0]


def test_the_menu_and_footer_are_rendered_once_and_carry_each_pages_token(app, client, make, login):
    app.extensions.pop("liaison_kept_markup", None)
    member = login(make.user())
    with rendered_templates(app) as names:
        pages = [client.get("/events").get_data(as_text=True), client.get("/events").get_data(as_text=True),
                 member.get("/events").get_data(as_text=True), member.get("/events/calendar").get_data(as_text=True)]
    assert names.count("_footer.html") == 1
    assert names.count("_nav.html") == 3  # a visitor's, a member's, and the member's on another page
    visitor, _again, listing, calendar = pages
    assert _session_token(visitor) != _session_token(listing)
    assert _session_token(listing) == _session_token(calendar)
    assert re.search(r'<form method="post" action="/logout" class="d-inline">\s*<input type="hidden" '
                     rf'name="csrf_token" value="{_footer_token(listing)}">', listing)
    assert 'class="nav-link active" aria-current="page" href="/events"' in visitor
    assert 'href="/events/calendar"' in listing and "My events" in listing and "My events" not in visitor
    assert 'class="nav-link active" aria-current="page" href="/events/calendar"' in calendar
    assert 'class="nav-link active" aria-current="page" href="/events"' not in calendar


def test_the_footer_speaks_the_pages_language(app, client):
    page = client.get("/events?lang=uk").get_data(as_text=True)
    with app.test_request_context(), force_locale("uk"):
        wanted = gettext("Language:")
    assert f'<span id="language-label" class="me-1">{wanted}</span>' in page
    assert re.search(r'value="uk" lang="uk"[^>]*\s+class="btn btn-sm btn-secondary"\s+aria-current="true"', page)


def test_an_instant_is_formatted_in_the_zone_and_language_asked(app):
    instant = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # Brussels moves its clocks an hour later
    with app.test_request_context():
        for zone in ("Europe/Brussels", "Europe/Kyiv", "UTC"):
            for language in ("en", "uk"):
                local = to_local(instant, zone)
                wanted = (format_pattern(local, "%a %d %b %Y, %H:%M", language), local.tzname())
                assert format_instant(instant, zone, "%a %d %b %Y, %H:%M", language) == wanted
                # The same instant written in another zone is the same key, and the same text.
                assert format_instant(local, zone, "%a %d %b %Y, %H:%M", language) == wanted
        assert format_instant(instant, "Europe/Brussels", "%d %b %Y, %H:%M", "en") == ("29 Mar 2026, 01:30", "CET")
