"""iTIP email producers (RFC 5546 / RFC 6047): invitations, updates and cancellations.

INTERFACE used by the events and registrations packages. Each function writes outbox messages in
the caller's transaction (through app.notifications.outbox.enqueue) and never commits.

Every message carries one VEVENT with the event's (or session's) stable UID and its current
SEQUENCE, ORGANIZER = MAIL_FROM and the recipient as ATTENDEE; the same iCalendar goes inline as
text/calendar; method=... and attached as an .ics file. The callers raise SEQUENCE before calling
an update, and the event's before cancelling it.

A CANCEL always carries a SEQUENCE above every REQUEST sent for its UID (clients such as Outlook
and libical ignore one that does not): this module raises the sessions' SEQUENCE when their event
is cancelled or they are removed (`_raise_all`), and when one person is taken out of an event or a
session that lives on, the item's SEQUENCE goes up once for the CANCEL and once more, so that a
later invitation (they register again) comes after the CANCEL (`_withdrawal_sequence`).

SessionSignup.sequence_sent records what each person last received for a session (None: nothing
of ours is in their calendar for it).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import replace

from flask import current_app
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.calendar import links
from app.calendar.entries import attendee_for, event_entry, session_entry
from app.calendar.ics import build_calendar, build_entry_calendar
from app.events.access import is_organiser_of
from app.events.models import Session
from app.events.urls import event_url
from app.extensions import db
from app.i18n import DEFAULT, supported
from app.notifications.outbox import Attachment, CalendarPart, Recipient, enqueue
from app.notifications.rendering import render_email, speaking
from app.registrations.email_texts import own_paragraph
from app.registrations.models import (
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.templating import format_local
from app.timeutil import now, to_local

FILENAMES = {"REQUEST": "invite.ics", "CANCEL": "cancel.ics", "PUBLISH": "event.ics"}


def _speaking(user):
    """The recipient's language for what a message says: its iCalendar's description and place, the
    times and place in its body (the email itself is rendered in it too); None: the current one."""
    if user is None:
        return nullcontext()
    return speaking(supported(getattr(user, "language", None)) or DEFAULT)


def _when(starts_at, ends_at, tz_name: str) -> str:
    start = format_local(starts_at, tz_name)
    # The same local day (and zone abbreviation) ends with the time only: compared on the local
    # datetimes, without formatting them twice more (every invitation and cancellation asks).
    local_start, local_end = to_local(starts_at, tz_name), to_local(ends_at, tz_name)
    if (local_start.date(), local_start.tzname()) == (local_end.date(), local_end.tzname()):
        return f"{start} – {format_local(ends_at, tz_name, '%H:%M')}"
    return f"{start} – {format_local(ends_at, tz_name)}"


def _place(event, session=None) -> str:
    place = links.public_location(event)
    if session is not None and session.room:
        return f"{session.room}, {place}" if place else session.room
    return place


# The templates read of the recipient their name only ("Hello %(name)s,"), of the event and the
# session their titles: an email is rendered once for the other values it shows (the memo's key)
# with this mark for the name, then the name written in (escaped in the HTML part, as the template's
# gettext escapes it). Per app, at most _RENDERED_MAX, emptied when full.
_NAME_MARK = "__liaison_recipient_name__"
_RENDERED_MAX = 128  # ~4 kB each: half a megabyte at most a worker


class _Marked:
    name = _NAME_MARK


def _rendered(user, language, **context) -> tuple[str, str, str | None]:
    """render_email("calendar/itip", ...) for `user`, from the memo when it holds the other values."""
    name = getattr(user, "name", None)
    event, session = context["event"], context["session"]
    config = current_app.config
    key = (language, event.title, session.title if session is not None else None, config["SITE_NAME"],
           config["BASE_URL"], *sorted((k, v) for k, v in context.items() if k not in ("event", "session")))
    memo = current_app.extensions.setdefault("liaison_itip_rendered", {})
    found = memo.get(key) if isinstance(name, str) else None
    if found is None and isinstance(name, str):
        found = render_email("calendar/itip", language=language, user=_Marked, **context)
        subject, text, html = found
        if _NAME_MARK in subject or text.count(_NAME_MARK) != 1 or (html is not None and html.count(_NAME_MARK) != 1):
            found = None  # (a translation without the name: rendered for each person)
        else:
            if len(memo) >= _RENDERED_MAX:
                memo.clear()
            memo[key] = found
    if found is None:
        return render_email("calendar/itip", language=language, user=user, **context)
    subject, text, html = found
    return (subject, text.replace(_NAME_MARK, name),
            html.replace(_NAME_MARK, str(escape(name))) if html is not None else None)


def _send(user, *, kind: str, method: str, event, entry, session=None, show_online: bool) -> None:
    """Render the email for `kind` and add it to the outbox with its iCalendar."""
    ics = build_entry_calendar(entry, method=method, dtstamp=now())
    item = session or event
    viewer_zone = user.timezone if user.timezone and user.timezone != event.timezone else None
    subject, text, html = _rendered(
        user,
        getattr(user, "language", None),
        kind=kind,
        method=method,
        event=event,
        session=session,
        when_event_zone=_when(item.starts_at, item.ends_at, event.timezone),
        when_user_zone=_when(item.starts_at, item.ends_at, viewer_zone) if viewer_zone else None,
        event_zone=event.timezone,
        user_zone=viewer_zone,
        place=_place(event, session),
        online_url=event.online_url if show_online and method != "CANCEL" else None,
        event_url=event_url(event),
        sequence=entry.sequence,
        reason=(event.cancellation_reason or "").strip() if event.is_cancelled else "",
        # The organisers' own paragraph goes with the confirmation (app/registrations/email_texts.py).
        own_paragraph=own_paragraph(event.id, "confirmation") if kind == "invitation" else None,
    )
    enqueue(
        Recipient(email=user.email, name=user.name, user_id=user.id),
        subject,
        text,
        html,
        kind=f"calendar.{kind}",
        attachments=[Attachment(FILENAMES[method], "text/calendar", ics, method=method)],
        calendar=CalendarPart(method=method, content=ics),
    )


def _withdrawal_sequence(item) -> int:
    """The SEQUENCE of a CANCEL to one person for an event or session that lives on: above every
    REQUEST sent, and the item's own goes one further, so their next invitation comes after it."""
    item.sequence += 1
    sequence = item.sequence
    item.sequence += 1
    return sequence


