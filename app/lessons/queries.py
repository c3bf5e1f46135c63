"""What the lessons pages read: bounded read-side queries the views call (never a write).

Every query on entries goes through visibility.visible_lessons_clause.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, exists, func, literal, null, or_, select, union_all
from sqlalchemy.orm import defer, joinedload, load_only, selectinload

from app.accounts.models import User
from app.audit.models import AuditEntry
from app.cache import fragments, raw
from app.directory.models import Organisation, Theme
from app.events import access as event_access
from app.events import page_facts
from app.events.models import Event, Session, agenda_order
from app.extensions import db
from app.lessons import bound_rule, visibility
from app.lessons.models import (
    OPEN_ACTION_STATES,
    TLP,
    ActionNote,
    ActionStatus,
    FollowUpAction,
    Lesson,
    LessonTransition,
    Summary,
    SummaryVersion,
)
from app.pagination import Page, paginate
from app.roles import BoundUser, is_signed_in

# --- entries ---------------------------------------------------------------------------------


def event_entries(user, event: Event, limit: int) -> tuple[list[Lesson], int]:
    """The newest `limit` entries of the event `user` may see, and how many there are (1 query:
    the entries with the count as a window over the same rows, their themes joined). Only the
    columns an entry's line shows are loaded. An event without entries (every upcoming one, mostly:
    entries are recorded after the event) is answered by one prebuilt EXISTS instead, without
    building the visibility rule, or on the event page by what it read with the event (page_facts)."""
    has_entries = page_facts.known(event.id, HAS_ENTRIES)
    if has_entries is page_facts.UNKNOWN:
        has_entries = db.session.execute(_has_entries_statement(), {"event_id": event.id}).scalar()
    if not has_entries:
        return [], 0
    rows = db.session.execute(
        select(Lesson, func.count().over())
        .where(Lesson.event_id == event.id, visibility.visible_lessons_clause(user))
        # The themes joined too: the LIMIT applies to the entries (SQLAlchemy nests it), one statement.
        .options(load_only(*ENTRY_LINE_COLUMNS), joinedload(Lesson.author).load_only(User.id, User.name),
                 joinedload(Lesson.themes))
        .order_by(Lesson.created_at.desc(), Lesson.id.desc()).limit(limit)
    ).unique().all()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


@functools.cache
def _has_entries_statement():
    return select(exists().where(Lesson.event_id == bindparam("event_id")))


# The same question, read with the event by its page (app.events.page_facts).
HAS_ENTRIES = "lessons.has_entries"
page_facts.register(HAS_ENTRIES, lambda event_id: exists().where(Lesson.event_id == event_id))


# What a line of a list of entries shows (templates/lessons/_macros.html: entry_item).
ENTRY_LINE_COLUMNS = (Lesson.id, Lesson.event_id, Lesson.author_id, Lesson.title, Lesson.kind, Lesson.status,
                      Lesson.tlp, Lesson.created_at)


def visible_lesson(user, lesson_id: int) -> Lesson | None:
    """The entry with what its page shows loaded, or None when `user` may not see it. The statement
    is built once per shape of viewer (_entry_statement), the viewer's id a parameter."""
    if is_signed_in(user):
        statement = _entry_statement(user.role, user.organisation_id is not None, db.engine.dialect)
        parameters = {**visibility.viewer_parameters(user), "lesson_id": lesson_id}
    else:
        statement, parameters = _entry_statement(None, False, db.engine.dialect), {"lesson_id": lesson_id}
    return db.session.execute(statement, parameters).unique().scalar_one_or_none()


@functools.lru_cache(maxsize=16)
def _entry_statement(role, has_organisation: bool, dialect):
    """visible_lesson's statement for every viewer of `role` (None: an anonymous visitor) with (or
    without) an organisation: the rule bound (app.lessons.bound_rule, its constants written in its text
    so PostgreSQL keeps a generic plan; it planned the rule built per request anew at every run, ~1 ms
    of its ~1.6 ms), the entry's id the parameter `lesson_id`. Its themes are joined (one row each), not
    read by a second statement."""
    if role is None:
        visible = visibility.visible_lessons_clause(BoundUser(False, None, None))
    else:
        visible = bound_rule.bound_rule(role, has_organisation)[2]
    return (
        select(Lesson)
        .options(joinedload(Lesson.event), joinedload(Lesson.author), joinedload(Lesson.validator),
                 joinedload(Lesson.session), joinedload(Lesson.themes))
        .where(Lesson.id == bindparam("lesson_id", type_=Integer),
               bound_rule.constants_written(visible, dialect))
    )


