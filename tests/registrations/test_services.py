"""Registration rules through the service: modes, window, waiting list, cancellation, organiser
actions, capacity changes, notices and audit entries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.notifications.models import OutboxMessage
from app.registrations import cancelling, manage, notices, register, sessions, waitlist
from app.registrations.models import ParticipantRole, Registration, RegistrationStatus
from app.timeutil import now, set_now
from tests.calendar.parsers import libical


def _outbox(kind=None, user=None):
    query = select(OutboxMessage)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if user is not None:
        query = query.where(OutboxMessage.recipient_user_id == user.id)
    from app.extensions import db

    return db.session.scalars(query.order_by(OutboxMessage.id)).all()


def _audit(action):
    from app.extensions import db

    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_open_event_confirms_until_full_then_waitlists_in_order(db, make, itip_calls):
    event = make.event(capacity=2)
    a, b, c, d = (make.user() for _ in range(4))
    assert register.register(event, a, consent=True).status == RegistrationStatus.CONFIRMED
    assert register.register(event, b, consent=True).status == RegistrationStatus.CONFIRMED
    third = register.register(event, c, consent=True)
    fourth = register.register(event, d, consent=True)
    assert (third.status, third.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert (fourth.status, fourth.waitlist_position) == (RegistrationStatus.WAITLISTED, 2)
    assert "number 2 on the waiting list" in fourth.message
    assert [call[:2] for call in itip_calls] == [("invitation", a.id), ("invitation", b.id)]
    notices = _outbox("registration.waitlisted")
    assert [m.recipient_user_id for m in notices] == [c.id, d.id]
    assert "number 1" in notices[0].text_body
    assert len(_audit("registration.register")) == 4


def test_freed_seat_goes_to_first_on_waitlist_who_is_told(db, make, itip_calls):
    event = make.event(capacity=1)
    first, second, third = make.user(), make.user(), make.user()
    register.register(event, first, consent=True)
    register.register(event, second, consent=True)
    register.register(event, third, consent=True)
    registration = db.session.scalar(select(Registration).where(Registration.user_id == first.id))
    outcome = cancelling.cancel_registration(registration, first)
    assert outcome.ok
    statuses = {r.user_id: r.status for r in db.session.scalars(select(Registration))}
    assert statuses == {first.id: RegistrationStatus.CANCELLED, second.id: RegistrationStatus.CONFIRMED,
                        third.id: RegistrationStatus.WAITLISTED}
    assert ("cancel", first.id, "cancelled") in itip_calls
    assert ("invitation", second.id, "confirmed") in itip_calls
    promoted = _outbox("registration.promoted", second)
    assert len(promoted) == 1 and "confirmed" in promoted[0].text_body
    third_registration = db.session.scalar(select(Registration).where(Registration.user_id == third.id))
    assert waitlist.waitlist_position(third_registration) == 1
    assert _audit("registration.promote")[0].changes["automatic"] is True


def test_register_again_after_cancel_goes_to_back_of_the_list(db, make, itip_calls):
    event = make.event(capacity=1)
    holder, early, late = make.user(), make.user(), make.user()
    register.register(event, holder, consent=True)
    register.register(event, early, consent=True)
    register.register(event, late, consent=True)
    early_registration = db.session.scalar(select(Registration).where(Registration.user_id == early.id))
    cancelling.cancel_registration(early_registration, early)
    set_now(now() + timedelta(seconds=5))
    again = register.register(event, early, consent=True)
    assert (again.status, again.waitlist_position) == (RegistrationStatus.WAITLISTED, 2)
    assert db.session.scalar(select(func.count(Registration.id))) == 3  # the same row, revived


def test_registering_twice_changes_nothing(db, make, itip_calls):
    event = make.event(capacity=5)
    user = make.user()
    register.register(event, user, consent=True)
    second = register.register(event, user, consent=True)
    assert second.ok and "already registered" in second.message
    assert db.session.scalar(select(func.count(Registration.id))) == 1


def test_consent_and_role_are_required(db, make):
    event = make.event()
    user = make.user()
    assert not register.register(event, user, consent=False).ok
    assert not register.register(event, user, role="organiser", consent=True).ok
    assert not register.register(event, user, role="nonsense", consent=True).ok
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_window_mode_and_status_refuse(db, make):
    user = make.user()
    soon = now() + timedelta(days=2)
    cases = [
        make.event(registration_opens_at=soon, registration_closes_at=soon + timedelta(hours=1)),
        make.event(registration_opens_at=now() - timedelta(days=2), registration_closes_at=now() - timedelta(hours=1)),
        make.event(starts_at=now() - timedelta(hours=1)),
        make.event(status="draft"),
        make.event(status="cancelled"),
        make.event(registration_mode="invitation"),
    ]
    messages = [register.register(event, user, consent=True) for event in cases]
    assert all(not outcome.ok for outcome in messages)
    assert "opens on" in messages[0].message
    assert "closed" in messages[1].message
    assert "started" in messages[2].message
    assert "invitation only" in messages[5].message
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_approval_mode_pending_then_approve_or_reject_with_reason(db, make, organiser, itip_calls):
    event = make.event(capacity=1, registration_mode="approval", organisers=[organiser])
    a, b, c = make.user(), make.user(), make.user()
    outcomes = [register.register(event, u, consent=True) for u in (a, b, c)]
    assert {o.status for o in outcomes} == {RegistrationStatus.PENDING}
    assert len(_outbox("registration.pending")) == 3
    ids = [o.registration.id for o in outcomes]
    result = manage.manage(event, ids[:2], "approve", organiser)
    assert result.problems == []
    statuses = {r.user_id: r.status for r in db.session.scalars(select(Registration))}
    assert statuses[a.id] == RegistrationStatus.CONFIRMED
    assert statuses[b.id] == RegistrationStatus.WAITLISTED  # approved, but the event is full
    manage.manage(event, [ids[2]], "reject", organiser, reason="Only one per agency, sorry.")
    rejected = db.session.get(Registration, ids[2])
    assert rejected.status == RegistrationStatus.REJECTED
    assert rejected.rejection_reason == "Only one per agency, sorry."
    notice = _outbox("registration.rejected", c)
    assert len(notice) == 1 and "Only one per agency" in notice[0].text_body
    # A rejected person cannot simply register again.
    assert not register.register(event, c, consent=True).ok
    # Rejecting the confirmed one frees the seat for the approved waiting person.
    manage.manage(event, [ids[0]], "reject", organiser, reason=None)
    assert db.session.get(Registration, ids[1]).status == RegistrationStatus.CONFIRMED
    assert ("cancel", a.id, "rejected") in itip_calls
    assert len(_audit("registration.approve")) == 2 and len(_audit("registration.reject")) == 2


def test_speakers_do_not_take_seats_and_self_declared_speakers_wait_for_approval(db, make, organiser, itip_calls):
    event = make.event(capacity=1, organisers=[organiser])
    participant, speaker, late = make.user(), make.user(), make.user()
    register.register(event, participant, consent=True)
    own_claim = register.register(event, speaker, role="speaker", consent=True)
    assert own_claim.status == RegistrationStatus.PENDING
    manage.manage(event, [own_claim.registration.id], "approve", organiser)
    assert db.session.get(Registration, own_claim.registration.id).status == RegistrationStatus.CONFIRMED
    assert waitlist.seats_taken(event.id) == 1
    waiting = register.register(event, late, consent=True)
    assert waiting.status == RegistrationStatus.WAITLISTED
    # Turning the participant into a trainer frees their seat for the first on the list.
    first = db.session.scalar(select(Registration).where(Registration.user_id == participant.id))
    manage.manage(event, [first.id], "role", organiser, role="trainer")
    assert db.session.get(Registration, waiting.registration.id).status == RegistrationStatus.CONFIRMED
    # Turning the trainer back into a participant would exceed the capacity: refused.
    result = manage.manage(event, [first.id], "role", organiser, role="participant")
    assert result.problems and "no free participant seat" in result.problems[0]
    assert db.session.get(Registration, first.id).role == ParticipantRole.TRAINER


def test_participant_cannot_cancel_after_start_but_organiser_can(db, make, organiser, itip_calls):
    event = make.event(capacity=3, organisers=[organiser])
    user = make.user()
    registration = register.register(event, user, consent=True).registration
    set_now(event.starts_at + timedelta(minutes=5))
    assert not cancelling.cancel_registration(registration, user).ok
    assert cancelling.cancel_registration(registration, organiser, by_organiser=True).ok
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CANCELLED


def test_raised_capacity_promotes_from_waitlist(db, make, organiser, itip_calls):
    event = make.event(capacity=1, organisers=[organiser])
    users = [make.user() for _ in range(4)]
    for user in users:
        register.register(event, user, consent=True)
    event.capacity = 3
    db.session.commit()
    promoted = waitlist.capacity_changed(event, organiser)
    assert [r.user_id for r in promoted] == [users[1].id, users[2].id]
    assert waitlist.seats_taken(event.id) == 3
    assert len(_outbox("registration.promoted")) == 2
    # Promotion is idempotent: nothing more to do.
    assert waitlist.promote_waitlist(event) == []


def test_manual_promote_needs_a_free_seat(db, make, organiser, itip_calls):
    event = make.event(capacity=1, organisers=[organiser])
    a, b = make.user(), make.user()
    register.register(event, a, consent=True)
    waiting = register.register(event, b, consent=True).registration
    result = manage.manage(event, [waiting.id], "promote", organiser)
    assert result.problems and "no free seat" in result.problems[0]
    assert waitlist.seats_taken(event.id) == 1


def test_bulk_cancel_reports_each_problem_and_does_the_rest(db, make, organiser, itip_calls):
    event = make.event(capacity=10, organisers=[organiser])
    registrations = [register.register(event, make.user(), consent=True).registration for _ in range(3)]
    other_event = make.event()
    stranger = register.register(other_event, make.user(), consent=True).registration
    cancelling.cancel_registration(registrations[0], registrations[0].user)
    result = manage.manage(event, [r.id for r in registrations] + [stranger.id], "cancel", organiser)
    assert len(result.done) == 2
    assert len(result.problems) == 2  # one already cancelled, one from another event
    assert db.session.get(Registration, stranger.id).status == RegistrationStatus.CONFIRMED
    assert len(_outbox("registration.cancelled")) == 2


def test_write_to_a_status_group_goes_through_the_outbox(db, make, organiser, itip_calls):
    event = make.event(capacity=1, organisers=[organiser])
    a, b = make.user(), make.user()
    register.register(event, a, consent=True)
    register.register(event, b, consent=True)
    assert notices.write_to_participants(event, "waitlisted", "Bus at 8:00", "Meet at the hotel.", organiser) == 1
    messages = _outbox("registration.message")
    assert len(messages) == 1 and messages[0].recipient_user_id == b.id
    assert "Meet at the hotel." in messages[0].text_body and "Bus at 8:00" in messages[0].subject
    assert notices.write_to_participants(event, "all", "Agenda", "Attached.", organiser) == 2
    assert _audit("event.message")


def test_calendar_invitations_and_cancellations_go_through_the_real_itip(db, make):
    """No stand-in here: the calendar package's iTIP producers write their messages in our transaction."""
    event = make.event(capacity=1, kind="training")
    session = make.session(event, has_signup=True, capacity=1)
    first, second = make.user(), make.user()
    registration = register.register(event, first, consent=True).registration
    register.register(event, second, consent=True)
    assert sessions.sign_up_for_session(session, first).ok
    cancelling.cancel_registration(registration, first)
    kinds = [(m.kind, m.recipient_user_id) for m in _outbox()]
    assert ("calendar.invitation", first.id) in kinds
    assert ("calendar.registration_cancelled", first.id) in kinds
    assert ("calendar.invitation", second.id) in kinds  # promoted
    assert ("registration.promoted", second.id) in kinds
    cancel = next(m for m in _outbox("calendar.registration_cancelled"))
    assert cancel.calendar["method"] == "CANCEL"
    (calendar,) = libical(cancel.calendar["content"])
    assert calendar["method"] == "CANCEL" and calendar["events"][0]["status"] == "CANCELLED"


