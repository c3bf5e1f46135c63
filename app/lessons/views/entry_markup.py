"""The markup of entries in a list (the library, an event's entries, its wrap-up) and of the status
and marking badges, built in Python: the library lists 20 entries on every page, and a template
macro per entry (two badge macros in it, a route built and three labels looked up per row) cost
more than the page's whole search. Template globals: status_badge(status), tlp_badge(tlp), entry_items(lessons, show_event).
"""

from __future__ import annotations

from markupsafe import Markup

from app.escaping import escaped
from app.events.urls import event_path
from app.lessons.models import TLP
from app.lessons.views import bp
from app.urls import path_with_id

STATUS_COLOURS = {"draft": "secondary", "submitted": "info", "validated": "primary", "actioned": "warning",
                  "learned": "success", "rejected": "danger"}


@bp.app_template_filter("tlp_class")
def tlp_class(tlp) -> str:
    return f"tlp-banner tlp-{TLP(tlp).value}"


def _label(member, labels: dict | None) -> str:
    """An enum member's label in the page's language, looked up once per list (`labels`)."""
    if labels is None:
        return member.label
    key = (type(member), member)  # (members of two enums may share a value)
    label = labels.get(key)
    if label is None:
        label = labels[key] = member.label
    return label


@bp.app_template_global("status_badge")
def status_badge(status, labels: dict | None = None) -> Markup:
    return Markup(f'<span class="badge text-bg-{STATUS_COLOURS[status.value]}">'
                  f'{escaped(_label(status, labels))}</span>')


@bp.app_template_global("tlp_badge")
def tlp_badge(tlp, labels: dict | None = None) -> Markup:
    return Markup(f'<span class="badge text-wrap {escaped(tlp_class(tlp))}" data-testid="tlp">'
                  f'{escaped(_label(tlp, labels))}</span>')


@bp.app_template_global("entry_items")
def entry_items(lessons, show_event: bool = True) -> Markup:
    """One <li> per entry (an ORM Lesson or app.lessons.listing.ListedEntry): its title linking to it,
    kind, event (`show_event`), author and themes, then its status and marking."""
    labels: dict = {}
    return Markup("".join([_entry_item(lesson, show_event, labels) for lesson in lessons]))


def _entry_item(lesson, show_event: bool, labels: dict) -> str:
    event = ""
    if show_event:
        event = f' · <a href="{escaped(event_path(lesson.event))}">{escaped(lesson.event.title)}</a>'
    author = f" · {escaped(lesson.author.name)}" if lesson.author else ""
    themes = "".join([f' · <span class="badge text-bg-light text-wrap text-start">{escaped(theme.label)}</span>'
                      for theme in lesson.themes])
    lesson_id = lesson.id
    number = str(lesson_id) if type(lesson_id) is int else escaped(lesson_id)  # (digits need no escaping)
    return (
        f'<li class="list-group-item" data-testid="lesson-{number}">\n'
        '  <div class="d-flex justify-content-between align-items-start gap-2 flex-wrap">\n'
        '    <div>\n'
        f'      <a class="fw-semibold" href="{escaped(path_with_id("lessons.detail", "lesson_id", lesson_id))}">'
        f'{escaped(lesson.title)}</a>\n'
        '      <div class="small text-muted">\n'
        f'        {escaped(_label(lesson.kind, labels))}{event}\n'
        f'        {author}\n'
        f'        {themes}\n'
        '      </div>\n'
        '    </div>\n'
        f'    <div class="d-flex flex-wrap gap-1 align-items-start">{_badges(lesson.status, lesson.tlp, labels)}</div>\n'
        '  </div>\n'
        '</li>'
    )


def _badges(status, tlp, labels: dict) -> str:
    """The status and marking badges of an entry, made once per pair in a list (`labels`)."""
    key = ("badges", status, tlp)
    found = labels.get(key)
    if found is None:
        found = labels[key] = f"{status_badge(status, labels)} {tlp_badge(tlp, labels)}"
    return found
