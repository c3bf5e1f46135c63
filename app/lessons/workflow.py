"""An entry's life cycle: record, edit, mark, submit, validate, reject, confirm — rules and transactions.

Workflow: draft → submitted → validated ("lesson identified") → actioned (follow-up actions
assigned, see actions.py) → learned (all actions done and confirmed), or submitted → rejected (with
a reason; the author may revise and submit again). Every step is a LessonTransition and an audit
entry; authors and validators are told through the outbox (notices.py). Who may take which step is
permissions.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.accounts.models import User
from app.accounts.permissions import is_signed_in
from app.directory.models import Theme
from app.errors import RuleError, rolls_back_on
from app.events.models import Event, Session
from app.extensions import db
from app.lessons import notices, visibility
from app.lessons.models import (
    TLP,
    Addressee,
    Lesson,
    LessonKind,
    LessonStatus,
    LessonTransition,
    RecommendationType,
)
from app.lessons.permissions import all_actions_done, allowed_transitions, can_edit, may_record
from app.timeutil import now

# Markings whose lowering must say why (TLP 2.0: for named people only).
RESTRICTED_MARKINGS = (TLP.RED, TLP.AMBER_STRICT)


class LessonError(RuleError):
    """A rule said no; the message is for the user."""




CONTENT_FIELDS = (
    "kind", "title", "observation", "analysis", "recommendation", "recommendation_type", "addressed_to",
    "problem_addressed", "how_it_works", "evidence", "replication_needs", "tlp", "session_id",
)
GOOD_PRACTICE_FIELDS = ("problem_addressed", "how_it_works", "evidence", "replication_needs")


def clean_text(value: str | None) -> str | None:
    """Stripped text, or None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


# --- recording -------------------------------------------------------------------------------


@dataclass
class EntryData:
    kind: LessonKind
    title: str
    tlp: TLP
    observation: str | None = None
    analysis: str | None = None
    recommendation: str | None = None
    recommendation_type: RecommendationType | None = None
    addressed_to: Addressee | None = None
    problem_addressed: str | None = None
    how_it_works: str | None = None
    evidence: str | None = None
    replication_needs: str | None = None
    session_id: int | None = None
    theme_ids: tuple[int, ...] = ()


def _checked_themes(event: Event, data: EntryData) -> list[Theme]:
    """The entry's title, session and themes are valid; returns the chosen themes."""
    title = (data.title or "").strip()
    if not title:
        raise LessonError(_l("Give the entry a title (one issue per entry)."))
    if len(title) > 200:
        raise LessonError(_l("The title must be at most 200 characters."))
    if data.session_id is not None:
        session = db.session.get(Session, data.session_id)
        if session is None or session.event_id != event.id:
            raise LessonError(_l("Choose a session of this event."))
    themes = []
    if data.theme_ids:
        themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(list(data.theme_ids)))))
        if len(themes) != len(set(data.theme_ids)):
            raise LessonError(_l("Choose themes from the list."))
    return themes


def _content_values(data: EntryData) -> dict:
    values = {
        "kind": LessonKind(data.kind),
        "title": (data.title or "").strip(),
        "tlp": TLP(data.tlp),
        "observation": clean_text(data.observation),
        "analysis": clean_text(data.analysis),
        "recommendation": clean_text(data.recommendation),
        "recommendation_type": RecommendationType(data.recommendation_type) if data.recommendation_type else None,
        "addressed_to": Addressee(data.addressed_to) if data.addressed_to else None,
        "session_id": data.session_id,
    }
    for name in GOOD_PRACTICE_FIELDS:
        values[name] = clean_text(getattr(data, name)) if values["kind"] == LessonKind.GOOD_PRACTICE else None
    return values


