"""The one helper that writes audit entries, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from app.audit.models import AuditEntry
from app.extensions import db
from app.timeutil import now


def record(actor, action: str, subject, changes: dict[str, Any] | None = None, summary: str | None = None):
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = build(actor, action, subject, changes, summary)
    db.session.add(entry)
    return entry


def build(actor, action: str, subject, changes: dict[str, Any] | None = None,
          summary: str | None = None) -> AuditEntry:
    """The audit entry record() adds, not added (for a caller that writes it itself)."""
    return AuditEntry(
        at=now(),
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=type(subject).__name__ if not isinstance(subject, tuple) else subject[0],
        subject_id=getattr(subject, "id", None) if not isinstance(subject, tuple) else subject[1],
        changes=_jsonable(changes or {}),
        summary=(summary or "")[:500] or None,
    )


def diff(obj, fields: dict[str, Any]) -> dict[str, list]:
    """Changes between obj's current attributes and the new values, as {field: [old, new]}."""
    return {
        name: [getattr(obj, name), value]
        for name, value in fields.items()
        if getattr(obj, name) != value
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
