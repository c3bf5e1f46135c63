"""Invitations, updates and cancellations by email (RFC 5546 iTIP over RFC 6047 iMIP), written to
the outbox in the caller's transaction and built into MIME by app.notifications.mime."""

from __future__ import annotations

import email
import email.policy
import os
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select

from app.calendar import itip
from app.extensions import db
from app.notifications.mime import build_email
from app.notifications.models import OutboxMessage
from tests.calendar.parsers import parse_all
from tests.factories import registration as register
from tests.factories import signup

START = datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # Saturday; Europe's clocks go back the next night


def _event(make, **kw):
    values = dict(title="Зустріч експертів: кіберзлочинність; Kyiv, 2026", starts_at=START, days=2,
                  timezone="Europe/Kyiv", venue="Хрещатик, 1", city="Kyiv", country="UA",
                  online_url="https://meet.example.org/kyiv-room", format="hybrid")
    values.update(kw)
    return make.event(**values)


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def mime(message: OutboxMessage) -> email.message.EmailMessage:
    """Build the real MIME message and parse it back from bytes, as a receiving client would."""
    raw = build_email(message, current_app.config["MAIL_FROM"]).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def calendar_parts(parsed):
    inline = [p for p in parsed.walk() if p.get_content_type() == "text/calendar" and not p.get_filename()]
    attached = [p for p in parsed.walk() if p.get_content_type() == "text/calendar" and p.get_filename()]
    return inline, attached


def check_imip(message: OutboxMessage, method: str) -> dict:
    """The MIME message is a correct iMIP message for `method`; returns the parsed VEVENT per parser."""
    parsed = mime(message)
    assert parsed.get_content_type() == "multipart/mixed"
    alternative = next(p for p in parsed.walk() if p.get_content_type() == "multipart/alternative")
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    inline, attached = calendar_parts(parsed)
    assert len(inline) == 1 and len(attached) == 1
    part = inline[0]
    assert part.get_param("method") == method
    assert part.get_content_charset() == "utf-8"
    ics = part.get_payload(decode=True)
    assert f"\r\nMETHOD:{method}\r\n".encode() in ics
    assert attached[0].get_param("method") == method
    assert attached[0].get_content_charset() == "utf-8"
    assert attached[0].get_payload(decode=True) == ics
    assert attached[0].get_filename() == ("cancel.ics" if method == "CANCEL" else "invite.ics")
    results = {}
    for name, calendars in parse_all(ics).items():
        assert len(calendars) == 1 and calendars[0]["method"] == method, name
        (vevent,) = calendars[0]["events"]  # one UID per iTIP message
        results[name] = vevent
    return results


def bodies(message: OutboxMessage) -> tuple[str, str]:
    parsed = mime(message)
    text = next(p for p in parsed.walk() if p.get_content_type() == "text/plain").get_content()
    html = next(p for p in parsed.walk() if p.get_content_type() == "text/html").get_content()
    return text, html


def test_confirmed_participant_gets_a_request_with_organizer_and_attendee(app, make):
    user = make.user(name="Олена Коваленко", email="olena@example.org", timezone="Asia/Tbilisi")
    event = _event(make)
    registration = register(event, user)
    itip.queue_invitation(registration)
    db.session.commit()

    (message,) = outbox()
    assert message.recipient_user_id == user.id
    assert mime(message)["To"].addresses[0].display_name == "Олена Коваленко"
    assert message.calendar["method"] == "REQUEST"
    assert message.subject.startswith("Invitation: Зустріч експертів")
    for name, vevent in check_imip(message, "REQUEST").items():
        assert vevent["uid"] == f"{event.uid}@liaison.test", name
        assert vevent["sequence"] == 0
        assert vevent["status"] == "CONFIRMED"
        assert vevent["start"] == START and vevent["end"] == event.ends_at, name
        assert vevent["summary"] == event.title
        assert vevent["organizer"]["email"] == "no-reply@liaison.local"
        (attendee,) = vevent["attendees"]
        assert attendee["email"] == "olena@example.org"
        assert attendee["cn"] == "Олена Коваленко"
        assert (attendee["partstat"], attendee["role"], attendee["rsvp"]) == ("ACCEPTED", "REQ-PARTICIPANT", "TRUE")
        assert "https://meet.example.org/kyiv-room" in vevent["description"]

    text, html = bodies(message)
    # Date and time in the event's zone and in the recipient's, the place and the links.
    assert "Sat 24 Oct 2026, 10:00 EEST" in text and "(Europe/Kyiv)" in text
    assert "Sat 24 Oct 2026, 11:00 +04" in text and "(Asia/Tbilisi)" in text
    assert "Хрещатик, 1, Kyiv, Ukraine" in text
    assert f"http://liaison.test/events/{event.id}" in text
    assert "https://meet.example.org/kyiv-room" in text
    assert "10:00 EEST" in html and "11:00 +04" in html and "meet.example.org/kyiv-room" in html


