"""Routes of knowledge checks: the blueprint, and the modules that add its pages (imported below)."""

from flask import Blueprint

bp = Blueprint("learning", __name__)

from app.learning.views import (  # noqa: E402, F401  (each module adds its routes to bp)
    organiser,
    participant,
    results,
    template_globals,
)
