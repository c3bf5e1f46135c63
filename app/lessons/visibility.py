"""Who may see an entry (TLP 2.0), as a SQL WHERE clause used by every query that reads entries.

- CLEAR: anyone who can see the event.
- GREEN: every signed-in member of the network.
- AMBER: members of the organisations whose people attended the event, the event's organisers and
  the coordinators.
- AMBER+STRICT: members of the organisations whose people attended, and the event's organisers.
- RED: only the people who attended (checked in), the event's organisers and the author.

"Attended" is registrations' one rule (app.registrations.attendance: a confirmed registration checked
in at the door, on a day or at a session); every attendance test below uses its attended_clause().
"The event's organisers" are its creator and co-organisers (not every coordinator: TLP is about
need-to-know, so a coordinator or an administrator sees AMBER+STRICT and RED entries only when they
organised or attended). On top of the marking, the workflow status narrows who sees an entry: a draft
is its author's alone; a submitted or rejected entry is seen by its author and by those who may
validate it (the event's organisers and coordinators) within the marking's audience.

Organisers appointed later (need-to-know, checked against an insider): being an organiser opens a
RED or AMBER+STRICT entry only when the entry's marking was set at or after the moment the person
became an organiser of its event (`Lesson.marked_at` >= `event_organisers.added_at`; the creator
counts from the event's creation, so always). Appointing someone co-organiser therefore never opens
the entries already marked RED or AMBER+STRICT: for those the person is in the audience only as a
non-organiser would be (they attended; for AMBER+STRICT, someone of their organisation attended).
"Unless they were in the audience when it was marked" is approximated by that attendance: the
application does not keep who was in the audience at each past moment. Re-marking an entry (even at
the same level through a raise and back) sets `marked_at` again, so the organisers of that moment see
it. Validation (can_validate) follows what a person may see, so a later co-organiser cannot validate
or re-mark an older RED entry either. An unknown time (NULL, rows older than the column) counts as
"from the start": an entry without marked_at counts as marked when it was created, a co-organiser
without added_at as appointed when the event was created.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import (
    Integer,
    all_,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.accounts.models import Role, User
from app.accounts.permissions import is_signed_in
from app.db import UTCDateTime
from app.events import access as event_access
from app.events.models import Event, EventStatus, event_organisers
from app.extensions import db
from app.lessons.models import SHAREABLE_MARKINGS, TLP, FollowUpAction, Lesson, LessonStatus
from app.registrations.attendance import attended_clause
from app.registrations.models import Registration
from app.roles import BoundUser

PUBLISHED_STATUSES = (LessonStatus.VALIDATED, LessonStatus.ACTIONED, LessonStatus.LEARNED)
UNDER_REVIEW_STATUSES = (LessonStatus.SUBMITTED, LessonStatus.REJECTED)


def is_coordinator(user) -> bool:
    return is_signed_in(user) and user.role in (Role.ADMIN, Role.COORDINATOR)


def attended_event_ids(user):
    """A subquery of the ids of the events `user` attended (attended_clause)."""
    return select(Registration.event_id).where(Registration.user_id == user.id, attended_clause()).correlate(None)


def organisation_attended_event_ids(organisation_id: int):
    """A subquery of the ids of the events someone of the organisation attended (attended_clause)."""
    return (
        select(Registration.event_id)
        .join(User, User.id == Registration.user_id)
        .where(User.organisation_id == organisation_id, attended_clause())
        .correlate(None)
    )


def marked_at():
    """When the entry's current marking was set (an unknown time: when the entry was created)."""
    return func.coalesce(Lesson.marked_at, Lesson.created_at)


@dataclass(frozen=True)
class ViewerFacts:
    """What the TLP rule needs to know about one signed-in viewer, read once (one query).

    Lists are bounded by the number of events; pass them to visible_lessons_clause(user, facts) so
    that queries which run several times per page (list, counts) do not each re-derive them."""

    organised: frozenset[int]  # events the viewer created or co-organises
    attended: frozenset[int]  # events the viewer attended
    organisation_attended: frozenset[int]  # events someone of the viewer's organisation attended
    hidden: frozenset[int] = frozenset()  # draft events the viewer may not see (event visibility)
    # The events the viewer co-organises (and did not create), with when they were appointed
    # (None: unknown, counts as from the start). Empty: every organised event counts from the start.
    appointed: tuple[tuple[int, object], ...] = ()


