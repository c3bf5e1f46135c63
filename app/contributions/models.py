"""Calls for topics and contributions (issue 22, co-preparation): an event's call, the proposals its
participants make, and who supports them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import LabelledEnum, TimestampMixin, UTCDateTime, str_enum
from app.events.models import SessionKind
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.events.models import Event, Session


class ProposalKind(LabelledEnum):
    TOPIC = "topic"
    CASE = "case"
    QUESTION = "question"

    __labels__ = {"topic": _l("A topic to discuss"), "case": _l("A case to present"),
                  "question": _l("A question to answer")}


class ProposalStatus(LabelledEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    MERGED = "merged"
    SCHEDULED = "scheduled"
    WITHDRAWN = "withdrawn"

    __labels__ = {
        "submitted": _l("Waiting for review"), "accepted": _l("Accepted"), "declined": _l("Declined"),
        "merged": _l("Merged"), "scheduled": _l("On the agenda"), "withdrawn": _l("Withdrawn"),
    }


class ContributionCall(TimestampMixin, db.Model):
    """One call per event. Open until `deadline_at` (derived from time: nothing closes it)."""

    __tablename__ = "contribution_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    intro: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set by the scheduler once the organisers were told how many proposals came in.
    closed_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event] = relationship()

    def is_open(self, at: datetime) -> bool:
        return at < self.deadline_at


class Proposal(TimestampMixin, db.Model):
    __tablename__ = "proposals"
    __table_args__ = (Index("ix_proposals_event_id_status", "event_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ProposalKind] = mapped_column(str_enum(ProposalKind, "proposal_kind"))
    session_kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "proposal_session_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.SUBMITTED
    )
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id])
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id])
    session: Mapped[Session | None] = relationship()

    @property
    def is_live(self) -> bool:
        """Still in play: waiting, accepted or on the agenda."""
        return self.status in (ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED, ProposalStatus.SCHEDULED)


class ProposalSupport(db.Model):
    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    supported_at: Mapped[datetime] = mapped_column(UTCDateTime())
