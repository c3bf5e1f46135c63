"""An event's wrap-up report for its organisers: attendance, feedback results, the event's entries
(visible to the reader, not drafts) and follow-up actions; and the report as a plain document."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.events.models import Event
from app.events.place import TOWN, place
from app.events.times import local_span
from app.extensions import db
from app.i18n import format_pattern
from app.learning.results import learning_by_event
from app.lessons import visibility
from app.lessons.models import TLP, FollowUpAction, Lesson, LessonStatus
from app.lessons.summaries.compile import entry_snapshot, most_restrictive
from app.lessons.summaries.document import entry_block
from app.registrations.attendance import attended_clause
from app.registrations.models import Feedback, Registration, RegistrationStatus


def _registrations(event: Event) -> dict:
    """Registrations by status label (every status, 0 when none)."""
    by_status = dict(
        db.session.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.event_id == event.id).group_by(Registration.status)
        ).all()
    )
    return {s.label: by_status.get(s, 0) for s in RegistrationStatus}


def _attended(event: Event) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(Registration.event_id == event.id, attended_clause())
    ) or 0


def _average(value):
    return round(float(value), 2) if value is not None else None


def _feedback(event: Event) -> dict:
    """The number of responses, the average scores and the free-text comments."""
    feedback = db.session.execute(
        select(func.count(Feedback.id), func.avg(Feedback.overall), func.avg(Feedback.relevance),
               func.avg(Feedback.organisation)).where(Feedback.event_id == event.id)
    ).one()
    comments = db.session.execute(
        select(Feedback.what_worked, Feedback.what_to_improve).where(Feedback.event_id == event.id)
        .order_by(Feedback.id)
    ).all()
    return {
        "responses": feedback[0] or 0,
        "overall": _average(feedback[1]),
        "relevance": _average(feedback[2]),
        "organisation": _average(feedback[3]),
        "what_worked": [c[0] for c in comments if c[0]],
        "what_to_improve": [c[1] for c in comments if c[1]],
    }


def _entries(user, event: Event) -> list[Lesson]:
    return list(db.session.scalars(
        select(Lesson)
        .options(joinedload(Lesson.event), joinedload(Lesson.session), joinedload(Lesson.author),
                 selectinload(Lesson.themes))
        .where(Lesson.event_id == event.id, Lesson.status != LessonStatus.DRAFT,
               visibility.visible_lessons_clause(user))
        .order_by(Lesson.id)
    ).unique())


def _actions(user, event: Event, lesson_ids: list[int]) -> list[dict]:
    """The event's actions and its listed entries' actions that `user` may see (an action inherits
    its entry's visibility), soonest due first, as table rows."""
    actions = db.session.scalars(
        select(FollowUpAction)
        .options(joinedload(FollowUpAction.owner_user), joinedload(FollowUpAction.owner_organisation))
        .where(or_(FollowUpAction.event_id == event.id, FollowUpAction.lesson_id.in_(lesson_ids)),
               visibility.visible_actions_clause(user))
        .order_by(FollowUpAction.due_on.is_(None), FollowUpAction.due_on, FollowUpAction.id)
    ).unique()
    return [
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
    ]


def wrap_up(user, event: Event) -> dict:
    """Attendance, feedback results, the event's entries (visible to `user`, not drafts) and actions."""
    registrations = _registrations(event)
    attended = _attended(event)
    feedback = _feedback(event)
    lessons = _entries(user, event)
    learning = learning_by_event([event.id])
    return {
        "registrations": registrations,
        "attended": attended,
        "feedback": feedback,
        "learning": learning[0] if learning else None,
        "lessons": lessons,
        "entries": [entry_snapshot(lesson) for lesson in lessons],
        "actions": _actions(user, event, [lesson.id for lesson in lessons]),
        "tlp": most_restrictive(lesson.tlp for lesson in lessons),
    }


def _show(value):
    return _("%(score)s / 5", score=format_decimal(value, "0.00")) if value is not None else "—"


def _feedback_blocks(fb: dict) -> list[dict]:
    blocks: list[dict] = [{"type": "heading", "level": 1, "text": _("Feedback")}]
    blocks.append({"type": "table", "headers": [_("Question"), _("Average")], "rows": [
        [_("Responses"), str(fb["responses"])],
        [_("Overall"), _show(fb["overall"])],
        [_("Relevance"), _show(fb["relevance"])],
        [_("Practical organisation"), _show(fb["organisation"])],
    ]})
    if fb["what_worked"]:
        blocks += [{"type": "heading", "level": 2, "text": _("What worked")},
                   {"type": "list", "items": fb["what_worked"]}]
    if fb["what_to_improve"]:
        blocks += [{"type": "heading", "level": 2, "text": _("What to improve")},
                   {"type": "list", "items": fb["what_to_improve"]}]
    return blocks


def _percent(value) -> str:
    return f"{format_decimal(value, '0.#')}%" if value is not None else "—"


def _learning_blocks(line) -> list[dict]:
    """Pre- and post-test figures (app.learning), when the event had tests."""
    if line is None:
        return []
    result = line.overall
    gain = "—" if result.gain is None else ("+" if result.gain > 0 else "") + format_decimal(result.gain, "0.#")
    return [{"type": "heading", "level": 1, "text": _("Learning (pre- and post-tests)")},
            {"type": "table", "headers": [_("Figure"), _("Value")], "rows": [
                [_("Participants tested"), str(line.tested)],
                [_("Mean pre-test score"), _percent(result.mean_pre)],
                [_("Mean post-test score"), _percent(result.mean_post)],
                [_("Took both (paired)"), str(result.n_paired)],
                [_("Learning gain (percentage points)"), gain],
            ]}]


def _subtitle(event: Event) -> str:
    first, last = local_span(event.starts_at, event.ends_at, event.timezone)
    subtitle = f"{event.kind.label}, {format_pattern(first, '%d %b %Y')} – {format_pattern(last, '%d %b %Y')}"
    if place(event, TOWN):
        subtitle += ", " + place(event, TOWN)
    return subtitle


def wrap_up_document(event: Event, data: dict) -> dict:
    """The wrap-up report (wrap_up()'s result) as a plain document for app.lessons.export."""
    tlp: TLP = data["tlp"]
    blocks: list[dict] = [{"type": "heading", "level": 1, "text": _("Attendance")}]
    rows = [[label, str(count)] for label, count in data["registrations"].items()]
    rows.append([_("Attended (checked in)"), str(data["attended"])])
    blocks.append({"type": "table", "headers": [_("Registrations"), _("Number")], "rows": rows})
    blocks += _feedback_blocks(data["feedback"])
    blocks += _learning_blocks(data.get("learning"))
    blocks.append({"type": "heading", "level": 1, "text": _("Entries (%(num)d)", num=len(data["entries"]))})
    if data["entries"]:
        blocks += [entry_block(entry) for entry in data["entries"]]
    else:
        blocks.append({"type": "paragraph", "text": _("No entries recorded yet.")})
    blocks.append({"type": "heading", "level": 1, "text": _("Follow-up actions (%(num)d)", num=len(data["actions"]))})
    if data["actions"]:
        blocks.append({"type": "table", "headers": [_("Action"), _("Owner"), _("Due"), _("Status")], "rows": [
            [a["title"], a["owner"], a["due_on"], a["status"]] for a in data["actions"]
        ]})
    else:
        blocks.append({"type": "paragraph", "text": _("No follow-up actions.")})
    return {"title": _("Wrap-up: %(title)s", title=event.title), "subtitle": _subtitle(event), "tlp": tlp.value,
            "tlp_label": tlp.label, "blocks": blocks}
