"""The emails composed for registrations: confirmations, waiting-list and pending notices, the
organisers' cancellations and rejections, invitations and the organisers' messages to participants.
A confirmation also sends `registration_confirmed` (the calendar invitation)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.accounts.models import User
from app.events.models import Event
from app.extensions import db
from app.notifications.outbox import Recipient, enqueue
from app.notifications.rendering import render_email
from app.registrations.email_texts import own_paragraph
from app.registrations.models import Invitation, Registration, RegistrationStatus
from app.registrations.rules import ACTIVE, RegistrationError
from app.registrations.signals import registration_confirmed
from app.urls import absolute_url


def recipient(user: User) -> Recipient:
    return Recipient(email=user.email, name=user.name, user_id=user.id)


link = absolute_url  # an absolute link for emails (BASE_URL: works outside requests)


def event_links(event: Event | None, paragraph: str | None = None) -> dict:
    """The links an event's notices carry; with `paragraph` (a kind of email_texts.KINDS), also the
    organisers' own paragraph for that kind."""
    if event is None:
        return {}
    links = {"event_link": link(f"/events/{event.id}/registration"), "my_events_link": link("/my/events")}
    if paragraph is not None:
        links["own_paragraph"] = own_paragraph(event.id, paragraph)
    return links


# The notices that carry the organisers' own paragraph (app/registrations/email_texts.py), by kind.
OWN_PARAGRAPH = {"promoted": "confirmation", "waitlisted": "waitlist"}


def notice(name: str, user: User, *, dedupe_key: str | None = None, **context) -> None:
    context.update(event_links(context.get("event"), OWN_PARAGRAPH.get(name)))
    subject, text, html = render_email(f"registrations/{name}", language=user.language, user=user, **context)
    enqueue(recipient(user), subject, text, html, kind=f"registration.{name}", dedupe_key=dedupe_key)


def stamp(instant: datetime | None) -> str:
    return instant.isoformat() if instant else "none"


def tell_confirmed(registration: Registration, *, promoted: bool, first: bool = False) -> None:
    registration_confirmed.send(registration, sessions=not first)
    if promoted:
        notice(
            "promoted",
            registration.user,
            registration=registration,
            event=registration.event,
            dedupe_key=f"registration:{registration.id}:promoted:{stamp(registration.confirmed_at)}",
        )


def waitlisted_dedupe_key(registration: Registration) -> str:
    return f"registration:{registration.id}:waitlisted:{stamp(registration.waitlisted_at)}"


def tell_waitlisted(registration: Registration, position: int | None) -> None:
    notice(
        "waitlisted",
        registration.user,
        registration=registration,
        event=registration.event,
        position=position,
        dedupe_key=waitlisted_dedupe_key(registration),
    )


def tell_pending(registration: Registration) -> None:
    notice(
        "pending",
        registration.user,
        registration=registration,
        event=registration.event,
        dedupe_key=f"registration:{registration.id}:pending:{stamp(registration.registered_at)}",
    )


def tell_cancelled(registration: Registration, event: Event) -> None:
    notice("cancelled", registration.user, registration=registration, event=event,
           dedupe_key=f"registration:{registration.id}:cancelled:{stamp(registration.cancelled_at)}")


def tell_rejected(registration: Registration, event: Event) -> None:
    notice("rejected", registration.user, registration=registration, event=event,
           reason=registration.rejection_reason,
           dedupe_key=f"registration:{registration.id}:rejected:{stamp(registration.rejected_at)}")


def send_invitation(invitation: Invitation, event: Event, user: User | None) -> None:
    paragraph = own_paragraph(event.id, "invitation")  # the organisers' own (email_texts.py)
    if user is not None:
        subject, text, html = render_email("registrations/invitation", language=user.language,
                                           invitation=invitation, event=event, user=user,
                                           invitation_link=link(f"/invitations/{invitation.token}"),
                                           own_paragraph=paragraph, **event_links(event))
        to = recipient(user)
    else:
        subject, text, html = render_email("registrations/account_invitation", invitation=invitation,
                                           event=event, user=None,
                                           signup_link=link(f"/invitations/{invitation.token}/signup"),
                                           invitation_link=link(f"/invitations/{invitation.token}"),
                                           own_paragraph=paragraph, **event_links(event))
        to = Recipient(email=invitation.email, name=invitation.name)
    enqueue(to, subject, text, html, kind="registration.invitation",
            dedupe_key=f"invitation:{invitation.token}")


# --------------------------------------------------------------------------------------------
# Writing to participants

MESSAGE_GROUPS = {
    "confirmed": (_l("Confirmed participants"), (RegistrationStatus.CONFIRMED,)),
    "waitlisted": (_l("People on the waiting list"), (RegistrationStatus.WAITLISTED,)),
    "pending": (_l("Pending approval"), (RegistrationStatus.PENDING,)),
    "all": (_l("Everyone registered (confirmed, waiting, pending)"), ACTIVE),
}


def write_to_participants(event: Event, group: str, subject: str, body: str, actor: User) -> int:
    """One outbox message per recipient (nobody sees the others' addresses). Commits."""
    if group not in MESSAGE_GROUPS:
        raise RegistrationError(_l("Choose who receives the message."))
    users = db.session.scalars(
        select(User)
        .join(Registration, Registration.user_id == User.id)
        .where(Registration.event_id == event.id, Registration.status.in_(MESSAGE_GROUPS[group][1]))
        .order_by(User.id)
    ).all()
    for user in users:
        mail_subject, text, html = render_email("registrations/message", language=user.language, user=user,
                                                event=event, subject=subject, body=body, sender=actor,
                                                **event_links(event))
        enqueue(recipient(user), mail_subject, text, html, kind="registration.message",
                reply_to=actor.email)
    audit.record(actor, "event.message", event, {"group": group, "subject": subject, "recipients": len(users)})
    db.session.commit()
    return len(users)
