"""Small factories for tests. Each returns a committed object."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from app.accounts.models import Role, User
from app.accounts.passwords import hash_password
from app.directory.models import Organisation, OrganisationType, Project, Theme
from app.extensions import db
from app.timeutil import now

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _n() -> int:
    return next(_counter)


def organisation(name: str | None = None, country: str = "UA", type=OrganisationType.LAW_ENFORCEMENT, **kw):
    org = Organisation(name=name or f"National Police Unit {_n()}", country=country, type=type, **kw)
    db.session.add(org)
    db.session.commit()
    return org


def user(role: Role | str = Role.MEMBER, email: str | None = None, name: str | None = None,
         password: str = PASSWORD, organisation: Organisation | None = None, **kw) -> User:
    n = _n()
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    account = User(
        email=email or f"user{n}@example.org",
        name=name or f"Test User {n}",
        password_hash=_hash_cache[password],
        role=Role(role),
        organisation_id=organisation.id if organisation else None,
        timezone=kw.pop("timezone", "Europe/Brussels"),
        **kw,
    )
    db.session.add(account)
    db.session.commit()
    return account


def project(acronym: str | None = None, **kw) -> Project:
    item = Project(acronym=acronym or f"PRJ{_n()}", title=kw.pop("title", "A security research project"), **kw)
    db.session.add(item)
    db.session.commit()
    return item


def theme(name: str | None = None, empact_cycle: str | None = None) -> Theme:
    item = Theme(name=name or f"Theme {_n()}", empact_cycle=empact_cycle)
    db.session.add(item)
    db.session.commit()
    return item


def event(title: str | None = None, *, starts_at: datetime | None = None, days: float = 1,
          status="published", kind="workshop", timezone: str = "Europe/Brussels",
          organisers=(), created_by: User | None = None, capacity: int | None = None, **kw):
    from app.events.models import Event, EventKind, EventStatus

    start = starts_at or (now() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    item = Event(
        title=title or f"Workshop {_n()}",
        kind=EventKind(kind),
        status=EventStatus(status),
        starts_at=start,
        ends_at=kw.pop("ends_at", start + timedelta(days=days)),
        timezone=timezone,
        capacity=capacity,
        created_by_id=created_by.id if created_by else None,
        **kw,
    )
    item.organisers = list(organisers)
    db.session.add(item)
    db.session.commit()
    return item


def session(event, title: str | None = None, *, starts_at: datetime | None = None,
            hours: float = 1, **kw):
    from app.events.models import Session

    start = starts_at or event.starts_at
    item = Session(
        event_id=event.id,
        title=title or f"Session {_n()}",
        starts_at=start,
        ends_at=kw.pop("ends_at", start + timedelta(hours=hours)),
        **kw,
    )
    db.session.add(item)
    db.session.commit()
    return item
