"""Template filters and globals: times in the event's zone and the viewer's, Markdown, labels."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, g, url_for
from flask_login import current_user
from markupsafe import Markup

from app.accounts.membership_queries import administers_any
from app.markdown import render_markdown
from app.roles import Role, has_role, is_signed_in
from app.timeutil import now, to_local

COUNTRIES = {
    "AL": "Albania", "AT": "Austria", "BA": "Bosnia and Herzegovina", "BE": "Belgium", "BG": "Bulgaria",
    "CH": "Switzerland", "CY": "Cyprus", "CZ": "Czechia", "DE": "Germany", "DK": "Denmark", "EE": "Estonia",
    "ES": "Spain", "FI": "Finland", "FR": "France", "GE": "Georgia", "GR": "Greece", "HR": "Croatia",
    "HU": "Hungary", "IE": "Ireland", "IT": "Italy", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia",
    "MD": "Moldova", "ME": "Montenegro", "MK": "North Macedonia", "MT": "Malta", "NL": "Netherlands",
    "NO": "Norway", "PL": "Poland", "PT": "Portugal", "RO": "Romania", "RS": "Serbia", "SE": "Sweden",
    "SI": "Slovenia", "SK": "Slovakia", "TR": "Türkiye", "UA": "Ukraine", "GB": "United Kingdom",
    "US": "United States", "XK": "Kosovo", "AM": "Armenia", "AZ": "Azerbaijan",
}
COUNTRY_CHOICES = sorted(COUNTRIES.items(), key=lambda item: item[1])


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return COUNTRIES.get(code.upper(), code.upper())


def format_local(instant: datetime | None, tz_name: str | None, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    if instant is None:
        return ""
    local = to_local(instant, tz_name)
    return f"{local.strftime(fmt)} {local.tzname()}"


# (endpoint, label, who): who is "all", "member" (signed in), "organiser", "coordinator", "admin" or
# "organisation_admin" (a network admin or an admin of an organisation).
NAV = [
    ("events.index", "Events", "all"),
    ("events.calendar_month", "Calendar", "all"),
    ("registrations.my_events", "My events", "member"),
    ("lessons.library", "Lessons", "member"),
    ("lessons.my_actions", "My actions", "member"),
    ("reports.dashboard", "Dashboard", "organiser"),
    ("lessons.summaries", "Summaries", "coordinator"),
    ("directory.index", "Directory", "coordinator"),
    ("membership.requests", "Membership requests", "organisation_admin"),
    ("accounts.users", "Users", "admin"),
    ("api_tokens.admin_index", "API tokens", "admin"),
    ("scheduler.status", "System", "admin"),
    ("privacy.audit", "Audit log", "admin"),
]


def nav_items() -> list[dict]:
    allowed = {
        "all": lambda: True,
        "member": lambda: is_signed_in(current_user),
        "organiser": lambda: has_role(current_user, Role.ORGANISER, Role.COORDINATOR),
        "coordinator": lambda: has_role(current_user, Role.COORDINATOR),
        "admin": lambda: has_role(current_user),
        "organisation_admin": lambda: administers_any(current_user),
    }
    items = []
    for endpoint, label, who in NAV:
        if allowed[who]():
            items.append({"endpoint": endpoint, "label": label, "url": url_for(endpoint)})
    return items


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["is_signed_in"] = is_signed_in
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.globals["now"] = now

    @app.context_processor
    def _globals():
        viewer_tz = getattr(current_user, "timezone", None) if current_user.is_authenticated else None
        return {
            "site_name": app.config["SITE_NAME"],
            "csp_nonce": getattr(g, "csp_nonce", ""),
            "viewer_timezone": viewer_tz,
            "demo_mode": app.config.get("DEMO_MODE", False),
        }