def test_each_recipient_gets_times_in_their_own_language_whatever_the_senders(app, make):
    """The organiser's request speaks English; the invitation to a Ukrainian member has its times (and
    the calendar entry its words) in Ukrainian, the English member's stay English."""
    event = _event(make)
    olena = make.user(timezone="Europe/Kyiv", language="uk")
    tom = make.user(timezone="Europe/Kyiv", language="en")
    with app.test_request_context("/?lang=en"):
        itip.queue_invitation(register(event, olena))
        itip.queue_invitation(register(event, tom))
    db.session.commit()
    to_olena, to_tom = outbox()
    assert to_olena.recipient_user_id == olena.id
    ukrainian, _html = bodies(to_olena)
    english, _html = bodies(to_tom)
    assert "жовт" in ukrainian and "Oct" not in ukrainian  # сб, 24 жовт. 2026 р.
    assert "Sat 24 Oct 2026, 10:00 EEST" in english and "жовт" not in english


def test_recipient_in_the_event_zone_sees_one_time(app, make):
    user = make.user(timezone="Europe/Kyiv")
    registration = register(_event(make), user)
    itip.queue_invitation(registration)
    text, _ = bodies(outbox()[0])
    assert "Your time" not in text


def test_no_invitation_before_confirmation(app, make):
    event = _event(make)
    for status in ("pending", "waitlisted", "cancelled", "rejected"):
        itip.queue_invitation(register(event, make.user(), status))
    assert outbox() == []


def test_invitation_is_written_in_the_callers_transaction(app, make):
    registration = register(_event(make), make.user())
    itip.queue_invitation(registration)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_update_keeps_the_uid_with_a_higher_sequence_for_confirmed_only(app, make):
    event = _event(make)
    confirmed = [make.user(), make.user()]
    for user in confirmed:
        register(event, user)
    register(event, make.user(), "waitlisted")
    event.starts_at = datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # after the change: 09:00 EET
    event.sequence += 1
    itip.queue_event_update(event)
    db.session.commit()

    messages = outbox()
    assert sorted(m.recipient_user_id for m in messages) == sorted(u.id for u in confirmed)
    for message in messages:
        assert message.kind == "calendar.update"
        assert message.subject.startswith("Updated: ")
        for name, vevent in check_imip(message, "REQUEST").items():
            assert vevent["uid"] == f"{event.uid}@liaison.test", name
            assert vevent["sequence"] == 1, name
            assert vevent["start"] == datetime(2026, 10, 25, 7, 0, tzinfo=UTC), name
        assert "Sun 25 Oct 2026, 09:00 EET" in bodies(message)[0]


def test_cancelled_event_sends_cancel_with_same_uid_and_no_online_link(app, make):
    event = _event(make)
    user = make.user()
    register(event, user)
    session = make.session(event, "Panel")
    item = signup(session, user)
    item.sequence_sent = 0  # the session is in their calendar
    db.session.commit()
    event.status = "cancelled"
    event.cancellation_reason = "Venue unavailable"
    event.sequence += 1
    itip.queue_event_cancel(event)
    db.session.commit()

    event_message, session_message = outbox()
    for name, vevent in check_imip(event_message, "CANCEL").items():
        assert vevent["uid"] == f"{event.uid}@liaison.test", name
        assert vevent["sequence"] == 1
        assert vevent["status"] == "CANCELLED"
        assert vevent["attendees"][0]["email"] == user.email
    text, html = bodies(event_message)
    assert "is cancelled" in text and "Venue unavailable" in text
    assert "meet.example.org" not in text + html + event_message.calendar["content"].replace("\r\n ", "")
    for name, vevent in check_imip(session_message, "CANCEL").items():
        assert vevent["uid"] == f"session-{session.uid}@liaison.test", name
        assert vevent["status"] == "CANCELLED"
    assert item.sequence_sent is None