def _raise_all(items) -> None:
    """Raise the SEQUENCE of each distinct item once (sessions cancelled with their event, or removed)."""
    for item in {id(item): item for item in items}.values():
        item.sequence += 1


def _rsvp(attendee, method: str):
    """A REQUEST asks for an answer (RSVP=TRUE): calendar programs then offer Accept / Decline and
    mail a METHOD:REPLY to the ORGANIZER address, read by app.calendar.replies."""
    return replace(attendee, rsvp=True) if method == "REQUEST" else attendee


def _event_message(registration, *, kind: str, method: str, sequence: int | None = None) -> None:
    event, user = registration.event, registration.user
    cancel = method == "CANCEL"
    with _speaking(user):
        entry = event_entry(
            event,
            show_online=not cancel,
            attendees=(_rsvp(attendee_for(user, registration,
                                          "DECLINED" if cancel and not event.is_cancelled else "ACCEPTED"),
                             method),),
            status="CANCELLED" if cancel else None,
        )
        if sequence is not None:
            entry = replace(entry, sequence=sequence)
        _send(user, kind=kind, method=method, event=event, entry=entry, show_online=not cancel)


def _session_message(signup, session, event, *, kind: str, method: str, sequence: int | None = None) -> None:
    user = signup.user
    cancel = method == "CANCEL"
    with _speaking(user):
        entry = session_entry(
            session,
            event,
            show_online=not cancel,
            attendees=(_rsvp(attendee_for(user, None, "DECLINED" if cancel and not event.is_cancelled else "ACCEPTED"),
                             method),),
            status="CANCELLED" if cancel else None,
        )
        if sequence is not None:
            entry = replace(entry, sequence=sequence)
        _send(user, kind=kind, method=method, event=event, entry=entry, session=session, show_online=not cancel)
    signup.sequence_sent = None if cancel else session.sequence


def _signups(*where, of_session=None):
    """The sign-ups matching `where`, in id order, each with its user and session; with `of_session`
    (a session the caller holds) only that session's, read without joining or loading it again
    (the join made the planner weigh four tables, ~1 ms of planning for a few rows)."""
    query = select(SessionSignup).options(joinedload(SessionSignup.user))
    if of_session is None:
        query = query.join(Session, SessionSignup.session_id == Session.id).options(joinedload(SessionSignup.session))
    else:
        query = query.where(SessionSignup.session_id == of_session.id)
    return db.session.scalars(query.where(*where).order_by(SessionSignup.id)).all()


def queue_invitation(registration, *, sessions: bool = True) -> None:
    """METHOD:REQUEST to a confirmed participant (on confirmation, promotion or approval).
    Sessions they already signed up for follow, each as its own invitation. `sessions=False` when
    the caller knows there are none (a first registration: a sign-up needs a confirmed registration,
    and registrations are never deleted), which saves the look-up."""
    if registration.status != RegistrationStatus.CONFIRMED or registration.event.is_draft:
        return
    _event_message(registration, kind="invitation", method="REQUEST")
    if not sessions:
        return
    for signup in _signups(
        Session.event_id == registration.event_id,
        SessionSignup.user_id == registration.user_id,
        SessionSignup.status == SessionSignupStatus.CONFIRMED,
        SessionSignup.sequence_sent.is_(None),
    ):
        _session_message(signup, signup.session, registration.event, kind="session_invitation", method="REQUEST")


