"""Email bodies from templates, in the recipient's language (app/translations, through gettext).

render_email("registrations/confirmed", language="uk", **context) renders
templates/email/registrations/confirmed.txt (and confirmed.html when there is one) inside
`force_locale("uk")`, so the templates' gettext speaks the recipient's language, and returns
(subject, text, html). The subject is the template's first line "Subject: ...".

Emails are also rendered by the scheduler, outside any web request: render_email then works in a
request context built on BASE_URL, so templates behave the same wherever they are rendered.
Templates get `base_url` and `link(path)` for absolute links.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime

from flask import current_app, has_request_context
from flask.signals import before_render_template, template_rendered
from flask_babel import force_locale, get_locale
from jinja2 import TemplateNotFound

from app.i18n import DEFAULT, format_pattern, supported
from app.timeutil import to_local
from app.urls import absolute_url


def format_when(instant: datetime | None, tz_name: str | None, language: str | None = "en") -> str:
    """'Monday 26 October 2026, 10:00 EET (Europe/Kyiv)' in the given zone and language (Babel)."""
    if instant is None:
        return ""
    local = to_local(instant, tz_name)
    text = format_pattern(local, "%A %-d %B %Y, %H:%M", supported(language) or DEFAULT)
    return f"{text} {local.tzname()} ({tz_name or 'UTC'})"


def speaking(code: str):
    """force_locale(code), or nothing when the context speaks that language already (an email to the
    person whose request it is, or one rendered inside a force_locale of its language): entering it
    anew makes the next text look the catalog up again, with the same result."""
    locale = get_locale()
    return nullcontext() if locale is not None and str(locale) == code else force_locale(code)


def _render(app, name: str, context: dict, *, optional: bool = False) -> str | None:
    """render_template's work for a context already updated by the context processors (an email's
    two parts share them: one pass, not one a part), with Flask's template signals. `optional`:
    None when the template does not exist (an email without an HTML part)."""
    try:
        template = app.jinja_env.get_template(name)
    except TemplateNotFound as error:
        if optional and error.name == name:
            return None
        raise  # (a template it includes or extends is missing: a real error)
    before_render_template.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    rendered = template.render(context)
    template_rendered.send(app, _async_wrapper=app.ensure_sync, template=template, context=context)
    return rendered


def render_email(name: str, language: str | None = None, **context) -> tuple[str, str, str | None]:
    context.setdefault("language", language or "en")
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    context.setdefault("link", absolute_url)
    context.setdefault("when", lambda instant, tz: format_when(instant, tz, language))
    request_context = (
        nullcontext() if has_request_context()
        else current_app.test_request_context("/", base_url=current_app.config["BASE_URL"])
    )
    with request_context, speaking(supported(language) or DEFAULT):
        app = current_app._get_current_object()
        app.update_template_context(context)
        text = _render(app, f"email/{name}.txt", context)
        html = _render(app, f"email/{name}.html", context, optional=True)
    subject = ""
    lines = text.lstrip("\n").split("\n")
    if lines and lines[0].lower().startswith("subject:"):
        subject = lines[0].split(":", 1)[1].strip()
        text = "\n".join(lines[1:]).lstrip("\n")
    return subject, text, html
