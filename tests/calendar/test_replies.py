"""Replies from calendar programs (Accept / Decline on our invitations), read from a real Dovecot
IMAP server by the calendar_replies job, matched by UID and ATTENDEE and applied: a decline only
after the participant confirms it through the emailed link."""

from __future__ import annotations

import itertools
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.calendar import itip
from app.calendar.models import CalendarReply, ReplyOutcome
from app.extensions import db
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.scheduler.runner import execute
from app.timeutil import freeze
from tests import mailbox
from tests.calendar.dovecot import BINARY, Dovecot
from tests.calendar.parsers import parse_all
from tests.conftest import require

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def dovecot_server():
    require(BINARY is not None, "dovecot is not installed (apt-get install dovecot-imapd)")
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap(app, dovecot_server, monkeypatch):
    """A fresh mailbox of the organiser address on Dovecot, and the app configured to read it."""
    user = f"organiser-{next(_numbers)}@liaison.test"
    for key, value in {"IMAP_HOST": "127.0.0.1", "IMAP_PORT": dovecot_server.port, "IMAP_USER": user,
                       "IMAP_PASSWORD": "secret", "IMAP_SSL": False, "IMAP_MAILBOX": "INBOX"}.items():
        monkeypatch.setitem(app.config, key, value)
    dovecot_server.user = user
    return dovecot_server


def reply_email(event_or_uid, attendee: str, partstat: str, *, sender: str | None = None,
                message_id: str | None = None, as_attachment: bool = False) -> bytes:
    """What Outlook or Thunderbird mails to the ORGANIZER when Accept / Decline is pressed (Gmail
    attaches it as invite.ics instead)."""
    uid = event_or_uid if isinstance(event_or_uid, str) else f"{event_or_uid.uid}@liaison.test"
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN", "METHOD:REPLY",
        "BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261020T080000Z", "SEQUENCE:0",
        "ORGANIZER;CN=Liaison:mailto:no-reply@liaison.local",
        f"ATTENDEE;PARTSTAT={partstat};CN=Participant:mailto:{attendee}",
        "END:VEVENT", "END:VCALENDAR", ""])
    message = EmailMessage()
    message["From"] = f"Participant <{sender or attendee}>"
    message["To"] = "Liaison <no-reply@liaison.local>"
    message["Subject"] = f"{partstat.title()}: invitation"
    message["Message-ID"] = message_id or f"<reply-{next(_numbers)}@mail.example.org>"
    message.set_content(f"{partstat.title()}.")
    if as_attachment:
        message.add_attachment(ics.encode(), maintype="application", subtype="ics", filename="invite.ics")
    else:
        message.add_alternative(ics, subtype="calendar", params={"method": "REPLY"})
    return message.as_bytes()


def read_mailbox():
    result = execute("calendar_replies")
    assert result.ok, str(result)
    return result


def replies() -> list[CalendarReply]:
    db.session.commit()
    return list(db.session.scalars(select(CalendarReply).order_by(CalendarReply.id)))


def status_of(registration) -> RegistrationStatus:
    db.session.commit()
    return db.session.get(Registration, registration.id, populate_existing=True).status


def _full_event(make):
    organiser = make.user(role="organiser")
    event = make.event(title="Border crime workshop", capacity=1, organisers=[organiser], created_by=organiser)
    alice = make.user(email="alice@example.org", name="Alice Ionescu")
    bob = make.user(email="bob@example.org", name="Bob Petrov")
    return organiser, event, make.registration(event, alice), make.registration(event, bob, status="waitlisted")


def test_declined_reply_waits_for_the_participants_click_then_the_seat_goes_to_the_waiting_list(app, make, imap,
                                                                                                  login):
    organiser, event, alice, bob = _full_event(make)
    imap.deliver(imap.user, reply_email(event, "alice@example.org", "DECLINED"))

    assert "1 confirmation email(s) queued" in str(read_mailbox())
    assert status_of(alice) == RegistrationStatus.CONFIRMED  # an email alone frees no seat
    (reply,) = replies()
    assert reply.outcome == ReplyOutcome.PENDING_CONFIRMATION and reply.partstat == "DECLINED"
    assert ["\\Seen" in flags for flags in imap.flags(imap.user)] == [True]
    organiser_client = login(organiser)
    page = organiser_client.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert "decline pending confirmation" in page and "Alice Ionescu" in page

    message = mailbox.last("alice@example.org", "calendar.confirm_decline")
    assert "Yes, cancel my registration" in message.text_body
    link = mailbox.link(message, "/calendar/decline/")
    visitor = app.test_client()  # the link works without signing in: it proves the mailbox is hers
    assert "Yes, cancel my registration" in visitor.get(link).get_data(as_text=True)
    assert status_of(alice) == RegistrationStatus.CONFIRMED  # opening the link (a mail scanner) changes nothing

    done = visitor.post(link)
    assert done.status_code == 200 and "is cancelled" in done.get_data(as_text=True)
    assert status_of(alice) == RegistrationStatus.CANCELLED
    assert status_of(bob) == RegistrationStatus.CONFIRMED  # promoted from the waiting list
    assert mailbox.messages("bob@example.org", "calendar.invitation")
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar_reply.confirmed")).one()
    assert audit.changes["reason"] == "declined in their calendar" and audit.subject_id == alice.id
    page = organiser_client.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert "declined in their calendar" in page
    detail = organiser_client.get(f"/events/{event.id}/participants/{alice.id}").get_data(as_text=True)
    assert "declined in their calendar, confirmed" in detail

    again = visitor.post(link)
    assert again.status_code == 400 and "already cancelled" in again.get_data(as_text=True)


