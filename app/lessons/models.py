"""Lessons, good practices, their workflow history, follow-up actions and summaries."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, UTCDateTime, link_table, str_enum, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.directory.models import Organisation, Theme
    from app.events.models import Event, Session


class LessonKind(LabelledEnum):
    OBSERVATION = "observation"
    LESSON = "lesson"
    GOOD_PRACTICE = "good_practice"

    __labels__ = {"observation": _l("Observation"), "lesson": _l("Lesson"), "good_practice": _l("Good practice")}


class LessonStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    ACTIONED = "actioned"
    LEARNED = "learned"
    REJECTED = "rejected"

    __labels__ = {
        "draft": _l("Draft"),
        "submitted": _l("Submitted"),
        "validated": _l("Validated (lesson identified)"),
        "actioned": _l("Actioned"),
        "learned": _l("Learned"),
        "rejected": _l("Rejected"),
    }


class TLP(LabelledEnum):
    """Traffic Light Protocol 2.0 markings, from least to most restrictive."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber_strict"
    RED = "red"

    # The markings themselves are never translated (TLP 2.0); what they mean is (export/marking.py).
    __labels__ = {"clear": "TLP:CLEAR", "green": "TLP:GREEN", "amber": "TLP:AMBER",
                  "amber_strict": "TLP:AMBER+STRICT", "red": "TLP:RED"}

    @property
    def rank(self) -> int:
        return list(TLP).index(self)


# Markings that may be shared beyond the people in the room (TLP 2.0: CLEAR is public, GREEN is for
# the community): the one list digests, reports and the library use.
SHAREABLE_MARKINGS = (TLP.CLEAR, TLP.GREEN)


class RecommendationType(LabelledEnum):
    OPERATIONAL = "operational"
    TRAINING = "training"
    POLICY = "policy"
    CAPABILITY_GAP = "capability_gap"
    STANDARDISATION = "standardisation"
    PROCUREMENT = "procurement"

    __labels__ = {
        "operational": _l("Operational"),
        "training": _l("Training"),
        "policy": _l("Policy"),
        "capability_gap": _l("Technology / capability gap"),
        "standardisation": _l("Standardisation"),
        "procurement": _l("Procurement"),
    }


class Addressee(LabelledEnum):
    EU_INSTITUTIONS = "eu_institutions"
    NATIONAL_AUTHORITIES = "national_authorities"
    PROJECTS = "projects"
    PRACTITIONERS = "practitioners"

    __labels__ = {
        "eu_institutions": _l("EU institutions"),
        "national_authorities": _l("National authorities"),
        "projects": _l("Projects"),
        "practitioners": _l("Practitioners"),
    }


lesson_themes = link_table("lesson_themes", ("lesson_id", "lessons.id"), ("theme_id", "themes.id"))


# Stored after every other column (migration s19lessidx0001): the library's search reads the short
# columns of every matching entry, and PostgreSQL reaches a column by stepping over each one before it.
LONG_TEXTS_LAST = 1


