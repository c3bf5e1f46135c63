"""Who may see and manage an event — used by every view and query that touches events.

The one home of the events package's organiser rule: an event's own organisers are its creator and
its co-organisers (`organiser_ids`, `organised_clause`); it is managed by them and by coordinators
and admins (`is_organiser_of`, `managed_clause`).

Drafts are visible only to their organisers (creator and co-organisers) and admins. Published and
cancelled events are visible to everyone (cancelled ones clearly marked).
"""

from __future__ import annotations

from flask import abort, request
from sqlalchemy import Integer, bindparam, exists, inspect, or_, select

from app.accounts.models import Role
from app.accounts.permissions import is_signed_in, unproxied
from app.cache import event_stamps, fragments, raw
from app.events.models import Event, EventStatus, event_organisers
from app.extensions import db
from app.request_store import request_dict


def _co_organises(user_id: int, event_id: int) -> bool:
    """Is the user a co-organiser of the event? Asked once per request for each (user, event).

    An event page asks it from several places (the page, the registration box, the calendar and
    lessons boxes); within a request the answer is kept on flask.g. Outside a request (services,
    CLI, scheduler) it is always asked afresh."""
    cache = _request_cache()
    key = (user_id, event_id)
    if cache is not None and key in cache:
        return cache[key]

    def ask() -> bool:
        return bool(db.session.scalar(
            select(exists().where(event_organisers.c.event_id == event_id, event_organisers.c.user_id == user_id))
        ))

    if cache is not None and request.method in ("GET", "HEAD"):
        # Pages remember the answer across requests until the organisers of any event change.
        answer = fragments.remember("events.co_organises", (user_id, event_id), ("event_organisers",), ask)
    else:
        answer = ask()
    if cache is not None:
        cache[key] = answer
    return answer


def _request_cache() -> dict | None:
    """{(user id, event id): answer} for this request, or None outside one."""
    return request_dict("_co_organiser_cache")


def note_co_organiser(user_id: int, event_id: int, answer: bool) -> None:
    """Record the answer read along with the event (events.page_facts) for the rest of this request."""
    cache = _request_cache()
    if cache is not None:
        cache[(user_id, event_id)] = answer


def forget_organisers(event_id: int | None = None) -> None:
    """Drop memoised answers (after changing an event's organisers within the same request)."""
    cache = _request_cache()
    if cache is not None:
        for key in [k for k in cache if event_id is None or k[1] == event_id]:
            del cache[key]


def is_own_organiser(user, event: Event) -> bool:
    """The event's creator or a co-organiser (its own organisers, whatever their global role)."""
    user = unproxied(user)
    if not is_signed_in(user):
        return False
    return event.created_by_id == user.id or _co_organises(user.id, event.id)


def is_organiser_of(user, event: Event) -> bool:
    """Creator, co-organisers, coordinators and admins manage an event."""
    user = unproxied(user)
    if is_signed_in(user) and user.role in (Role.ADMIN, Role.COORDINATOR):
        return True
    return is_own_organiser(user, event)


def organiser_ids(event: Event) -> set[int]:
    """The ids of the event's creator and co-organisers (its own organisers; coordinators and
    admins, who manage every event, are not counted)."""
    ids = {user.id for user in event.organisers}
    if event.created_by_id:
        ids.add(event.created_by_id)
    return ids


def own_organisers(event: Event) -> list:
    """The event's creator and co-organisers with active accounts, each once (whom to tell)."""
    people: dict[int, object] = {}
    for user in [event.created_by, *event.organisers]:
        if user is not None and user.is_active_account:
            people.setdefault(user.id, user)
    return list(people.values())


def can_view(user, event: Event) -> bool:
    if event.status != EventStatus.DRAFT:
        return True
    if not is_signed_in(user):
        return False
    if user.role == Role.ADMIN or event.created_by_id == user.id:
        return True
    return _co_organises(user.id, event.id)


