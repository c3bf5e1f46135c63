"""Lessons: the library's search (only what the reader may see, by app.lessons.visibility), one
entry, record an entry on an event, submit it for validation — through the lessons services."""

from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from app.api.auth import needs
from app.api.paging import envelope
from app.api.problems import refuse
from app.api.schemas import (
    LOCATION,
    LessonCreateArgs,
    LessonListedSchema,
    LessonSchema,
    LessonSearchArgs,
    TransitionArgs,
    page_of,
)
from app.events.access import get_visible_or_404
from app.events.models import Event
from app.lessons import permissions, queries, workflow
from app.lessons.models import TLP, LessonKind
from app.lessons.search import LibraryFilter, library_query
from app.lessons.workflow import LessonError
from app.pagination import paginate

blp = Blueprint("api_lessons", __name__, description="Lessons learned (scope lessons)")

FILTER_NAMES = {"q": "q", "kind": "kind", "status": "status", "tlp": "tlp", "theme": "theme", "event": "event",
                "project": "project", "country": "country", "to": "to"}


def _filter(args: dict) -> LibraryFilter:
    """The parsed query as the library's filter (one home of what each filter means)."""
    raw = {name: str(args[key]) for key, name in FILTER_NAMES.items() if args.get(key) not in (None, "")}
    if args.get("from_"):
        raw["from"] = args["from_"].isoformat()
    if args.get("mine"):
        raw["mine"] = "1"
    return LibraryFilter.from_args(raw)


def _visible_or_404(lesson_id: int):
    lesson = queries.visible_lesson(current_user, lesson_id)
    if lesson is None:
        abort(404)
    return lesson


@blp.route("/lessons")
@needs("lessons:read")
@blp.arguments(LessonSearchArgs, location="query")
@blp.response(200, page_of(LessonListedSchema, "LessonPage"))
def search_lessons(args):
    """The library: entries I may see matching the filters, newest first (full-text `q`)."""
    page = paginate(library_query(current_user, _filter(args)), args["page"], args["per_page"])
    return envelope(page, page.items)


@blp.route("/lessons/<int:lesson_id>")
@needs("lessons:read")
@blp.response(200, LessonSchema)
def get_lesson(lesson_id: int):
    """One entry, if its marking lets me see it (404 otherwise: its existence is not told)."""
    return _visible_or_404(lesson_id)


def _entry_data(args: dict) -> workflow.EntryData:
    return workflow.EntryData(
        kind=LessonKind(args["kind"]), title=args["title"], tlp=TLP(args["tlp"]),
        observation=args["observation"], analysis=args["analysis"], recommendation=args["recommendation"],
        problem_addressed=args["problem_addressed"], how_it_works=args["how_it_works"],
        evidence=args["evidence"], replication_needs=args["replication_needs"],
        session_id=args["session_id"], theme_ids=tuple(args["theme_ids"]),
    )


def _event_for_entry(event_id: int) -> Event:
    try:
        return get_visible_or_404(event_id, current_user)
    except NotFound:
        refuse(422, "There is no such event.", "event_id")


@blp.route("/lessons", methods=["POST"])
@needs("lessons:write")
@blp.arguments(LessonCreateArgs)
@blp.response(201, LessonSchema, headers=LOCATION)
def create_lesson(args):
    """Record an entry on an event I may record on (a draft, or submitted with `submit`)."""
    event = _event_for_entry(args["event_id"])
    allowed, reason = permissions.may_record(current_user, event)
    if not allowed:
        refuse(403, reason)
    try:
        lesson = workflow.record_entry(event, current_user, _entry_data(args), submit=args["submit"])
    except LessonError as error:
        refuse(422, str(error), error.field or "_")
    return lesson, 201, {"Location": url_for("api_lessons.get_lesson", lesson_id=lesson.id)}


@blp.route("/lessons/<int:lesson_id>/submit", methods=["POST"])
@needs("lessons:write")
@blp.arguments(TransitionArgs)
@blp.response(200, LessonSchema)
@blp.alt_response(409, description="Not a step I may take now (not mine, not a draft, incomplete)")
def submit_lesson(args, lesson_id: int):
    """Submit my draft for validation."""
    lesson = _visible_or_404(lesson_id)
    try:
        workflow.transition(lesson, current_user, "submit", args["comment"])
    except LessonError as error:
        refuse(409, str(error))
    return _visible_or_404(lesson_id)
