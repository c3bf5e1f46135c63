"""Replies from calendar clients (iTIP METHOD:REPLY read from the organiser's mailbox): every one is
recorded, with what was done with it, whether it was applied or ignored."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, UTCDateTime, str_enum
from app.extensions import db

if TYPE_CHECKING:
    from app.events.models import Event, Session
    from app.registrations.models import Registration


class ReplyOutcome(LabelledEnum):
    APPLIED = "applied"  # ACCEPTED: attendance intent recorded
    PENDING_CONFIRMATION = "pending_confirmation"  # DECLINED: waits for the participant's own click
    CONFIRMED = "confirmed"  # DECLINED, confirmed by the participant: the registration is cancelled
    IGNORED_NO_MATCH = "ignored_no_match"  # no event/session with that UID, or nobody registered as ATTENDEE
    IGNORED_FORGED = "ignored_forged"  # the email's From is not the ATTENDEE's address
    IGNORED_NOT_REPLY = "ignored_not_reply"  # no text/calendar METHOD:REPLY in the email
    IGNORED_NOT_ACTIVE = "ignored_not_active"  # the registration had already ended
    IGNORED_UNSUPPORTED = "ignored_unsupported"  # TENTATIVE, DELEGATED, a session decline...

    __labels__ = {
        "pending_confirmation": _l("Decline pending confirmation"),
        "confirmed": _l("Declined in their calendar"),
        "applied": _l("Accepted in their calendar"),
        "ignored_no_match": _l("Ignored: matches no registration"),
        "ignored_forged": _l("Ignored: sender is not the attendee"),
        "ignored_not_reply": _l("Ignored: not a calendar reply"),
        "ignored_not_active": _l("Ignored: registration no longer active"),
        "ignored_unsupported": _l("Ignored: answer not applied"),
    }


class CalendarReply(db.Model):
    __tablename__ = "calendar_replies"
    __table_args__ = (Index("ix_calendar_replies_event_id_outcome", "event_id", "outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The email's Message-ID (or a hash of the email without one): a message is processed once.
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_address: Mapped[str | None] = mapped_column(String(320))
    uid: Mapped[str | None] = mapped_column(String(500))
    attendee: Mapped[str | None] = mapped_column(String(320))
    partstat: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[ReplyOutcome] = mapped_column(str_enum(ReplyOutcome, "calendar_reply_outcome"))
    detail: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"),
                                                        index=True)
    # When the participant confirmed a decline through the emailed link.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event | None] = relationship()
    session: Mapped[Session | None] = relationship()
    registration: Mapped[Registration | None] = relationship()
