"""The events list's and my events' times (app.events.list_rows.local_when): what format_local writes, in
every language and zone asked, across a change of the clocks, under the test suite's pseudo-locale too,
whether the text was remembered or written afresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.events import list_rows
from app.i18n import SUPPORTED
from app.templating import format_local

ZONES = (None, "UTC", "Europe/Brussels", "Europe/Kyiv", "Asia/Tbilisi", "America/New_York", "Not/A_Zone")
# Around Brussels' change to summer time (29 March 2026, 01:00 UTC), and a day in November.
INSTANTS = [datetime(2026, 3, 29, 0, 0, tzinfo=UTC) + timedelta(minutes=25 * step) for step in range(8)] + [
    datetime(2026, 11, 3, 23, 59, tzinfo=UTC)]


def test_list_times_are_format_locals_in_every_language_and_zone(app):
    for language in SUPPORTED:
        with app.test_request_context(f"/events?lang={language}"):
            app.preprocess_request()
            for fmt in ("%a %d %b %Y, %H:%M", "%d %b %Y, %H:%M", "%H:%M"):
                when = list_rows.local_when(fmt)
                for remembered in (False, True):
                    if not remembered:
                        list_rows._written.cache_clear()
                    for instant in INSTANTS:
                        for zone in ZONES:
                            assert when(instant, zone) == format_local(instant, zone, fmt), (language, zone, instant)


def test_list_times_follow_the_pseudo_locale(app):
    app.config["I18N_PSEUDO_LOCALE"] = "xx"
    try:
        with app.test_request_context("/events"):
            app.preprocess_request()
            when = list_rows.local_when()
            for instant in INSTANTS:
                assert when(instant, "Europe/Brussels") == format_local(instant, "Europe/Brussels",
                                                                         "%a %d %b %Y, %H:%M", "en")
    finally:
        app.config.pop("I18N_PSEUDO_LOCALE")