def viewer_facts(user) -> ViewerFacts | None:
    """The viewer's facts in one round trip (None for an anonymous visitor: nothing to read)."""
    if not is_signed_in(user):
        return None
    user = getattr(user, "_get_current_object", lambda: user)()  # current_user: one proxy lookup, not one a row
    statement = _facts_statement(user.role, user.organisation_id is not None)
    return facts_from_rows(user, db.session.execute(statement, viewer_parameters(user)).all())


@functools.cache
def _facts_statement(role, has_organisation: bool):
    return union_all(*fact_parts(bound_viewer(role, has_organisation)))


@functools.cache
def bound_viewer(role, has_organisation: bool) -> BoundUser:
    """A stand-in for every signed-in viewer of `role` with (or without) an organisation, its id and
    organisation the bound parameters `viewer_id` and `viewer_organisation_id`: fact_parts() of it
    builds a statement once, to execute with viewer_parameters(user) (building the statement anew for
    each request costs more than running it)."""
    organisation_id = bindparam("viewer_organisation_id", type_=Integer) if has_organisation else None
    return BoundUser(True, role, bindparam("viewer_id", type_=Integer), organisation_id)


def viewer_parameters(user) -> dict:
    return {"viewer_id": user.id, "viewer_organisation_id": user.organisation_id}


NOBODY = literal(None, Integer)
NEVER = cast(null(), UTCDateTime())


def fact_parts(user) -> list:
    """The SELECTs of viewer_facts (to UNION, also inside other statements: app.lessons.listing), each row
    (fact: a one-letter tag, event id, user id, since). `user` may be a bound_viewer()."""
    nobody, never = NOBODY, NEVER
    parts = [
        # The drafts the viewer may not see: the event rule asked of each draft row itself (an
        # unknown answer, e.g. a draft without a creator, counts as "may not see").
        select(literal("h").label("fact"), Event.id.label("event_id"), nobody.label("user_id"),
               never.label("since")).where(
            Event.status == EventStatus.DRAFT, not_(func.coalesce(event_access.visible_clause(user), false()))
        ),
        select(literal("c"), Event.id, nobody, never).where(Event.created_by_id == user.id),
        select(literal("k"), event_organisers.c.event_id, nobody, event_organisers.c.added_at)
        .where(event_organisers.c.user_id == user.id),
    ]
    if user.organisation_id is not None:
        # The viewer is a member of their organisation: one read gives both attendance facts.
        parts.append(
            select(literal("g"), Registration.event_id, Registration.user_id, never)
            .join(User, User.id == Registration.user_id)
            .where(User.organisation_id == user.organisation_id, attended_clause())
        )
    else:
        parts.append(
            select(literal("a"), Registration.event_id, Registration.user_id, never)
            .where(Registration.user_id == user.id, attended_clause())
        )
    return parts


FACT_TAGS = frozenset("hckag")


def facts_from_rows(user, rows) -> ViewerFacts:
    """ViewerFacts from the rows of fact_parts(user) (any further columns ignored)."""
    found: dict[str, set[int]] = {tag: set() for tag in FACT_TAGS}
    appointed: dict[int, object] = {}
    user_id = user.id
    for fact, event_id, attendee_id, since, *_rest in rows:
        found[fact].add(event_id)
        if fact == "k":
            appointed[event_id] = since
        if attendee_id == user_id:
            found["a"].add(event_id)
    return ViewerFacts(
        organised=frozenset(found["c"] | found["k"]),
        attended=frozenset(found["a"]),
        organisation_attended=frozenset(found["g"]),
        hidden=frozenset(found["h"]),
        appointed=tuple(sorted((event_id, since) for event_id, since in appointed.items()
                               if event_id not in found["c"] and since is not None)),
    )


def _visible_event(user):
    # Subqueries are never correlated: the clause is used inside queries that join events or users.
    return Lesson.event_id.in_(select(Event.id).where(event_access.visible_clause(user)).correlate(None))


def _id_array(ids):
    """The ids as an array written into the statement when executed (the compiled form stays cached):
    PostgreSQL hashes constant arrays for `= ANY` / `<> ALL`; a parameter's array, in the generic plan
    of a prepared statement (psycopg prepares at the 5th run), is scanned for every row."""
    return literal(sorted(ids), ARRAY(Integer), literal_execute=True)


def _event_in(ids):
    """Lesson.event_id in a list of ids: one array of constants on PostgreSQL (_id_array), an IN
    list elsewhere."""
    if not ids:
        return false()
    if db.engine.dialect.name == "postgresql":
        return Lesson.event_id == any_(_id_array(ids))
    return Lesson.event_id.in_(sorted(ids))


