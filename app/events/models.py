"""Events (meetings, study visits, workshops, trainings...) and their agenda sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, UTCDateTime, link_table, str_enum, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.directory.models import Organisation, Project, Theme
    from app.facilities.models import Facility


class EventKind(LabelledEnum):
    CROSS_REGIONAL_MEETING = "cross_regional_meeting"
    STUDY_VISIT = "study_visit"
    WORKSHOP = "workshop"
    TRAINING = "training"
    CONFERENCE = "conference"
    WEBINAR = "webinar"

    __labels__ = {
        "cross_regional_meeting": _l("Cross-regional meeting"), "study_visit": _l("Study visit"),
        "workshop": _l("Workshop"), "training": _l("Training / capacity building"),
        "conference": _l("Conference"), "webinar": _l("Webinar"),
    }


class EventFormat(LabelledEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"

    __labels__ = {"in_person": _l("In person"), "online": _l("Online"), "hybrid": _l("Hybrid")}


class EventStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    __labels__ = {"draft": _l("Draft"), "published": _l("Published"), "cancelled": _l("Cancelled")}


class RegistrationMode(LabelledEnum):
    OPEN = "open"
    APPROVAL = "approval"
    INVITATION = "invitation"

    __labels__ = {"open": _l("Open"), "approval": _l("On approval"), "invitation": _l("Invitation only")}


class SessionKind(LabelledEnum):
    PLENARY = "plenary"
    PANEL = "panel"
    WORKSHOP = "workshop"
    TRAINING = "training"
    SITE_VISIT = "site_visit"
    NETWORKING = "networking"
    BREAK = "break"

    __labels__ = {
        "plenary": _l("Plenary"), "panel": _l("Panel"), "workshop": _l("Workshop"), "training": _l("Training"),
        "site_visit": _l("Site visit"), "networking": _l("Networking"), "break": _l("Break"),
    }


def new_uid() -> str:
    return uuid.uuid4().hex


event_projects = link_table("event_projects", ("event_id", "events.id"), ("project_id", "projects.id"))

event_themes = link_table("event_themes", ("event_id", "events.id"), ("theme_id", "themes.id"))

# added_at: when the person became a co-organiser (the rule on entries marked before that is in
# app.lessons.visibility). Set by the application clock on every insert, also through the relationship.
event_organisers = link_table(
    "event_organisers", ("event_id", "events.id"), ("user_id", "users.id"),
    Column("added_at", UTCDateTime(), default=lambda: utcnow(), nullable=True),
)


class Event(TimestampMixin, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL "
            "OR registration_closes_at > registration_opens_at",
            name="registration_window_ordered",
        ),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        Index("ix_events_status_starts_at", "status", "starts_at"),
        # The drafts with what the event rule asks of them (app.events.access.visible_clause_of): the
        # lessons library reads, at every search, the drafts its viewer may not see, index-only.
        Index("ix_events_drafts", "id", "created_by_id", "status",
              postgresql_where=text("status = 'draft'"), sqlite_where=text("status = 'draft'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"), index=True)
    format: Mapped[EventFormat] = mapped_column(
        str_enum(EventFormat, "event_format"), default=EventFormat.IN_PERSON, index=True
    )
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    venue: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    online_url: Mapped[str | None] = mapped_column(String(500))
    host_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    capacity: Mapped[int | None]
    registration_mode: Mapped[RegistrationMode] = mapped_column(
        str_enum(RegistrationMode, "registration_mode"), default=RegistrationMode.OPEN
    )
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by the scheduler once the closing time passed and organisers got the final list.
    registration_closed_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Comma-separated days before the start at which confirmed participants are reminded.
    reminder_days: Mapped[str] = mapped_column(String(40), default="7,1")
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    series_key: Mapped[str | None] = mapped_column(String(64), index=True)
    post_event_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Held at a facility of the roster (issue 22); its venue fields are filled from it when left empty.
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id", ondelete="SET NULL"), index=True)
    # Whether the participation tallies (app.reports.tallies) count this event's registrations as held:
    # the scheduler moves it once the event has ended; a report corrects, live, for events it lags.
    tallied_held: Mapped[bool] = mapped_column(default=False)

    host_organisation: Mapped[Organisation | None] = relationship()
    facility: Mapped[Facility | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    organisers: Mapped[list[User]] = relationship(secondary=event_organisers, order_by="User.name")
    projects: Mapped[list[Project]] = relationship(secondary=event_projects, order_by="Project.acronym")
    themes: Mapped[list[Theme]] = relationship(secondary=event_themes, order_by="Theme.name")
    sessions: Mapped[list[Session]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=lambda: agenda_order(),  # defined below, after Session
    )

    @property
    def is_draft(self) -> bool:
        return self.status == EventStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == EventStatus.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def is_past(self, at: datetime) -> bool:
        return self.ends_at <= at

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class Session(TimestampMixin, db.Model):
    """An agenda item. (Named for the users' word; not to be confused with the database session.)"""

    __tablename__ = "sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        Index("ix_sessions_event_id_starts_at", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=new_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"), default=SessionKind.PLENARY)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    position: Mapped[int] = mapped_column(default=0)
    room: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    learning_objectives: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None]
    has_signup: Mapped[bool] = mapped_column(default=False)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id", ondelete="SET NULL"), index=True)

    event: Mapped[Event] = relationship(back_populates="sessions")
    facility: Mapped[Facility | None] = relationship()
    speakers: Mapped[list[SessionSpeaker]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SessionSpeaker.position",
    )

    def __repr__(self) -> str:
        return f"<Session {self.id} {self.title!r}>"


def agenda_order() -> tuple:
    """The one order of an event's agenda: by start, then the organiser's position, then id (the
    `Event.sessions` relationship and every statement that lists an event's sessions)."""
    return (Session.starts_at, Session.position, Session.id)


class SessionSpeaker(db.Model):
    """A speaker or trainer: a user of the system, or an external name with an organisation."""

    __tablename__ = "session_speakers"
    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR external_name IS NOT NULL", name="user_or_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    external_name: Mapped[str | None] = mapped_column(String(200))
    external_organisation: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="speaker")  # speaker | trainer | moderator
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[Session] = relationship(back_populates="speakers")
    user: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        if self.user is not None:
            org = self.user.organisation.name if self.user.organisation else None
            return f"{self.user.name} ({org})" if org else self.user.name
        if self.external_organisation:
            return f"{self.external_name} ({self.external_organisation})"
        return self.external_name or ""
