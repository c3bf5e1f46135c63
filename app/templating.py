"""Template filters and globals: times in the event's zone and the viewer's, Markdown, labels."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app, g, has_request_context, render_template, request, session
from flask import url_for as flask_url_for
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup, escape

from app.accounts.membership_queries import administers_any
from app.countries import COUNTRY_CHOICES, country_name
from app.i18n import catalog, current_language, format_instant
from app.language_links import language_alternates
from app.markdown import render_markdown
from app.roles import Role, has_role, is_signed_in
from app.timeutil import now

__all__ = ["COUNTRY_CHOICES", "country_name", "install_template_helpers", "nav_items", "format_local", "render_kept"]


def format_local(instant: datetime | None, tz_name: str | None, fmt: str = "%a %d %b %Y, %H:%M",
                 language: str | None = None) -> str:
    """An instant in a zone, in the page's language (app.i18n; `language`: that language, when the
    caller has looked it up once for many times), followed by the zone's abbreviation."""
    if instant is None:
        return ""
    return with_zone(*format_instant(instant, tz_name, fmt, language))


def with_zone(text: str, zone_name: str) -> str:
    """An instant's text followed by its zone's abbreviation, as format_local writes it."""
    return f"{text} {zone_name}"


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


def url_for(endpoint: str, **values) -> str:
    """flask.url_for, remembered (bounded, least recently used first) by the arguments and the address
    the request came to: the navigation's and the layout's links, static files, the lists' filters and
    pages (no URL defaults are installed: the app has none; with some, every address is built afresh)."""
    context = request_ctx._get_current_object() if has_request_context() else None  # (one proxy look)
    adapter = context.url_adapter if context is not None else None
    if adapter is None or endpoint[:1] == "." or context.app.url_default_functions:
        return flask_url_for(endpoint, **values)
    try:  # the arguments in their order (the query's), each with its type (1 and True are equal)
        return _built_with(endpoint, tuple((name, type(value), value) for name, value in values.items()),
                           adapter.script_name, adapter.server_name, adapter.subdomain, adapter.url_scheme)
    except TypeError:  # a value that cannot be a key
        return flask_url_for(endpoint, **values)


@functools.lru_cache(maxsize=1024)  # the layout's links, the list's filters and pages, the library's links (~0.4 kB an entry)
def _built_with(endpoint: str, values: tuple, *_address) -> str:
    return flask_url_for(endpoint, **{name: value for name, _type, value in values})


# CSRF tokens' signers by secret key: flask_wtf builds a serializer for every page that shows a form
# (the footer's language switcher: every page), which builds a signer, which derives its key again,
# for every token; and the signed part (the session's raw token, as JSON in base64) is the same on
# every page of a session. Both bounded: a few secret keys, a worker's recent sessions.
_CSRF_SIGNERS: dict = {}
_CSRF_PAYLOADS_MAX = 4096


class _KeptKeySigner(TimestampSigner):
    """itsdangerous' TimestampSigner, deriving its (newest) key once instead of for every signature."""

    def derive_key(self, secret_key=None) -> bytes:
        if secret_key is not None:
            return super().derive_key(secret_key)
        key = self.__dict__.get("_derived")
        if key is None:
            key = self._derived = super().derive_key()
        return key


def csrf_token() -> str:
    """flask_wtf.csrf.generate_csrf, the same token (what forms and the CSRF check read: itsdangerous'
    URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw), as flask_wtf signs it), with its
    signer kept per secret key and the signed part per raw token. A first visit (no raw token in the
    session yet) and any configuration it does not expect go through flask_wtf itself."""
    config = current_app.config
    field_name = config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    if field_name in g:
        return g.get(field_name)
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    raw = session.get(field_name)
    if not secret or not isinstance(raw, str):
        return generate_csrf()
    kept = _CSRF_SIGNERS.get(secret)
    if kept is None:
        serializer = URLSafeTimedSerializer(secret, salt="wtf-csrf-token", signer=_KeptKeySigner)
        kept = (serializer, serializer.make_signer(), {})
        if len(_CSRF_SIGNERS) < 8:
            _CSRF_SIGNERS[secret] = kept
    serializer, signer, payloads = kept
    payload = payloads.get(raw)
    if payload is None:
        payload = serializer.dump_payload(raw)
        if len(payloads) >= _CSRF_PAYLOADS_MAX:
            payloads.pop(next(iter(payloads)), None)
        payloads[raw] = payload
    token = signer.sign(payload).decode("utf-8")
    setattr(g, field_name, token)
    return token


# The navigation by what decides it (who the viewer is allowed to see, the page's language, the
# site's address): the same few lists on every page. Bounded, as hosts come from the request.
_NAV_BUILT: dict[tuple, list[dict]] = {}
_NAV_BUILT_MAX = 512