def _apply(lesson: Lesson, event: Event, data: EntryData) -> dict:
    themes = _checked_themes(event, data)
    values = _content_values(data)
    changes = audit.diff(lesson, values) if lesson.id else {k: [None, v] for k, v in values.items()}
    for name, value in values.items():
        setattr(lesson, name, value)
    old_themes = sorted(t.id for t in lesson.themes) if lesson.id else []
    if old_themes != sorted(t.id for t in themes):
        changes["themes"] = [old_themes, sorted(t.id for t in themes)]
    lesson.themes = themes
    return changes


def _check_complete(lesson: Lesson) -> None:
    """What a submitted entry must say (a draft may be incomplete)."""
    missing = []
    if not lesson.observation:
        missing.append(_("the observation (what happened)"))
    if lesson.kind == LessonKind.GOOD_PRACTICE:
        labels = {
            "problem_addressed": _("the problem it addresses"),
            "how_it_works": _("how and why it works"),
            "evidence": _("the evidence it works"),
            "replication_needs": _("what another unit needs to replicate it"),
        }
        missing += [label for name, label in labels.items() if not getattr(lesson, name)]
    if missing:
        raise LessonError(_l("Before submitting, describe %(missing)s.", missing=", ".join(missing)))


@rolls_back_on(LessonError)
def record_entry(event: Event, author: User, data: EntryData, *, submit: bool = False) -> Lesson:
    allowed, reason = may_record(author, event)
    if not allowed:
        raise LessonError(reason)
    lesson = Lesson(event_id=event.id, author_id=author.id, status=LessonStatus.DRAFT)
    lesson.event = event
    changes = _apply(lesson, event, data)
    db.session.add(lesson)
    db.session.flush()
    _transition(lesson, author, None, LessonStatus.DRAFT, _("Recorded"))
    audit.record(author, "lesson.created", lesson, changes, summary=f"Recorded {lesson.title}")
    if submit:
        _check_complete(lesson)
        move(lesson, author, LessonStatus.SUBMITTED, None)
    db.session.commit()
    return lesson


@rolls_back_on(LessonError)
def update_entry(lesson: Lesson, actor: User, data: EntryData, *, submit: bool = False) -> Lesson:
    if not can_edit(actor, lesson):
        raise LessonError(_l("Only the author may edit an entry, and only until it is validated."))
    old_tlp = lesson.tlp
    changes = _apply(lesson, lesson.event, data)
    if TLP(data.tlp).rank < old_tlp.rank and lesson.author_id != actor.id and not visibility.is_coordinator(actor):
        raise LessonError(_l("Only the author or a coordinator may lower the marking."))
    if lesson.tlp != old_tlp:
        lesson.marked_at = now()  # visibility: the organisers of this moment see the new marking
    if changes:
        audit.record(actor, "lesson.updated", lesson, changes, summary=f"Edited {lesson.title}")
    if submit and lesson.status in (LessonStatus.DRAFT, LessonStatus.REJECTED):
        _check_complete(lesson)
        move(lesson, actor, LessonStatus.SUBMITTED, None)
    db.session.commit()
    return lesson


@rolls_back_on(LessonError)
def delete_draft(lesson: Lesson, actor: User) -> None:
    """The author may throw away a draft (nothing else is ever deleted: the history is the record)."""
    if not (is_signed_in(actor) and lesson.author_id == actor.id and lesson.status == LessonStatus.DRAFT):
        raise LessonError(_l("Only the author may delete an entry, and only while it is a draft."))
    audit.record(actor, "lesson.deleted", lesson, {"title": [lesson.title, None]}, summary=lesson.title)
    db.session.delete(lesson)
    db.session.commit()


