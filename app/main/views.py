"""Home page and health check."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.db_events import database_answers

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/healthz")
def health():
    database_answers()
    return {"status": "ok"}
