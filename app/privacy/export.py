"""Everything Liaison holds about one person, as plain data (JSON and the readable page are built
from it): one query per kind of record, whatever the number of rows."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app import audit
from app.accounts.api_tokens import tokens_for_export
from app.accounts.models import Membership, User
from app.assessments.queries import person_questionnaires
from app.audit.models import AuditEntry
from app.certificates.queries import for_export as certificates_for_export
from app.extensions import db
from app.learning.queries import follow_up_for_export, tests_for_export
from app.lessons.models import ActionNote, FollowUpAction, Lesson
from app.registrations.models import (
    AttendanceDay,
    Feedback,
    Invitation,
    Registration,
    SessionAttendance,
    SessionSignup,
)

ACCOUNT_FIELDS = ("id", "email", "name", "role", "position", "country", "timezone", "language",
                  "email_confirmed_at", "pending_email", "last_login_at", "created_at", "updated_at",
                  "is_active_account", "deleted_at")
LESSON_FIELDS = ("id", "event_id", "kind", "status", "tlp", "title", "observation", "analysis",
                 "recommendation", "problem_addressed", "how_it_works", "evidence", "replication_needs",
                 "created_at", "submitted_at")
# The sections of the export, in the order the readable page shows them.
SECTIONS = ("account", "calendar_preferences", "memberships", "registrations", "session_signups",
            "invitations", "attendance", "feedback", "knowledge_checks", "follow_up_answers", "needs_assessments",
            "lessons", "follow_up_actions", "action_notes", "api_tokens", "audit_entries")


def _value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def _pick(obj, fields) -> dict:
    return {name: _value(getattr(obj, name)) for name in fields}


def _account(user: User) -> dict:
    data = _pick(user, ACCOUNT_FIELDS)
    data["organisation"] = user.organisation.name if user.organisation else None
    return data


def _memberships(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(Membership).options(joinedload(Membership.organisation))
                              .where(Membership.user_id == user_id).order_by(Membership.id))
    return [{"organisation": m.organisation.name, **_pick(m, ("status", "is_admin", "via", "requested_at",
                                                             "decided_at", "reason"))} for m in rows]


def _registrations(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(Registration).options(joinedload(Registration.event))
                              .where(Registration.user_id == user_id).order_by(Registration.id))
    return [{"event": r.event.title, **_pick(r, (
        "event_id", "status", "role", "registered_at", "confirmed_at", "cancelled_at", "dietary_needs",
        "accessibility_needs", "needs_visa_letter", "consented_at", "needs_erased_at", "checked_in_at"))}
        for r in rows]


def _session_signups(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(SessionSignup).options(joinedload(SessionSignup.session))
                              .where(SessionSignup.user_id == user_id).order_by(SessionSignup.id))
    return [{"session": s.session.title, **_pick(s, ("session_id", "status", "confirmed_at", "cancelled_at"))}
            for s in rows]


def _invitations(user: User) -> list[dict]:
    rows = db.session.scalars(select(Invitation).options(joinedload(Invitation.event))
                              .where(or_(Invitation.user_id == user.id, Invitation.email == user.email))
                              .order_by(Invitation.id))
    return [{"event": i.event.title, **_pick(i, ("event_id", "email", "name", "role", "status", "created_at",
                                                 "responded_at"))} for i in rows]


def _attendance(user_id: int) -> list[dict]:
    days = db.session.execute(
        select(Registration.event_id, AttendanceDay.day_on, AttendanceDay.checked_in_at)
        .join(Registration, Registration.id == AttendanceDay.registration_id)
        .where(Registration.user_id == user_id).order_by(AttendanceDay.day_on)
    )
    sessions = db.session.execute(
        select(Registration.event_id, SessionAttendance.session_id, SessionAttendance.checked_in_at)
        .join(Registration, Registration.id == SessionAttendance.registration_id)
        .where(Registration.user_id == user_id).order_by(SessionAttendance.checked_in_at)
    )
    return ([{"event_id": e, "day": _value(d), "checked_in_at": _value(at)} for e, d, at in days]
            + [{"event_id": e, "session_id": s, "checked_in_at": _value(at)} for e, s, at in sessions])


def _feedback(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(Feedback).join(Registration, Registration.id == Feedback.registration_id)
                              .where(Registration.user_id == user_id).order_by(Feedback.id))
    return [_pick(f, ("event_id", "is_anonymous", "overall", "relevance", "organisation", "what_worked",
                      "what_to_improve", "created_at")) for f in rows]


def _lessons(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(Lesson).where(Lesson.author_id == user_id).order_by(Lesson.id))
    return [_pick(lesson, LESSON_FIELDS) for lesson in rows]


def _actions(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(FollowUpAction).where(FollowUpAction.owner_user_id == user_id)
                              .order_by(FollowUpAction.id))
    return [_pick(a, ("id", "title", "description", "status", "due_on", "lesson_id", "event_id", "completed_at"))
            for a in rows]


def _notes(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(ActionNote).where(ActionNote.author_id == user_id).order_by(ActionNote.id))
    return [_pick(n, ("action_id", "body", "at")) for n in rows]


def _audit_entries(user_id: int) -> list[dict]:
    rows = db.session.scalars(select(AuditEntry).where(or_(
        AuditEntry.actor_id == user_id, (AuditEntry.subject_type == "User") & (AuditEntry.subject_id == user_id),
    )).order_by(AuditEntry.at, AuditEntry.id))
    return [_pick(e, ("at", "action", "subject_type", "subject_id", "changes")) | {"as_actor": e.actor_id == user_id}
            for e in rows]


def collect(user: User) -> dict:
    """Everything Liaison holds about `user` (no password hash, no tokens)."""
    return {
        "account": _account(user),
        "calendar_preferences": {"timezone": user.timezone, "language": user.language,
                                 "include_waitlisted": user.calendar_include_waitlisted},
        "memberships": _memberships(user.id),
        "registrations": _registrations(user.id),
        "session_signups": _session_signups(user.id),
        "invitations": _invitations(user),
        "attendance": _attendance(user.id),
        "feedback": _feedback(user.id),
        "knowledge_checks": tests_for_export(user.id),
        "follow_up_answers": follow_up_for_export(user.id),
        "needs_assessments": person_questionnaires(user.id),
        "lessons": _lessons(user.id),
        "follow_up_actions": _actions(user.id),
        "action_notes": _notes(user.id),
        "api_tokens": tokens_for_export(user.id),
        "certificates": certificates_for_export(user.id),
        "audit_entries": _audit_entries(user.id),
    }


def export_data(user: User, actor: User, fmt: str, reason: str | None = None) -> dict:
    """The person's data, the export audited (who asked, in which format). Commits."""
    data = collect(user)
    audit.record(actor, "user.data_export", user, {"format": fmt, "by_admin": actor.id != user.id},
                 summary=reason)
    db.session.commit()
    return data


def as_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
