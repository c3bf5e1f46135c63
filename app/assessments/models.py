"""Needs assessments: a questionnaire sent to chosen people, their answers, and the needs
(capability gaps) the owner identifies from the results."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, UTCDateTime, link_table, str_enum
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.directory.models import Project, Theme
    from app.events.models import Event


class AssessmentScope(LabelledEnum):
    PROJECT = "project"
    COUNTRY = "country"
    EVENT = "event"

    __labels__ = {"project": _l("A project"), "country": _l("A country"), "event": _l("An event")}


class AssessmentStatus(LabelledEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"

    __labels__ = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}


class QuestionKind(LabelledEnum):
    SCALE = "scale"
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"
    THEMES = "themes"

    __labels__ = {
        "scale": _l("Scale from 1 to 5"),
        "single": _l("Single choice"),
        "multiple": _l("Multiple choice"),
        "text": _l("Free text"),
        "themes": _l("Choice of themes (directory, EMPACT priorities)"),
    }


class NeedPriority(LabelledEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    __labels__ = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}

    @property
    def rank(self) -> int:
        return list(NeedPriority).index(self)


class Assessment(TimestampMixin, db.Model):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[AssessmentScope] = mapped_column(str_enum(AssessmentScope, "assessment_scope"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(
        str_enum(AssessmentStatus, "assessment_status"), default=AssessmentStatus.DRAFT, index=True)
    # The deadline: answers are accepted until then, reminders are counted back from it.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    project: Mapped[Project | None] = relationship()
    event: Mapped[Event | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="assessment", order_by="Question.position", cascade="all, delete-orphan")

    def is_accepting(self, at: datetime) -> bool:
        """Open, and its deadline not passed."""
        return self.status == AssessmentStatus.OPEN and self.closes_at is not None and at < self.closes_at

    def shown_status(self, at: datetime) -> AssessmentStatus:
        """Open until the deadline; closed after it, even before anyone closes it."""
        if self.status == AssessmentStatus.OPEN and not self.is_accepting(at):
            return AssessmentStatus.CLOSED
        return self.status


class Question(db.Model):
    __tablename__ = "assessment_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str | None] = mapped_column(String(500))
    # The options of a single or multiple choice, in order (the answers store the option's text).
    options: Mapped[list] = mapped_column(JSON, default=list)
    is_required: Mapped[bool] = mapped_column(default=False)

    assessment: Mapped[Assessment] = relationship(back_populates="questions")


class Respondent(db.Model):
    """One invited person's questionnaire: the invitation, the answers saved so far (a draft) and,
    once submitted, the final answers. One per (assessment, person): answered once."""

    __tablename__ = "assessment_respondents"
    __table_args__ = (UniqueConstraint("assessment_id", "user_id"),
                      Index("ix_assessment_respondents_pending", "assessment_id", "submitted_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # {question id (text): answer} — an int (scale), a text, or a list of option texts / theme ids.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who answered, as they were when they submitted (results by country and organisation type).
    country: Mapped[str | None] = mapped_column(String(2))
    organisation_type: Mapped[str | None] = mapped_column(String(32))
    # The smallest days-before-deadline reminder sent (the scheduler's idempotence marker).
    last_reminder_days: Mapped[int | None]

    assessment: Mapped[Assessment] = relationship()
    user: Mapped[User] = relationship()


need_events = link_table("need_events", ("need_id", "needs.id"), ("event_id", "events.id"))


class Need(TimestampMixin, db.Model):
    """An identified need (a capability gap) recorded from an assessment's results."""

    __tablename__ = "needs"
    __table_args__ = (CheckConstraint("length(title) > 0", name="title_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    priority: Mapped[NeedPriority] = mapped_column(str_enum(NeedPriority, "need_priority"),
                                                   default=NeedPriority.MEDIUM)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    assessment: Mapped[Assessment] = relationship()
    theme: Mapped[Theme | None] = relationship()
    events: Mapped[list[Event]] = relationship(secondary=need_events, order_by="Event.starts_at")
