"""Knowledge checks: a test (pre or post) of an event or one of its sessions, its question bank,
each person's one submission and answers; the follow-up survey of an event and its answers."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, UTCDateTime, str_enum
from app.events.models import Event, Session
from app.extensions import db

# How long a test is open by default: a pre-test from an hour before the start until the start,
# a post-test from the end for two days.
DEFAULT_PRE_MINUTES = 60
DEFAULT_POST_HOURS = 48


class CheckKind(LabelledEnum):
    PRE = "pre"
    POST = "post"

    __labels__ = {"pre": _l("Pre-test"), "post": _l("Post-test")}


class QuestionKind(LabelledEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"

    __labels__ = {"single": _l("Single choice"), "multiple": _l("Multiple choice"),
                  "text": _l("Free text (not scored)")}


class KnowledgeCheck(TimestampMixin, db.Model):
    """A pre- or post-test of an event (session_id empty) or of one session. The window follows the
    event or session times: a pre-test opens `window_minutes` before the start and closes at it; a
    post-test opens at the end and closes `window_minutes` after it."""

    __tablename__ = "knowledge_checks"
    __table_args__ = (
        Index("ix_knowledge_checks_event_id_session_id", "event_id", "session_id"),
        CheckConstraint("window_minutes > 0", name="window_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    kind: Mapped[CheckKind] = mapped_column(str_enum(CheckKind, "check_kind"))
    window_minutes: Mapped[int]

    event: Mapped[Event] = relationship()
    session: Mapped[Session | None] = relationship()
    questions: Mapped[list[CheckQuestion]] = relationship(
        back_populates="check", order_by="CheckQuestion.position, CheckQuestion.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def subject(self) -> Event | Session:
        return self.session if self.session_id else self.event

    @property
    def opens_at(self) -> datetime:
        if self.kind == CheckKind.PRE:
            return self.subject.starts_at - timedelta(minutes=self.window_minutes)
        return self.subject.ends_at

    @property
    def closes_at(self) -> datetime:
        if self.kind == CheckKind.PRE:
            return self.subject.starts_at
        return self.subject.ends_at + timedelta(minutes=self.window_minutes)


class CheckQuestion(db.Model):
    __tablename__ = "check_questions"
    __table_args__ = (CheckConstraint("points BETWEEN 0 AND 100", name="points_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("knowledge_checks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"))
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(default=1)

    check: Mapped[KnowledgeCheck] = relationship(back_populates="questions")
    options: Mapped[list[CheckOption]] = relationship(
        back_populates="question", order_by="CheckOption.position, CheckOption.id",
        cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def is_scored(self) -> bool:
        return self.kind != QuestionKind.TEXT


class CheckOption(db.Model):
    __tablename__ = "check_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("check_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(500))
    is_correct: Mapped[bool] = mapped_column(default=False)

    question: Mapped[CheckQuestion] = relationship(back_populates="options")


class CheckSubmission(db.Model):
    """One person's one go at a test, with its score (percent of the scored points)."""

    __tablename__ = "check_submissions"
    __table_args__ = (UniqueConstraint("check_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("knowledge_checks.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)

    answers: Mapped[list[CheckAnswer]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", passive_deletes=True,
    )


class CheckAnswer(db.Model):
    """The answer to one question: the chosen options' ids (comma-separated) or the text, and the
    points it earned."""

    __tablename__ = "check_answers"
    __table_args__ = (UniqueConstraint("submission_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("check_submissions.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("check_questions.id", ondelete="CASCADE"), index=True)
    chosen: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str | None] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float, default=0)

    submission: Mapped[CheckSubmission] = relationship(back_populates="answers")

    @property
    def chosen_ids(self) -> set[int]:
        return {int(part) for part in (self.chosen or "").split(",") if part}


class FollowUpSurvey(TimestampMixin, db.Model):
    """The level-3 follow-up of an event: asked `weeks_after` weeks after its end, by email to the
    confirmed participants (sent_at marks it done)."""

    __tablename__ = "follow_up_surveys"
    __table_args__ = (
        UniqueConstraint("event_id"),
        CheckConstraint("weeks_after BETWEEN 1 AND 52", name="weeks_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    weeks_after: Mapped[int]
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()

    @property
    def due_at(self) -> datetime:
        return self.event.ends_at + timedelta(weeks=self.weeks_after)


class FollowUpAnswer(db.Model):
    __tablename__ = "follow_up_answers"
    __table_args__ = (
        UniqueConstraint("survey_id", "user_id"),
        CheckConstraint("applied BETWEEN 1 AND 5", name="applied_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("follow_up_surveys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    applied: Mapped[int]
    how: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
