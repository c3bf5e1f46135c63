"""Report snapshots: built reports shared by every web worker (see app.reports.cache)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime
from app.extensions import db


class ReportSnapshot(db.Model):
    """One row per shared report (e.g. the network's dashboard without filter): its figures as JSON,
    when they were produced, and since when a process is rebuilding them (so only one does)."""

    __tablename__ = "report_snapshots"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    produced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payload: Mapped[str | None] = mapped_column(Text)
    refresh_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ParticipationTally(db.Model):
    """A person's participation figures, kept exact by the database's triggers (app.reports.tallies):
    their confirmed registrations at published events, how many they attended, those at events the
    tallies count as held (Event.tallied_held) and attended there, and how many trained them. One row
    per person with at least one such registration; the network-wide report reads these ~20,000 rows
    instead of aggregating every registration (app.reports.participants)."""

    __tablename__ = "participation_tallies"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    registrations: Mapped[int] = mapped_column(default=0)
    attended: Mapped[int] = mapped_column(default=0)
    held_registrations: Mapped[int] = mapped_column(default=0)
    held_attended: Mapped[int] = mapped_column(default=0)
    trained: Mapped[int] = mapped_column(default=0)