def _allowed() -> dict[str, bool]:
    """Which of NAV's kinds of entry the viewer sees."""
    user = current_user._get_current_object()  # one proxy lookup, not one an entry
    signed_in = is_signed_in(user)
    return {
        "all": True,
        "member": signed_in,
        "organiser": signed_in and has_role(user, Role.ORGANISER, Role.COORDINATOR),
        "coordinator": signed_in and has_role(user, Role.COORDINATOR),
        "admin": signed_in and has_role(user),
        "organisation_admin": administers_any(user),
    }


def nav_items(allowed: dict[str, bool] | None = None) -> list[dict]:
    """The navigation's entries for the viewer (shared: read them, do not change them)."""
    allowed = _allowed() if allowed is None else allowed
    adapter = request_ctx.url_adapter if has_request_context() else None
    if adapter is None or current_app.url_default_functions:
        return _nav_entries(allowed)
    key = (tuple(allowed.values()), current_language(), adapter.script_name, adapter.server_name, adapter.subdomain)
    items = _NAV_BUILT.get(key)
    if items is None:
        items = _nav_entries(allowed)
        if len(_NAV_BUILT) < _NAV_BUILT_MAX:
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


def nav_menu() -> Markup:
    """The navigation's entries as templates/_nav.html writes them: the same for every viewer who
    may see the same entries, on the same page (its endpoint is marked), in the same language."""
    allowed = _allowed()
    return render_kept("_nav.html", (tuple(allowed.values()), request.endpoint), lambda: {})


def page_footer() -> Markup:
    """The footer (templates/_footer.html, with the language switcher): the same on every page in a
    language but for the CSRF token."""
    return render_kept("_footer.html", (current_app.config["SITE_NAME"],), lambda: {}, slots={"csrf": csrf_token()})


# Markup kept by render_kept, per application: (template, key, language, address root) -> a
# str.format template, or None when it could not be cut. Bounded: keys come from requests.
_KEPT_MAX = 1024


def render_kept(template_name: str, key: tuple, context: Callable[[], dict], *, slots: dict | None = None,
                found: dict[str, str] | None = None) -> Markup:
    """render_template(template_name, **context(), **slots) for markup that is the same on every
    request with the same `key` (holding whatever else it depends on: settings, the page), language
    and address root but for `slots` (variables the template prints as `{{ name }}`, escaped as Jinja
    escapes them) and `found` (values the rendering writes by itself, such as a form's CSRF token,
    that need no escaping: each must be found exactly once). Rendered once per key with a marker in
    each slot, cut there, and each request's values put in; rendered on every request when it cannot
    be cut (a marker not found, or a found value not found exactly once)."""
    slots = slots or {}
    found = found or {}
    adapter = request_ctx.url_adapter if has_request_context() else None
    if adapter is None or current_app.url_default_functions:
        return Markup(render_template(template_name, **context(), **slots))
    kept = current_app.extensions.setdefault("liaison_kept_markup", {})
    full_key = (template_name, key, catalog(), current_language(), adapter.script_name, adapter.server_name,
                adapter.subdomain, adapter.url_scheme, tuple(slots), tuple(found))
    template = kept.get(full_key, _NOT_KEPT)
    if template is _NOT_KEPT:
        template = _cut(template_name, context(), tuple(slots), found)
        if len(kept) >= _KEPT_MAX:
            kept.pop(next(iter(kept)), None)
        kept[full_key] = template
    if template is None:
        return Markup(render_template(template_name, **context(), **slots))
    return Markup(template.format_map({**{name: escape(value) for name, value in slots.items()}, **found}))


_NOT_KEPT = object()


def _cut(template_name: str, context: dict, slot_names: tuple[str, ...], found: dict[str, str]) -> str | None:
    markers = {name: f"\x00{secrets.token_hex(12)}\x00" for name in slot_names}
    html = render_template(template_name, **context, **markers)
    if any(html.count(marker) < 1 for marker in markers.values()) or any(
            not value or "{" in value or "}" in value or html.count(value) != 1 for value in found.values()):
        return None
    template = html.replace("{", "{{").replace("}", "}}")
    for name, marker in markers.items():
        template = template.replace(marker, f"{{{name}}}")
    for name, value in found.items():
        template = template.replace(value, f"{{{name}}}")
    return template


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["nav_menu"] = nav_menu
    app.jinja_env.globals["page_footer"] = page_footer
    app.jinja_env.globals["url_for"] = url_for
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["is_signed_in"] = is_signed_in
    app.jinja_env.globals["language_alternates"] = language_alternates
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