class Lesson(TimestampMixin, db.Model):
    __tablename__ = "lessons"
    __table_args__ = (
        # Covering for the reports (lesson figures, follow-up actions' origin and visibility).
        Index("ix_lessons_event_id_status_id_tlp", "event_id", "status", "id", "tlp"),
        Index("ix_lessons_status_tlp", "status", "tlp"),
        # The entries awaiting validation with every column the TLP rule reads: a coordinator's library
        # counts the submitted entries it may see on every page (~3,000 on the bench, 1,600 heap pages),
        # here from the index alone (migration t19await0001).
        Index("ix_lessons_submitted_rule", "event_id", "tlp", "author_id", "id", "status", "marked_at", "created_at",
              postgresql_where=text("status = 'submitted'"), sqlite_where=text("status = 'submitted'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"), index=True)
    kind: Mapped[LessonKind] = mapped_column(str_enum(LessonKind, "lesson_kind"), index=True)
    status: Mapped[LessonStatus] = mapped_column(
        str_enum(LessonStatus, "lesson_status"), default=LessonStatus.DRAFT
    )
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP, "tlp"), default=TLP.GREEN)
    # When the current marking was set (app.lessons.visibility: organisers appointed later do not
    # reach RED or AMBER+STRICT entries marked before). Set on create and on every marking change.
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=lambda: utcnow())
    title: Mapped[str] = mapped_column(String(200), sort_order=LONG_TEXTS_LAST)
    observation: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)
    analysis: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)
    recommendation: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)
    recommendation_type: Mapped[RecommendationType | None] = mapped_column(
        str_enum(RecommendationType, "recommendation_type"), index=True
    )
    addressed_to: Mapped[Addressee | None] = mapped_column(str_enum(Addressee, "addressee"))
    # Good practice (EUCPN criteria)
    problem_addressed: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)
    how_it_works: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)
    evidence: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)
    replication_needs: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)

    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    validator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejection_reason: Mapped[str | None] = mapped_column(Text, sort_order=LONG_TEXTS_LAST)

    event: Mapped[Event] = relationship()
    session: Mapped[Session | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    validator: Mapped[User | None] = relationship(foreign_keys=[validator_id])
    themes: Mapped[list[Theme]] = relationship(secondary=lesson_themes, order_by="Theme.name")
    transitions: Mapped[list[LessonTransition]] = relationship(
        back_populates="lesson",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="LessonTransition.id",
    )


class LessonTransition(db.Model):
    """One step of an entry's workflow: who moved it, from what to what, when and why."""

    __tablename__ = "lesson_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    lesson: Mapped[Lesson] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class ActionStatus(LabelledEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"

    __labels__ = {"open": _l("Open"), "in_progress": _l("In progress"), "done": _l("Done"), "dropped": _l("Dropped")}


# An action still to be done (shown as open, counted as overdue after its due date).
OPEN_ACTION_STATES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class FollowUpAction(TimestampMixin, db.Model):
    __tablename__ = "follow_up_actions"
    __table_args__ = (
        CheckConstraint("lesson_id IS NOT NULL OR event_id IS NOT NULL", name="has_origin"),
        Index("ix_follow_up_actions_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    owner_contact: Mapped[str | None] = mapped_column(String(254))
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    lesson: Mapped[Lesson | None] = relationship()
    event: Mapped[Event | None] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    owner_organisation: Mapped[Organisation | None] = relationship()
    notes: Mapped[list[ActionNote]] = relationship(
        back_populates="action", cascade="all, delete-orphan", passive_deletes=True, order_by="ActionNote.id"
    )


class ActionNote(db.Model):
    __tablename__ = "action_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("follow_up_actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())

    action: Mapped[FollowUpAction] = relationship(back_populates="notes")
    author: Mapped[User | None] = relationship()


class Summary(TimestampMixin, db.Model):
    """A coordinator's lessons-learned report. Its content lives in immutable versions."""

    __tablename__ = "summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    current_version: Mapped[int] = mapped_column(default=1)
    # The most restrictive marking among the current version's entries.
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP, "summary_tlp"), default=TLP.CLEAR)

    created_by: Mapped[User | None] = relationship()
    versions: Mapped[list[SummaryVersion]] = relationship(
        back_populates="summary",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="SummaryVersion.number",
    )


class SummaryVersion(db.Model):
    __tablename__ = "summary_versions"
    __table_args__ = (UniqueConstraint("summary_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"))
    number: Mapped[int]
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    group_by: Mapped[str] = mapped_column(String(32), default="theme")
    introduction: Mapped[str | None] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    lesson_ids: Mapped[list] = mapped_column(JSON, default=list)
    # The frozen content: entries, figures and recommendations as they were when saved.
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    tlp: Mapped[TLP] = mapped_column(str_enum(TLP, "summary_version_tlp"), default=TLP.CLEAR)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    summary: Mapped[Summary] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()


# Full-text search over entries. Not mapped: SQLite gets an FTS5 table kept in sync by triggers,
# PostgreSQL a GIN index on the tsvector expression that app.lessons.search queries with.
# Created on the metadata's "after_create" so create_all (tests) builds them; the migration carries
# the same statements.
from sqlalchemy import DDL  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402

FTS_COLUMNS = (
    "title", "observation", "analysis", "recommendation",
    "problem_addressed", "how_it_works", "evidence", "replication_needs",
)
PG_TSVECTOR = "to_tsvector('english', " + " || ' ' || ".join(f"coalesce({c}, '')" for c in FTS_COLUMNS) + ")"

_new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
_cols = ", ".join(FTS_COLUMNS)
SQLITE_FTS_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS lessons_fts USING fts5({_cols}, content='lessons', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS lessons_fts_ai AFTER INSERT ON lessons BEGIN "
    f"INSERT INTO lessons_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
    f"CREATE TRIGGER IF NOT EXISTS lessons_fts_ad AFTER DELETE ON lessons BEGIN "
    f"INSERT INTO lessons_fts(lessons_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old}); END",
    f"CREATE TRIGGER IF NOT EXISTS lessons_fts_au AFTER UPDATE ON lessons BEGIN "
    f"INSERT INTO lessons_fts(lessons_fts, rowid, {_cols}) VALUES ('delete', old.id, {_old}); "
    f"INSERT INTO lessons_fts(rowid, {_cols}) VALUES (new.id, {_new}); END",
]
SQLITE_FTS_DROP = ["DROP TABLE IF EXISTS lessons_fts"]
POSTGRES_FTS_DDL = [f"CREATE INDEX IF NOT EXISTS ix_lessons_fulltext ON lessons USING GIN ({PG_TSVECTOR})"]

for _statement in SQLITE_FTS_DDL:
    sa_event.listen(db.Model.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in SQLITE_FTS_DROP:
    sa_event.listen(db.Model.metadata, "before_drop", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRES_FTS_DDL:
    sa_event.listen(db.Model.metadata, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
