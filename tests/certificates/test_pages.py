"""Around the certificate pages (issue 22): the verify page is rate-limited, the rule is shown to
registered participants, the lists cost a bounded number of queries, the person's data export holds
their certificates, and the demo shows the feature."""

from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.accounts.models import User
from app.certificates.issue import issue_all
from app.certificates.models import Certificate
from app.demo.data import load_demo
from app.events.models import Event
from app.privacy.export import collect
from config import TestingConfig
from tests.querycount import QueryCounter


def test_the_verify_page_is_rate_limited(app, database_url, isolated_limiter):
    limited = create_app(TestingConfig, {
        "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://", "VERIFY_RATE_LIMIT": "3 per minute",
    })
    client = limited.test_client()
    codes = [client.get(f"/certificates/verify/LIA-2027-AAAA-{n:04d}").status_code for n in range(5)]
    assert codes == [404, 404, 404, 429, 429]


def test_registered_participants_see_the_rule_on_the_event(db, login, visit):
    box = login(visit.person).get(f"/events/{visit.event.id}/registration").get_data(as_text=True)
    assert 'data-testid="certificate-rule"' in box
    assert "A certificate for each training session: check in at that session." in box


def test_the_issued_list_and_my_events_cost_the_same_queries_for_few_and_many(db, make, login, visit):
    organiser, event = visit.organiser, visit.event
    manager, holder = login(organiser), login(visit.person)
    issue_all(event, organiser)
    ids = (event.id, organiser.id, visit.person.id)

    def statements(client, path):
        db.session.expire_all()
        with QueryCounter(db.engine) as counter:
            assert client.get(path).status_code == 200
        return counter.count

    few = (statements(manager, f"/events/{ids[0]}/certificates"), statements(holder, "/my/events?show=past"))
    event, organiser, person = db.session.get(Event, ids[0]), db.session.get(User, ids[1]), db.session.get(User, ids[2])
    for n in range(12):
        other = make.event(f"Training {n}", kind="training", starts_at=event.starts_at, organisers=[organiser])
        make.registration(other, person, checked_in=True)
        attendee = make.registration(event, make.user(name=f"Participant {n}"), checked_in=True)
        db.session.add(Certificate(number=f"LIA-2027-MANY-{n:04d}", scope_key=f"e{event.id}", user_id=attendee.user_id,
                                   registration_id=attendee.id, event_id=event.id, holder_name=f"Participant {n}",
                                   title=event.title, starts_at=event.starts_at, ends_at=event.ends_at,
                                   timezone=event.timezone, issuer_name="Liaison", issued_at=event.ends_at))
    db.session.commit()
    many = (statements(manager, f"/events/{ids[0]}/certificates"), statements(holder, "/my/events?show=past"))
    assert few == many


def test_the_data_export_holds_the_persons_certificates(db, visit):
    issue_all(visit.event, visit.organiser)
    [exported] = collect(visit.person)["certificates"]
    assert exported["title"] == "Risk profiling of border crossings" and exported["revoked_at"] is None


def test_the_demo_has_a_study_visit_with_certificates_one_revoked(db):
    load_demo()
    certificates = db.session.scalars(select(Certificate)).all()
    assert len(certificates) >= 5 and sum(c.revoked_at is not None for c in certificates) == 1
    assert {c.title for c in certificates} >= {"Training: risk profiling of passengers and vehicles"}
    assert load_demo()["certificates"] == 0  # idempotent