def themes() -> list[Theme]:
    """Themes for the entry form: EMPACT priorities first, then by name."""
    return list(db.session.scalars(select(Theme).order_by(Theme.empact_cycle.is_(None), Theme.name)))


def theme_choices() -> list[tuple[int, str]]:
    """The entry form's themes as (id, label), in themes()' order: the same for every entry and
    every request, so remembered until a theme changes (app.cache) rather than read each time."""
    return fragments.remember("lessons.theme_choices", (), ("themes",),
                              lambda: [(theme.id, theme.label) for theme in themes()])


def _session_choices_statement():
    return (select(Session.id, Session.title).where(Session.event_id == bindparam("event_id", type_=Integer))
            .order_by(*agenda_order()))


def session_choices(event: Event) -> list[tuple[int, str]]:
    """The entry form's sessions of `event` as (id, title), in agenda order (as `event.sessions`):
    two columns on the DBAPI cursor (app.cache.raw) rather than the event's sessions as objects."""
    if "sessions" in event.__dict__:  # loaded already
        return [(item.id, item.title) for item in event.sessions]
    found, _plan = raw.read(db.session, _session_choices_statement, _session_choices_statement,
                            {"event_id": event.id}, every=True)
    return [(session_id, title) for session_id, title in found]


def filter_event(user, event_id: int | None) -> Event | None:
    """The event the library is filtered on, when `user` may see it."""
    event = db.session.get(Event, event_id) if event_id else None
    if event is not None and not event_access.can_view(user, event):
        return None
    return event


@dataclass(frozen=True)
class HistoryStep:
    """One line of an entry's history: a workflow step or a change of its marking."""
    at: datetime
    actor_name: str | None  # None: no one known (a system step, or an account since deleted)
    what: str
    before: str | None
    comment: str | None


# What each workflow step is called in an entry's history.
STEP_NAMES = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "validated": _l("Validated"),
    "actioned": _l("Actioned"), "learned": _l("Learned"), "rejected": _l("Rejected"),
}


def _step_name(status: str | None) -> str | None:
    return str(STEP_NAMES.get(status, status.replace("_", " ").capitalize())) if status else None


def lesson_history(lesson: Lesson) -> list[HistoryStep]:
    """The entry's workflow steps and marking changes (from the audit log), oldest first: one statement
    (_history_statement) of plain rows, the actors' names joined (the page shows nothing else of them)."""
    steps = []
    for part, at, actor_name, to_status, from_status, text, changes in db.session.execute(
            _history_statement(), {"lesson_id": lesson.id}):
        if part == 0:
            steps.append(HistoryStep(at, actor_name, _step_name(to_status), _step_name(from_status), text))
        else:
            old, new = changes.get("tlp", [None, None])
            steps.append(HistoryStep(at, actor_name, _("Marked %(marking)s", marking=TLP(new).label),
                                     TLP(old).label if old else None, text))
    # Stable: the steps, then the marking changes, each in the order written, as the two were read before.
    return sorted(steps, key=lambda step: step.at)


@functools.cache
def _history_statement():
    """The entry's steps (part 0) and marking changes (part 1), each in the order written, built once."""
    lesson_id = bindparam("lesson_id", type_=Integer)
    steps = (
        select(literal(0).label("part"), LessonTransition.id.label("id"), LessonTransition.at.label("at"),
               User.name.label("actor_name"), LessonTransition.to_status.label("to_status"),
               LessonTransition.from_status.label("from_status"), LessonTransition.comment.label("text"),
               null().cast(AuditEntry.__table__.c.changes.type).label("changes"))
        .outerjoin(User, User.id == LessonTransition.actor_id).where(LessonTransition.lesson_id == lesson_id)
    )
    markings = (
        select(literal(1), AuditEntry.id, AuditEntry.at, User.name, null(), null(), AuditEntry.summary,
               AuditEntry.changes)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.subject_type == "Lesson", AuditEntry.subject_id == lesson_id,
               AuditEntry.action == "lesson.marking_changed")
    )
    union = union_all(steps, markings).subquery("history")
    return select(union.c.part, union.c.at, union.c.actor_name, union.c.to_status, union.c.from_status,
                  union.c.text, union.c.changes).order_by(union.c.part, union.c.id)


