"""Coordinators' summaries and organisers' wrap-up reports: compile, freeze in versions, describe.

Compiling reads the visible, validated entries matching a filter (a bounded number of queries);
saving freezes them in a SummaryVersion snapshot (plain JSON), so a saved summary does not change
when its entries do. The pure builders at the bottom turn a snapshot into a plain "document" that
app.lessons.exports renders as PDF, DOCX, Markdown or HTML.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app import audit
from app.accounts.models import User
from app.directory.models import Organisation
from app.events.models import Event
from app.events.times import local_span
from app.extensions import db
from app.lessons import visibility
from app.lessons.models import (
    TLP,
    ActionStatus,
    Addressee,
    FollowUpAction,
    Lesson,
    LessonKind,
    LessonStatus,
    RecommendationType,
    Summary,
    SummaryVersion,
)
from app.lessons.search import LibraryFilter, apply_filters
from app.registrations.models import Feedback, Registration, RegistrationStatus
from app.timeutil import now, to_local

SUMMARY_STATUSES = (LessonStatus.VALIDATED, LessonStatus.ACTIONED, LessonStatus.LEARNED)
GROUPINGS = {
    "theme": "Theme",
    "event": "Event",
    "kind": "Kind",
    "recommendation_type": "Recommendation type",
}
OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class SummaryError(ValueError):
    pass


def most_restrictive(markings) -> TLP:
    markings = [TLP(m) for m in markings]
    return max(markings, key=lambda m: m.rank) if markings else TLP.CLEAR


# --- reading entries -------------------------------------------------------------------------


def _label(enum_cls, value):
    return enum_cls(value).label if value else None


def _snapshot_rows(id_query, restrict) -> list[dict]:
    """Entries as snapshot dicts, read with two Core queries (no ORM objects: a summary may hold
    thousands). `restrict` is a WHERE clause on Lesson; `id_query` selects the same entries' ids."""
    from app.accounts.models import User as Author
    from app.directory.models import Theme
    from app.events.models import EventKind, Session
    from app.lessons.models import lesson_themes

    event = aliased(Event)  # aliased so the filters' subqueries on events are not correlated
    session = aliased(Session)
    author = aliased(Author)
    query = (
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
    themes: dict[int, list[str]] = defaultdict(list)
    theme_rows = db.session.execute(
        select(lesson_themes.c.lesson_id, Theme.name, Theme.empact_cycle)
        .join(Theme, Theme.id == lesson_themes.c.theme_id)
        .where(lesson_themes.c.lesson_id.in_(id_query))
        .order_by(Theme.name)
    )
    for lesson_id, name, cycle in theme_rows:
        themes[lesson_id].append(f"{name} (EMPACT {cycle})" if cycle else name)
    entries = []
    for row in db.session.execute(query):
        kind, status, tlp = LessonKind(row.kind), LessonStatus(row.status), TLP(row.tlp)
        entries.append({
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
            "themes": themes.get(row.id, []),
            "session": row.session_title,
            "author": row.author_name,
            "event": {
                "id": row.event_id, "title": row.event_title, "kind_label": EventKind(row.event_kind).label,
                "starts_on": to_local(row.event_starts_at, row.event_timezone).date().isoformat(),
                "country": row.event_country,
            },
        })
    return entries


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
                FollowUpAction.status.in_(OPEN_ACTION_STATUSES),
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
        "by_kind": {k.label: by_kind.get(k.value, 0) for k in LessonKind},
        "by_status": {s.label: by_status.get(s.value, 0) for s in SUMMARY_STATUSES},
    }


def build_snapshot(entries: list[dict]) -> dict:
    return {
        "entries": entries,
        "figures": key_figures(entries),
        "tlp": most_restrictive(entry["tlp"] for entry in entries).value,
    }


# --- pure helpers on snapshot entries --------------------------------------------------------


