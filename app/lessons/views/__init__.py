"""Routes of the lessons capability: the library, entries and their workflow, follow-up actions,
summaries and event wrap-ups. This package holds the blueprint; each module registers one group of
pages on it (parse, authorise, call a service or query, render or redirect)."""

from flask import Blueprint

bp = Blueprint("lessons", __name__)

from app.lessons.views import (  # noqa: E402,F401  (the route modules register themselves on bp)
    actions,
    entries,
    entry_markup,
    library,
    summaries,
    template_globals,
    wrap_up,
)
