"""Routes of events: the blueprint, and the modules that add its pages (imported below).
POST-only actions (publish, delete, move...) are covered by the app-wide CSRFProtect."""

from flask import Blueprint

bp = Blueprint("events", __name__)

from app.events.views import agenda, finding, planning  # noqa: E402, F401  (each adds its routes to bp)
