"""The event page's main column read as plain rows (issue 19): the people, host, facility, projects,
themes and the agenda with its speakers in one statement, only the columns the column shows. Loading them as ORM objects (identity map, every column, change tracking) cost more than
rendering them. Times, kinds' labels and speakers' names are worked out once here, not in the
template's loops.

The agenda's facts are kept with the cached column and handed to the request (`read_agenda`): the
boxes below (registration, certificate rule) take them instead of asking again."""

from __future__ import annotations

import functools
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, bindparam, cast, column, literal, null, select, union_all

from app.accounts.models import User
from app.cache import raw
from app.directory.models import Organisation, Project, Theme
from app.events.models import (
    Event,
    Session,
    SessionSpeaker,
    event_organisers,
    event_projects,
    event_themes,
)
from app.events.times import local_date
from app.extensions import db
from app.facilities.models import Facility, FacilityStatus
from app.request_store import request_dict
from app.timeutil import to_local

# The parts of the first statement, in the order the page shows them.
_CREATOR, _ORGANISER, _HOST, _FACILITY, _PROJECT, _THEME, _AGENDA = range(7)

Person = namedtuple("Person", "id name organisation")
ProjectBadge = namedtuple("ProjectBadge", "acronym title")
FacilityLink = namedtuple("FacilityLink", "id name is_active")
AgendaItem = namedtuple("AgendaItem", (
    "id", "title", "kind", "kind_label", "starts_at", "ends_at", "position", "room", "description",
    "learning_objectives", "capacity", "has_signup", "facility_id", "facility", "speakers", "speaker_names",
    "start_clock", "end_clock",
))


@dataclass(slots=True)
class MainColumn:
    people: list[Person] = field(default_factory=list)  # the creator first, then the organisers by name
    host: str | None = None
    facility: FacilityLink | None = None
    projects: list[ProjectBadge] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)  # labels, by name
    days: list[tuple[date, list[AgendaItem]]] = field(default_factory=list)


def main_column(event) -> MainColumn:
    """What the main column shows of `event` (an Event or a row with id and timezone), in 1 statement,
    the same for every viewer (the viewer's own times are added by app.events.page_times)."""
    page = MainColumn()
    agenda = []
    found, plan = raw.read(db.session, _statement, _statement, {"event_id": event.id}, every=True)
    for row in map(raw.row_class(plan.keys)._make, found):  # on the DBAPI cursor (app.cache.raw)
        part = row.part
        if part == _AGENDA:
            agenda.append(row)
        elif part in (_CREATOR, _ORGANISER):
            if all(person.id != row.id for person in page.people):
                page.people.append(Person(row.id, row.name, row.detail))
        elif part == _HOST:
            page.host = row.name
        elif part == _FACILITY:
            page.facility = FacilityLink(row.id, row.name, row.detail == FacilityStatus.ACTIVE.value)
        elif part == _PROJECT:
            page.projects.append(ProjectBadge(row.name, row.detail))
        else:
            page.themes.append(f"{row.name} (EMPACT {row.detail})" if row.detail else row.name)  # as Theme.label
    items = _agenda(agenda, event.timezone)
    days: dict[date, list[AgendaItem]] = {}
    for item in items:
        days.setdefault(local_date(item.starts_at, event.timezone), []).append(item)
    page.days = sorted(days.items())
    return page


def agenda_facts(page: MainColumn) -> tuple[AgendaItem, ...]:
    """The column's agenda in its order with only what the boxes below ask of it (id, title, kind,
    times, position, capacity, sign-up; the rest None: the column is written already), kept with
    the cached column (`keep_agenda` on every view): the texts the column shows doubled an entry's
    bytes in the cache."""
    return tuple(item._replace(kind_label=None, room=None, description=None, learning_objectives=None,
                               facility_id=None, facility=None, speakers=None, speaker_names=None,
                               start_clock=None, end_clock=None)
                 for _day, items in page.days for item in items)


def keep_agenda(event_id: int, items) -> None:
    """Hand `agenda_facts` to this request's boxes (`read_agenda`)."""
    store = request_dict("_event_page_agenda")
    if store is not None:
        store[event_id] = list(items)


def read_agenda(event_id: int) -> list[AgendaItem] | None:
    """The agenda this request's event page showed, in agenda order (`agenda_facts`: no descriptions
    or objectives); None on another page: the caller asks as usual."""
    store = request_dict("_event_page_agenda")
    return store.get(event_id) if store is not None else None


def signup_sessions(event_id: int) -> list[AgendaItem] | None:
    """The sessions with sign-up of `read_agenda`, or None."""
    items = read_agenda(event_id)
    return None if items is None else [item for item in items if item.has_signup]


def _agenda(rows, zone: str) -> list[AgendaItem]:
    """The agenda items of the statement's rows (one a speaker, in agenda order)."""
    labels: dict = {}
    items: list[AgendaItem] = []
    speakers: list[str] = []
    previous = None
    for row in rows:
        if previous is None or row.id != previous.id:
            if previous is not None:
                items.append(_item(previous, speakers, labels, zone))
            previous, speakers = row, []
        if row.speaker_id is not None:
            speakers.append(_speaker_name(row))
    if previous is not None:
        items.append(_item(previous, speakers, labels, zone))
    items.sort(key=lambda item: (item.starts_at, item.position, item.id))
    return items


