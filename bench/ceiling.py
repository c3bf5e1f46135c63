"""The ceiling: a bare Flask endpoint that renders the base template with no database work.

Every page's throughput is compared with this one, measured in the same run on the same server."""

from __future__ import annotations

from flask import Blueprint, render_template_string

bp = Blueprint("bench", __name__)

CEILING_TEMPLATE = """{% extends "base.html" %}
{% block title %}Ceiling{% endblock %}
{% block content %}<h1>Ceiling</h1><p>The base layout and nothing else.</p>{% endblock %}"""


@bp.get("/bench/ceiling")
def ceiling():
    return render_template_string(CEILING_TEMPLATE)
