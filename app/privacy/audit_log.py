"""The admins' audit log: entries newest first, filtered by who, what, which object and when.
Filter values come from the address bar: each is checked, and a bad one is a clear message."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.errors import RuleError
from app.extensions import db

PER_PAGE = 50
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]*)?$")
_SUBJECT_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
MAX_ID = 2**31 - 1


class AuditFilterError(RuleError):
    """A filter value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class AuditFilter:
    who: str = ""
    what: str = ""
    subject_type: str = ""
    subject_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def is_empty(self) -> bool:
        return self == AuditFilter()


def _date(value: str, message, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AuditFilterError(message, field) from None


def _subject_id(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise AuditFilterError(_l("Object id: enter a whole number (the id of the object)."), "subject_id")
    return int(value)


def parse_filter(args) -> AuditFilter:
    """The filter from the query string; raises AuditFilterError on a value it cannot use."""
    who = (args.get("who") or "").strip()
    what = (args.get("what") or "").strip()
    subject_type = (args.get("subject_type") or "").strip()
    if len(who) > 100:
        raise AuditFilterError(_l("Who: at most 100 characters."), "who")
    if what and (len(what) > 64 or not _ACTION.match(what)):
        raise AuditFilterError(_l("What: choose an action from the list (for example lesson.)."), "what")
    if subject_type and not _SUBJECT_TYPE.match(subject_type):
        raise AuditFilterError(_l("Object: choose a kind of object from the list."), "subject_type")
    subject_id = _subject_id((args.get("subject_id") or "").strip())
    if subject_id is not None and not subject_type:
        raise AuditFilterError(_l("Object id: choose the kind of object too."), "subject_type")
    date_from = _date((args.get("from") or "").strip(), _l("From: enter a date as YYYY-MM-DD (for example 2026-03-01)."), "from")
    date_to = _date((args.get("to") or "").strip(), _l("To: enter a date as YYYY-MM-DD (for example 2026-03-01)."), "to")
    if date_from and date_to and date_from > date_to:
        raise AuditFilterError(_l("The period ends before it starts."), "to")
    return AuditFilter(who, what, subject_type, subject_id, date_from, date_to)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def audit_query(chosen: AuditFilter) -> Select:
    """Entries matching the filter, newest first, each with its actor (one query per page)."""
    query = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.at.desc(),
                                                                              AuditEntry.id.desc())
    if chosen.who:
        like = f"%{chosen.who.lower()}%"
        actors = select(User.id).where(or_(func.lower(User.name).like(like), User.email.like(like)))
        query = query.where(AuditEntry.actor_id.in_(actors))
    if chosen.what:
        query = query.where(AuditEntry.action.startswith(chosen.what, autoescape=True))
    if chosen.subject_type:
        query = query.where(AuditEntry.subject_type == chosen.subject_type)
    if chosen.subject_id is not None:
        query = query.where(AuditEntry.subject_id == chosen.subject_id)
    if chosen.date_from:
        query = query.where(AuditEntry.at >= _instant(chosen.date_from))
    if chosen.date_to:
        query = query.where(AuditEntry.at < _instant(chosen.date_to + timedelta(days=1)))
    return query


@dataclass(frozen=True)
class Choices:
    actions: list[str]
    prefixes: list[str]
    subject_types: list[str]


def filter_choices() -> Choices:
    """The actions and kinds of object found in the log (for the filter's selects): one query."""
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.subject_type).distinct()).all()
    actions = sorted({action for action, _ in rows})
    prefixes = sorted({action.split(".")[0] + "." for action in actions if "." in action})
    return Choices(actions, prefixes, sorted({subject for _, subject in rows}))
