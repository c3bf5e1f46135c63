"""The agenda of an event: its sessions and their speakers (rules and transactions; no request).

Every function that changes data writes an audit entry and commits; on a broken rule it raises
EventError (with the form field it concerns) and rolls back. Calendar updates and waiting-list
promotions are left to the packages above, through signals (app/events/signals.py).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit
from app.events import signals
from app.events.errors import EventError, rolls_back_on_error
from app.events.facility_place import fill_session_place
from app.events.models import Event, Session, SessionKind, SessionSpeaker
from app.events.queries import user_ids_by_name
from app.extensions import db
from app.i18n import format_pattern
from app.templating import format_local
from app.timeutil import to_local

SESSION_SEQUENCE_FIELDS = ("title", "starts_at", "ends_at", "room")
SESSION_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "room", "description", "learning_objectives", "capacity",
    "has_signup", "facility_id",
)
_SPEAKER_SPLIT = re.compile(r"\s+[—–-]\s+|\s*[—–]\s*")


def parse_external_speakers(text: str | None) -> list[tuple[str, str | None]]:
    """One "Name — Organisation" per line (the organisation is optional)."""
    speakers = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        parts = _SPEAKER_SPLIT.split(line, maxsplit=1)
        name = parts[0].strip()[:200]
        organisation = parts[1].strip()[:200] if len(parts) > 1 and parts[1].strip() else None
        if not name:
            raise EventError(_l("Each line needs a name: “Name — Organisation”."), "external_speakers")
        speakers.append((name, organisation))
    if len(speakers) > 50:
        raise EventError(_l("At most 50 external speakers."), "external_speakers")
    return speakers


def external_speakers_text(item: Session) -> str:
    return "\n".join(
        f"{s.external_name} — {s.external_organisation}" if s.external_organisation else s.external_name
        for s in item.speakers if s.user_id is None and s.external_name
    )


def _check_session(event: Event, values: dict, item: Session | None = None) -> None:
    if values["ends_at"] <= values["starts_at"]:
        raise EventError(_l("The end must be after the start."), "ends_at")
    if values["starts_at"] < event.starts_at or values["starts_at"] >= event.ends_at:
        raise EventError(_l("The session must start within the event (%(start)s – %(end)s).",
                            start=format_local(event.starts_at, event.timezone),
                            end=format_local(event.ends_at, event.timezone)), "starts_at")
    if values["ends_at"] > event.ends_at:
        raise EventError(_l("The session must end by the end of the event (%(end)s).",
                            end=format_local(event.ends_at, event.timezone)), "ends_at")
    capacity = values.get("capacity")
    if capacity is not None and not 0 <= capacity <= 100_000:
        raise EventError(_l("Capacity is between 0 and 100000 (leave empty for the event's)."), "capacity")
    room = (values.get("room") or "").strip().lower()
    if room:
        clash = db.session.scalars(
            select(Session).where(
                Session.event_id == event.id,
                Session.id != (item.id if item is not None and item.id else -1),
                func.lower(Session.room) == room,
                Session.starts_at < values["ends_at"],
                Session.ends_at > values["starts_at"],
            ).order_by(Session.starts_at).limit(1)
        ).first()
        if clash is not None:
            local = to_local(clash.starts_at, event.timezone)
            end = to_local(clash.ends_at, event.timezone)
            raise EventError(_l(
                "%(room)s is already taken by “%(title)s” (%(start)s–%(end)s).", room=clash.room, title=clash.title,
                start=format_pattern(local, "%d %b %H:%M"), end=format_pattern(end, "%H:%M"),
            ), "room")


def _set_speakers(item: Session, user_ids, external_text: str | None) -> list:
    role = "trainer" if item.kind == SessionKind.TRAINING else "speaker"
    speakers = [SessionSpeaker(user_id=user_id, role=role) for user_id in user_ids_by_name(user_ids)]
    speakers += [
        SessionSpeaker(external_name=name, external_organisation=org, role=role)
        for name, org in parse_external_speakers(external_text)
    ]
    for position, speaker in enumerate(speakers):
        speaker.position = position
    def key(speaker):
        return f"user:{speaker.user_id}" if speaker.user_id else (
            f"{speaker.external_name} — {speaker.external_organisation}" if speaker.external_organisation
            else speaker.external_name)

    before, after = [key(s) for s in item.speakers], [key(s) for s in speakers]
    if before != after or any(s.role != role for s in item.speakers):
        item.speakers = speakers
    return [before, after]


def _session_values(values: dict, item: Session | None = None) -> dict:
    values = fill_session_place({k: v for k, v in values.items() if k in SESSION_FIELDS},
                                item.facility_id if item is not None else None)
    values["kind"] = SessionKind(values.get("kind") or SessionKind.PLENARY)
    values["has_signup"] = bool(values.get("has_signup"))
    return values


@rolls_back_on_error
def add_session(actor, event: Event, values: dict, speaker_ids=(), external_speakers: str | None = None) -> Session:
    if event.is_cancelled:
        raise EventError(_l("A cancelled event's agenda cannot change."))
    values = _session_values(values)
    _check_session(event, values)
    parse_external_speakers(external_speakers)
    same_start = db.session.scalar(
        select(func.max(Session.position)).where(Session.event_id == event.id, Session.starts_at == values["starts_at"])
    )
    item = Session(event_id=event.id, **values, position=(same_start + 1) if same_start is not None else 0)
    db.session.add(item)
    _set_speakers(item, speaker_ids, external_speakers)
    db.session.flush()
    audit.record(actor, "session.create", item, {k: [None, v] for k, v in values.items() if v not in (None, "")},
                 summary=f"{event.title}: {item.title}")
    db.session.commit()
    return item


@rolls_back_on_error
def update_session(actor, item: Session, values: dict, speaker_ids=(), external_speakers: str | None = None) -> dict:
    """Save a session. SEQUENCE rule: on a published event, a changed title, start, end or room
    (SESSION_SEQUENCE_FIELDS) raises the session's SEQUENCE and sends session_changed (the calendar
    tells the people signed up, in this transaction); description, objectives, speakers and capacity do not."""
    event = item.event
    if event.is_cancelled:
        raise EventError(_l("A cancelled event's agenda cannot change."))
    values = _session_values(values, item)
    _check_session(event, values, item)
    changes = audit.diff(item, values)
    speakers = _set_speakers(item, speaker_ids, external_speakers)
    if speakers[0] != speakers[1]:
        changes["speakers"] = speakers
    if "starts_at" in changes:
        top = db.session.scalar(
            select(func.max(Session.position)).where(
                Session.event_id == event.id, Session.starts_at == values["starts_at"], Session.id != item.id)
        )
        item.position = (top + 1) if top is not None else 0
    for name, value in values.items():
        setattr(item, name, value)
    if event.is_published and any(name in changes for name in SESSION_SEQUENCE_FIELDS):
        item.sequence += 1
        signals.session_changed.send(item)
    if changes:
        audit.record(actor, "session.edit", item, changes, summary=f"{event.title}: {item.title}")
    db.session.commit()
    if ("capacity" in changes or "has_signup" in changes) and item.has_signup:
        signals.session_capacity_changed.send(item, actor=actor)
    return changes


@rolls_back_on_error
def delete_session(actor, item: Session) -> None:
    event = item.event
    if event.is_cancelled:
        raise EventError(_l("A cancelled event's agenda cannot change."))
    if event.is_published:
        signals.session_removed.send(item)
    audit.record(actor, "session.delete", ("Session", item.id), {"title": [item.title, None]},
                 summary=f"{event.title}: {item.title}")
    db.session.delete(item)
    db.session.commit()


def move_session(actor, item: Session, direction: str) -> bool:
    """Move a session up or down among the sessions that start at the same time. False if it cannot."""
    group = list(db.session.scalars(
        select(Session).where(Session.event_id == item.event_id, Session.starts_at == item.starts_at)
        .order_by(Session.position, Session.id)
    ))
    index = group.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(group):
        return False
    group[index], group[other] = group[other], group[index]
    for position, session in enumerate(group):
        session.position = position
    audit.record(actor, "session.move", item, {"position": [index, other]}, summary=item.title)
    db.session.commit()
    return True