def organised_clause(user_id: int):
    """A WHERE clause selecting the events the user created or co-organises (their own events,
    whatever their role)."""
    own = exists().where(event_organisers.c.event_id == Event.id, event_organisers.c.user_id == user_id)
    return or_(Event.created_by_id == user_id, own)


def organised_event_ids(user_id: int):
    """A subquery of the ids of the events the user created or co-organises (organised_clause's
    events, for IN tests outside an events query)."""
    return select(Event.id).where(Event.created_by_id == user_id).correlate(None).union(
        select(event_organisers.c.event_id).where(event_organisers.c.user_id == user_id).correlate(None)
    )


def visible_clause(user):
    """A WHERE clause selecting the events `user` may see (use it in every events query)."""
    return visible_clause_of(visible_shape(user), user.id if is_signed_in(user) else None)


def visible_shape(user) -> str:
    """Which rule of visible_clause applies to `user`: "visitor", "admin" or "member" (everyone else
    signed in), so a statement built once per shape can bind the user's id (app.events.list_rows)."""
    if not is_signed_in(user):
        return "visitor"
    return "admin" if user.role == Role.ADMIN else "member"


def visible_clause_of(shape: str, user_id):
    """visible_clause for a visible_shape, `user_id` a value or a bound parameter."""
    not_draft = Event.status != EventStatus.DRAFT
    if shape == "visitor":
        return not_draft
    if shape == "admin":
        return Event.id.is_not(None)
    return or_(not_draft, organised_clause(user_id))


def managed_clause(user):
    """A WHERE clause selecting the events `user` organises."""
    return managed_clause_of(managed_shape(user), user.id if is_signed_in(user) else None)


def managed_shape(user) -> str:
    """Which rule of managed_clause applies to `user`: "nobody", "all" or "own"."""
    if not is_signed_in(user):
        return "nobody"
    return "all" if user.role in (Role.ADMIN, Role.COORDINATOR) else "own"


def managed_clause_of(shape: str, user_id, *, by_ids: bool = False):
    """managed_clause for a managed_shape, `user_id` a value or a bound parameter. With `by_ids`, a
    user's own events as an IN over organised_event_ids: found from the user's side by their
    indexes, where organised_clause's OR is tested on every event the rest of the query selects."""
    if shape == "nobody":
        return Event.id.is_(None)
    if shape == "all":
        return Event.id.is_not(None)
    return Event.id.in_(organised_event_ids(user_id)) if by_ids else organised_clause(user_id)


def _by_id(dialect_name: str):
    """The event by its id (its columns by attribute) with its scoped change stamps."""
    event_id = bindparam("event_id", type_=Integer)
    return select(*raw.columns_by_attribute(Event), event_stamps.packed_column(dialect_name, event_id)).where(
        Event.id == event_id)


def _load(event_id: int) -> Event | None:
    """The event by id (from the identity map when it is there), read with its scoped change stamps
    (app.cache.event_stamps) so that the page's entries scoped to it ask no statement of their own;
    on the DBAPI cursor (app.cache.raw), the row made into the Event as the ORM would."""
    if inspect(Event).identity_key_from_primary_key([event_id]) in db.session.identity_map:
        return db.session.get(Event, event_id)
    dialect_name = db.session.get_bind().dialect.name
    row, plan = raw.read(db.session, _by_id, lambda: _by_id(dialect_name), {"event_id": event_id})
    if row is None:
        return None
    event_stamps.prime(event_id, row[-1])
    return raw.loaded_from_row(db.session(), Event, plan, row, len(row) - 1)


def get_visible_or_404(event_id: int, user) -> Event:
    event = _load(event_id)
    if event is None or not can_view(user, event):
        abort(404)
    return event


def get_managed_or_404(event_id: int, user) -> Event:
    """The event if `user` organises it; 404 if they cannot see it, 403 if they only can see it."""
    event = get_visible_or_404(event_id, user)
    if not is_organiser_of(user, event):
        abort(403)
    return event
