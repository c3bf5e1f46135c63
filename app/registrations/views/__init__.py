"""Routes of registrations: the blueprint, and the modules that add its pages (imported below)."""

from flask import Blueprint

bp = Blueprint("registrations", __name__)

from app.registrations.views import (  # noqa: E402, F401  (each module adds its routes to bp)
    attendance,
    checkin,
    email_texts,
    feedback,
    helpers,
    invitations,
    my_events,
    participants,
    registering,
)
