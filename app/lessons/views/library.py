"""The library: every entry the viewer may see, searched and filtered, one page at a time."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from app.assessments import queries as assessment_queries
from app.lessons import queries
from app.lessons.listing import library_counts
from app.lessons.models import RecommendationType
from app.lessons.search import LibraryFilter
from app.lessons.views import bp
from app.lessons.views.common import PER_PAGE, filter_context
from app.pagination import Page, parse_page
from app.roles import is_signed_in


@bp.get("/lessons/")
def library():
    user = current_user._get_current_object()
    f = LibraryFilter.from_args(request.args)
    # Not cached: what one may see depends on who one is, and a page kept per viewer and query string
    # was never asked for again on the mixed benchmark (558 built, 0 found).
    content = Markup(_library_content(user, f))
    return render_template("lessons/library.html", content=content, needs=_capability_needs(user, f))


def _capability_needs(user, f: LibraryFilter) -> list:
    """The identified needs (app.assessments) beside the capability-gap recommendations: shown to the
    planning staff when the library is not narrowed to another recommendation type."""
    if f.recommendation_type not in (None, RecommendationType.CAPABILITY_GAP):
        return []
    return assessment_queries.needs_for_library(user, f.theme_id)


def _library_content(user, f: LibraryFilter) -> str:
    # ONE statement gives the figures (total, by kind, by status, awaiting validation), the page's
    # entries with their themes and the filters' choices (themes, projects), reading the viewer's
    # organiser/attendance facts itself.
    with_awaiting = bool(is_signed_in(user) and user.is_organiser)
    number = parse_page(request.args.get("page"))
    counts = library_counts(user, f, with_awaiting=with_awaiting, page=(PER_PAGE, (number - 1) * PER_PAGE),
                            with_choices=True)
    choices = filter_context((counts.themes, counts.projects))
    page = Page(items=counts.entries, page=number, per_page=PER_PAGE, total=counts.total)
    return render_template(
        "lessons/_library.html", page=page, f=f, kind_counts=counts.by_kind, status_counts=counts.by_status,
        filter_event=queries.filter_event(user, f.event_id), awaiting=counts.awaiting, **choices,
    )
