"""Organisers' own paragraph in their event's emails (issue 23, editable messages): the confirmation,
waiting-list, reminder and invitation emails carry it, in their text part as written and in their
HTML part escaped (plain text) or rendered by the app's sanitised Markdown (app.markdown).

The paragraph is the organisers' own text for the people their event writes to; it is added only to
that event's emails and never holds anything of the application's (no participant data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, exists, select
from sqlalchemy.orm import Mapped, mapped_column

from app import audit
from app.cache import fragments
from app.db import UTCDateTime
from app.events import page_facts
from app.extensions import db
from app.markdown import render_markdown
from app.registrations.rules import RegistrationError
from app.timeutil import now

# The emails that carry a paragraph, and the templates that render them (for the preview).
KINDS = {
    "confirmation": _l("Confirmation (your place is confirmed)"),
    "waitlist": _l("Waiting list"),
    "reminder": _l("Reminder before the event"),
    "invitation": _l("Invitation"),
}
MAX_LENGTH = 2000


class EventEmailText(db.Model):
    __tablename__ = "event_email_texts"
    __table_args__ = (UniqueConstraint("event_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    is_markdown: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


@dataclass(frozen=True)
class OwnParagraph:
    text: str  # for the text part, as written
    html: Markup  # for the HTML part: escaped, or sanitised Markdown


def paragraph_of(body: str | None, is_markdown: bool) -> OwnParagraph | None:
    body = (body or "").strip()
    if not body:
        return None
    if is_markdown:
        return OwnParagraph(body, Markup(render_markdown(body)))
    paragraphs = [escape(part.strip()).replace("\n", Markup("<br>")) for part in body.split("\n\n") if part.strip()]
    return OwnParagraph(body, Markup("").join(Markup("<p>{}</p>").format(p) for p in paragraphs))


def texts_of(event_id: int) -> dict[str, EventEmailText]:
    return {row.kind: row for row in db.session.scalars(
        select(EventEmailText).where(EventEmailText.event_id == event_id))}


def own_paragraph(event_id: int | None, kind: str) -> OwnParagraph | None:
    """The organisers' paragraph for this event's email of `kind` (None: they wrote none)."""
    if event_id is None or page_facts.absent(event_id, HAS_PARAGRAPHS):
        return None
    # Remembered until a paragraph changes anywhere: every confirmation, promotion and waiting-list
    # notice asks, most often for a paragraph nobody wrote (issue 19: one statement less each).
    return fragments.remember("registrations.own_paragraph", (event_id, kind), ("event_email_texts",),
                              lambda: _read_paragraph(event_id, kind))


HAS_PARAGRAPHS = "registrations.has_own_paragraphs"  # kept by a registration's first read (event_with_tally)


def has_paragraphs(event_id):
    """Whether the organisers wrote any paragraph for the event (an EXISTS of the event's id, an SQL
    column or value)."""
    return exists().where(EventEmailText.event_id == event_id)


def _read_paragraph(event_id: int, kind: str) -> OwnParagraph | None:
    # No autoflush: the caller's pending rows (a promotion's audit entry, say) are not this read's.
    with db.session.no_autoflush:
        row = db.session.scalar(select(EventEmailText).where(EventEmailText.event_id == event_id,
                                                             EventEmailText.kind == kind))
    return paragraph_of(row.body, row.is_markdown) if row is not None else None


def save_texts(actor, event, values: dict[str, tuple[str | None, bool]]) -> None:
    """Save the paragraphs: kind -> (body, is_markdown); an empty body removes it. Commits."""
    rows = texts_of(event.id)
    changes = {}
    for kind, (body, is_markdown) in values.items():
        if kind not in KINDS:
            continue
        body = (body or "").strip()
        if len(body) > MAX_LENGTH:
            raise RegistrationError(_l("At most %(num)d characters.", num=MAX_LENGTH), f"{kind}_body")
        row = rows.get(kind)
        before = (row.body, row.is_markdown) if row is not None else ("", False)
        if (body, bool(is_markdown) and bool(body)) == (before[0], before[1] and bool(before[0])):
            continue
        changes[kind] = [before[0], body]
        if not body:
            if row is not None:
                db.session.delete(row)
            continue
        values = {"body": body, "is_markdown": bool(is_markdown), "updated_at": now(), "updated_by_id": actor.id}
        if row is None:
            db.session.add(EventEmailText(event_id=event.id, kind=kind, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    if changes:
        audit.record(actor, "event.email_texts", event, changes, summary=event.title)
    db.session.commit()