@rolls_back_on(LessonError)
def change_marking(lesson: Lesson, actor: User, tlp: TLP | str, comment: str | None = None) -> None:
    """The author sets the marking; only the author or a coordinator who can already see the entry
    may lower it, and lowering a RED or AMBER+STRICT entry needs a reason, kept in its history.
    Validators (the event's organisers, coordinators) may raise it."""
    try:
        new = TLP(tlp)
    except ValueError as error:
        raise LessonError(_l("Choose a TLP marking from the list.")) from error
    if new == lesson.tlp:
        return
    is_author = is_signed_in(actor) and lesson.author_id == actor.id
    if new.rank < lesson.tlp.rank:
        if not (is_author or (visibility.is_coordinator(actor) and visibility.can_see(actor, lesson))):
            raise LessonError(_l("Only the author or a coordinator may lower the marking."))
        if lesson.tlp in RESTRICTED_MARKINGS and not clean_text(comment):
            raise LessonError(_l("Say why the entry may now reach more people than %(marking)s allows: "
                                 "the reason is kept in its history.", marking=lesson.tlp.label))
    elif not (is_author or visibility.can_validate(actor, lesson)):
        raise LessonError(_l("Only the author, the event's organisers or a coordinator may change the marking."))
    old = lesson.tlp
    lesson.tlp = new
    lesson.marked_at = now()  # visibility: the organisers of this moment see the new marking
    audit.record(actor, "lesson.marking_changed", lesson, {"tlp": [old.value, new.value]},
                 summary=clean_text(comment))
    db.session.commit()


# --- workflow steps --------------------------------------------------------------------------


def _transition(lesson: Lesson, actor, from_status, to_status, comment) -> LessonTransition:
    step = LessonTransition(
        lesson_id=lesson.id,
        actor_id=getattr(actor, "id", None),
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        comment=clean_text(comment),
        at=now(),
    )
    db.session.add(step)
    return step


def move(lesson: Lesson, actor, to_status: LessonStatus, comment: str | None) -> None:
    """Put the entry in `to_status` (no permission check, no commit): stamps, history, audit, emails."""
    from_status = lesson.status
    lesson.status = to_status
    instant = now()
    if to_status == LessonStatus.SUBMITTED:
        lesson.submitted_at = instant
        lesson.rejection_reason = None
    elif to_status == LessonStatus.VALIDATED:
        lesson.validated_at = instant
        lesson.validator_id = actor.id
    elif to_status == LessonStatus.REJECTED:
        lesson.rejection_reason = comment
    _transition(lesson, actor, from_status, to_status, comment)
    audit.record(
        actor, "lesson.transition", lesson, {"status": [from_status.value, to_status.value]},
        summary=clean_text(comment),
    )
    if to_status in (LessonStatus.VALIDATED, LessonStatus.REJECTED, LessonStatus.ACTIONED, LessonStatus.LEARNED):
        notices.tell_author(lesson, actor, to_status, clean_text(comment))
    elif to_status == LessonStatus.SUBMITTED:
        notices.tell_validators(lesson, actor)


STEP_TARGETS = {
    "submit": LessonStatus.SUBMITTED,
    "validate": LessonStatus.VALIDATED,
    "reject": LessonStatus.REJECTED,
    "confirm": LessonStatus.LEARNED,
}


@rolls_back_on(LessonError)
def transition(lesson: Lesson, actor: User, step: str, comment: str | None = None) -> LessonStatus:
    """Take one workflow step ("submit", "validate", "reject", "confirm") and commit."""
    comment = clean_text(comment)
    if comment and len(comment) > 5000:
        raise LessonError(_l("Keep the comment under 5,000 characters."))
    if step not in allowed_transitions(actor, lesson):
        if step == "confirm" and lesson.status == LessonStatus.ACTIONED and not all_actions_done(lesson):
            raise LessonError(_l("Every follow-up action must be done (or dropped) before the lesson is learned."))
        raise LessonError(_l("You cannot take this step on this entry now."))
    if step == "submit":
        _check_complete(lesson)
    elif step == "reject" and not comment:
        raise LessonError(_l("Give the author a reason for rejecting the entry."))
    move(lesson, actor, STEP_TARGETS[step], comment)
    db.session.commit()
    return lesson.status
