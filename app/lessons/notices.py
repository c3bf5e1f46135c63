"""The emails the lessons workflow sends through the outbox: a decision to the author, a submitted
entry to its validators, an assigned action to its owner — and how any email or page names an entry
to someone (entry_reference).

No restricted text leaves by email: every message that names an entry names it through
entry_reference, asked for the RECIPIENT (never the person whose action sent it). A recipient who
may not see the entry (visibility.can_see, or visibility.visible_ids for a batch) gets a neutral
reference, "an entry marked TLP:RED from <event>", and never its title or text.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import Role, User
from app.events import access as event_access
from app.extensions import db
from app.lessons import visibility
from app.lessons.models import FollowUpAction, Lesson, LessonStatus
from app.notifications.outbox import Recipient, enqueue
from app.notifications.rendering import render_email


def entry_reference(recipient, lesson: Lesson, visible: bool) -> str:
    """How a message or page names `lesson` to `recipient`: its title when `visible` (what
    visibility.can_see / visible_ids answered for this recipient), otherwise a neutral reference
    with its marking and, when the recipient may see the event, the event's title. The neutral
    reference is a lazy string: it speaks the language of the page or email it is shown in (an
    email is rendered in its recipient's language), not the one of the request that built it."""
    if visible:
        return lesson.title
    event = lesson.event
    if event is not None and event_access.can_view(recipient, event):
        return _l("an entry marked %(marking)s from %(event)s", marking=lesson.tlp.label, event=event.title)
    return _l("an entry marked %(marking)s", marking=lesson.tlp.label)


def _link(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def tell_author(lesson: Lesson, actor, to_status: LessonStatus, comment: str | None) -> None:
    """The author hears of a decision on their entry (`comment` already cleaned), unless they took it."""
    author = lesson.author
    if author is None or author.id == getattr(actor, "id", None) or not author.is_active_account:
        return
    subject, text, html = render_email(
        "lessons/decision",
        language=author.language,
        lesson=lesson,
        entry=entry_reference(author, lesson, visibility.can_see(author, lesson)),
        status=to_status,
        actor=actor,
        comment=comment,
        url=_link(f"/lessons/{lesson.id}"),
    )
    enqueue(Recipient(author.email, author.name, author.id), subject, text, html, kind="lesson_decision")


def validators_to_tell(lesson: Lesson, actor=None) -> list[User]:
    """Who hears that an entry waits for validation: the event's organisers (its creator and
    co-organisers), who know what happened there. When none of them can take it (the author
    organised the event alone, or their accounts are closed), the network's coordinators do.
    Only people who may validate this entry under its marking, never the one who submitted it."""
    event = lesson.event
    skip = {getattr(actor, "id", None), lesson.author_id}

    def able(users) -> list[User]:
        seen: set[int] = set()
        chosen = []
        for user in users:
            if user is None or user.id in skip or user.id in seen or not user.is_active_account:
                continue
            seen.add(user.id)
            if visibility.can_validate(user, lesson):
                chosen.append(user)
        return chosen

    organisers = able([event.created_by, *event.organisers])
    if organisers:
        return organisers
    return able(db.session.scalars(
        select(User).where(User.role.in_((Role.COORDINATOR, Role.ADMIN)), User.is_active_account.is_(True))
        .order_by(User.name, User.id)
    ))


def tell_validators(lesson: Lesson, actor) -> None:
    url = _link(f"/lessons/{lesson.id}")
    for validator in validators_to_tell(lesson, actor):
        subject, text, html = render_email(
            "lessons/submitted", language=validator.language, lesson=lesson, validator=validator,
            entry=entry_reference(validator, lesson, visibility.can_see(validator, lesson)),
            author=lesson.author, url=url,
        )
        enqueue(Recipient(validator.email, validator.name, validator.id), subject, text, html,
                kind="lesson_submitted")


def tell_owner(action: FollowUpAction, actor, owner: User | None, contact: str | None) -> None:
    """The action's owner (a person, or an organisation's contact address) hears it was assigned."""
    if owner is not None:
        if owner.id == actor.id:
            return
        recipient = Recipient(owner.email, owner.name, owner.id)
        language = owner.language
    else:
        recipient = Recipient(contact)
        language = None
    lesson = action.lesson
    entry = None
    if lesson is not None:
        entry = entry_reference(owner, lesson, owner is not None and visibility.can_see(owner, lesson))
    subject, text, html = render_email(
        "lessons/action_assigned", language=language, action=action, actor=actor, entry=entry,
        url=_link(f"/lessons/actions/{action.id}"),
    )
    enqueue(recipient, subject, text, html, kind="action_assigned")
