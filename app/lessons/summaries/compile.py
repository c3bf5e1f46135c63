"""Compiling a summary: the entries it may hold, as plain snapshot dicts, their figures and groups.

Entries are read with Core queries (no ORM objects: a summary may hold thousands); the pure
helpers at the bottom group snapshot entries for pages and documents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.directory.models import Organisation, Theme
from app.events.models import Event, EventKind, Session
from app.extensions import db
from app.i18n import format_pattern
from app.lessons import visibility
from app.lessons.models import (
    OPEN_ACTION_STATES,
    TLP,
    Addressee,
    FollowUpAction,
    Lesson,
    LessonKind,
    LessonStatus,
    RecommendationType,
    lesson_themes,
)
from app.lessons.search import LibraryFilter, apply_filters
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import to_local

SUMMARY_STATUSES = (LessonStatus.VALIDATED, LessonStatus.ACTIONED, LessonStatus.LEARNED)
GROUPINGS = {
    "theme": _l("Theme"),
    "event": _l("Event"),
    "kind": _l("Kind"),
    "recommendation_type": _l("Recommendation type"),
}
# The headings of the documents' entry sections, one per grouping (whole phrases, for translators).
GROUPED_BY = {
    "theme": _l("Entries by theme"),
    "event": _l("Entries by event"),
    "kind": _l("Entries by kind"),
    "recommendation_type": _l("Entries by recommendation type"),
}


def most_restrictive(markings) -> TLP:
    markings = [TLP(m) for m in markings]
    return max(markings, key=lambda m: m.rank) if markings else TLP.CLEAR


# --- reading entries -------------------------------------------------------------------------


def _label(enum_cls, value):
    return enum_cls(value).label if value else None


def _entries_query(restrict):
    """The snapshot columns of the entries matching `restrict` (a WHERE clause on Lesson)."""
    event = aliased(Event)  # aliased so the filters' subqueries on events are not correlated
    session = aliased(Session)
    author = aliased(User)
    return (
        select(Lesson.id, Lesson.kind, Lesson.status, Lesson.tlp, Lesson.title, Lesson.observation,
               Lesson.analysis, Lesson.recommendation, Lesson.recommendation_type, Lesson.addressed_to,
               Lesson.problem_addressed, Lesson.how_it_works, Lesson.evidence, Lesson.replication_needs,
               event.id.label("event_id"), event.title.label("event_title"), event.kind.label("event_kind"),
               event.starts_at.label("event_starts_at"), event.timezone.label("event_timezone"),
               event.country.label("event_country"),
               session.title.label("session_title"), author.name.label("author_name"))
        .join(event, event.id == Lesson.event_id)
        .outerjoin(session, session.id == Lesson.session_id)
        .outerjoin(author, author.id == Lesson.author_id)
        .where(restrict)
        .order_by(Lesson.event_id, Lesson.id)
    )


def _theme_labels(id_query) -> dict[int, list[str]]:
    """The theme labels of the entries `id_query` selects, by entry id, in name order."""
    themes: dict[int, list[str]] = defaultdict(list)
    theme_rows = db.session.execute(
        select(lesson_themes.c.lesson_id, Theme.name, Theme.empact_cycle)
        .join(Theme, Theme.id == lesson_themes.c.theme_id)
        .where(lesson_themes.c.lesson_id.in_(id_query))
        .order_by(Theme.name)
    )
    for lesson_id, name, cycle in theme_rows:
        themes[lesson_id].append(f"{name} (EMPACT {cycle})" if cycle else name)
    return themes


def _row_snapshot(row, themes: list[str]) -> dict:
    kind, status, tlp = LessonKind(row.kind), LessonStatus(row.status), TLP(row.tlp)
    return {
        "id": row.id,
        "kind": kind.value, "kind_label": kind.label,
        "status": status.value, "status_label": status.label,
        "tlp": tlp.value, "tlp_label": tlp.label,
        "title": row.title,
        "observation": row.observation, "analysis": row.analysis, "recommendation": row.recommendation,
        "recommendation_type": RecommendationType(row.recommendation_type).value if row.recommendation_type else None,
        "recommendation_type_label": _label(RecommendationType, row.recommendation_type),
        "addressed_to": Addressee(row.addressed_to).value if row.addressed_to else None,
        "addressed_to_label": _label(Addressee, row.addressed_to),
        "problem_addressed": row.problem_addressed, "how_it_works": row.how_it_works,
        "evidence": row.evidence, "replication_needs": row.replication_needs,
        "themes": themes,
        "session": row.session_title,
        "author": row.author_name,
        "event": {
            "id": row.event_id, "title": row.event_title, "kind_label": EventKind(row.event_kind).label,
            "starts_on": to_local(row.event_starts_at, row.event_timezone).date().isoformat(),
            "country": row.event_country,
        },
    }


def _snapshot_rows(id_query, restrict) -> list[dict]:
    """Entries as snapshot dicts, read with two Core queries. `restrict` is a WHERE clause on
    Lesson; `id_query` selects the same entries' ids."""
    query = _entries_query(restrict)
    themes = _theme_labels(id_query)
    return [_row_snapshot(row, themes.get(row.id, [])) for row in db.session.execute(query)]


