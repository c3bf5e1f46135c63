"""The form that makes a personal access token for the API, and the revoke button's. Both on the
app's form base (app.forms_base): WTForms' own messages from our catalogs, the quick widgets."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.api_tokens import SCOPES
from app.forms_base import Form
from app.forms_common import strip_filter


def scope_choices() -> list[tuple[str, str]]:
    labels = {
        "events:read": _l("Events: read"), "events:write": _l("Events: read and write"),
        "registrations:read": _l("Registrations: read"),
        "registrations:write": _l("Registrations: read and write (register, cancel, manage participants)"),
        "lessons:read": _l("Lessons, actions and summaries: read"),
        "lessons:write": _l("Lessons and actions: read and write"),
        "reports:read": _l("Reports: read"), "reports:write": _l("Reports: read and write"),
    }
    return [(scope, labels[scope]) for scope in SCOPES]


class ApiTokenForm(Form):
    name = StringField(_l("Name"), filters=[strip_filter],
                       validators=[DataRequired(message=_l("Give the token a name.")), Length(max=100)],
                       description=_l("What the token is for, e.g. \"project website\"."))
    scopes = SelectMultipleField(_l("Scopes"), choices=scope_choices,
                                 validators=[DataRequired(message=_l("Choose at least one scope."))],
                                 option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


class RevokeForm(Form):
    """A revoke button (its CSRF token)."""
