"""The ceiling: a bare Flask endpoint that renders the base template with no database work.

Every page's throughput is compared with this one, measured in the same run on the same server.
The template is a file, so Jinja compiles it once per worker as it does every page's template."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("bench", __name__, template_folder="templates")


@bp.get("/bench/ceiling")
def ceiling():
    return render_template("bench/ceiling.html")
