"""Small factories for tests. Each returns a committed object.

Registrations, session sign-ups, lessons and follow-up actions are made directly, not through the
rules of app.registrations or app.lessons: tests of other packages must not depend on how those
rules create them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.models import Membership, MembershipStatus, Role, User
from app.accounts.passwords import hash_password
from app.directory.models import Organisation, OrganisationType, Project, Theme
from app.events.models import Event, EventKind, EventStatus, Session
from app.extensions import db
from app.facilities.models import Facility, FacilityKind
from app.lessons.models import (
    TLP,
    ActionStatus,
    FollowUpAction,
    Lesson,
    LessonKind,
    LessonStatus,
    LessonTransition,
)
from app.registrations import attendance
from app.registrations.models import (
    AttendanceDay,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionSignup,
    SessionSignupStatus,
)
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
        # Confirmed unless a test asks for an unconfirmed account (email_confirmed_at=None).
        email_confirmed_at=kw.pop("email_confirmed_at", now()),
        **kw,
    )
    db.session.add(account)
    if organisation is not None:  # as in reality: the organisation is an approved membership
        db.session.add(Membership(user=account, organisation_id=organisation.id, status=MembershipStatus.APPROVED,
                                  via="admin", requested_at=now(), decided_at=now()))
    db.session.commit()
    return account


def membership(user: User, organisation: Organisation, status="pending", *, is_admin: bool = False,
               via: str = "request", **kw) -> Membership:
    """A membership row as the rules would leave it (an approved one also sets the user's mirror,
    User.organisation_id; it does not end the user's other memberships)."""
    item = Membership(user_id=user.id, organisation_id=organisation.id, status=MembershipStatus(status),
                      is_admin=is_admin, via=via, requested_at=kw.pop("requested_at", now()), **kw)
    if item.status == MembershipStatus.APPROVED:
        item.decided_at = item.decided_at or now()
        user.organisation_id = organisation.id
    db.session.add(item)
    db.session.commit()
    return item


def organisation_admin(organisation: Organisation, **kw) -> User:
    """A member of the organisation who is one of its admins (contact persons)."""
    account = user(organisation=organisation, **kw)
    db.session.scalars(select(Membership).where(Membership.user_id == account.id)).one().is_admin = True
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


def facility(name: str | None = None, organisation: Organisation | None = None, *, themes=(), **kw) -> Facility:
    """An active facility (a training centre in Kyiv unless told otherwise)."""
    organisation = organisation or globals()["organisation"]()
    kw.setdefault("kind", FacilityKind.TRAINING_CENTRE)
    kw.setdefault("country", organisation.country or "UA")
    kw.setdefault("city", "Kyiv")
    item = Facility(name=name or f"Facility {_n()}", organisation_id=organisation.id, **kw)
    item.themes = list(themes)
    db.session.add(item)
    db.session.commit()
    return item


def event(title: str | None = None, *, starts_at: datetime | None = None, days: float = 1,
          status="published", kind="workshop", timezone: str = "Europe/Brussels",
          organisers=(), created_by: User | None = None, capacity: int | None = None, **kw):
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


def past_event(**kw):
    """An event that started three days ago and (by default, lasting two days) ended yesterday."""
    start = (now() - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return event(starts_at=start, days=kw.pop("days", 2), **kw)


def registration(event, user, status="confirmed", *, role="participant", checked_in: bool | datetime = False,
                 **kw) -> Registration:
    """`checked_in`: True (checked in as the event started) or the moment of the check-in. Other
    columns (registered_at, confirmed_at, dietary_needs, accessibility_needs, needs_visa_letter, ...)
    pass through; registered_at defaults to now, confirmed_at stays empty unless given."""
    item = Registration(
        event_id=event.id,
        user_id=user.id,
        status=RegistrationStatus(status),
        role=ParticipantRole(role),
        registered_at=kw.pop("registered_at", now()),
        checked_in_at=kw.pop("checked_in_at", event.starts_at if checked_in is True else (checked_in or None)),
        **kw,
    )
    db.session.add(item)
    db.session.commit()
    return item


def attendee(event, user, **kw) -> Registration:
    """A confirmed registration whose holder checked in shortly after the event started."""
    return registration(event, user, checked_in=event.starts_at + timedelta(minutes=5), **kw)


def attendance_day(registration: Registration, day_on, checked_in_at: datetime | None = None) -> AttendanceDay:
    """A check-in on one day of a several-day event (at 09:00 UTC that day unless given), written as
    the check-in desk does: the registration's checked_in_at follows (attendance.sync_checked_in)."""
    item = AttendanceDay(registration_id=registration.id, day_on=day_on,
                         checked_in_at=checked_in_at or datetime(day_on.year, day_on.month, day_on.day, 9, tzinfo=UTC))
    db.session.add(item)
    db.session.flush()
    attendance.sync_checked_in(registration)
    db.session.commit()
    return item


def session_attendance(registration: Registration, session: Session, checked_in_at: datetime | None = None
                       ) -> SessionAttendance:
    """A check-in at a session (as it starts unless given); the registration's checked_in_at follows."""
    item = SessionAttendance(registration_id=registration.id, session_id=session.id,
                             checked_in_at=checked_in_at or session.starts_at)
    db.session.add(item)
    db.session.flush()
    attendance.sync_checked_in(registration)
    db.session.commit()
    return item


def signup(session, user, status="confirmed", **kw) -> SessionSignup:
    item = SessionSignup(session_id=session.id, user_id=user.id, status=SessionSignupStatus(status), **kw)
    db.session.add(item)
    db.session.commit()
    return item


def lesson(event, author: User | None = None, *, title: str = "Radio interoperability failed",
           kind=LessonKind.OBSERVATION, status=LessonStatus.VALIDATED, tlp=TLP.GREEN, themes=(),
           session=None, **kw) -> Lesson:
    """A lesson with its one transition (into its current status), as the workflow would record."""
    item = Lesson(
        event_id=event.id,
        session_id=session.id if session else None,
        author_id=author.id if author else None,
        title=title,
        tlp=TLP(tlp),
        status=LessonStatus(status),
        kind=LessonKind(kind),
        observation=kw.pop("observation", "Teams could not talk across the border."),
        **kw,
    )
    item.themes = list(themes)
    db.session.add(item)
    db.session.flush()
    db.session.add(LessonTransition(lesson_id=item.id, to_status=item.status.value, at=now()))
    db.session.commit()
    return item


def action(owner: User | None = None, due_on=None, title: str = "Follow up", *, status=ActionStatus.OPEN,
           lesson: Lesson | None = None, event=None, **kw) -> FollowUpAction:
    """A follow-up action, owned by a user (or nobody), of a lesson and/or an event."""
    item = FollowUpAction(
        title=title,
        owner_user_id=owner.id if owner else None,
        due_on=due_on,
        status=ActionStatus(status),
        lesson_id=lesson.id if lesson else None,
        event_id=event.id if event else None,
        **kw,
    )
    db.session.add(item)
    db.session.commit()
    return item
