"""What several lessons pages share: the status of a form page, the filters' choices, an entry
looked up for the viewer, a document download."""

from __future__ import annotations

from flask import Response, abort
from flask_login import current_user

from app.events.models import EventKind
from app.forms_common import country_choices
from app.i18n import gettext
from app.lessons import export, queries
from app.lessons.choices import filter_choices
from app.lessons.models import TLP, Lesson, LessonKind, LessonStatus, RecommendationType

PER_PAGE = 20
# The enums' members in their order: the same on every page (list(LessonKind) walks the enum each time).
_KINDS, _STATUSES, _RECOMMENDATION_TYPES = tuple(LessonKind), tuple(LessonStatus), tuple(RecommendationType)
_EVENT_KINDS, _MARKINGS = tuple(EventKind), tuple(TLP)


def form_status(form) -> int:
    return 422 if (form.errors or getattr(form, "form_errors", None)) else 200


def filter_context(choices: tuple | None = None) -> dict:
    """The library filters' choices, as template variables (`choices`: filter_choices()'s answer,
    when already read)."""
    themes, projects = choices or filter_choices()
    return {
        "themes": themes,
        "cycles": sorted({t.empact_cycle for t in themes if t.empact_cycle}),
        "projects": projects,
        "kinds": _KINDS,
        "statuses": _STATUSES,
        "recommendation_types": _RECOMMENDATION_TYPES,
        "event_kinds": _EVENT_KINDS,
        "markings": _MARKINGS,
        "countries": country_choices(gettext("Any")),  # a list, as on the events page
    }


def visible_lesson_or_404(lesson_id: int) -> Lesson:
    lesson = queries.visible_lesson(current_user, lesson_id)
    if lesson is None:
        abort(404)
    return lesson


def download(document: dict, fmt: str, filename: str) -> Response:
    """The document exported as `fmt` (404 for an unknown format), as an attachment."""
    if fmt not in export.FORMATS:
        abort(404)
    mimetype, extension = export.FORMATS[fmt]
    body = export.render(document, fmt)
    return Response(body, mimetype=mimetype.split(";")[0], headers={
        "Content-Disposition": f'attachment; filename="{filename}.{extension}"',
        "Content-Type": mimetype,
        "Cache-Control": "no-store",
    })
