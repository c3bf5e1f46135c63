"""Registrations, session sign-ups, attendance, invitations and feedback."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, UTCDateTime, str_enum
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.events.models import Event, Session


class RegistrationStatus(LabelledEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    REJECTED = "rejected"

    __labels__ = {
        "pending": _l("Pending approval"), "confirmed": _l("Confirmed"), "waitlisted": _l("On the waiting list"),
        "cancelled": _l("Cancelled"), "rejected": _l("Rejected"),
    }


class ParticipantRole(LabelledEnum):
    PARTICIPANT = "participant"
    SPEAKER = "speaker"
    TRAINER = "trainer"
    OBSERVER = "observer"
    ORGANISER = "organiser"

    __labels__ = {
        "participant": _l("Participant"), "speaker": _l("Speaker"), "trainer": _l("Trainer"),
        "observer": _l("Observer"), "organiser": _l("Organiser"),
    }

    @property
    def takes_seat(self) -> bool:
        """Speakers, trainers and organisers do not take participant seats."""
        return self in (ParticipantRole.PARTICIPANT, ParticipantRole.OBSERVER)


class Registration(TimestampMixin, db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_registrations_event_id_status", "event_id", "status"),
        Index("ix_registrations_user_id_status", "user_id", "status"),
        # Registrations made by someone else and not yet agreed to: the user loader asks on every
        # signed-in page whether the person has any (consent._awaiting). Few rows, so a partial index
        # answers without reading the person's every registration (issue 19: 200 heap pages a request).
        Index("ix_registrations_awaiting_consent", "user_id",
              postgresql_where=text("added_by_id IS NOT NULL AND consented_at IS NULL"),
              sqlite_where=text("added_by_id IS NOT NULL AND consented_at IS NULL")),
        # The attended registrations (app.registrations.attendance.attended_clause): the lessons
        # library reads those of the viewer's organisation at every search, index-only.
        Index("ix_registrations_attended", "user_id", "event_id",
              postgresql_where=text("status = 'confirmed' AND checked_in_at IS NOT NULL"),
              sqlite_where=text("status = 'confirmed' AND checked_in_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status"), default=RegistrationStatus.PENDING
    )
    role: Mapped[ParticipantRole] = mapped_column(
        str_enum(ParticipantRole, "participant_role"), default=ParticipantRole.PARTICIPANT
    )
    # Order on the waiting list: the instant the person (re)joined it.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    dietary_needs: Mapped[str | None] = mapped_column(String(500))
    accessibility_needs: Mapped[str | None] = mapped_column(String(500))
    needs_visa_letter: Mapped[bool] = mapped_column(default=False)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who registered the person when it was not the person (an organiser's import or manual add):
    # the person confirms consent on first visit; until then only name and organisation are held.
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the retention job erased the needs (diet, accessibility, visa letter) after the event.
    needs_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Last reminder sent, as days-before (e.g. 7 then 1), so a reminder job never repeats itself.
    last_reminder_days: Mapped[int | None]
    # The event start that reminder was about: an event moved since then is reminded afresh.
    last_reminder_for_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The secret in the badge's QR code (app.registrations.badges): random, made when a badge is first
    # printed, found only together with its event, so a badge checks in nobody anywhere else.
    badge_token: Mapped[str | None] = mapped_column(String(32), unique=True)

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    attendance_days: Mapped[list[AttendanceDay]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", passive_deletes=True
    )


class AttendanceDay(db.Model):
    """Check-in per day for multi-day events."""

    __tablename__ = "attendance_days"
    __table_args__ = (UniqueConstraint("registration_id", "day_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    day_on: Mapped[date]
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship(back_populates="attendance_days")


class SessionSignupStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    __labels__ = {"confirmed": _l("Confirmed"), "waitlisted": _l("On the waiting list"), "cancelled": _l("Cancelled")}


class SessionSignup(TimestampMixin, db.Model):
    __tablename__ = "session_signups"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        Index("ix_session_signups_session_id_status", "session_id", "status"),
        Index("ix_session_signups_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[SessionSignupStatus] = mapped_column(
        str_enum(SessionSignupStatus, "session_signup_status"), default=SessionSignupStatus.CONFIRMED
    )
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The SEQUENCE of the session last sent to this person (calendar updates).
    sequence_sent: Mapped[int | None]

    session: Mapped[Session] = relationship()
    user: Mapped[User] = relationship()


class InvitationStatus(LabelledEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"

    __labels__ = {"sent": _l("Sent"), "accepted": _l("Accepted"), "declined": _l("Declined"), "revoked": _l("Revoked")}


class Invitation(TimestampMixin, db.Model):
    """An organiser's invitation by email; accepted through a secret link."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[ParticipantRole] = mapped_column(
        str_enum(ParticipantRole, "invitation_role"), default=ParticipantRole.PARTICIPANT
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus, "invitation_status"), default=InvitationStatus.SENT
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()


class Feedback(TimestampMixin, db.Model):
    """A participant's evaluation of an event. One per registration; the author may stay anonymous."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("registration_id"),
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall_range"),
        CheckConstraint("relevance BETWEEN 1 AND 5", name="relevance_range"),
        CheckConstraint("organisation BETWEEN 1 AND 5", name="organisation_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # Kept to enforce one answer per person; hidden from organisers when anonymous.
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    overall: Mapped[int]
    relevance: Mapped[int]
    organisation: Mapped[int]
    what_worked: Mapped[str | None] = mapped_column(Text)
    what_to_improve: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration] = relationship()


class SessionAttendance(db.Model):
    """Attendance per session (trainings), also for participants without a sign-up."""

    __tablename__ = "session_attendance"
    __table_args__ = (UniqueConstraint("session_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())

    session: Mapped[Session] = relationship()
    registration: Mapped[Registration] = relationship()
