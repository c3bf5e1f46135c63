"""Report snapshots: built reports shared by every web worker (see app.reports.cache)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
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