def test_session_signup_calendar_calls(db, make, itip_calls):
    event = make.event(kind="training")
    session = make.session(event, has_signup=True, capacity=1)
    a, b = make.user(), make.user()
    register.register(event, a, consent=True)
    register.register(event, b, consent=True)
    signup_a = sessions.sign_up_for_session(session, a).signup
    assert sessions.sign_up_for_session(session, b).position == 1
    signup_a.sequence_sent = 0  # as if the calendar had sent it
    db.session.commit()
    sessions.cancel_session_signup(signup_a, a)
    assert ("session_invitation", a.id, "confirmed") in itip_calls
    assert ("session_cancel", a.id, "cancelled") in itip_calls
    assert ("session_invitation", b.id, "confirmed") in itip_calls


def test_cli_promotes_waiting_lists_after_a_capacity_change_elsewhere(db, make, runner, itip_calls):
    event = make.event(capacity=1)
    users = [make.user() for _ in range(3)]
    for user in users:
        register.register(event, user, consent=True)
    event.capacity = 2  # changed without calling capacity_changed()
    db.session.commit()
    result = runner.invoke(args=["registrations", "promote-waitlists"])
    assert "1 person(s) confirmed" in result.output
    assert waitlist.seats_taken(event.id) == 2
    assert "0 person(s) confirmed" in runner.invoke(args=["registrations", "promote-waitlists"]).output


