"""Routes of the call for contributions: the blueprint, and the modules that add its pages."""

from flask import Blueprint

bp = Blueprint("contributions", __name__)

from app.contributions.views import proposing, reviewing  # noqa: E402, F401  (each adds its routes to bp)
