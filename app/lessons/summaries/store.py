"""Saving summaries: each save freezes the chosen entries in a new SummaryVersion (plain JSON), so a
saved summary does not change when its entries do; who may open a saved version."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.accounts.models import User
from app.errors import RuleError, rolls_back_on
from app.extensions import db
from app.lessons import visibility
from app.lessons.models import TLP, Lesson, Summary, SummaryVersion
from app.lessons.summaries.compile import GROUPINGS, build_snapshot, chosen_entries
from app.timeutil import now


class SummaryError(RuleError):
    """A summary cannot be saved as asked; the message says why."""


@dataclass
class SummaryDraft:
    title: str
    filters: dict
    group_by: str
    lesson_ids: list[int]
    introduction: str | None
    conclusions: str | None


def _checked_title(draft: SummaryDraft) -> str:
    title = (draft.title or "").strip()
    if not title or len(title) > 200:
        raise SummaryError(_l("Give the summary a title (at most 200 characters)."))
    if draft.group_by not in GROUPINGS:
        raise SummaryError(_l("Choose how to group the entries."))
    for text in (draft.introduction, draft.conclusions):
        if text and len(text) > 50_000:
            raise SummaryError(_l("Keep the introduction and conclusions under 50,000 characters each."))
    return title


@rolls_back_on(SummaryError)
def save(actor: User, draft: SummaryDraft, summary: Summary | None = None) -> SummaryVersion:
    """Freeze the chosen entries in a new version (the first one creates the summary)."""
    title = _checked_title(draft)
    entries = chosen_entries(actor, draft.lesson_ids)
    if not entries:
        raise SummaryError(_l("Include at least one validated entry."))
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


def version_as_dict(version: SummaryVersion) -> dict:
    """A saved version as the plain dict summary_document() takes."""
    return {
        "number": version.number,
        "saved_on": version.created_at.date().isoformat(),
        "author": version.created_by.name if version.created_by else None,
        "group_by": version.group_by,
        "introduction": version.introduction,
        "conclusions": version.conclusions,
        "snapshot": version.snapshot or {},
    }
