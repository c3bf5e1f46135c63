"""Study-visit logistics: each participant's arrival, departure and accommodation, and the event's
travel settings (logistics on or off, the visa support letter's template and which registration
questions hold the nationality, the document number and the date of birth)."""

from __future__ import annotations

from datetime import date, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, str_enum
from app.extensions import db
from app.registrations.models import Registration


class TravelMode(LabelledEnum):
    FLIGHT = "flight"
    TRAIN = "train"
    BUS = "bus"
    CAR = "car"
    OTHER = "other"

    __labels__ = {"flight": _l("Flight"), "train": _l("Train"), "bus": _l("Bus"), "car": _l("Car"),
                  "other": _l("Other")}


class TravelSettings(TimestampMixin, db.Model):
    __tablename__ = "travel_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    logistics_enabled: Mapped[bool] = mapped_column(default=False)
    letter_template: Mapped[str | None] = mapped_column(Text)
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    nationality_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_questions.id", ondelete="SET NULL"))
    document_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_questions.id", ondelete="SET NULL"))
    birth_date_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration_questions.id", ondelete="SET NULL"))


class TravelPlan(TimestampMixin, db.Model):
    __tablename__ = "travel_plans"
    __table_args__ = (
        CheckConstraint("check_out_on IS NULL OR check_in_on IS NULL OR check_out_on >= check_in_on",
                        name="check_out_after_check_in"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    arrival_on: Mapped[date | None]
    arrival_time: Mapped[time | None]
    arrival_mode: Mapped[TravelMode | None] = mapped_column(str_enum(TravelMode, "travel_mode"))
    arrival_number: Mapped[str | None] = mapped_column(String(40))
    departure_on: Mapped[date | None]
    departure_time: Mapped[time | None]
    departure_mode: Mapped[TravelMode | None] = mapped_column(str_enum(TravelMode, "departure_travel_mode"))
    departure_number: Mapped[str | None] = mapped_column(String(40))
    hotel: Mapped[str | None] = mapped_column(String(200))
    check_in_on: Mapped[date | None]
    check_out_on: Mapped[date | None]

    registration: Mapped[Registration] = relationship()

    @property
    def nights(self) -> int | None:
        if self.check_in_on is None or self.check_out_on is None:
            return None
        return (self.check_out_on - self.check_in_on).days
