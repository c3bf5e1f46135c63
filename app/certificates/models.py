"""Certificates: the per-event settings (rule, hours, issuer, images) and the issued records.

A record keeps what the certificate said when it was issued (holder, training, dates, hours, issuer),
so verifying it still answers after the event is edited or deleted."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, UTCDateTime, str_enum
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.events.models import Session


class AttendanceRule(LabelledEnum):
    ANY_DAY = "any_day"
    ALL_DAYS = "all_days"

    __labels__ = {
        "any_day": _l("Checked in at the event at least once"),
        "all_days": _l("Checked in on every day of the event"),
    }


class CertificateSettings(db.Model):
    """One row per event that changed the defaults (no row: the defaults)."""

    __tablename__ = "certificate_settings"
    __table_args__ = (
        CheckConstraint("training_hours IS NULL OR training_hours > 0", name="hours_positive"),
        CheckConstraint("minimum_score IS NULL OR (minimum_score >= 0 AND minimum_score <= 100)",
                        name="score_in_range"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    attendance_rule: Mapped[AttendanceRule] = mapped_column(
        str_enum(AttendanceRule, "certificate_attendance_rule"), default=AttendanceRule.ANY_DAY)
    minimum_score: Mapped[int | None]
    training_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    signatory_name: Mapped[str | None] = mapped_column(String(200))
    # PNG bytes, re-encoded by Pillow on upload (app.certificates.images): never the uploaded file.
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Certificate(db.Model):
    __tablename__ = "certificates"
    __table_args__ = (
        # One certificate per person per event ("e<id>") or session ("s<id>").
        UniqueConstraint("user_id", "scope_key", name="uq_certificates_user_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    scope_key: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="SET NULL"),
                                                        index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    holder_organisation: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(400))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    issuer_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    session: Mapped[Session | None] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<Certificate {self.number}>"
