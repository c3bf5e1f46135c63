"""`flask demo load`: a believable network, loaded idempotently, with every kind of event."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from app import models
from app.accounts.models import Membership, MembershipStatus, Role, User
from app.accounts.views import DEMO_LOGINS, DEMO_PASSWORD
from app.demo.data import load_demo
from app.events.models import Event, EventFormat, EventKind, EventStatus, Session
from app.lessons.models import TLP, FollowUpAction, Lesson, LessonKind, LessonStatus
from app.registrations.models import Feedback, Registration, RegistrationStatus, SessionSignup
from app.timeutil import now, to_local

COUNTED = [
    models.Organisation, models.Project, models.Theme, User, Event, Session, models.SessionSpeaker,
    Registration, SessionSignup, Feedback, Lesson, models.LessonTransition, FollowUpAction,
    models.AttendanceDay, models.Invitation,
]


def _counts(db):
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def test_loading_twice_creates_nothing_twice(db, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    first = _counts(db)
    assert all(first.values()), first
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "nothing new" in result.output
    db.session.rollback()
    assert _counts(db) == first


def test_if_empty_does_nothing_when_users_exist(db, runner, make):
    make.user(email="someone@police.example.md")
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_if_empty_loads_on_an_empty_database(db, runner):
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0
    assert db.session.scalar(select(func.count(User.id))) >= 29


def test_network_covers_every_kind_format_status_and_both_tenses(db):
    load_demo()
    events = db.session.scalars(select(Event)).all()
    at = now()
    published = [e for e in events if e.status == EventStatus.PUBLISHED]
    for kind in EventKind:
        assert any(e.kind == kind and e.ends_at <= at for e in published), f"no past {kind}"
        assert any(e.kind == kind and e.starts_at > at for e in published), f"no upcoming {kind}"
    assert {e.format for e in events} == set(EventFormat)
    assert {e.status for e in events} == set(EventStatus)
    statuses = set(db.session.scalars(select(Registration.status)))
    assert statuses == set(RegistrationStatus)
    assert {lesson.kind for lesson in db.session.scalars(select(Lesson))} == set(LessonKind)
    lesson_statuses = set(db.session.scalars(select(Lesson.status)))
    assert {LessonStatus.DRAFT, LessonStatus.SUBMITTED, LessonStatus.VALIDATED, LessonStatus.ACTIONED,
            LessonStatus.REJECTED} <= lesson_statuses
    assert len(set(db.session.scalars(select(Lesson.tlp)))) == len(TLP)
    assert db.session.scalar(select(func.count(FollowUpAction.id))) >= 1
    # Past events have check-ins and feedback; upcoming ones have neither.
    for event in events:
        checked_in = db.session.scalar(select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.checked_in_at.is_not(None)))
        if event.starts_at > at:
            assert checked_in == 0
    assert db.session.scalar(select(func.count(Registration.id)).where(Registration.checked_in_at.is_not(None))) > 10
    assert db.session.scalar(select(func.count(Feedback.id))) >= 5


def test_times_are_wall_clock_times_in_each_event_zone(db):
    load_demo()
    zones = set()
    for event in db.session.scalars(select(Event)):
        zones.add(event.timezone)
        local = to_local(event.starts_at, event.timezone)
        assert (local.hour, local.minute) in {(9, 0), (11, 0), (14, 0)}, (event.title, local)
        assert event.ends_at > event.starts_at
        for session in event.sessions:
            assert event.starts_at <= session.starts_at < session.ends_at <= event.ends_at, session.title
    assert {"Europe/Kyiv", "Europe/Chisinau", "Asia/Tbilisi", "Europe/Skopje"} <= zones


def test_capacity_is_respected_and_training_has_session_signups(db):
    load_demo()
    for event in db.session.scalars(select(Event).where(Event.capacity.is_not(None))):
        seats = db.session.scalar(select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED,
            Registration.role.in_(["participant", "observer"])))
        assert seats <= event.capacity, event.title
    training = db.session.scalar(select(Event).where(Event.title.like("Training of trainers%")))
    assert training.starts_at > now()
    signup_sessions = [s for s in training.sessions if s.has_signup]
    assert signup_sessions and all(s.capacity for s in signup_sessions)
    assert db.session.scalar(select(func.count(SessionSignup.id)).where(SessionSignup.status == "waitlisted")) >= 1
    assert any(s.speakers for s in training.sessions)


def test_people_are_spread_over_partner_countries_with_their_zones(db):
    load_demo()
    users = db.session.scalars(select(User)).all()
    assert len(users) >= 29
    assert {u.timezone for u in users} >= {
        "Europe/Kyiv", "Europe/Chisinau", "Asia/Tbilisi", "Europe/Skopje", "Europe/Belgrade",
        "Europe/Budapest", "Europe/Bucharest"}
    assert {u.organisation.country for u in users if u.organisation} >= {"UA", "MD", "GE", "MK", "RS", "HU", "RO"}
    roles = {u.email: u.role for u in users}
    assert [roles[email] for email, _ in DEMO_LOGINS] == [
        Role.ADMIN, Role.COORDINATOR, Role.ORGANISER, Role.MEMBER, Role.MEMBER]  # the last: an organisation admin


def test_the_four_demo_logins_can_sign_in(app, db):
    load_demo()
    for email, label in DEMO_LOGINS:
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        home = client.get("/").get_data(as_text=True)
        if label == "Organisation admin":  # a member by role, who decides their organisation's requests
            assert ">Member</span>" in home and "Membership requests" in home
        else:
            assert f">{label}</span>" in home


def test_memberships_show_each_state_on_the_organisation_admins_page(app, db):
    load_demo()
    states = Counter((m.status.value, m.via) for m in db.session.scalars(select(Membership)))
    assert states[("approved", "domain")] >= 2 and states[("approved", "admin")] >= 20
    assert states[("pending", "request")] >= 1 and states[("rejected", "request")] >= 1
    members = [u for u in db.session.scalars(select(User)) if u.organisation_id]
    approved = {(m.user_id, m.organisation_id) for m in db.session.scalars(
        select(Membership).where(Membership.status == MembershipStatus.APPROVED))}
    assert {(u.id, u.organisation_id) for u in members} == approved
    client = app.test_client()
    client.post("/login", data={"email": "orgadmin@liaison.example", "password": DEMO_PASSWORD})
    page = client.get("/memberships")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Vasyl Moroz" in html and "Petro Ivanenko" in html and "Olena Kovalenko" in html


def test_upcoming_events_stay_upcoming_whatever_the_day(app, db):
    from app.timeutil import freeze

    later = now() + timedelta(days=400)
    with freeze(later):
        load_demo()
        upcoming = db.session.scalar(select(func.count(Event.id)).where(Event.starts_at > later))
    assert upcoming >= 6


def test_every_published_multi_day_demo_event_shows_an_agenda(db, client):
    """QA: the demo's two-day training in Chișinău (knowledge checks) said "The agenda is not
    published yet"."""
    load_demo()
    events = db.session.scalars(select(Event).where(Event.status == EventStatus.PUBLISHED)).all()
    multi_day = [e for e in events if e.ends_at - e.starts_at >= timedelta(hours=24)]
    assert multi_day
    for event in multi_day:
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
        assert "The agenda is not published yet" not in page, event.title