def test_a_decline_sent_from_another_address_is_recorded_and_ignored(app, make, imap, login):
    organiser, event, alice, bob = _full_event(make)
    imap.deliver(imap.user, reply_email(event, "alice@example.org", "DECLINED", sender="mallory@evil.example"))

    read_mailbox()
    (reply,) = replies()
    assert reply.outcome == ReplyOutcome.IGNORED_FORGED and reply.from_address == "mallory@evil.example"
    assert status_of(alice) == RegistrationStatus.CONFIRMED
    assert not mailbox.messages(kind="calendar.confirm_decline")
    page = login(organiser).get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert "came from another address" in page and "mallory@evil.example" in page


def test_replies_that_match_no_registration_are_recorded_and_ignored(app, make, imap):
    organiser, event, alice, bob = _full_event(make)
    imap.deliver(imap.user, reply_email("0000-unknown@liaison.test", "alice@example.org", "DECLINED"))
    imap.deliver(imap.user, reply_email(f"{event.uid}@another-site.example", "alice@example.org", "DECLINED"))
    imap.deliver(imap.user, reply_email(event, "stranger@example.org", "DECLINED"))
    imap.deliver(imap.user, b"From: someone@example.org\r\nSubject: hello\r\nMessage-ID: <x1@example.org>\r\n\r\nhi\r\n")

    read_mailbox()
    outcomes = [reply.outcome for reply in replies()]
    assert outcomes == [ReplyOutcome.IGNORED_NO_MATCH] * 3 + [ReplyOutcome.IGNORED_NOT_REPLY]
    assert status_of(alice) == RegistrationStatus.CONFIRMED
    assert not mailbox.messages(kind="calendar.confirm_decline")
    assert all("\\Seen" in flags for flags in imap.flags(imap.user))


def test_the_same_reply_delivered_twice_is_processed_once(app, make, imap):
    organiser, event, alice, bob = _full_event(make)
    raw = reply_email(event, "alice@example.org", "DECLINED", message_id="<same@mail.example.org>")
    imap.deliver(imap.user, raw)
    read_mailbox()
    imap.deliver(imap.user, raw)  # a client that sent it again, or a second copy after a crash
    result = read_mailbox()
    read_mailbox()

    assert result.skipped == 1
    assert len(replies()) == 1
    assert len(mailbox.messages("alice@example.org", "calendar.confirm_decline")) == 1


def test_an_accepted_reply_records_the_intent_to_attend(app, make, imap, login):
    organiser, event, alice, bob = _full_event(make)
    imap.deliver(imap.user, reply_email(event, "alice@example.org", "ACCEPTED", as_attachment=True))
    imap.deliver(imap.user, reply_email(event, "bob@example.org", "ACCEPTED"))  # waitlisted: no seat by email

    read_mailbox()
    first, second = replies()
    assert first.outcome == ReplyOutcome.APPLIED and first.registration_id == alice.id
    assert second.outcome == ReplyOutcome.IGNORED_NOT_ACTIVE
    assert status_of(bob) == RegistrationStatus.WAITLISTED
    detail = login(organiser).get(f"/events/{event.id}/participants/{alice.id}").get_data(as_text=True)
    assert "accepted in their calendar" in detail


def test_a_declined_session_is_cancelled_once_confirmed(app, make, imap):
    organiser, event, alice, bob = _full_event(make)
    session = make.session(event, title="Drone forensics")
    make.signup(session, db.session.get(Registration, alice.id).user)
    imap.deliver(imap.user, reply_email(f"session-{session.uid}@liaison.test", "alice@example.org", "DECLINED"))

    read_mailbox()
    link = mailbox.link(mailbox.last("alice@example.org", "calendar.confirm_decline"), "/calendar/decline/")
    assert app.test_client().post(link).status_code == 200
    db.session.commit()
    signup = db.session.scalars(select(SessionSignup)).one()
    assert signup.status == SessionSignupStatus.CANCELLED
    assert status_of(alice) == RegistrationStatus.CONFIRMED  # only the session was declined


def test_the_decline_link_stops_working_when_the_event_starts(app, make, imap):
    organiser, event, alice, bob = _full_event(make)
    imap.deliver(imap.user, reply_email(event, "alice@example.org", "DECLINED"))
    read_mailbox()
    link = mailbox.link(mailbox.last("alice@example.org", "calendar.confirm_decline"), "/calendar/decline/")

    with freeze(event.starts_at):
        response = app.test_client().post(link)
    assert response.status_code == 400 and "has started" in response.get_data(as_text=True)
    assert status_of(alice) == RegistrationStatus.CONFIRMED
    assert app.test_client().get("/calendar/decline/not-a-token").status_code == 400


def test_without_a_mailbox_configured_the_job_reads_nothing(app):
    result = execute("calendar_replies")
    assert result.ok and "IMAP_HOST is not set" in str(result)


def test_requests_ask_for_an_answer_and_cancellations_do_not(app, make):
    event = make.event(title="Cyber patrol")
    registration = make.registration(event, make.user(email="carol@example.org"))
    itip.queue_invitation(registration)
    itip.queue_registration_cancel(registration)
    db.session.commit()
    request, cancel = mailbox.messages("carol@example.org")
    for method, message, rsvp in (("REQUEST", request, "TRUE"), ("CANCEL", cancel, "FALSE")):
        assert message.calendar["method"] == method
        for name, calendars in parse_all(message.calendar["content"].encode()).items():
            ((vevent,),) = [calendar["events"] for calendar in calendars]
            (attendee,) = vevent["attendees"]
            assert attendee["rsvp"] == rsvp, (name, method)
