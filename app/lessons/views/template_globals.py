"""Template globals and filters the lessons blueprint gives every template (event pages show
their entries)."""

from __future__ import annotations

from functools import lru_cache

from flask import render_template
from flask_login import current_user
from markupsafe import Markup, escape

from app.events import access as event_access
from app.i18n import current_language
from app.lessons import notices, queries
from app.lessons.permissions import may_record
from app.lessons.summaries.compile import day_label
from app.lessons.views import bp
from app.roles import is_signed_in

EVENT_PAGE_LIMIT = 10


@bp.app_template_global()
def event_lesson_entries(event) -> dict:
    """What templates/lessons/_event_entries.html shows on an event page (1 query for an event without entries, else 3; one more for a past event)."""
    entries, total = queries.event_entries(current_user, event, EVENT_PAGE_LIMIT)
    can_record, _reason = may_record(current_user, event, with_reason=False)
    return {
        "entries": entries,
        "total": total,
        "can_record": can_record,
        "can_wrap_up": event_access.is_organiser_of(current_user, event),
    }


@bp.app_template_global()
def event_lessons_box(event) -> Markup:
    """The event page's lessons box (templates/lessons/_event_entries.html) for a signed-in viewer.
    On most event pages it is the same markup for every signed-in viewer in a language: the event
    has no entry they may see (an upcoming event has none: its page read so with the event), and
    they may not record one (may_record) nor wrap the event up (not its organiser). That box is
    rendered once per language and kept (bounded: one per language); any other is rendered for
    its viewer. The same questions, asked the same way, decide it: nothing more is read."""
    lesson_data = event_lesson_entries(event)
    if (lesson_data["total"] or lesson_data["can_record"] or lesson_data["can_wrap_up"]
            or not is_signed_in(current_user)):
        return _event_box(event, lesson_data)
    language = current_language()
    box = _empty_boxes.get(language)
    if box is None:
        if len(_empty_boxes) >= MAX_EMPTY_BOXES:
            _empty_boxes.clear()
        box = _empty_boxes[language] = _event_box(event, lesson_data)
    return box


# The empty box for a signed-in viewer, by language (event_lessons_box); a few languages only.
MAX_EMPTY_BOXES = 32
_empty_boxes: dict[str, Markup] = {}


def _event_box(event, lesson_data: dict) -> Markup:
    return Markup(render_template("lessons/_event_entries.html", event=event, lesson_data=lesson_data))


@bp.app_template_global("entry_reference")
def entry_reference_for_viewer(lesson, visible: bool) -> str:
    """notices.entry_reference for the person viewing the page."""
    return notices.entry_reference(current_user, lesson, visible)


@bp.app_template_filter("iso_day")
def iso_day(iso: str | None) -> str:
    """A summary snapshot's ISO date, the reader's way (compile.day_label)."""
    return day_label(iso)


@bp.app_template_filter("country_options")
def country_options(countries, selected: str) -> Markup:
    """The <option>s of the filters' country list, `selected` marked: the same markup as a loop over
    the (code, name) pairs, escaped once per language rather than 250 times per page."""
    return _with_selected(_options(tuple(countries)), selected)


@bp.app_template_filter("option_tags")
def option_tags(items, selected, value: str | None = "value", label: str | None = "label") -> Markup:
    """The <option>s of a filter's list (enum members, themes, projects, plain strings), the one whose
    `value` attribute equals `selected` marked: the markup of a template loop over the items, built
    once per list and language (the library prints some 130 options on every page, their labels
    translated). `None` for an attribute: the item itself."""
    return _with_selected(_option_tags(tuple(items), value, label, current_language()), selected)


def _with_selected(html: str, selected) -> Markup:
    if selected is not None:
        value = escape(selected)
        html = html.replace(f'<option value="{value}">', f'<option value="{value}" selected>', 1)
    return Markup(html)


@lru_cache(maxsize=64)
def _option_tags(items: tuple, value: str | None, label: str | None, _language: str) -> str:
    html = []
    for item in items:
        item_value = item if value is None else getattr(item, value)
        text = item if label is None else getattr(item, label)
        html.append(f'<option value="{escape(item_value)}">{escape(text)}</option>')
    return "".join(html)


@lru_cache(maxsize=32)
def _options(choices: tuple) -> str:
    return "".join(f'<option value="{escape(code)}">{escape(name)}</option>' for code, name in choices)
