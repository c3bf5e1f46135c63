"""Recording entries and the workflow: who may take each step, history, outbox and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.lessons import notices, workflow
from app.lessons.models import TLP, ActionStatus, FollowUpAction, Lesson, LessonKind, LessonStatus
from app.notifications.models import OutboxMessage
from app.timeutil import now
from tests.factories import lesson as make_lesson


@pytest.fixture
def world(make):
    org = make.organisation(name="Cyber Police Department", country="UA")
    organiser = make.user(role=Role.ORGANISER, name="Olena Organiser")
    event = make.past_event(title="Border interoperability workshop", organisers=[organiser])
    attendee = make.user(name="Taras Attendee", organisation=org)
    make.attendee(event, attendee)
    coordinator = make.user(role=Role.COORDINATOR, name="Chloe Coordinator")
    stranger = make.user(name="Sam Stranger")
    return {"event": event, "organiser": organiser, "attendee": attendee, "coordinator": coordinator,
            "stranger": stranger, "org": org}


ENTRY = {
    "kind": "observation",
    "title": "Radios could not talk across the border",
    "observation": "Patrols on both sides used incompatible radio systems.",
    "analysis": "No shared procurement.",
    "recommendation": "Agree a common interface.",
    "recommendation_type": "capability_gap",
    "addressed_to": "national_authorities",
    "tlp": "green",
    "session_id": "None",
}


def test_attendee_records_draft_then_submits(login, world, db):
    client = login(world["attendee"])
    event = world["event"]
    response = client.post(f"/events/{event.id}/lessons/new", data={**ENTRY, "save_draft": "Save draft"})
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.scalar(select(Lesson))
    assert lesson.status == LessonStatus.DRAFT and lesson.author_id == world["attendee"].id
    # Finish later: edit then submit.
    response = client.post(f"/lessons/{lesson.id}/edit", data={**ENTRY, "title": "Radios failed", "submit": "1"})
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.status == LessonStatus.SUBMITTED and lesson.title == "Radios failed"
    page = client.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "Radios failed" in page and "History" in page


def test_participant_cannot_record_before_event_ends(login, make, world):
    future = make.event(title="Future meeting")
    make.registration(future, world["attendee"])
    response = login(world["attendee"]).get(f"/events/{future.id}/lessons/new")
    assert response.status_code == 403
    assert "once the event is over" in response.get_data(as_text=True)


def test_stranger_cannot_record(login, world):
    response = login(world["stranger"]).post(f"/events/{world['event'].id}/lessons/new", data=ENTRY)
    assert response.status_code == 403


def test_organiser_may_record_any_time(login, make, world):
    future = make.event(title="Upcoming", organisers=[world["organiser"]])
    response = login(world["organiser"]).post(f"/events/{future.id}/lessons/new", data={**ENTRY, "submit": "1"})
    assert response.status_code == 302


def test_good_practice_needs_eucpn_answers_to_submit(login, world, db):
    client = login(world["attendee"])
    data = {**ENTRY, "kind": "good_practice", "submit": "1"}
    response = client.post(f"/events/{world['event'].id}/lessons/new", data=data)
    assert response.status_code == 422
    assert "the problem it addresses" in response.get_data(as_text=True)
    data.update(problem_addressed="Cross-border car theft", how_it_works="Joint patrols",
                evidence="Thefts fell by a third", replication_needs="A bilateral agreement")
    response = client.post(f"/events/{world['event'].id}/lessons/new", data=data)
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.scalar(select(Lesson))
    assert lesson.evidence == "Thefts fell by a third" and lesson.status == LessonStatus.SUBMITTED


def test_bad_input_never_500(login, world):
    client = login(world["attendee"])
    url = f"/events/{world['event'].id}/lessons/new"
    for data in ({}, {"title": ""}, {**ENTRY, "kind": "nonsense"}, {**ENTRY, "tlp": "purple"},
                 {**ENTRY, "session_id": "99999"}, {**ENTRY, "themes": "abc"}, {**ENTRY, "title": "x" * 500}):
        response = client.post(url, data=data)
        assert response.status_code in (200, 422), data
    assert client.get("/lessons/999999").status_code == 404
    assert client.post("/lessons/999999/transition", data={"step": "validate"}).status_code == 404
    assert client.get("/events/999999/lessons/new").status_code == 404


def _submitted(world):
    return make_lesson(world["event"], world["attendee"], status=LessonStatus.SUBMITTED)


def test_only_validators_validate(login, world, db):
    lesson = _submitted(world)
    # The author and a stranger may not validate.
    assert login(world["attendee"]).post(f"/lessons/{lesson.id}/transition",
                                         data={"step": "validate"}).status_code == 422
    assert login(world["stranger"]).post(f"/lessons/{lesson.id}/transition",
                                         data={"step": "validate"}).status_code == 404
    db.session.rollback()
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.SUBMITTED
    response = login(world["organiser"]).post(f"/lessons/{lesson.id}/transition",
                                              data={"step": "validate", "comment": "Clear and useful"})
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.status == LessonStatus.VALIDATED and lesson.validator_id == world["organiser"].id
    step = lesson.transitions[-1]
    assert (step.from_status, step.to_status, step.comment, step.actor_id) == (
        "submitted", "validated", "Clear and useful", world["organiser"].id)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "lesson_decision"))
    assert message is not None and world["attendee"].email in message.to[0]
    assert "validated" in message.subject
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "lesson.transition"))


def test_reject_needs_reason_and_author_can_resubmit(login, world, db):
    lesson = _submitted(world)
    coordinator = login(world["coordinator"])
    response = coordinator.post(f"/lessons/{lesson.id}/transition", data={"step": "reject"})
    assert response.status_code == 422
    assert "reason" in response.get_data(as_text=True)
    response = coordinator.post(f"/lessons/{lesson.id}/transition",
                                data={"step": "reject", "comment": "Two issues in one entry"})
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.status == LessonStatus.REJECTED and lesson.rejection_reason == "Two issues in one entry"
    outbox = db.session.scalars(select(OutboxMessage)).all()
    assert any("Two issues in one entry" in m.text_body for m in outbox)
    author = login(world["attendee"])
    assert author.post(f"/lessons/{lesson.id}/transition", data={"step": "submit"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.SUBMITTED


def test_author_cannot_edit_after_validation(login, world):
    lesson = make_lesson(world["event"], world["attendee"], status=LessonStatus.VALIDATED)
    assert login(world["attendee"]).get(f"/lessons/{lesson.id}/edit").status_code == 403


def test_action_moves_to_actioned_and_confirm_to_learned(login, world, db):
    lesson = make_lesson(world["event"], world["attendee"], status=LessonStatus.VALIDATED)
    coordinator = login(world["coordinator"])
    due = (now() + timedelta(days=30)).date().isoformat()
    response = coordinator.post(f"/lessons/{lesson.id}/actions/new", data={
        "title": "Buy compatible radios", "owner_user_id": str(world["organiser"].id), "due_on": due,
        "owner_organisation_id": "None",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.status == LessonStatus.ACTIONED
    action = db.session.scalar(select(FollowUpAction))
    # Not learned while the action is open.
    assert coordinator.post(f"/lessons/{lesson.id}/transition", data={"step": "confirm"}).status_code == 422
    owner = login(world["organiser"])
    assert "Buy compatible radios" in owner.get("/lessons/my-actions").get_data(as_text=True)
    response = owner.post(f"/lessons/actions/{action.id}", data={"status": "in_progress", "note": "Tender out"})
    assert response.status_code == 302
    response = owner.post(f"/lessons/actions/{action.id}", data={"status": "done"})
    assert response.status_code == 302
    db.session.rollback()
    action = db.session.get(FollowUpAction, action.id)
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    assert [n.body for n in action.notes][0].endswith("Tender out")
    # A stranger cannot confirm; the coordinator can.
    assert login(world["stranger"]).post(f"/lessons/{lesson.id}/transition",
                                         data={"step": "confirm"}).status_code in (403, 404, 422)
    assert coordinator.post(f"/lessons/{lesson.id}/transition", data={"step": "confirm"}).status_code == 302
    db.session.rollback()
    lesson = db.session.get(Lesson, lesson.id)
    assert lesson.status == LessonStatus.LEARNED
    assert [t.to_status for t in lesson.transitions][-2:] == ["actioned", "learned"]
    kinds = {m.kind for m in db.session.scalars(select(OutboxMessage))}
    assert {"lesson_decision", "action_assigned"} <= kinds


def test_action_with_organisation_owner_needs_contact(login, make, world, db):
    lesson = make_lesson(world["event"], world["attendee"], status=LessonStatus.VALIDATED)
    org = make.organisation(name="Europol Innovation Lab", country="NL")
    client = login(world["coordinator"])
    data = {"title": "Share the interface spec", "owner_user_id": "None", "owner_organisation_id": str(org.id)}
    response = client.post(f"/lessons/{lesson.id}/actions/new", data=data)
    assert response.status_code == 422
    response = client.post(f"/lessons/{lesson.id}/actions/new", data={**data, "owner_contact": "lab@europol.example"})
    assert response.status_code == 302
    db.session.rollback()
    action = db.session.scalar(select(FollowUpAction))
    assert action.owner_organisation_id == org.id and action.owner_contact == "lab@europol.example"


def test_actions_from_an_event_and_overdue_overview(login, world, db):
    client = login(world["organiser"])
    yesterday = (now() - timedelta(days=1)).date().isoformat()
    response = client.post(f"/events/{world['event'].id}/actions/new", data={
        "title": "Send the minutes", "owner_user_id": str(world["attendee"].id), "due_on": yesterday,
        "owner_organisation_id": "None",
    })
    assert response.status_code == 302
    assert login(world["stranger"]).get(f"/events/{world['event'].id}/actions/new").status_code == 403
    page = login(world["coordinator"]).get("/lessons/actions").get_data(as_text=True)
    assert "Send the minutes" in page and "Overdue" in page and 'data-overdue="1"' in page
    assert login(world["attendee"]).get("/lessons/actions").status_code == 403


def test_marking_lowered_only_by_author_or_coordinator(login, make, world, db):
    lesson = make_lesson(world["event"], world["attendee"], tlp=TLP.AMBER, status=LessonStatus.VALIDATED)
    # The organiser may raise but not lower.
    organiser = login(world["organiser"])
    assert organiser.post(f"/lessons/{lesson.id}/marking", data={"tlp": "green"}).status_code == 422
    db.session.rollback()
    assert db.session.get(Lesson, lesson.id).tlp == TLP.AMBER
    assert organiser.post(f"/lessons/{lesson.id}/marking", data={"tlp": "amber_strict"}).status_code == 302
    # Coordinators cannot see AMBER+STRICT, so they cannot touch it any more; the author can lower it.
    assert login(world["coordinator"]).post(f"/lessons/{lesson.id}/marking", data={"tlp": "green"}).status_code == 404
    author = login(world["attendee"])
    # Lowering AMBER+STRICT (or RED) needs a reason, which the entry's history shows.
    assert author.post(f"/lessons/{lesson.id}/marking", data={"tlp": "amber"}).status_code == 422
    assert author.post(f"/lessons/{lesson.id}/marking",
                       data={"tlp": "amber", "comment": "Cleared by the unit for partners"}).status_code == 302
    history = author.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "Marked TLP:AMBER" in history and "(from TLP:AMBER+STRICT)" in history
    assert "Cleared by the unit for partners" in history
    assert login(world["coordinator"]).post(f"/lessons/{lesson.id}/marking", data={"tlp": "green"}).status_code == 302
    db.session.rollback()
    assert db.session.get(Lesson, lesson.id).tlp == TLP.GREEN
    with pytest.raises(workflow.LessonError):
        workflow.change_marking(db.session.get(Lesson, lesson.id), world["stranger"], TLP.CLEAR)


def test_action_lists_and_entry_page_queries_do_not_grow(login, world, db):
    from tests.querycount import QueryCounter

    lesson = make_lesson(world["event"], world["attendee"], status=LessonStatus.ACTIONED)
    coordinator = login(world["coordinator"])
    owner = login(world["organiser"])
    db.session.rollback()

    def add(n):
        for i in range(n):
            action = FollowUpAction(lesson_id=lesson.id, title=f"Action {i}", owner_user_id=world["organiser"].id,
                                    due_on=(now() - timedelta(days=i % 3)).date())
            db.session.add(action)
            db.session.flush()
            from app.lessons.models import ActionNote

            db.session.add(ActionNote(action_id=action.id, author_id=world["organiser"].id, body="note", at=now()))
        db.session.commit()

    def count():
        with QueryCounter(db.engine) as counter:
            assert owner.get("/lessons/my-actions").status_code == 200
            assert coordinator.get("/lessons/actions").status_code == 200
            assert coordinator.get(f"/lessons/{lesson.id}").status_code == 200
        return counter.count

    add(3)
    small = count()
    db.session.rollback()
    add(40)
    assert count() == small


def test_author_deletes_own_draft_only(login, world, db):
    draft = make_lesson(world["event"], world["attendee"], status=LessonStatus.DRAFT)
    submitted = make_lesson(world["event"], world["attendee"], status=LessonStatus.SUBMITTED)
    draft_id, submitted_id = draft.id, submitted.id
    assert login(world["coordinator"]).post(f"/lessons/{draft.id}/delete").status_code == 404
    author = login(world["attendee"])
    assert author.post(f"/lessons/{submitted_id}/delete").status_code == 302
    assert author.post(f"/lessons/{draft_id}/delete").status_code == 302
    db.session.rollback()
    db.session.expunge_all()
    assert db.session.get(Lesson, draft_id) is None
    assert db.session.get(Lesson, submitted_id) is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "lesson.deleted"))


def test_validators_see_what_awaits_validation(login, world):
    _submitted(world)
    html = login(world["organiser"]).get("/lessons/").get_data(as_text=True)
    assert 'data-testid="awaiting"' in html and ">1</span>" in html
    assert 'data-testid="awaiting"' not in login(world["attendee"]).get("/lessons/").get_data(as_text=True)


# --- validators hear of a submitted entry ---------------------------------------------------------


def _submitted_mail(db):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "lesson_submitted").order_by(OutboxMessage.id)
    ).all()


def test_submitting_tells_the_event_organisers_by_email_through_smtp(login, world, db, app, monkeypatch, make):
    from app.notifications.delivery import deliver_pending
    from tests.notifications.smtp import RecordingHandler, SMTPServer, use_smtp

    closed = make.user(role=Role.ORGANISER, name="Closed Account")
    closed.is_active_account = False
    world["event"].organisers.append(closed)
    db.session.commit()
    client = login(world["attendee"])
    response = client.post(f"/events/{world['event'].id}/lessons/new", data={**ENTRY, "submit": "1"})
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.scalar(select(Lesson))
    assert lesson.status == LessonStatus.SUBMITTED
    messages = _submitted_mail(db)
    # The event's organiser only: not the author, not the closed account, not the coordinators
    # (an organiser can take it; coordinators see it under "Awaiting validation").
    assert [m.to for m in messages] == [[f"Olena Organiser <{world['organiser'].email}>"]]
    with SMTPServer(RecordingHandler()) as server:
        use_smtp(app, monkeypatch, server)
        assert deliver_pending().sent == 1
    received = server.received[0]
    assert received.rcpt_tos == [world["organiser"].email]
    assert received.message["Subject"] == "Entry to validate: Radios could not talk across the border"
    text = received.message.get_body(("plain",)).get_content()
    assert "Taras Attendee submitted the entry" in text and "Border interoperability workshop" in text
    assert f"/lessons/{lesson.id}" in text and "TLP:GREEN" in text


def test_a_resubmitted_entry_is_announced_again(login, world, db):
    lesson = _submitted(world)
    workflow.transition(lesson, world["coordinator"], "reject", "Two issues in one entry")
    assert _submitted_mail(db) == []  # the helper made it submitted without the workflow
    response = login(world["attendee"]).post(f"/lessons/{lesson.id}/transition", data={"step": "submit"})
    assert response.status_code == 302
    db.session.rollback()
    assert [m.to[0] for m in _submitted_mail(db)] == [f"Olena Organiser <{world['organiser'].email}>"]


def test_without_another_organiser_the_coordinators_who_may_validate_are_told(db, world, make):
    # The organiser records an entry on their own event: nobody else organised it.
    event, author = world["event"], world["organiser"]
    admin = make.user(role=Role.ADMIN, name="Ada Admin")
    green = workflow.record_entry(event, author, _entry_data(), submit=True)
    told = {m.to[0] for m in _submitted_mail(db)}
    assert told == {f"Chloe Coordinator <{world['coordinator'].email}>", f"Ada Admin <{admin.email}>"}
    assert notices.validators_to_tell(green) == sorted([world["coordinator"], admin], key=lambda u: u.name)
    # AMBER+STRICT and RED are need-to-know: a coordinator who neither organised nor attended may
    # not see them, so is not told (and cannot validate them).
    for tlp in ("amber_strict", "red"):
        entry = workflow.record_entry(event, author, _entry_data(tlp), submit=True)
        assert notices.validators_to_tell(entry) == []
    assert len(_submitted_mail(db)) == 2


def _entry_data(tlp: str = "green") -> workflow.EntryData:
    return workflow.EntryData(kind=LessonKind.OBSERVATION, title="Radios could not talk across the border",
                              tlp=TLP(tlp), observation="Patrols used incompatible radios.")


# Recording an entry (a draft): the user with the stamps, the event, the organiser check, the
# attendance check (asked once a request: the form's page and record_entry both ask may_record),
# the themes and the sessions (the form's choices), the entry's INSERT, its audit entry and its
# first transition, the stamps. The redirect takes the new id without reading the row again after
# the commit. Was 12.
RECORD_ENTRY = 10


def test_recording_an_entry_costs_a_fixed_number_of_statements(login, world, db):
    from tests.querycount import QueryCounter

    client = login(world["attendee"])
    event_id = world["event"].id
    with QueryCounter(db.engine) as counter:
        response = client.post(f"/events/{event_id}/lessons/new", data={**ENTRY, "save_draft": "Save draft"})
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.scalar(select(Lesson))
    assert response.headers["Location"].endswith(f"/lessons/{lesson.id}") and lesson.status == LessonStatus.DRAFT
    begins = 1 if db.engine.dialect.name == "sqlite" else 0  # SQLite's BEGIN IMMEDIATE of the write
    assert counter.count - begins == RECORD_ENTRY
