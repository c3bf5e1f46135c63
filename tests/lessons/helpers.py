"""Test helpers for lessons: registrations that attended, and entries in a given state."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.lessons.models import TLP, Lesson, LessonKind, LessonStatus, LessonTransition
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now


def registration(event, user, *, status=RegistrationStatus.CONFIRMED, checked_in=True):
    item = Registration(
        event_id=event.id,
        user_id=user.id,
        status=status,
        registered_at=now(),
        confirmed_at=now() if status == RegistrationStatus.CONFIRMED else None,
        checked_in_at=event.starts_at + timedelta(minutes=5) if checked_in else None,
    )
    db.session.add(item)
    db.session.commit()
    return item


def lesson(event, author, *, title="Radio interoperability failed", tlp=TLP.GREEN,
           status=LessonStatus.VALIDATED, kind=LessonKind.OBSERVATION, themes=(), **kw):
    item = Lesson(
        event_id=event.id,
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


def past_event(make, **kw):
    """An event that ended yesterday."""
    start = (now() - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return make.event(starts_at=start, days=kw.pop("days", 2), **kw)


class QueryCounter:
    """Counts the SQL statements sent to the engine inside a `with` block."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)
