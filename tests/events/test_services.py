"""Planning rules through the service layer: audit, SEQUENCE and iTIP hooks, clone, series, agenda."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.calendar import itip
from app.events import agenda, planning, queries
from app.events.errors import EventError
from app.events.models import Event, EventStatus, Session
from app.events.times import local_instant, local_naive

KYIV = "Europe/Kyiv"


def kyiv(*args):
    return local_instant(datetime(*args), KYIV)


def values(**overrides):
    base = {
        "title": "Study visit to the cyber unit",
        "kind": "study_visit",
        "format": "in_person",
        "summary": None,
        "description": "Three days in Kyiv.",
        "timezone": KYIV,
        "starts_at": kyiv(2026, 10, 23, 9, 0),
        "ends_at": kyiv(2026, 10, 26, 17, 0),
        "venue": "Police academy",
        "address": None,
        "city": "Kyiv",
        "country": "UA",
        "online_url": None,
        "host_organisation_id": None,
        "capacity": 30,
        "registration_mode": "open",
        "registration_opens_at": None,
        "registration_closes_at": None,
        "reminder_days": "7, 1",
    }
    base.update(overrides)
    return base


@pytest.fixture
def calls(monkeypatch):
    seen = []
    for name in ("queue_event_update", "queue_event_cancel", "queue_session_update", "queue_session_cancel"):
        monkeypatch.setattr(itip, name, lambda obj, *a, _name=name, **k: seen.append((_name, obj.id)))
    return seen


def audit_actions(db):
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_create_event_stores_utc_and_audits(db, make):
    organiser = make.user(role=Role.ORGANISER)
    co = make.user(role=Role.MEMBER)
    outcome = planning.create_event(organiser, values(), co_organiser_ids=[co.id])
    event = outcome.event
    assert event.status == EventStatus.DRAFT
    assert event.starts_at == datetime(2026, 10, 23, 6, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 10, 26, 15, 0, tzinfo=UTC)  # winter time by then
    assert event.reminder_days == "7,1"
    assert [u.id for u in event.organisers] == [co.id]
    entry = db.session.scalars(select(AuditEntry)).one()
    assert entry.action == "event.create" and entry.actor_id == organiser.id
    assert entry.changes["title"] == [None, "Study visit to the cyber unit"]


def test_event_spanning_end_of_summer_time_keeps_local_times_in_its_sessions(db, make):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    first = agenda.add_session(organiser, event, {"title": "Welcome", "kind": "plenary",
                                                    "starts_at": kyiv(2026, 10, 23, 9, 30),
                                                    "ends_at": kyiv(2026, 10, 23, 10, 30)})
    last = agenda.add_session(organiser, event, {"title": "Site visit", "kind": "site_visit",
                                                   "starts_at": kyiv(2026, 10, 26, 9, 30),
                                                   "ends_at": kyiv(2026, 10, 26, 12, 0)})
    db.session.expire_all()
    assert local_naive(db.session.get(Session, first.id).starts_at, KYIV) == datetime(2026, 10, 23, 9, 30)
    assert local_naive(db.session.get(Session, last.id).starts_at, KYIV) == datetime(2026, 10, 26, 9, 30)
    days = queries.timetable(queries.load_event(event.id))
    assert [d for d, _ in days] == [date(2026, 10, 23), date(2026, 10, 26)]


@pytest.mark.parametrize("bad, field", [
    ({"ends_at": kyiv(2026, 10, 23, 8, 0)}, "ends_at"),
    ({"capacity": -1}, "capacity"),
    ({"capacity": 10**9}, "capacity"),
    ({"reminder_days": "7,x"}, "reminder_days"),
    ({"reminder_days": "400"}, "reminder_days"),
    ({"registration_opens_at": kyiv(2026, 10, 1, 9, 0), "registration_closes_at": kyiv(2026, 9, 1, 9, 0)},
     "registration_closes_at"),
])
def test_broken_rules_name_their_field(db, make, bad, field):
    organiser = make.user(role=Role.ORGANISER)
    with pytest.raises(EventError) as raised:
        planning.create_event(organiser, values(**bad))
    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(Event.id)) is None


def test_editing_place_of_a_published_event_raises_sequence_and_sends_update(db, make, calls):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    planning.publish(organiser, event)
    outcome = planning.update_event(organiser, event, values(venue="Another hall"))
    assert event.sequence == 1
    assert outcome.changes["venue"] == ["Police academy", "Another hall"]
    assert calls == [("queue_event_update", event.id)]
    planning.update_event(organiser, event, values(venue="Another hall", title="New title"))
    assert event.sequence == 2
    assert audit_actions(db) == ["event.create", "event.publish", "event.edit", "event.edit"]


def test_description_only_edit_does_not_raise_sequence(db, make, calls):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    planning.publish(organiser, event)
    planning.update_event(organiser, event, values(description="Better words", summary="Short"))
    assert event.sequence == 0 and calls == []


def test_draft_edits_send_nothing(db, make, calls):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    planning.update_event(organiser, event, values(city="Lviv"))
    assert event.sequence == 0 and calls == []


def test_cancel_needs_a_reason_raises_sequence_and_sends_cancel(db, make, calls):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    with pytest.raises(EventError):
        planning.cancel(organiser, event, "no, a draft is deleted")
    planning.publish(organiser, event)
    with pytest.raises(EventError) as raised:
        planning.cancel(organiser, event, "  ")
    assert raised.value.field == "reason"
    planning.cancel(organiser, event, "Air-raid alerts")
    assert event.status == EventStatus.CANCELLED and event.cancellation_reason == "Air-raid alerts"
    assert event.sequence == 1 and calls == [("queue_event_cancel", event.id)]
    assert audit_actions(db)[-1] == "event.cancel"
    with pytest.raises(EventError):
        planning.update_event(organiser, event, values())


def test_only_drafts_are_deleted(db, make):
    organiser = make.user(role=Role.ORGANISER)
    draft = planning.create_event(organiser, values()).event
    published = planning.create_event(organiser, values()).event
    planning.publish(organiser, published)
    with pytest.raises(EventError):
        planning.delete_draft(organiser, published)
    draft_id = draft.id
    planning.delete_draft(organiser, draft)
    assert db.session.get(Event, draft_id) is None
    assert "event.delete" in audit_actions(db)


def test_overlap_with_published_event_in_same_country_or_with_same_organiser(db, make):
    organiser = make.user(role=Role.ORGANISER)
    other_organiser = make.user(role=Role.ORGANISER)
    same_country = make.event("Border workshop", starts_at=kyiv(2026, 10, 24, 9, 0), days=1, country="UA")
    same_people = make.event("Europol meeting", starts_at=kyiv(2026, 10, 25, 9, 0), days=1, country="NL",
                             created_by=organiser)
    make.event("Elsewhere", starts_at=kyiv(2026, 10, 24, 9, 0), days=1, country="FR", created_by=other_organiser)
    make.event("Unpublished", starts_at=kyiv(2026, 10, 24, 9, 0), days=1, country="UA", status="draft")
    make.event("Later", starts_at=kyiv(2026, 11, 24, 9, 0), days=1, country="UA")
    outcome = planning.create_event(organiser, values())
    assert {e.title for e in outcome.overlaps} == {same_country.title, same_people.title}


def test_session_must_lie_inside_the_event_and_not_clash_in_a_room(db, make, calls):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    with pytest.raises(EventError) as raised:
        agenda.add_session(organiser, event, {"title": "Too early", "kind": "plenary",
                                                "starts_at": kyiv(2026, 10, 22, 9, 0),
                                                "ends_at": kyiv(2026, 10, 22, 10, 0)})
    assert raised.value.field == "starts_at"
    with pytest.raises(EventError) as raised:
        agenda.add_session(organiser, event, {"title": "Too late", "kind": "plenary",
                                                "starts_at": kyiv(2026, 10, 26, 16, 0),
                                                "ends_at": kyiv(2026, 10, 26, 18, 0)})
    assert raised.value.field == "ends_at"
    agenda.add_session(organiser, event, {"title": "Opening", "kind": "plenary", "room": "Hall A",
                                            "starts_at": kyiv(2026, 10, 23, 9, 0),
                                            "ends_at": kyiv(2026, 10, 23, 10, 0)})
    with pytest.raises(EventError, match="Opening") as raised:
        agenda.add_session(organiser, event, {"title": "Panel", "kind": "panel", "room": "hall a ",
                                                "starts_at": kyiv(2026, 10, 23, 9, 30),
                                                "ends_at": kyiv(2026, 10, 23, 11, 0)})
    assert raised.value.field == "room"
    db.session.rollback()
    agenda.add_session(organiser, event, {"title": "Panel", "kind": "panel", "room": "Hall B",
                                            "starts_at": kyiv(2026, 10, 23, 9, 30),
                                            "ends_at": kyiv(2026, 10, 23, 11, 0)})
    assert len(event.sessions) == 2


def test_session_changes_on_published_event_raise_session_sequence(db, make, calls):
    organiser = make.user(role=Role.ORGANISER)
    speaker = make.user(name="Iryna Speaker")
    event = planning.create_event(organiser, values()).event
    item = agenda.add_session(organiser, event, {"title": "Training", "kind": "training", "room": "Lab",
                                                   "starts_at": kyiv(2026, 10, 23, 9, 0),
                                                   "ends_at": kyiv(2026, 10, 23, 12, 0)},
                                speaker_ids=[speaker.id], external_speakers="Jan Novak — Europol\nAna Lopez")
    assert [(s.user_id, s.external_name, s.external_organisation, s.role) for s in item.speakers] == [
        (speaker.id, None, None, "trainer"), (None, "Jan Novak", "Europol", "trainer"), (None, "Ana Lopez", None, "trainer"),
    ]
    planning.publish(organiser, event)
    new = {"title": "Training", "kind": "training", "room": "Lab 2",
           "starts_at": kyiv(2026, 10, 23, 9, 0), "ends_at": kyiv(2026, 10, 23, 12, 0)}
    changes = agenda.update_session(organiser, item, new, [speaker.id], "Jan Novak — Europol\nAna Lopez")
    assert changes == {"room": ["Lab", "Lab 2"]}
    assert item.sequence == 1 and calls == [("queue_session_update", item.id)]
    agenda.update_session(organiser, item, {**new, "description": "More"}, [speaker.id],
                            "Jan Novak — Europol\nAna Lopez")
    assert item.sequence == 1
    item_id = item.id
    agenda.delete_session(organiser, item)
    assert calls[-1] == ("queue_session_cancel", item_id)
    assert audit_actions(db).count("session.edit") == 2 and "session.delete" in audit_actions(db)


def test_move_reorders_sessions_starting_together(db, make):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    slot = {"kind": "workshop", "starts_at": kyiv(2026, 10, 23, 14, 0), "ends_at": kyiv(2026, 10, 23, 15, 0)}
    a = agenda.add_session(organiser, event, {**slot, "title": "A", "room": "1"})
    b = agenda.add_session(organiser, event, {**slot, "title": "B", "room": "2"})
    c = agenda.add_session(organiser, event, {**slot, "title": "C", "room": "3"})
    assert agenda.move_session(organiser, c, "up")
    assert not agenda.move_session(organiser, a, "up")
    db.session.expire_all()
    ordered = [s.title for s in queries.load_event(event.id).sessions]
    assert ordered == ["A", "C", "B"]
    assert not agenda.move_session(organiser, db.session.get(Session, b.id), "down")


def test_clone_shifts_sessions_and_keeps_local_times(db, make):
    organiser = make.user(role=Role.ORGANISER)
    colleague = make.user(role=Role.ORGANISER)
    theme = make.theme("Cybercrime", empact_cycle="2026-2029")
    event = planning.create_event(organiser, values(), co_organiser_ids=[colleague.id], theme_ids=[theme.id]).event
    agenda.add_session(organiser, event, {"title": "Day four", "kind": "site_visit",
                                            "starts_at": kyiv(2026, 10, 26, 9, 0), "ends_at": kyiv(2026, 10, 26, 11, 0)})
    planning.publish(organiser, event)
    outcome = planning.clone(colleague, event, date(2027, 3, 4))
    copy = outcome.event
    assert outcome.overlaps == []
    assert copy.status == EventStatus.DRAFT and copy.uid != event.uid and copy.sequence == 0
    assert local_naive(copy.starts_at, KYIV) == datetime(2027, 3, 4, 9, 0)
    assert local_naive(copy.ends_at, KYIV) == datetime(2027, 3, 7, 17, 0)
    assert [local_naive(s.starts_at, KYIV) for s in copy.sessions] == [datetime(2027, 3, 7, 9, 0)]
    assert copy.created_by_id == colleague.id
    assert {u.id for u in copy.organisers} == {organiser.id}
    assert [t.label for t in copy.themes] == ["Cybercrime (EMPACT 2026-2029)"]


def test_series_every_two_weeks_and_monthly_on_nth_weekday(db, make):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values(starts_at=kyiv(2026, 10, 6, 10, 0),
                                                    ends_at=kyiv(2026, 10, 6, 12, 0))).event
    weekly = planning.create_series(organiser, event, 3, every_weeks=2)
    assert [local_naive(e.starts_at, KYIV) for e in weekly] == [
        datetime(2026, 10, 20, 10, 0), datetime(2026, 11, 3, 10, 0), datetime(2026, 11, 17, 10, 0)]
    assert {e.series_key for e in weekly} == {event.series_key}
    monthly = planning.create_series(organiser, event, 3, weekday=1, nth=1)  # first Tuesday
    assert [local_naive(e.starts_at, KYIV).date() for e in monthly] == [
        date(2026, 11, 3), date(2026, 12, 1), date(2027, 1, 5)]
    last_friday = planning.series_dates(date(2026, 1, 1), 2, weekday=4, nth=-1)
    assert last_friday == [date(2026, 2, 27), date(2026, 3, 27)]
    with pytest.raises(EventError):
        planning.series_dates(date(2026, 1, 1), 0, every_weeks=1)
    with pytest.raises(EventError):
        planning.series_dates(date(2026, 1, 1), 100, every_weeks=1)


def test_event_dates_cannot_move_away_from_its_sessions(db, make):
    organiser = make.user(role=Role.ORGANISER)
    event = planning.create_event(organiser, values()).event
    agenda.add_session(organiser, event, {"title": "Last day", "kind": "plenary",
                                            "starts_at": kyiv(2026, 10, 26, 9, 0), "ends_at": kyiv(2026, 10, 26, 10, 0)})
    with pytest.raises(EventError, match="Last day"):
        planning.update_event(organiser, event, values(ends_at=kyiv(2026, 10, 25, 17, 0)))


def test_filters_from_query_string_ignore_garbage(app):
    filters = queries.EventFilters.from_args({"kind": "party", "format": "online", "country": "u1",
                                              "project": "x", "theme": "-3", "from": "2026-13-01",
                                              "to": "2026-10-31", "q": " kyiv ", "tab": "past"})
    assert filters.kind == "" and filters.format == "online" and filters.country == ""
    assert filters.project is None and filters.theme is None and filters.starts_on is None
    assert filters.ends_on == date(2026, 10, 31) and filters.q == "kyiv" and filters.tab == "past"


def test_month_grid_places_multi_day_events_on_each_local_day(db, make):
    event = make.event("Study visit", starts_at=kyiv(2026, 10, 30, 9, 0), ends_at=kyiv(2026, 11, 2, 17, 0),
                       timezone=KYIV)
    grid = queries.month_grid([event], 2026, 10)
    days_with = [d["date"] for week in grid for d in week if d["events"]]
    assert days_with == [date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1)]
    assert grid[0][0]["date"].weekday() == 0
    assert timedelta(0) < event.ends_at - event.starts_at


def test_real_calendar_updates_reach_the_outbox_in_the_same_transaction(db, make):
    from app.notifications.models import OutboxMessage
    from app.registrations.models import Registration, RegistrationStatus

    organiser = make.user(role=Role.ORGANISER)
    participant = make.user(email="participant@police.example")
    event = planning.create_event(organiser, values()).event
    planning.publish(organiser, event)
    db.session.add(Registration(event_id=event.id, user_id=participant.id, status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    planning.update_event(organiser, event, values(description="Only words"))
    assert db.session.scalars(select(OutboxMessage)).all() == []
    planning.update_event(organiser, event, values(starts_at=kyiv(2026, 10, 23, 10, 0)))
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [m.recipient_user_id for m in messages] == [participant.id]
    planning.cancel(organiser, event, "Postponed")
    assert len(db.session.scalars(select(OutboxMessage)).all()) == 2


def test_copies_do_not_repeat_an_organiser_listed_twice(db, make):
    creator = make.user(role=Role.ORGANISER)
    colleague = make.user(role=Role.ORGANISER)
    admin = make.user(role=Role.ADMIN)
    event = make.event("Listed twice", created_by=creator, organisers=[creator, colleague])
    copies = planning.create_series(admin, event, 2, every_weeks=1)
    assert [sorted(u.id for u in c.organisers) for c in copies] == [sorted([creator.id, colleague.id])] * 2


def test_only_an_event_s_own_organisers_or_an_admin_appoint_co_organisers_and_the_added_person_is_told(db, make):
    """A coordinator may edit any event, but appointing themselves would open its RED entries and
    its participants' needs to them: who organises an event is its organisers' and admins' call."""
    from app.notifications.models import OutboxMessage

    creator = make.user(role=Role.ORGANISER)
    coordinator, admin, colleague = make.user(role=Role.COORDINATOR), make.user(role=Role.ADMIN), make.user()
    event = planning.create_event(creator, values()).event

    with pytest.raises(EventError) as refused:
        planning.update_event(coordinator, event, values(), [coordinator.id])
    assert refused.value.field == "organiser_ids"
    db.session.refresh(event)
    assert event.organisers == []
    planning.update_event(coordinator, event, values(summary="Agenda to follow"))  # other edits stay open

    planning.update_event(creator, event, values(), [colleague.id])
    planning.update_event(admin, event, values(), [colleague.id, coordinator.id])
    db.session.refresh(event)
    assert {user.id for user in event.organisers} == {colleague.id, coordinator.id}
    told = [m.recipient_user_id for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "organiser_added"))]
    assert sorted(told) == sorted([colleague.id, coordinator.id])
    edits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.edit").order_by(AuditEntry.id))
    assert [entry.changes["organisers"] for entry in edits if "organisers" in entry.changes] == [
        [[], [colleague.id]], [[colleague.id], sorted([colleague.id, coordinator.id])]]
