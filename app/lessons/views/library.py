"""The library: every entry the viewer may see, searched and filtered, one page at a time."""

from __future__ import annotations

from flask import current_app, get_template_attribute, render_template, request
from flask_login import current_user
from markupsafe import Markup

from app.assessments import queries as assessment_queries
from app.i18n import current_language
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
        filter_event=queries.filter_event(user, f.event_id), awaiting=counts.awaiting,
        filters_html=_filters_html(f, choices, counts.themes if counts.choices_kept else None), **choices,
    )


_FILTERS = "liaison_library_filters"  # app.extensions: {(language, filter's values): (themes, fields' HTML)}
_FILTERS_MAX = 64  # ~9 kB each (mostly the countries' options): ~0.6 MB at most; the mix asks 25 searches


def _filters_html(f: LibraryFilter, choices: dict, kept_themes: list | None) -> Markup:
    """The filters' fields (lessons/_macros.html filters) for `f` in this page's language: kept in this
    worker while the filters' choices are the ones it keeps (`kept_themes`: their themes, the very
    list app.lessons.choices.kept_choices gives; None: not kept, rendered each time). They depend on
    nothing else, and rendering their ~350 options was a fifth of the library's Python."""
    render = get_template_attribute("lessons/_macros.html", "filters")
    if kept_themes is None:
        return render(f, **{name: choices[name] for name in _FILTER_CHOICES})
    store = current_app.extensions.setdefault(_FILTERS, {})
    key = (current_language(), tuple(getattr(f, name) for name in f.__dataclass_fields__))
    found = store.get(key)
    if found is not None and found[0] is kept_themes:
        return found[1]
    html = render(f, **{name: choices[name] for name in _FILTER_CHOICES})
    if len(store) >= _FILTERS_MAX:
        store.clear()
    store[key] = (kept_themes, html)
    return html


_FILTER_CHOICES = ("themes", "cycles", "projects", "kinds", "statuses", "recommendation_types", "event_kinds",
                   "markings", "countries")