def group_entries(entries: list[dict], group_by: str) -> list[dict]:
    """[{"label", "count", "entries"}] — by theme an entry appears under each of its themes."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        if group_by == "event":
            keys = [f"{entry['event']['title']} ({entry['event']['starts_on']})"]
        elif group_by == "kind":
            keys = [entry["kind_label"]]
        elif group_by == "recommendation_type":
            keys = [entry.get("recommendation_type_label") or "No recommendation type"]
        else:
            keys = entry.get("themes") or ["No theme"]
        for key in keys:
            groups[key].append(entry)
    ordered = sorted(groups.items(), key=lambda item: (item[0].startswith("No "), item[0].lower()))
    return [{"label": label, "count": len(items), "entries": items} for label, items in ordered]


def recommendations_by_addressee(entries: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        if entry.get("recommendation"):
            groups[entry.get("addressed_to_label") or "Not specified"].append(entry)
    order = [a.label for a in Addressee] + ["Not specified"]
    return [{"label": label, "entries": groups[label]} for label in order if groups.get(label)]


# --- saving and opening ----------------------------------------------------------------------


@dataclass
class SummaryDraft:
    title: str
    filters: dict
    group_by: str
    lesson_ids: list[int]
    introduction: str | None
    conclusions: str | None


def save(actor: User, draft: SummaryDraft, summary: Summary | None = None) -> SummaryVersion:
    """Freeze the chosen entries in a new version (the first one creates the summary)."""
    title = (draft.title or "").strip()
    if not title or len(title) > 200:
        raise SummaryError("Give the summary a title (at most 200 characters).")
    if draft.group_by not in GROUPINGS:
        raise SummaryError("Choose how to group the entries.")
    for text in (draft.introduction, draft.conclusions):
        if text and len(text) > 50_000:
            raise SummaryError("Keep the introduction and conclusions under 50,000 characters each.")
    entries = chosen_entries(actor, draft.lesson_ids)
    if not entries:
        raise SummaryError("Include at least one validated entry.")
    snapshot = build_snapshot(entries)
    tlp = TLP(snapshot["tlp"])
    instant = now()
    if summary is None:
        summary = Summary(title=title, created_by_id=actor.id, current_version=0, tlp=tlp)
        db.session.add(summary)
        db.session.flush()
    number = summary.current_version + 1
    version = SummaryVersion(
        summary_id=summary.id,
        number=number,
        filters=draft.filters,
        group_by=draft.group_by,
        introduction=(draft.introduction or "").strip() or None,
        conclusions=(draft.conclusions or "").strip() or None,
        lesson_ids=[entry["id"] for entry in entries],
        snapshot=snapshot,
        tlp=tlp,
        created_by_id=actor.id,
        created_at=instant,
    )
    db.session.add(version)
    summary.title = title
    summary.current_version = number
    summary.tlp = tlp
    audit.record(actor, "summary.saved", summary, {"version": number, "entries": len(entries)},
                 summary=f"{title} v{number}")
    db.session.commit()
    return version


def can_open(user, version: SummaryVersion) -> bool:
    """Coordinators allowed to see every entry the version contains (a deleted entry counts as
    unseen, except for whoever saved the version)."""
    if not visibility.is_coordinator(user):
        return False
    ids = set(version.lesson_ids or [])
    seen = visibility.visible_ids(user, ids)
    missing = ids - seen
    if not missing:
        return True
    existing = set(db.session.scalars(select(Lesson.id).where(Lesson.id.in_(sorted(missing)))))
    return not existing and version.created_by_id == user.id


def openable_summary_ids(user, summaries: list[Summary]) -> set[int]:
    """Which of these summaries (current versions) `user` may open — two queries for all of them."""
    if not visibility.is_coordinator(user) or not summaries:
        return set()
    rows = db.session.execute(
        select(SummaryVersion.summary_id, SummaryVersion.lesson_ids)
        .join(Summary, (Summary.id == SummaryVersion.summary_id)
              & (Summary.current_version == SummaryVersion.number))
        .where(Summary.id.in_([s.id for s in summaries]))
    ).all()
    current = {summary_id: set(ids or []) for summary_id, ids in rows}
    seen = visibility.visible_ids(user, {i for ids in current.values() for i in ids})
    return {summary_id for summary_id, ids in current.items() if ids <= seen}


# --- documents for export --------------------------------------------------------------------


def _entry_block(entry: dict) -> dict:
    meta = [entry["kind_label"], entry["status_label"], entry["tlp_label"],
            f"{entry['event']['title']} ({entry['event']['starts_on']})"]
    if entry.get("session"):
        meta.append(f"Session: {entry['session']}")
    if entry.get("themes"):
        meta.append("Themes: " + ", ".join(entry["themes"]))
    fields = [
        ("Observation", entry.get("observation")),
        ("Analysis", entry.get("analysis")),
        ("Recommendation", entry.get("recommendation")),
    ]
    if entry.get("recommendation_type_label") or entry.get("addressed_to_label"):
        fields.append(("Recommendation type / addressed to",
                       " / ".join(x for x in (entry.get("recommendation_type_label"),
                                              entry.get("addressed_to_label")) if x)))
    if entry["kind"] == LessonKind.GOOD_PRACTICE.value:
        fields += [
            ("Problem addressed", entry.get("problem_addressed")),
            ("How and why it works", entry.get("how_it_works")),
            ("Evidence it works", entry.get("evidence")),
            ("What another unit needs to replicate it", entry.get("replication_needs")),
        ]
    return {"type": "entry", "title": entry["title"], "meta": " · ".join(meta),
            "fields": [(label, text) for label, text in fields if text]}


def summary_document(summary_title: str, version: dict) -> dict:
    """A plain document from a version (a dict: number, saved_on, author, group_by, introduction,
    conclusions, snapshot)."""
    snapshot = version["snapshot"]
    entries = snapshot.get("entries", [])
    figures = snapshot.get("figures", {})
    tlp = TLP(snapshot.get("tlp", "clear"))
    blocks: list[dict] = []
    if version.get("introduction"):
        blocks += [{"type": "heading", "level": 1, "text": "Introduction"},
                   {"type": "paragraph", "text": version["introduction"]}]
    blocks.append({"type": "heading", "level": 1, "text": "Key figures"})
    blocks.append({"type": "table", "headers": ["Figure", "Value"], "rows": [
        ["Events", str(figures.get("events", 0))],
        ["Participants", str(figures.get("participants", 0))],
        ["Countries", str(figures.get("countries", 0))],
        ["Entries", str(figures.get("entries", len(entries)))],
        *[[f"Entries: {label}", str(count)] for label, count in figures.get("by_kind", {}).items()],
        *[[f"Status: {label}", str(count)] for label, count in figures.get("by_status", {}).items()],
        ["Open follow-up actions", str(figures.get("open_actions", 0))],
    ]})
    recommendations = recommendations_by_addressee(entries)
    if recommendations:
        blocks.append({"type": "heading", "level": 1, "text": "Recommendations by addressee"})
        for group in recommendations:
            blocks.append({"type": "heading", "level": 2, "text": group["label"]})
            blocks.append({"type": "list", "items": [
                f"{e['title']}: {e['recommendation']}" for e in group["entries"]
            ]})
    group_by = version.get("group_by", "theme")
    blocks.append({"type": "heading", "level": 1, "text": f"Entries by {GROUPINGS.get(group_by, 'theme').lower()}"})
    for group in group_entries(entries, group_by):
        blocks.append({"type": "heading", "level": 2, "text": f"{group['label']} ({group['count']})"})
        blocks += [_entry_block(entry) for entry in group["entries"]]
    if version.get("conclusions"):
        blocks += [{"type": "heading", "level": 1, "text": "Conclusions"},
                   {"type": "paragraph", "text": version["conclusions"]}]
    subtitle = f"Version {version['number']}, saved {version.get('saved_on', '')}"
    if version.get("author"):
        subtitle += f" by {version['author']}"
    return {"title": summary_title, "subtitle": subtitle, "tlp": tlp.value, "tlp_label": tlp.label,
            "blocks": blocks}


def version_as_dict(version: SummaryVersion) -> dict:
    return {
        "number": version.number,
        "saved_on": version.created_at.date().isoformat(),
        "author": version.created_by.name if version.created_by else None,
        "group_by": version.group_by,
        "introduction": version.introduction,
        "conclusions": version.conclusions,
        "snapshot": version.snapshot or {},
    }


# --- event wrap-up ---------------------------------------------------------------------------


def wrap_up(user, event: Event) -> dict:
    """Attendance, feedback results, the event's entries (visible to `user`, not drafts) and actions."""
    by_status = dict(
        db.session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event.id).group_by(Registration.status)
        ).all()
    )
    attended = db.session.scalar(
        select(func.count(Registration.id)).where(Registration.event_id == event.id, visibility.attended_clause())
    ) or 0
    feedback = db.session.execute(
        select(func.count(Feedback.id), func.avg(Feedback.overall), func.avg(Feedback.relevance),
               func.avg(Feedback.organisation)).where(Feedback.event_id == event.id)
    ).one()
    comments = db.session.execute(
        select(Feedback.what_worked, Feedback.what_to_improve).where(Feedback.event_id == event.id)
        .order_by(Feedback.id)
    ).all()
    lessons = list(db.session.scalars(
        select(Lesson)
        .options(joinedload(Lesson.event), joinedload(Lesson.session), joinedload(Lesson.author),
                 selectinload(Lesson.themes))
        .where(Lesson.event_id == event.id, Lesson.status != LessonStatus.DRAFT,
               visibility.visible_lessons_clause(user))
        .order_by(Lesson.id)
    ).unique())
    lesson_ids = [lesson.id for lesson in lessons]
    actions = list(db.session.scalars(
        select(FollowUpAction)
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation))
        .where(or_(FollowUpAction.event_id == event.id, FollowUpAction.lesson_id.in_(lesson_ids)))
        .order_by(FollowUpAction.due_on.is_(None), FollowUpAction.due_on, FollowUpAction.id)
    ).unique())

    def average(value):
        return round(float(value), 2) if value is not None else None

    return {
        "registrations": {s.label: by_status.get(s, 0) for s in RegistrationStatus},
        "attended": attended,
        "feedback": {
            "responses": feedback[0] or 0,
            "overall": average(feedback[1]),
            "relevance": average(feedback[2]),
            "organisation": average(feedback[3]),
            "what_worked": [c[0] for c in comments if c[0]],
            "what_to_improve": [c[1] for c in comments if c[1]],
        },
        "lessons": lessons,
        "entries": [entry_snapshot(lesson) for lesson in lessons],
        "actions": [
            {
                "id": action.id,
                "title": action.title,
                "owner": action.owner_user.name if action.owner_user else (
                    f"{action.owner_organisation.name if action.owner_organisation else ''} "
                    f"({action.owner_contact or ''})").strip(),
                "due_on": action.due_on.isoformat() if action.due_on else "",
                "status": action.status.label,
            }
            for action in actions
        ],
        "tlp": most_restrictive(lesson.tlp for lesson in lessons),
    }