def queue_registration_cancel(registration, signups=None) -> None:
    """METHOD:CANCEL to a participant whose registration was cancelled or rejected, for the event
    and for every session of it we had put in their calendar. `signups`: the person's sign-ups of
    the event's sessions with their sessions, in id order, when the caller has read them (at least
    every one in their calendar); else they are read here."""
    if registration.event.is_draft:
        return
    _event_message(registration, kind="registration_cancelled", method="CANCEL",
                   sequence=_withdrawal_sequence(registration.event))
    if signups is None:
        signups = _signups(
            Session.event_id == registration.event_id,
            SessionSignup.user_id == registration.user_id,
            SessionSignup.sequence_sent.is_not(None),
        )
    for signup in [signup for signup in signups if signup.sequence_sent is not None]:
        _session_message(signup, signup.session, registration.event, kind="session_cancelled", method="CANCEL",
                         sequence=_withdrawal_sequence(signup.session))


def _confirmed_registrations(event):
    return db.session.scalars(
        select(Registration)
        .options(joinedload(Registration.user))
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)
    ).all()


def queue_event_update(event) -> None:
    """METHOD:REQUEST with the raised SEQUENCE to every confirmed participant (time/place/link changed)."""
    if event.is_draft:
        return
    if event.is_cancelled:
        queue_event_cancel(event)
        return
    for registration in _confirmed_registrations(event):
        _event_message(registration, kind="update", method="REQUEST")


def queue_event_cancel(event) -> None:
    """METHOD:CANCEL to every confirmed participant of a cancelled event, and for the sessions of it
    they had in their calendar. The caller has raised the event's SEQUENCE; the sessions' go up here."""
    for registration in _confirmed_registrations(event):
        _event_message(registration, kind="event_cancelled", method="CANCEL")
    signups = _signups(Session.event_id == event.id, SessionSignup.sequence_sent.is_not(None))
    _raise_all(signup.session for signup in signups)
    for signup in signups:
        _session_message(signup, signup.session, event, kind="session_cancelled", method="CANCEL")


def queue_session_invitation(signup) -> None:
    """METHOD:REQUEST for one session to a person who just signed up for it (confirmed sign-up of a
    confirmed participant)."""
    session = signup.session
    event = session.event
    if signup.status != SessionSignupStatus.CONFIRMED or event.is_draft or event.is_cancelled:
        return
    confirmed = db.session.scalar(
        select(Registration.id).where(
            Registration.event_id == event.id,
            Registration.user_id == signup.user_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    if confirmed is None:
        return  # queue_invitation sends it when the registration is confirmed
    _session_message(signup, session, event, kind="session_invitation", method="REQUEST")


def queue_session_update(session) -> None:
    """METHOD:REQUEST for a session to the people signed up for it (its time or room changed).
    Anyone who never got this session gets it as an invitation."""
    event = session.event
    if event.is_draft or event.is_cancelled:
        return
    # Only people still confirmed for the event: an EXISTS in the sign-ups' statement, not a read
    # of every confirmed registration of the event with its user (one statement, and no rows that
    # grow with the event's size).
    confirmed = (select(Registration.id)
                 .where(Registration.event_id == event.id, Registration.user_id == SessionSignup.user_id,
                        Registration.status == RegistrationStatus.CONFIRMED)
                 .exists())
    for signup in _signups(SessionSignup.status == SessionSignupStatus.CONFIRMED, confirmed, of_session=session):
        kind = "session_invitation" if signup.sequence_sent is None else "session_update"
        _session_message(signup, session, event, kind=kind, method="REQUEST")


def queue_session_cancel(session, user_ids=None) -> None:
    """METHOD:CANCEL for a removed session to the people signed up for it (or to `user_ids`, when
    the sign-ups are already gone: those people are taken out of a session that lives on). Call it
    before deleting the session."""
    event = session.event
    if event.is_draft:
        return
    if user_ids is None:
        _raise_all([session])
        for signup in _signups(
            SessionSignup.session_id == session.id,
            (SessionSignup.sequence_sent.is_not(None)) | (SessionSignup.status == SessionSignupStatus.CONFIRMED),
        ):
            _session_message(signup, session, event, kind="session_cancelled", method="CANCEL")
        return
    sequence = _withdrawal_sequence(session)
    for user in db.session.scalars(select(User).where(User.id.in_(list(user_ids))).order_by(User.id)):
        entry = session_entry(session, event, show_online=False,
                              attendees=(attendee_for(user, None, "DECLINED"),), status="CANCELLED")
        entry = replace(entry, sequence=sequence)
        _send(user, kind="session_cancelled", method="CANCEL", event=event, entry=entry,
              session=session, show_online=False)


def event_attachment(event, user=None):
    """An app.notifications.outbox.Attachment holding the event's .ics (METHOD:PUBLISH), for
    reminders and similar emails. The online link is in it only for a confirmed participant or an
    organiser of the event."""
    show_online = False
    if user is not None:
        show_online = is_organiser_of(user, event) or db.session.scalar(
            select(Registration.id).where(
                Registration.event_id == event.id,
                Registration.user_id == user.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        ) is not None
    with _speaking(user):
        entry = event_entry(event, show_online=show_online)
    ics = build_calendar([entry], method="PUBLISH", dtstamp=now())
    return Attachment("event.ics", "text/calendar", ics, method="PUBLISH")