def matching_entries(user, f: LibraryFilter) -> list[dict]:
    """Visible validated (or actioned, learned) entries matching the filter, as snapshot dicts."""
    f.statuses = SUMMARY_STATUSES
    id_query = apply_filters(select(Lesson.id), user, f).correlate(None)
    return _snapshot_rows(id_query, Lesson.id.in_(id_query))


def chosen_entries(user, lesson_ids) -> list[dict]:
    """The entries with these ids that `user` may see and that may go into a summary."""
    ids = sorted({int(i) for i in lesson_ids})
    if not ids:
        return []
    id_query = select(Lesson.id).where(
        Lesson.id.in_(ids), Lesson.status.in_(SUMMARY_STATUSES), visibility.visible_lessons_clause(user)
    ).correlate(None)
    return _snapshot_rows(id_query, Lesson.id.in_(id_query))


def entry_snapshot(lesson: Lesson) -> dict:
    """One loaded entry as a snapshot dict (the same shape as the compiled ones)."""
    event = lesson.event
    return {
        "id": lesson.id,
        "kind": lesson.kind.value,
        "kind_label": lesson.kind.label,
        "status": lesson.status.value,
        "status_label": lesson.status.label,
        "tlp": lesson.tlp.value,
        "tlp_label": lesson.tlp.label,
        "title": lesson.title,
        "observation": lesson.observation,
        "analysis": lesson.analysis,
        "recommendation": lesson.recommendation,
        "recommendation_type": lesson.recommendation_type.value if lesson.recommendation_type else None,
        "recommendation_type_label": lesson.recommendation_type.label if lesson.recommendation_type else None,
        "addressed_to": lesson.addressed_to.value if lesson.addressed_to else None,
        "addressed_to_label": lesson.addressed_to.label if lesson.addressed_to else None,
        "problem_addressed": lesson.problem_addressed,
        "how_it_works": lesson.how_it_works,
        "evidence": lesson.evidence,
        "replication_needs": lesson.replication_needs,
        "themes": [theme.label for theme in lesson.themes],
        "session": lesson.session.title if lesson.session else None,
        "author": lesson.author.name if lesson.author else None,
        "event": {
            "id": event.id,
            "title": event.title,
            "kind_label": event.kind.label,
            "starts_on": to_local(event.starts_at, event.timezone).date().isoformat(),
            "country": event.country,
        },
    }


def key_figures(entries: list[dict]) -> dict:
    """Events, participants, countries, entries by kind and status, open actions (3 queries)."""
    event_ids = sorted({entry["event"]["id"] for entry in entries})
    lesson_ids = [entry["id"] for entry in entries]
    participants = countries = open_actions = 0
    if event_ids:
        confirmed = (Registration.event_id.in_(event_ids), Registration.status == RegistrationStatus.CONFIRMED)
        participants = db.session.scalar(select(func.count(Registration.id)).where(*confirmed)) or 0
        countries = db.session.scalar(
            select(func.count(distinct(func.coalesce(Organisation.country, User.country))))
            .select_from(Registration)
            .join(User, User.id == Registration.user_id)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(*confirmed)
        ) or 0
        open_actions = db.session.scalar(
            select(func.count(FollowUpAction.id)).where(
                FollowUpAction.status.in_(OPEN_ACTION_STATES),
                or_(FollowUpAction.lesson_id.in_(lesson_ids), FollowUpAction.event_id.in_(event_ids)),
            )
        ) or 0
    by_kind = Counter(entry["kind"] for entry in entries)
    by_status = Counter(entry["status"] for entry in entries)
    return {
        "entries": len(entries),
        "events": len(event_ids),
        "participants": participants,
        "countries": countries,
        "open_actions": open_actions,
        "by_kind": {k.value: by_kind.get(k.value, 0) for k in LessonKind},
        "by_status": {s.value: by_status.get(s.value, 0) for s in SUMMARY_STATUSES},
    }