def _speaker_name(row) -> str:
    """As SessionSpeaker.display_name."""
    if row.user_id is not None:
        return f"{row.user_name} ({row.user_organisation})" if row.user_organisation else row.user_name
    if row.external_organisation:
        return f"{row.external_name} ({row.external_organisation})"
    return row.external_name or ""


def _item(row, speakers, labels, zone) -> AgendaItem:
    if row.kind not in labels:
        labels[row.kind] = row.kind.label
    start, end = to_local(row.starts_at, zone), to_local(row.ends_at, zone)
    facility = FacilityLink(row.facility_id, row.facility_name, row.facility_status == FacilityStatus.ACTIVE.value) \
        if row.facility_name is not None else None
    return AgendaItem(
        row.id, row.name, row.kind, labels[row.kind], row.starts_at, row.ends_at, row.position, row.room,
        row.description, row.learning_objectives, row.capacity, row.has_signup, row.facility_id, facility,
        tuple(speakers), "; ".join(speakers), start.strftime("%H:%M"), end.strftime("%H:%M"),
    )


@functools.cache
def _statement():
    """The agenda, then (part, id, name, detail) rows of the creator and the organisers with their
    organisations, the host, the facility with its status, the projects with their titles, the themes
    with their cycles: one UNION, ordered by part, then as the ORM relationships were (organisers by
    name, projects by acronym, themes by name; the agenda by time, position and id, each session's
    speakers in their order). The agenda comes first in the UNION (its columns' types read the rows)
    but last in the order. Built once (bound: event_id)."""
    event_id = bindparam("event_id")
    speaker_user = User.__table__.alias("speaker_user")
    speaker_organisation = Organisation.__table__.alias("speaker_organisation")
    agenda = (
        select(
            literal(_AGENDA).label("part"), Session.id.label("id"), Session.title.label("name"),
            null().label("detail"), null().label("sort_name"), Session.kind.label("kind"),
            Session.starts_at.label("starts_at"), Session.ends_at.label("ends_at"), Session.position.label("position"),
            Session.room.label("room"), Session.description.label("description"),
            Session.learning_objectives.label("learning_objectives"), Session.capacity.label("capacity"),
            Session.has_signup.label("has_signup"), Session.facility_id.label("facility_id"),
            Facility.name.label("facility_name"), cast(Facility.status, String).label("facility_status"),
            SessionSpeaker.id.label("speaker_id"), SessionSpeaker.position.label("speaker_position"),
            SessionSpeaker.user_id.label("user_id"), speaker_user.c.name.label("user_name"),
            speaker_organisation.c.name.label("user_organisation"),
            SessionSpeaker.external_name.label("external_name"),
            SessionSpeaker.external_organisation.label("external_organisation"),
        )
        .select_from(Session)
        .outerjoin(Facility, Facility.id == Session.facility_id)
        .outerjoin(SessionSpeaker, SessionSpeaker.session_id == Session.id)
        .outerjoin(speaker_user, speaker_user.c.id == SessionSpeaker.user_id)
        .outerjoin(speaker_organisation, speaker_organisation.c.id == speaker_user.c.organisation_id)
        .where(Session.event_id == event_id)
    )
    blanks = [null()] * (len(agenda.selected_columns) - 5)  # the agenda's own columns, from kind on

    def facts(part: int, row_id, name, detail):
        return select(literal(part), row_id, name, detail, name, *blanks)

    people = []
    for part, link in ((_CREATOR, User.id == select(Event.created_by_id).where(Event.id == event_id)
                        .scalar_subquery()),
                       (_ORGANISER, User.id.in_(select(event_organisers.c.user_id)
                                                .where(event_organisers.c.event_id == event_id)))):
        people.append(facts(part, User.id, User.name, Organisation.name)
                      .outerjoin(Organisation, Organisation.id == User.organisation_id).where(link))
    host = facts(_HOST, Organisation.id, Organisation.name, null()).where(
        Organisation.id == select(Event.host_organisation_id).where(Event.id == event_id).scalar_subquery())
    facility = facts(_FACILITY, Facility.id, Facility.name, cast(Facility.status, String)).where(
        Facility.id == select(Event.facility_id).where(Event.id == event_id).scalar_subquery())
    projects = facts(_PROJECT, Project.id, Project.acronym, Project.title).join(
        event_projects, event_projects.c.project_id == Project.id).where(event_projects.c.event_id == event_id)
    themes = facts(_THEME, Theme.id, Theme.name, Theme.empact_cycle).join(
        event_themes, event_themes.c.theme_id == Theme.id).where(event_themes.c.event_id == event_id)
    return union_all(agenda, *people, host, facility, projects, themes).order_by(
        *(column(name) for name in ("part", "sort_name", "starts_at", "position", "id", "speaker_position",
                                    "speaker_id")))