def test_cancelled_registration_sends_cancel_to_that_person_only(app, make):
    event = _event(make)
    leaving, staying = make.user(), make.user()
    registration = register(event, leaving)
    register(event, staying)
    registration.status = "cancelled"
    itip.queue_registration_cancel(registration)
    db.session.commit()
    assert event.sequence == 2  # a later invitation (they come back) is newer than the CANCEL
    (message,) = outbox()
    assert message.recipient_user_id == leaving.id
    assert message.kind == "calendar.registration_cancelled"
    for name, vevent in check_imip(message, "CANCEL").items():
        assert vevent["uid"] == f"{event.uid}@liaison.test", name
        assert vevent["status"] == "CANCELLED"
        assert vevent["sequence"] == 1  # above the invitation's 0
        assert vevent["attendees"][0]["email"] == leaving.email
        assert vevent["attendees"][0]["partstat"] == "DECLINED"


def test_session_invitation_update_and_cancel(app, make):
    event = _event(make)
    user = make.user(timezone="Europe/Belgrade")
    register(event, user)
    session = make.session(event, "Практична вежба; Serbian Cyrillic: Ђурђевдан", starts_at=START, hours=2,
                           room="Сала 2")
    item = signup(session, user)
    itip.queue_session_invitation(item)
    db.session.commit()
    (invitation,) = outbox()
    assert invitation.kind == "calendar.session_invitation"
    for name, vevent in check_imip(invitation, "REQUEST").items():
        assert vevent["uid"] == f"session-{session.uid}@liaison.test", name
        assert vevent["related_to"] == f"{event.uid}@liaison.test", name
        assert vevent["summary"].startswith("Практична вежба; Serbian Cyrillic: Ђурђевдан"), name
        assert vevent["sequence"] == 0
    assert item.sequence_sent == 0
    text, _ = bodies(invitation)
    assert "Сала 2" in text and "09:00 CEST" in text  # Belgrade is one hour behind Kyiv

    session.room = "Сала 3"
    session.sequence += 1
    itip.queue_session_update(session)
    db.session.commit()
    update = outbox()[-1]
    assert update.kind == "calendar.session_update"
    assert {v["sequence"] for v in check_imip(update, "REQUEST").values()} == {1}
    assert item.sequence_sent == 1

    itip.queue_session_cancel(session)
    db.session.commit()
    cancel = outbox()[-1]
    for name, vevent in check_imip(cancel, "CANCEL").items():
        assert vevent["uid"] == f"session-{session.uid}@liaison.test", name
        assert vevent["status"] == "CANCELLED"
    assert item.sequence_sent is None


def test_session_cancel_for_listed_users_when_signups_are_gone(app, make):
    event = _event(make)
    users = [make.user(), make.user()]
    session = make.session(event)
    itip.queue_session_cancel(session, user_ids=[u.id for u in users])
    db.session.commit()
    messages = outbox()
    assert sorted(m.recipient_user_id for m in messages) == sorted(u.id for u in users)
    for message in messages:
        assert {v["status"] for v in check_imip(message, "CANCEL").values()} == {"CANCELLED"}


def test_session_update_skips_waitlisted_and_unconfirmed_participants(app, make):
    event = _event(make)
    session = make.session(event)
    waitlisted_signup, unconfirmed = make.user(), make.user()
    register(event, waitlisted_signup)
    signup(session, waitlisted_signup, "waitlisted")
    register(event, unconfirmed, "waitlisted")
    signup(session, unconfirmed)
    itip.queue_session_update(session)
    itip.queue_session_invitation(signup(make.session(event), unconfirmed))
    assert outbox() == []


