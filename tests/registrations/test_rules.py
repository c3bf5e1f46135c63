"""The shared rules' one home: who attended (app.registrations.attendance.attended), the one waiting
list of events and sessions (app.registrations.waitlist), and the signals the calendar reacts to."""

from __future__ import annotations

from app.registrations import cancelling, register, sessions, signals, waitlist
from app.registrations.attendance import attended
from app.registrations.models import Registration, RegistrationStatus, SessionSignupStatus
from app.timeutil import now


def test_attended_means_confirmed_and_checked_in():
    at = now()
    assert attended(Registration(status=RegistrationStatus.CONFIRMED, checked_in_at=at))
    assert not attended(Registration(status=RegistrationStatus.CONFIRMED, checked_in_at=None))
    assert not attended(Registration(status=RegistrationStatus.CANCELLED, checked_in_at=at))
    assert not attended(None)


def test_one_waiting_list_orders_event_registrations_and_session_signups(db, make, itip_calls):
    event = make.event(capacity=1)
    first, second, third = (make.user() for _ in range(3))
    for user in (first, second, third):
        register.register(event, user, consent=True)
    waiting = [register.register(event, user, consent=True).registration for user in (second, third)]
    assert [waitlist.waitlist_position(r) for r in waiting] == [1, 2]
    assert waitlist.seats_taken(event.id) == 1

    event = make.event(capacity=10)
    item = make.session(event, capacity=1, has_signup=True)
    for user in (first, second, third):
        register.register(event, user, consent=True)
    outcomes = [sessions.sign_up_for_session(item, user) for user in (first, second, third)]
    assert [o.signup.status for o in outcomes] == [SessionSignupStatus.CONFIRMED, SessionSignupStatus.WAITLISTED,
                                                   SessionSignupStatus.WAITLISTED]
    assert [waitlist.signup_position(o.signup) for o in outcomes] == [None, 1, 2]
    assert waitlist.session_seats_taken(item.id) == 1


def test_confirmation_and_cancellation_send_the_signals(db, make):
    received = []

    def on_confirmed(registration, **kwargs):
        received.append(("confirmed", registration.user_id, kwargs["sessions"]))

    def on_withdrawn(registration, **kwargs):
        received.append(("withdrawn", registration.user_id, None))

    event = make.event(capacity=5)
    user = make.user()
    with signals.registration_confirmed.connected_to(on_confirmed), \
            signals.registration_withdrawn.connected_to(on_withdrawn):
        outcome = register.register(event, user, consent=True)
        cancelling.cancel_registration(outcome.registration, user)
    # The first confirmation is rendered before the lock (no sessions to look up); then the cancellation.
    assert received == [("confirmed", user.id, False), ("withdrawn", user.id, None)]