def test_confirmation_rendered_before_the_lock_is_written_with_the_registration(db, make, monkeypatch):
    """Issue 9: the invitation is rendered before the event lock; it is written in the registration's
    transaction, once, and dropped when the seat went to someone else meanwhile."""
    event = make.event(capacity=1, online_url="https://meet.example/room")
    first, second, third = make.user(), make.user(), make.user()
    assert register.register(event, first, consent=True).status == RegistrationStatus.CONFIRMED
    invitations = _outbox("calendar.invitation", first)
    assert len(invitations) == 1
    assert "BEGIN:VCALENDAR" in invitations[0].calendar["content"] and first.email in invitations[0].to[0]
    assert "meet.example/room" in invitations[0].calendar["content"]
    mine = db.session.scalars(select(Registration).where(Registration.user_id == first.id)).one()
    assert cancelling.cancel_registration(mine, first).ok

    # The guess says "confirmed" (the seat is free), but the seat goes to someone else before the lock.
    real_prepare = register._prepare_messages
    guesses = []

    def prepare_then_lose_the_seat(event_id, user, role, tally=None):
        messages = real_prepare(event_id, user, role, tally)
        guesses.append(messages)
        if user.id == second.id:
            assert register.register(db.session.get(type(event), event_id), third, consent=True).ok
        return messages

    monkeypatch.setattr(register, "_prepare_messages", prepare_then_lose_the_seat)
    outcome = register.register(event, second, consent=True)
    assert guesses[0].confirmed and len(guesses) == 2  # second's guess was rendered, then third registered
    assert outcome.status == RegistrationStatus.WAITLISTED
    assert _outbox("calendar.invitation", second) == []
    assert len(_outbox("registration.waitlisted", second)) == 1
    assert len(_outbox("calendar.invitation", third)) == 1


