"""Routes of certificates: the blueprint, and the modules that add its pages (imported below)."""

from flask import Blueprint

bp = Blueprint("certificates", __name__)

from app.certificates.views import (  # noqa: E402, F401  (each module adds its routes to bp)
    holder,
    links,
    manage,
    verify,
)
