"""The scheduler's lease (one active process) and each job's last run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime
from app.extensions import db


class SchedulerLease(db.Model):
    """A single row per lease name; the holder renews it, others take it over once it expires."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(200))
    acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The fencing token: raised each time a different holder takes the lease (app.scheduler.fencing).
    generation: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")


class JobRun(db.Model):
    """The last run of each scheduler job (one row per job id)."""

    __tablename__ = "job_runs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_detail: Mapped[str | None] = mapped_column(Text)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    holder: Mapped[str | None] = mapped_column(String(200))
