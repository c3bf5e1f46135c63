"""The events list built afresh (nothing of it cached) in a fixed number of statements: the signed-in
user with the change stamps and whether they organise a draft, the count with the page of events (only
the columns a row shows), their hosts and themes, and the filter's projects and themes together (7,
then 6 before: whether they organise a draft, the count and the themes were statements of their own)."""

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.timeutil import set_now
from tests.querycount import cold_statements

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def test_events_list_cold_in_three_statements(app, make, login):
    set_now(NOW)
    try:
        themes = [make.theme("Cybercrime", empact_cycle="2026-2029"), make.theme("Drugs")]
        projects = [make.project("ALPHA"), make.project("BETA")]
        host = make.organisation()
        for index in range(3):
            event = make.event(f"Listed {index}", starts_at=NOW + timedelta(days=index + 1), city="Kyiv",
                               country="UA", host_organisation_id=host.id, timezone="Europe/Kyiv",
                               description="A long description the list does not show.")
            event.themes = themes
            event.projects = projects
        db.session.commit()
        client = login(make.user(timezone="America/New_York"))
        statements, page = cold_statements(app, client, "/events")
        assert all(f"Listed {index}" in page for index in range(3))
        assert "Cybercrime (EMPACT 2026-2029)" in page and "ALPHA" in page and host.name in page
        assert len(statements) == 3, statements
        listed = next(s for s in statements if "FROM event_themes" in s or "JOIN event_themes" in s)
        assert "events.description" not in listed  # the long texts stay in the database
        assert "count(" in listed.lower()
        # Past the last page: the count still comes with it, in the same statement.
        statements, page = cold_statements(app, client, "/events?page=9")
        assert len(statements) == 3 and "3 events" in page, statements
        statements, page = cold_statements(app, client, "/events/calendar?year=2026&month=9")
        assert "ALPHA" in page and "Drugs" in page
        assert sum("FROM projects" in s for s in statements) == 1 and not any("FROM themes" in s and "projects" not in s
                                                                             for s in statements), statements
    finally:
        set_now(None)
