"""Template filters and globals: times in the event's zone and the viewer's, Markdown, labels."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app, g, has_request_context, session
from flask import url_for as flask_url_for
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from markupsafe import Markup

from app.accounts.membership_queries import administers_any
from app.countries import COUNTRY_CHOICES, country_name
from app.i18n import current_language, format_pattern
from app.markdown import render_markdown
from app.roles import Role, has_role, is_signed_in
from app.timeutil import now, to_local

__all__ = ["COUNTRY_CHOICES", "country_name", "install_template_helpers", "nav_items", "format_local"]


def format_local(instant: datetime | None, tz_name: str | None, fmt: str = "%a %d %b %Y, %H:%M",
                 language: str | None = None) -> str:
    """An instant in a zone, in the page's language (app.i18n; `language`: that language, when the
    caller has looked it up once for many times), followed by the zone's abbreviation."""
    if instant is None:
        return ""
    local = to_local(instant, tz_name)
    return f"{format_pattern(local, fmt, language)} {local.tzname()}"


# (endpoint, label, who): who is "all", "member" (signed in), "organiser", "coordinator", "admin" or
# "organisation_admin" (a network admin or an admin of an organisation).
NAV = [
    ("events.index", _l("Events"), "all"),
    ("events.calendar_month", _l("Calendar"), "all"),
    ("facilities.index", _l("Facilities"), "all"),
    ("registrations.my_events", _l("My events"), "member"),
    ("lessons.library", _l("Lessons"), "member"),
    ("lessons.my_actions", _l("My actions"), "member"),
    ("reports.dashboard", _l("Dashboard"), "organiser"),
    ("assessments.index", _l("Needs assessments"), "organiser"),
    ("lessons.summaries", _l("Summaries"), "coordinator"),
    ("directory.index", _l("Directory"), "coordinator"),
    ("membership.requests", _l("Membership requests"), "organisation_admin"),
    ("accounts.users", _l("Users"), "admin"),
    ("scheduler.status", _l("System"), "admin"),
    ("privacy.audit", _l("Audit log"), "admin"),
]


# The running of the network (needs assessments, directory, people, system): under one "Manage" menu
# when there are two or more, so the navigation stays on one line at 1366 px for every role (issue 23).
MANAGE = ("assessments.index", "directory.index", "membership.requests", "accounts.users", "scheduler.status",
          "privacy.audit")


# Addresses without arguments (the navigation, the layout's links) and of static files, built once
# per worker: each is the same on every request that has the same script root and host. Bounded, as
# hosts come from the request.
_BUILT: dict[tuple, str] = {}
_BUILT_MAX = 512


def url_for(endpoint: str, **values) -> str:
    """flask.url_for, remembered for an endpoint without arguments or a static file's address (no
    URL defaults are installed: the app has none; with some, every address is built afresh)."""
    if (values and (endpoint != "static" or len(values) != 1 or "filename" not in values)) \
            or endpoint[:1] == "." or current_app.url_default_functions:
        return flask_url_for(endpoint, **values)
    adapter = request_ctx.url_adapter if has_request_context() else None
    if adapter is None:
        return flask_url_for(endpoint, **values)
    key = (adapter.script_name, adapter.server_name, adapter.subdomain, endpoint, values.get("filename"))
    url = _BUILT.get(key)
    if url is None:
        url = flask_url_for(endpoint, **values)
        if len(_BUILT) < _BUILT_MAX:
            _BUILT[key] = url
    return url


# CSRF tokens' serializers by secret key: flask_wtf builds one for every page that shows a form (the
# footer's language switcher: every page), and building it costs as much as signing the token.
_CSRF_SERIALIZERS: dict = {}


def csrf_token() -> str:
    """flask_wtf.csrf.generate_csrf, the same token (what forms and the CSRF check read), with its
    serializer built once per secret key. A first visit (no raw token in the session yet) and any
    configuration it does not expect go through flask_wtf itself."""
    config = current_app.config
    field_name = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    if field_name in g:
        return g.get(field_name)
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(field_name)
    if not secret or not isinstance(raw, str):
        return generate_csrf()
    serializer = _CSRF_SERIALIZERS.get(secret)
    if serializer is None:
        serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        if len(_CSRF_SERIALIZERS) < 8:
            _CSRF_SERIALIZERS[secret] = serializer
    token = serializer.dumps(raw)
    setattr(g, field_name, token)
    return token


# The navigation by what decides it (who the viewer is allowed to see, the page's language, the
# site's address): the same few lists on every page. Bounded, as hosts come from the request.
_NAV_BUILT: dict[tuple, list[dict]] = {}


def nav_items() -> list[dict]:
    """The navigation's entries for the viewer (shared: read them, do not change them)."""
    user = current_user._get_current_object()  # one proxy lookup, not one an entry
    signed_in = is_signed_in(user)
    allowed = {
        "all": True,
        "member": signed_in,
        "organiser": signed_in and has_role(user, Role.ORGANISER, Role.COORDINATOR),
        "coordinator": signed_in and has_role(user, Role.COORDINATOR),
        "admin": signed_in and has_role(user),
        "organisation_admin": administers_any(user),
    }
    adapter = request_ctx.url_adapter if has_request_context() else None
    if adapter is None or current_app.url_default_functions:
        return _nav_entries(allowed)
    key = (tuple(allowed.values()), current_language(), adapter.script_name, adapter.server_name, adapter.subdomain)
    items = _NAV_BUILT.get(key)
    if items is None:
        items = _nav_entries(allowed)
        if len(_NAV_BUILT) < _BUILT_MAX:
            _NAV_BUILT[key] = items
    return items


def _nav_entries(allowed: dict[str, bool]) -> list[dict]:
    # Labels translated now (as the template's {{ label }} printed the lazy string: unescaped).
    items = [{"endpoint": endpoint, "label": Markup(str(label)), "url": url_for(endpoint), "manage": endpoint in MANAGE}
             for endpoint, label, who in NAV if allowed[who]]
    if sum(item["manage"] for item in items) < 2:
        for item in items:
            item["manage"] = False
    return items


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["url_for"] = url_for
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["is_signed_in"] = is_signed_in
    app.jinja_env.filters["markdown"] = lambda text: Markup(render_markdown(text or ""))
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.globals["now"] = now

    @app.context_processor
    def _globals():
        user = current_user._get_current_object()
        viewer_tz = getattr(user, "timezone", None) if user.is_authenticated else None
        return {
            "site_name": app.config["SITE_NAME"],
            "csp_nonce": getattr(g, "csp_nonce", ""),
            "csrf_token": csrf_token,  # after flask_wtf's processor: this one is kept
            "viewer_timezone": viewer_tz,
            "demo_mode": app.config.get("DEMO_MODE", False),
        }
