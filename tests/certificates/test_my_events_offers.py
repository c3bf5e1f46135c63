""""My events"' past tab reads which events offer a certificate with the registrations (the fact
certificates.offered, app.registrations.queries.register_event_fact): its certificate links cost no
statement of their own, and they are the ones offering_event_ids' own query finds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.certificates import queries
from app.certificates.models import CertificateSettings
from app.extensions import db
from app.registrations.queries import my_events
from app.timeutil import set_now
from tests.querycount import QueryCounter, cold_statements

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def _events(make, person):
    """Past events of each way of offering a certificate, and of none; attended or not."""
    start = NOW - timedelta(days=10)
    training = make.event("A training", kind="training", starts_at=start)
    hours = make.event("Given hours", starts_at=start + timedelta(days=1))
    db.session.add(CertificateSettings(event_id=hours.id, training_hours=Decimal("6.0")))
    without_hours = make.event("Settings without hours", starts_at=start + timedelta(days=2))
    db.session.add(CertificateSettings(event_id=without_hours.id, minimum_score=50))
    with_session = make.event("A training session", starts_at=start + timedelta(days=3))
    make.session(with_session, "Hands-on tracing", kind="training")
    plain = make.event("A plain workshop", starts_at=start + timedelta(days=4))
    make.session(plain, "Opening", kind="plenary")
    missed = make.event("A missed training", kind="training", starts_at=start + timedelta(days=5))
    db.session.commit()
    for event in (training, hours, without_hours, with_session, plain):
        make.registration(event, person, checked_in=True)
    make.registration(missed, person)
    return {"offering": {training.id, hours.id, with_session.id, missed.id},
            "attended_offering": {training.id, hours.id, with_session.id},
            "all": {training.id, hours.id, without_hours.id, with_session.id, plain.id, missed.id}}


def test_the_past_tab_shows_certificate_links_without_a_statement_of_their_own(app, make, login):
    set_now(NOW)
    try:
        person = make.user()
        events = _events(make, person)
        client = login(person)
        statements, page = cold_statements(app, client, "/my/events?show=past")
        assert len(statements) == 2, "\n".join(s[:90] for s in statements)  # the user, "my events"
        shown = {int(part.split("/")[0]) for part in page.split('data-testid="certificate" href="/events/')[1:]}
        assert shown == events["attended_offering"]  # attended and offering
        with app.app_context():
            assert queries.offering_event_ids(list(events["all"])) == events["offering"]  # its own query
    finally:
        set_now(None)


def test_offering_event_ids_asks_the_database_for_events_my_events_did_not_read(app, make, login):
    set_now(NOW)
    try:
        person = make.user()
        events = _events(make, person)
        other = make.event("Someone else's training", kind="training", starts_at=NOW - timedelta(days=2))
        with app.test_request_context("/my/events"):
            queries.offering_event_ids([1])  # no "my events" read in this request: asked
            my_events(person.id, person.email)
            with QueryCounter(db.engine) as counter:
                assert queries.offering_event_ids(list(events["all"])) == events["offering"]
            assert counter.count == 0
            with QueryCounter(db.engine) as counter:
                assert queries.offering_event_ids([*events["all"], other.id]) == {*events["offering"], other.id}
            assert [s for s in counter.statements if not s.startswith("BEGIN")] != []  # one of them was not read
    finally:
        set_now(None)