def test_session_update_reads_the_signups_in_one_statement_without_the_session(app, make):
    """The caller holds the session: its sign-ups are read with their users in one SELECT that neither
    joins nor reloads the sessions table, and every confirmed participant signed up gets the update."""
    from sqlalchemy import event as sa_event

    event = _event(make)
    session = make.session(event)
    people = [make.user() for _ in range(3)]
    for person in people:
        register(event, person)
        signup(session, person)
    db.session.commit()
    seen = []

    def note(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", note)
    try:
        itip.queue_session_update(session)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", note)
    (statement,) = [s for s in seen if "session_signups" in s]
    assert " sessions" not in statement.replace("session_signups", "")
    assert [m.recipient_user_id for m in outbox()] == [p.id for p in people]


def test_invitation_also_brings_sessions_signed_up_before_confirmation(app, make):
    event = _event(make)
    user = make.user()
    registration = register(event, user, "waitlisted")
    session = make.session(event)
    signup(session, user)
    registration.status = "confirmed"
    itip.queue_invitation(registration)
    db.session.commit()
    kinds = [m.kind for m in outbox()]
    assert kinds == ["calendar.invitation", "calendar.session_invitation"]


def test_event_attachment_is_publish_with_online_link_only_for_confirmed(app, make):
    event = _event(make)
    confirmed, waitlisted = make.user(), make.user()
    register(event, confirmed)
    register(event, waitlisted, "waitlisted")
    for user, sees in ((confirmed, True), (waitlisted, False), (None, False)):
        attachment = itip.event_attachment(event, user)
        assert attachment.content_type == "text/calendar" and attachment.method == "PUBLISH"
        ics = attachment.content
        for name, calendars in parse_all(ics).items():
            assert calendars[0]["method"] == "PUBLISH", name
            assert calendars[0]["events"][0]["uid"] == f"{event.uid}@liaison.test"
        assert (b"meet.example.org/kyiv-room" in ics.replace(b"\r\n ", b"")) is sees


def test_sample_invitation_email(app, make, capsys):
    """Prints the invitation as a client receives it with LIAISON_PRINT_SAMPLES=1 (the issue note
    quotes it); otherwise only checks it."""
    user = make.user(name="Нино Беридзе", email="nino@example.ge", timezone="Asia/Tbilisi")
    event = _event(make, title="Cross-regional meeting: cybercrime; Kyiv, 2026")
    itip.queue_invitation(register(event, user))
    db.session.commit()
    (message,) = outbox()
    check_imip(message, "REQUEST")
    parsed = mime(message)
    # The invitation comes from the address it names as ORGANIZER.
    assert "no-reply@liaison.local" in parsed["From"]
    assert "ORGANIZER;CN=\"Liaison\":mailto:no-reply@liaison.local" in message.calendar["content"]
    if os.environ.get("LIAISON_PRINT_SAMPLES") != "1":
        return
    with capsys.disabled():
        print("\n" + "".join(f"{k}: {v}\n" for k, v in parsed.items()))
        for part in parsed.walk():
            if part.is_multipart():
                print(f"[{part.get_content_type()}]")
                continue
            print("".join(f"{k}: {v}\n" for k, v in part.items()))
            if part.get_content_type() in ("text/plain", "text/calendar") and not part.get_filename():
                print(part.get_payload(decode=True).decode("utf-8"))


def test_an_invitation_reads_the_same_whatever_the_language_it_is_made_in(app, make):
    """The email and its .ics speak the recipient's language, whether it is made in their own
    language (their request: no second force_locale) or in another one (an organiser's page)."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from app.timeutil import freeze

    event = _event(make)
    person = make.user(language="uk", timezone="Europe/Lisbon")
    registration = register(event, person)
    before = len(outbox())
    for language in ("uk", "en", "uk", "ro"):
        with force_locale(language), freeze(START):
            itip.queue_invitation(registration, sessions=False)
    db.session.flush()
    made = [(m.subject, m.text_body, m.html_body, m.attachments, m.calendar) for m in outbox()[before:]]
    assert len(made) == 4 and all(one == made[0] for one in made)
    with force_locale("uk"):
        assert made[0][0] == _("Invitation: %(title)s", title=event.title)