def lesson_actions(lesson: Lesson) -> list[FollowUpAction]:
    return list(db.session.scalars(
        select(FollowUpAction)
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation))
        .where(FollowUpAction.lesson_id == lesson.id).order_by(FollowUpAction.id)
    ))


# --- follow-up actions -----------------------------------------------------------------------


def owner_choices() -> tuple[list[User], list[Organisation]]:
    """Who may own an action: active accounts, and organisations (both by name)."""
    users = db.session.scalars(
        select(User).where(User.is_active_account.is_(True)).order_by(User.name)
    ).all()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return list(users), list(organisations)


def action_with_notes(action_id: int) -> FollowUpAction | None:
    return db.session.scalar(
        select(FollowUpAction)
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation),
                 joinedload(FollowUpAction.event), joinedload(FollowUpAction.lesson),
                 selectinload(FollowUpAction.notes).joinedload(ActionNote.author))
        .where(FollowUpAction.id == action_id)
    )


def _actions_query(user):
    """The actions `user` may see (visibility.visible_actions_clause) with their entry, the entry
    joined only when `user` may see it (otherwise the page names it with notices.entry_reference,
    from the action's own loaded entry: its marking and event, never its title)."""
    return (
        select(FollowUpAction, Lesson)
        .outerjoin(Lesson, (Lesson.id == FollowUpAction.lesson_id) & visibility.visible_lessons_clause(user))
        .where(visibility.visible_actions_clause(user))
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation),
                 joinedload(FollowUpAction.event),
                 joinedload(FollowUpAction.lesson).joinedload(Lesson.event))
    )


def _soonest_due_first(query):
    return query.order_by(FollowUpAction.due_on.is_(None), FollowUpAction.due_on, FollowUpAction.id)


def my_actions(user, show_all: bool, page_value, per_page: int) -> Page:
    """One page of the actions `user` owns (as a person or a contact address), open ones unless
    `show_all`; rows of (action, entry or None)."""
    # The contact address counts only once the account has confirmed it.
    owns = (or_(FollowUpAction.owner_user_id == user.id, FollowUpAction.owner_contact == user.email)
            if user.is_confirmed else FollowUpAction.owner_user_id == user.id)
    query = _actions_query(user).where(owns)
    if not show_all:
        query = query.where(FollowUpAction.status.in_(OPEN_ACTION_STATES))
    return paginate(_soonest_due_first(query), page_value, per_page, scalars=False)


def actions_overview(user, status: ActionStatus | None, overdue_only: bool, today: date,
                     page_value, per_page: int) -> tuple[Page, int]:
    """One page of every action (of `status`; only the overdue ones with `overdue_only`), and how
    many actions are overdue in all; rows of (action, entry or None)."""
    query = _actions_query(user)
    if status is not None:
        query = query.where(FollowUpAction.status == status)
    if overdue_only:
        query = query.where(FollowUpAction.due_on < today, FollowUpAction.status.in_(OPEN_ACTION_STATES))
    page = paginate(_soonest_due_first(query), page_value, per_page, scalars=False)
    overdue = db.session.scalar(
        select(func.count(FollowUpAction.id)).where(
            FollowUpAction.due_on < today, FollowUpAction.status.in_(OPEN_ACTION_STATES),
            visibility.visible_actions_clause(user),
        )
    ) or 0
    return page, overdue


# --- summaries -------------------------------------------------------------------------------


def summaries_newest_first() -> list[Summary]:
    return list(db.session.scalars(
        select(Summary).options(joinedload(Summary.created_by))
        .order_by(Summary.updated_at.desc(), Summary.id.desc())
    ))


def summary_with_versions(summary_id: int) -> Summary | None:
    # The versions' snapshots (large) stay unloaded until the one shown is read.
    return db.session.scalar(
        select(Summary).options(
            selectinload(Summary.versions).options(defer(SummaryVersion.snapshot),
                                                   joinedload(SummaryVersion.created_by))
        ).where(Summary.id == summary_id)
    )
