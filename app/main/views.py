"""Home page and health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.accounts.auth import is_safe_next
from app.accounts.services import update_profile
from app.db_events import database_answers
from app.i18n import supported
from app.roles import is_signed_in

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/healthz")
def health():
    database_answers()
    return {"status": "ok"}


@bp.post("/language")
def choose_language():
    """The footer's switcher: remembered in the session, and in the profile of a signed-in person."""
    language = supported(request.form.get("language"))
    if language:
        session["language"] = language
        if is_signed_in(current_user) and current_user.language != language:
            update_profile(current_user, language=language)
    return redirect(_back(request.referrer))


def _back(referrer: str | None) -> str:
    """Back to the page the switcher was on (from Referer: the page never writes its own address
    into a form, since some addresses hold a secret), when it is a page of this site."""
    parts = urlsplit(referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return url_for("main.home")
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return target if is_safe_next(target) else url_for("main.home")