def _event_not_in(ids):
    if not ids:
        return true()
    if db.engine.dialect.name == "postgresql":
        return Lesson.event_id != all_(_id_array(ids))
    return Lesson.event_id.not_in(sorted(ids))


def facts_id_lists(facts: ViewerFacts) -> tuple[dict[str, frozenset[int]], list[tuple[object, frozenset[int]]]]:
    """The lists of event ids the rule tests for a viewer with `facts`, by name; the events they
    co-organise (not created) grouped by when they were appointed, in time order: [(since, ids)]."""
    later = dict(facts.appointed)
    by_time: dict[object, set[int]] = {}
    for event_id, since in later.items():
        by_time.setdefault(since, set()).add(event_id)
    strict_ids = facts.attended | facts.organisation_attended
    lists = {"hidden": facts.hidden, "organised": facts.organised, "from_start": facts.organised - set(later),
             "strict": strict_ids, "amber": strict_ids | facts.organised, "attended": facts.attended}
    return lists, [(since, frozenset(ids)) for since, ids in sorted(by_time.items())]


class _FactsTerms:
    """What the facts' clause tests, from the viewer's lists themselves."""
    def __init__(self, facts: ViewerFacts):
        self.lists, self.groups = facts_id_lists(facts)

    def event_in(self, name: str):
        return _event_in(self.lists[name])
    def event_not_in(self, name: str):
        return _event_not_in(self.lists[name])
    def organiser_when_marked(self):
        # Every organised event but the later appointments, and those only for entries marked since
        # (one term per appointment time: the co-organised events, grouped by when the viewer came in).
        return or_(self.event_in("from_start"),
                   *[and_(_event_in(ids), marked_at() >= since) for since, ids in self.groups])


def facts_clause(author_id, coordinator: bool, terms):
    """The rule for a signed-in viewer whose facts were read (visible_lessons_clause), its lists of
    ids given by `terms` (_FactsTerms, or app.lessons.listing's rows of facts in the statement)."""
    # Every entry has an event (NOT NULL foreign key): "not on a hidden event" = "on a visible one".
    event_visible = terms.event_not_in("hidden")
    organiser = terms.event_in("organised")
    # The entry's event is organised by the viewer, who was an organiser when it was marked.
    organiser_when_marked = terms.organiser_when_marked()
    # Folded in Python: each marking is one list of event ids; markings sharing an audience, one test.
    amber = () if coordinator else (and_(Lesson.tlp == TLP.AMBER, terms.event_in("amber")),)
    open_markings = (*SHAREABLE_MARKINGS, TLP.AMBER) if coordinator else SHAREABLE_MARKINGS
    audience = or_(
        Lesson.tlp.in_(open_markings),
        *amber,
        and_(Lesson.tlp == TLP.AMBER_STRICT, or_(terms.event_in("strict"), organiser_when_marked)),
        and_(Lesson.tlp == TLP.RED, or_(terms.event_in("attended"), organiser_when_marked)),
    )
    return _visible_if(author_id, coordinator, event_visible, organiser, audience)


def _visible_if(author_id, coordinator: bool, event_visible, organiser, audience):
    status_allowed = or_(
        Lesson.status.in_(PUBLISHED_STATUSES),
        and_(Lesson.status.in_(UNDER_REVIEW_STATUSES), true() if coordinator else organiser),
    )
    # The event's test (a hashed look-up) last: the status and marking turn most entries away first.
    return or_(Lesson.author_id == author_id, and_(status_allowed, audience, event_visible))


def _organiser_when_marked(user):
    """The same from the database: the creator always; a co-organiser for entries marked since."""
    appointed_before = (
        select(event_organisers.c.event_id)
        .where(event_organisers.c.event_id == Lesson.event_id, event_organisers.c.user_id == user.id,
               or_(event_organisers.c.added_at.is_(None), event_organisers.c.added_at <= marked_at()))
        .correlate(Lesson)
    )
    created = select(Event.id).where(Event.created_by_id == user.id).correlate(None)
    return or_(Lesson.event_id.in_(created), exists(appointed_before))