def test_waiting_list_notice_rendered_before_the_lock_carries_the_real_position(db, make, monkeypatch):
    event = make.event(capacity=1)
    people = [make.user() for _ in range(4)]
    real_prepare = register._prepare_messages
    guesses = []

    def prepare_then_someone_else_joins(event_id, user, role, tally=None):
        messages = real_prepare(event_id, user, role, tally)
        guesses.append(messages)
        if user.id == people[3].id:  # the guess was rendered; someone else joins the list first
            monkeypatch.setattr(register, "_prepare_messages", real_prepare)
            assert register.register(db.session.get(type(event), event_id), make.user(), consent=True).ok
        return messages

    monkeypatch.setattr(register, "_prepare_messages", prepare_then_someone_else_joins)
    outcomes = [register.register(event, person, consent=True) for person in people]
    assert [o.status for o in outcomes] == [RegistrationStatus.CONFIRMED] + [RegistrationStatus.WAITLISTED] * 3
    assert guesses[1].waitlisted is not None and guesses[3].waitlisted is not None
    for person, position in ((people[1], 1), (people[2], 2), (people[3], 4)):
        (notice,) = _outbox("registration.waitlisted", person)
        assert f"number {position} on the waiting list" in notice.text_body
        assert f"number <strong>{position}</strong>" in notice.html_body
        assert "__liaison" not in notice.text_body + notice.html_body + notice.subject
        assert notice.dedupe_key.startswith("registration:")
    assert _outbox("calendar.invitation", people[1]) == []
