"""Registration questions an event's organisers ask (nationality, passport number, date of birth…)
and each registration's answers. Sensitive answers are erased a set number of days after the event
(app.registrations.answer_retention) and shown only to the event's own organisers."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, UTCDateTime, str_enum
from app.extensions import db

if TYPE_CHECKING:
    from app.registrations.models import Registration


class QuestionKind(LabelledEnum):
    TEXT = "text"
    CHOICE = "choice"
    YES_NO = "yes_no"
    DATE = "date"
    COUNTRY = "country"
    DOCUMENT_NUMBER = "document_number"

    __labels__ = {
        "text": _l("Text"), "choice": _l("Choice (one of a list)"), "yes_no": _l("Yes / no"),
        "date": _l("Date"), "country": _l("Country"), "document_number": _l("Document number"),
    }


class RegistrationQuestion(TimestampMixin, db.Model):
    __tablename__ = "registration_questions"
    __table_args__ = (
        Index("ix_registration_questions_event_id_position", "event_id", "position"),
        CheckConstraint("retention_days IS NULL OR retention_days >= 0", name="retention_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "question_kind"), default=QuestionKind.TEXT)
    help_text: Mapped[str | None] = mapped_column(String(500))
    # The options of a choice question, one a line.
    choices: Mapped[str | None] = mapped_column(Text)
    is_required: Mapped[bool] = mapped_column(default=False)
    # Sensitive answers: only the event's own organisers see them; erased retention_days after the event.
    is_sensitive: Mapped[bool] = mapped_column(default=False)
    retention_days: Mapped[int | None]
    answers_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in (self.choices or "").splitlines() if line.strip()]


class RegistrationAnswer(db.Model):
    __tablename__ = "registration_answers"
    __table_args__ = (
        UniqueConstraint("registration_id", "question_id"),
        Index("ix_registration_answers_question_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("registration_questions.id", ondelete="CASCADE"))
    # Text as typed; a date as YYYY-MM-DD, a country as its ISO code, yes/no as "yes" or "no".
    value: Mapped[str] = mapped_column(String(2000))

    registration: Mapped[Registration] = relationship(
        backref=backref("answers", cascade="all, delete-orphan", passive_deletes=True))
    question: Mapped[RegistrationQuestion] = relationship()