def visible_lessons_clause(user, facts: ViewerFacts | None = None):
    """The WHERE clause selecting the entries `user` may see. Use it in EVERY query on lessons.

    With `facts` (from viewer_facts(user), read in the same request) the organiser/attendance
    sub-queries become lists of event ids; the rule is the same either way.
    """
    if not is_signed_in(user):
        return and_(_visible_event(user), Lesson.status.in_(PUBLISHED_STATUSES), Lesson.tlp == TLP.CLEAR)
    coordinator = is_coordinator(user)
    if facts is not None:
        return facts_clause(user.id, coordinator, _FactsTerms(facts))
    event_visible = _visible_event(user)
    organiser = Lesson.event_id.in_(event_access.organised_event_ids(user.id))
    organiser_when_marked = _organiser_when_marked(user)
    attended = Lesson.event_id.in_(attended_event_ids(user))
    if user.organisation_id is not None:
        organisation_attended = Lesson.event_id.in_(organisation_attended_event_ids(user.organisation_id))
    else:
        organisation_attended = false()
    audience = or_(
        Lesson.tlp.in_(SHAREABLE_MARKINGS),
        and_(Lesson.tlp == TLP.AMBER,
             or_(organisation_attended, attended, organiser, true() if coordinator else false())),
        and_(Lesson.tlp == TLP.AMBER_STRICT, or_(organisation_attended, attended, organiser_when_marked)),
        and_(Lesson.tlp == TLP.RED, or_(attended, organiser_when_marked)),
    )
    return _visible_if(user.id, coordinator, event_visible, organiser, audience)


def _entries_open_to_role(user):
    """The entries a role alone opens, for a viewer who is no person (the network-wide reports,
    built for "a coordinator"): the published CLEAR, GREEN and (for coordinators) AMBER entries."""
    markings = (*SHAREABLE_MARKINGS, TLP.AMBER) if is_coordinator(user) else SHAREABLE_MARKINGS
    return and_(Lesson.status.in_(PUBLISHED_STATUSES), Lesson.tlp.in_(markings))


def action_owner_clause(user):
    """The actions `user` owns: assigned to them, created by them, assigned to their organisation
    (its members: the organisation is to do it) or to their own confirmed email address."""
    terms = [FollowUpAction.owner_user_id == user.id, FollowUpAction.created_by_id == user.id]
    if getattr(user, "organisation_id", None):
        terms.append(FollowUpAction.owner_organisation_id == user.organisation_id)
    if getattr(user, "is_confirmed", False) and user.email:
        terms.append(FollowUpAction.owner_contact == user.email.lower())
    return or_(*terms)


def visible_actions_clause(user, facts: ViewerFacts | None = None):
    """The WHERE clause selecting the follow-up actions `user` may see. Use it in EVERY query on
    actions (pages, lists, counts, dashboards, digests).

    An action inherits its entry's visibility: it is seen by whoever may see the entry. Its owners
    (action_owner_clause) see it too, but only the action's own text: the entry stays a neutral
    reference for them (app.lessons.notices.entry_reference) unless they may see it. An action on the
    event itself (no entry) is seen by its owners, the event's organisers and the coordinators (on
    an event they may see).
    """
    if not is_signed_in(user):
        return false()
    if getattr(user, "id", None) is None:  # a role, not a person
        entries = select(Lesson.id).where(_entries_open_to_role(user)).correlate(None)
        return or_(FollowUpAction.lesson_id.in_(entries),
                   and_(FollowUpAction.lesson_id.is_(None), true() if is_coordinator(user) else false()))
    entries = select(Lesson.id).where(visible_lessons_clause(user, facts)).correlate(None)
    if is_coordinator(user):
        event_ids = select(Event.id).where(event_access.visible_clause(user)).correlate(None)
    else:
        event_ids = event_access.organised_event_ids(user.id)
    return or_(
        action_owner_clause(user),
        FollowUpAction.lesson_id.in_(entries),
        and_(FollowUpAction.lesson_id.is_(None), FollowUpAction.event_id.in_(event_ids)),
    )


def can_see_action(user, action: FollowUpAction) -> bool:
    """The same rule for one action, asked of the database."""
    return bool(db.session.scalar(
        select(exists().where(FollowUpAction.id == action.id, visible_actions_clause(user)))
    ))


def can_see(user, lesson: Lesson) -> bool:
    """The same rule for one entry, asked of the database so pages and lists always agree."""
    return bool(
        db.session.scalar(select(exists().where(Lesson.id == lesson.id, visible_lessons_clause(user))))
    )


def visible_ids(user, ids) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(Lesson.id).where(Lesson.id.in_(ids), visible_lessons_clause(user))))


def can_validate(user, lesson: Lesson) -> bool:
    """Coordinators and the event's organisers validate, among those who may see the entry."""
    if not (is_coordinator(user) or event_access.is_own_organiser(user, lesson.event)):
        return False
    return can_see(user, lesson)