def wrap_up_document(event: Event, data: dict) -> dict:
    tlp: TLP = data["tlp"]
    blocks: list[dict] = [{"type": "heading", "level": 1, "text": "Attendance"}]
    rows = [[label, str(count)] for label, count in data["registrations"].items()]
    rows.append(["Attended (checked in)", str(data["attended"])])
    blocks.append({"type": "table", "headers": ["Registrations", "Number"], "rows": rows})
    fb = data["feedback"]
    blocks.append({"type": "heading", "level": 1, "text": "Feedback"})

    def show(value):
        return f"{value:.2f} / 5" if value is not None else "—"

    blocks.append({"type": "table", "headers": ["Question", "Average"], "rows": [
        ["Responses", str(fb["responses"])],
        ["Overall", show(fb["overall"])],
        ["Relevance", show(fb["relevance"])],
        ["Organisation", show(fb["organisation"])],
    ]})
    if fb["what_worked"]:
        blocks += [{"type": "heading", "level": 2, "text": "What worked"},
                   {"type": "list", "items": fb["what_worked"]}]
    if fb["what_to_improve"]:
        blocks += [{"type": "heading", "level": 2, "text": "What to improve"},
                   {"type": "list", "items": fb["what_to_improve"]}]
    blocks.append({"type": "heading", "level": 1, "text": f"Entries ({len(data['entries'])})"})
    if data["entries"]:
        blocks += [_entry_block(entry) for entry in data["entries"]]
    else:
        blocks.append({"type": "paragraph", "text": "No entries recorded yet."})
    blocks.append({"type": "heading", "level": 1, "text": f"Follow-up actions ({len(data['actions'])})"})
    if data["actions"]:
        blocks.append({"type": "table", "headers": ["Action", "Owner", "Due", "Status"], "rows": [
            [a["title"], a["owner"], a["due_on"], a["status"]] for a in data["actions"]
        ]})
    else:
        blocks.append({"type": "paragraph", "text": "No follow-up actions."})
    first, last = local_span(event.starts_at, event.ends_at, event.timezone)
    subtitle = f"{event.kind.label}, {first.isoformat()} – {last.isoformat()}"
    if event.city or event.country:
        subtitle += ", " + ", ".join(x for x in (event.city, event.country) if x)
    return {"title": f"Wrap-up: {event.title}", "subtitle": subtitle, "tlp": tlp.value,
            "tlp_label": tlp.label, "blocks": blocks}


__all__ = [
    "GROUPINGS", "SUMMARY_STATUSES", "SummaryDraft", "SummaryError", "RecommendationType",
    "build_snapshot", "can_open", "chosen_entries", "group_entries", "key_figures", "matching_entries",
    "most_restrictive", "openable_summary_ids", "recommendations_by_addressee", "save",
    "summary_document", "version_as_dict", "wrap_up", "wrap_up_document",
]
