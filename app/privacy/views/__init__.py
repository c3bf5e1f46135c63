"""Routes of privacy: the blueprint, and the modules that add its pages (imported below)."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from app.privacy.views import admin, consent, mine  # noqa: E402, F401  (each module adds its routes to bp)