def build_snapshot(entries: list[dict]) -> dict:
    return {
        "entries": entries,
        "figures": key_figures(entries),
        "tlp": most_restrictive(entry["tlp"] for entry in entries).value,
    }


# --- pure helpers on snapshot entries --------------------------------------------------------


def day_label(iso: str | None) -> str:
    """A snapshot's ISO date the reader's way ("02 Mar 2026", in Ukrainian "02 бер. 2026 р.")."""
    try:
        return format_pattern(date.fromisoformat(iso), "%d %b %Y") if iso else ""
    except ValueError:
        return iso


def _count_label(enum_cls, key: str) -> str:
    """A figure's label in the reader's language: `key` is a member's value (or, in versions saved
    before figures were keyed by value, its English label)."""
    for member in enum_cls:
        if key == member.value:
            return member.label
    with force_locale("en"):
        english = {member.label: member for member in enum_cls}
    return english[key].label if key in english else key


def localised_figures(figures: dict) -> dict:
    """A snapshot's figures with the counts by kind and by status labelled in the reader's language."""
    return {
        **figures,
        "by_kind": {_count_label(LessonKind, k): n for k, n in figures.get("by_kind", {}).items()},
        "by_status": {_count_label(LessonStatus, k): n for k, n in figures.get("by_status", {}).items()},
    }


def localised(entry: dict) -> dict:
    """A snapshot entry with its labels (kind, status, recommendation type, addressee) in the
    reader's language; the snapshot keeps the values, the words are the reader's."""
    return {
        **entry,
        "kind_label": LessonKind(entry["kind"]).label,
        "status_label": LessonStatus(entry["status"]).label,
        "tlp_label": TLP(entry["tlp"]).label,
        "recommendation_type_label": _label(RecommendationType, entry.get("recommendation_type")),
        "addressed_to_label": _label(Addressee, entry.get("addressed_to")),
    }


def group_entries(entries: list[dict], group_by: str) -> list[dict]:
    """[{"label", "count", "entries"}] — by theme an entry appears under each of its themes; the
    groups without a theme (or type) come last. Entries come out localised()."""
    groups: dict[tuple[bool, str, str], list[dict]] = defaultdict(list)  # (none?, sort key, label)
    for entry in map(localised, entries):
        if group_by == "event":
            title, day = entry["event"]["title"], entry["event"]["starts_on"]
            keys = [(False, f"{title.lower()} {day}", f"{title} ({day_label(day)})")]
        elif group_by == "kind":
            keys = [(False, entry["kind_label"].lower(), entry["kind_label"])]
        elif group_by == "recommendation_type":
            label = entry.get("recommendation_type_label")
            keys = [(False, label.lower(), label) if label else (True, "", str(_l("No recommendation type")))]
        else:
            keys = [(False, theme.lower(), theme) for theme in entry.get("themes") or []] or [
                (True, "", str(_l("No theme")))]
        for key in keys:
            groups[key].append(entry)
    return [{"label": label, "count": len(items), "entries": items}
            for (_none, _sort, label), items in sorted(groups.items(), key=lambda item: item[0])]


def recommendations_by_addressee(entries: list[dict]) -> list[dict]:
    groups: dict[str | None, list[dict]] = defaultdict(list)
    for entry in map(localised, entries):
        if entry.get("recommendation"):
            groups[entry.get("addressed_to")].append(entry)
    order = [(a.value, a.label) for a in Addressee] + [(None, str(_l("Not specified")))]
    return [{"label": label, "entries": groups[value]} for value, label in order if groups.get(value)]
