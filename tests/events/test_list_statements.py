"""The events list built afresh (nothing of it cached) in a fixed number of statements: the signed-in
user with the change stamps, whether they organise a draft, the count, the page of events (only the
columns a row shows), their themes, and the filter's projects and themes together (7 before)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import event as sa_event

from app.cache import fragments
from app.extensions import db
from app.timeutil import set_now

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def _cold_statements(app, client, url: str) -> tuple[list[str], str]:
    """The statements of `url` built afresh (SQLite's BEGIN left out), and the page."""
    client.get(url)
    fragments.clear(app)
    statements: list[str] = []

    def _seen(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):
            statements.append(" ".join(statement.split()))

    sa_event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        response = client.get(url)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", _seen)
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


def test_events_list_cold_in_six_statements(app, make, login):
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
        statements, page = _cold_statements(app, client, "/events")
        assert all(f"Listed {index}" in page for index in range(3))
        assert "Cybercrime (EMPACT 2026-2029)" in page and "ALPHA" in page and host.name in page
        assert len(statements) == 6, statements
        listed = next(s for s in statements if s.startswith("SELECT events.id"))
        assert "events.description" not in listed  # the long texts stay in the database
        statements, page = _cold_statements(app, client, "/events/calendar?year=2026&month=9")
        assert "ALPHA" in page and "Drugs" in page
        assert sum("FROM projects" in s for s in statements) == 1 and not any("FROM themes" in s and "projects" not in s
                                                                             for s in statements), statements
    finally:
        set_now(None)
