"""Routes of needs assessments: the owners' pages (build, send, open, close), the respondent's
questionnaire, and identified needs. Each module registers one group of pages on bp."""

from flask import Blueprint

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

from app.assessments.views import (  # noqa: E402,F401  (the route modules register themselves on bp)
    answer,
    manage,
    needs,
    template_globals,
)
