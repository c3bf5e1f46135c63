"""What the registration pages share: links to an event's page (also a template helper), the
registration box helper for templates, the `next` target and the arguments parsed from requests."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from app.accounts.auth import is_safe_next
from app.events.models import Event
from app.registrations import box
from app.registrations.forms import RegistrationForm
from app.registrations.question_forms import LazyForm, form_for
from app.registrations.views import bp


def url_maker(endpoint: str, key: str, **values):
    """url_for once, then a str.format per row: a list of hundreds of links costs one url_for."""
    marker = 987654321
    template = url_for(endpoint, **values, **{key: marker}).replace("{", "{{").replace("}", "}}")
    return template.replace(str(marker), "{}").format


def registration_box(event: Event, form: RegistrationForm | None = None, *, seats_taken: int | None = None,
                     registration=box.UNSET, invitation_id=box.UNSET, organiser_tally=box.UNSET) -> box.RegistrationBox:
    """The registration box of the event page for the viewer (see app.registrations.box)."""
    return box.registration_box(event, current_user, form or LazyForm(lambda: form_for(RegistrationForm, event.id, formdata=None)),
                                seats_taken_now=seats_taken, registration=registration, invitation_id=invitation_id,
                                organiser_tally=organiser_tally)


@bp.app_context_processor
def _registration_helpers():
    return {"registration_box": registration_box}


def next_or(default: str) -> str:
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_next(target) else default


def int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name) or request.form.get(name) or "")
    except ValueError:
        return None
