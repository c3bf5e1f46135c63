"""Shared WTForms pieces: choices and validators that every capability uses."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_babel import gettext as _
from wtforms import SelectField
from wtforms.validators import ValidationError

from app.countries import COUNTRY_CHOICES
from app.errors import RuleError
from app.timeutil import all_timezones, is_valid_timezone


def country_choices(blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank)] + list(COUNTRY_CHOICES)


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in all_timezones()]


class TimezoneField(SelectField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, choices=timezone_choices(), validate_choice=False, **kwargs)

    def pre_validate(self, form):
        if not is_valid_timezone(self.data):
            raise ValidationError(_("Choose a time zone from the list (for example Europe/Kyiv)."))


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


def none_if_empty(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def show_rule_error(form, error, default: str | None = None) -> None:
    """Put a broken rule's message (app.errors.RuleError) beside the form field it names, else beside
    `default`, else at the top of the form — so the page shows it where the person can act on it."""
    name = getattr(error, "field", None) or default
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = list(field.errors) + [str(error)]
    else:
        form.form_errors.append(str(error))


def saved(form, action, message: str, next_url: str, errors: type[RuleError] = RuleError):
    """The usual form submission: when `form` validates, run `action()`; a broken rule (`errors`)
    goes beside its field (show_rule_error) and None is returned, so the caller renders the form
    again (with form_status()); else `message` is flashed and the redirect to `next_url` returned."""
    if not form.validate_on_submit():
        return None
    try:
        action()
    except errors as error:
        show_rule_error(form, error)
        return None
    flash(message, "success")
    return redirect(next_url)


def form_status() -> int:
    """A form shown again after a POST was refused: 422; a form shown for a GET: 200."""
    return 422 if request.method == "POST" else 200
