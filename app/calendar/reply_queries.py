"""What organisers read about calendar replies: the latest on the participant list and on one
participant's page. Bounded queries."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import joinedload

from app.calendar.models import CalendarReply, ReplyOutcome
from app.extensions import db
from app.registrations import participant_list
from app.registrations.models import Registration

# The replies an organiser learns from (those matching nothing are not about their event).
SHOWN = (ReplyOutcome.APPLIED, ReplyOutcome.PENDING_CONFIRMATION, ReplyOutcome.CONFIRMED, ReplyOutcome.IGNORED_FORGED)
LIST_LIMIT = 50

# Whether the event has replies to show, read with the participant list's facets: most have none.
HAS_REPLIES = "calendar.has_replies"
participant_list.register_fact(
    HAS_REPLIES, lambda event_id: exists().where(CalendarReply.event_id == event_id, CalendarReply.outcome.in_(SHOWN)),
    ("calendar_replies",))


def _shown():
    return (select(CalendarReply)
            .options(joinedload(CalendarReply.registration).joinedload(Registration.user),
                     joinedload(CalendarReply.session))
            .where(CalendarReply.outcome.in_(SHOWN))
            .order_by(CalendarReply.received_at.desc(), CalendarReply.id.desc()))


def event_replies(event_id: int) -> list[CalendarReply]:
    """The latest replies about an event, newest first (on every participant list: the statement
    is built once, its cache key with it); none asked for when the list read that there are none."""
    if participant_list.fact_absent(event_id, HAS_REPLIES):
        return []
    return list(db.session.scalars(_event_replies_statement(), {"event_id": event_id}).all())


@functools.cache
def _event_replies_statement():
    return _shown().where(CalendarReply.event_id == bindparam("event_id")).limit(LIST_LIMIT)


def registration_replies(registration_id: int) -> list[CalendarReply]:
    return list(db.session.scalars(
        _shown().where(CalendarReply.registration_id == registration_id).limit(10)).all())
