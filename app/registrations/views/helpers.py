"""What the registration pages share: links to an event's page (also a template helper), the
registration box helper for templates, the `next` target and the arguments parsed from requests."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import current_app, has_request_context, render_template, request, url_for
from flask.globals import request_ctx
from flask_login import current_user
from markupsafe import Markup

from app.accounts.auth import is_safe_next
from app.events import page_facts
from app.events.models import Event
from app.events.urls import event_path
from app.i18n import catalog
from app.registrations import box
from app.registrations.forms import RegistrationForm
from app.registrations.question_forms import LazyForm, form_for
from app.registrations.questions import HAS_QUESTIONS
from app.registrations.views import bp
from app.templating import csrf_token, render_kept

# Addresses of the registration pages by their integer arguments (an event's, a registration's),
# worked out with url_for once per worker and endpoint, then a str.format each (the organisers' tabs
# and a list's rows print dozens). Bounded: hosts come from the request.
_URL_FORMATS: dict[tuple, str] = {}
_URL_FORMATS_MAX = 256
_MARKERS = (987654321, 987654322)


def url_maker(endpoint: str, *keys: str, **values) -> Callable[..., str]:
    """The address of `endpoint` for `values` and, given positionally, `keys` (integers): one
    url_for per worker, then a str.format per address."""
    names = (*values, *keys)
    template = _url_format(endpoint, names)
    if template is None:
        return lambda *args: url_for(endpoint, **values, **dict(zip(keys, args, strict=True)))
    return functools.partial(template.format, *values.values())


def event_url(endpoint: str, event_id: int) -> str:
    """url_for(endpoint, event_id=event_id), remembered as a template per worker (a template helper)."""
    template = _url_format(endpoint, ("event_id",))
    return url_for(endpoint, event_id=event_id) if template is None else template.format(event_id)


def organiser_tabs(event_id: int) -> Markup:
    """The organisers' tabs of an event's pages (a template helper): rendered once per language,
    current page and address root, then the event's id put in."""
    adapter = request_ctx.url_adapter if has_request_context() else None
    if adapter is None or current_app.url_default_functions:
        return Markup(render_template("registrations/_organiser_tabs.html", event_id=event_id, active=request.endpoint))
    template = _tabs_in(catalog(), request.endpoint, adapter.script_name, adapter.server_name, adapter.subdomain,
                        adapter.url_scheme)
    return Markup(template.format(event_id))


@functools.lru_cache(maxsize=128)
def _tabs_in(_catalog, active: str | None, *_address_root) -> str:
    """The tabs in the current language (its catalog is a part of the key) with `active` the current
    page's endpoint, as a str.format template of the event's id."""
    marker = str(_MARKERS[0])
    html = render_template("registrations/_organiser_tabs.html", event_id=_MARKERS[0], active=active)
    return html.replace("{", "{{").replace("}", "}}").replace(marker, "{0}")


def _url_format(endpoint: str, names: tuple[str, ...]) -> str | None:
    """url_for(endpoint) with integer arguments `names` as a str.format template ({0}, {1}), or None
    when it cannot be remembered (no request, URL defaults installed, too many arguments)."""
    if len(names) > len(_MARKERS) or not has_request_context() or current_app.url_default_functions:
        return None
    adapter = request_ctx.url_adapter
    if adapter is None:
        return None
    key = (adapter.script_name, adapter.server_name, adapter.subdomain, adapter.url_scheme, endpoint, names)
    template = _URL_FORMATS.get(key)
    if template is None:
        built = url_for(endpoint, **dict(zip(names, _MARKERS, strict=False)))
        template = built.replace("{", "{{").replace("}", "}}")
        for index, marker in enumerate(_MARKERS[: len(names)]):
            if template.count(str(marker)) != 1:
                return None
            template = template.replace(str(marker), f"{{{index}}}")
        if len(_URL_FORMATS) < _URL_FORMATS_MAX:
            _URL_FORMATS[key] = template
    return template


def registration_box(event: Event, form: RegistrationForm | None = None, *, seats_taken: int | None = None,
                     registration=box.UNSET, invitation_id=box.UNSET, organiser_tally=box.UNSET) -> box.RegistrationBox:
    """The registration box of the event page for the viewer (see app.registrations.box)."""
    return box.registration_box(event, current_user, form or LazyForm(lambda: form_for(RegistrationForm, event.id, formdata=None)),
                                seats_taken_now=seats_taken, registration=registration, invitation_id=invitation_id,
                                organiser_tally=organiser_tally)


def register_form(registration_box: box.RegistrationBox, event: Event) -> Markup:
    """The registration box's form (a template helper). A fresh form (the box's own, not yet made:
    a GET) of an event without questions is the same markup for every event but for its address, the
    page it goes back to and the session's CSRF token: rendered once per language and button
    (app.templating.render_kept), then those put in. A form with data or errors (a refused POST), with
    the event's questions, or on a page that did not read whether it has any, is rendered."""
    approval = event.registration_mode.value == "approval"
    slots = {"action": event_url("registrations.register", event.id),
             "next_path": request.path if request.method == "GET" else event_path(event)}
    form = registration_box.form
    # Without a statement: known only when the event's page read that the event has no questions.
    if not isinstance(form, LazyForm) or form.is_made or not page_facts.absent(event.id, HAS_QUESTIONS):
        return Markup(render_template("registrations/_register_form.html", box=registration_box, approval=approval,
                                      **slots))
    is_full = registration_box.is_full
    # With CSRF off (tests) the form has no token field.
    key = (is_full, approval, bool(current_app.config.get("WTF_CSRF_ENABLED", True)))
    return render_kept("registrations/_register_form.html", key,
                       lambda: {"box": _FreshBox(RegistrationForm(formdata=None), is_full), "approval": approval},
                       slots=slots, found={"csrf": csrf_token()})


class _FreshBox:
    """What registrations/_register_form.html reads of a box: a fresh form (no questions)."""

    def __init__(self, form, is_full: bool):
        self.form, self.is_full = form, is_full


@bp.app_context_processor
def _registration_helpers():
    return {"registration_box": registration_box, "event_url": event_url, "organiser_tabs": organiser_tabs,
            "register_form": register_form}


def next_or(default: str) -> str:
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_next(target) else default


def int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name) or request.form.get(name) or "")
    except ValueError:
        return None
