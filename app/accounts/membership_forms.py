"""Forms of the membership pages: a request to join an organisation, a rejection's reason, and the
buttons (approve, end, organisation admin) that carry only their CSRF token."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange

from app.forms_base import Form
from app.forms_common import strip_filter


class MembershipRequestForm(Form):
    organisation_id = SelectField(
        _l("Request membership of"), coerce=int, validate_choice=True,
        validators=[NumberRange(min=1, message=_l("Choose an organisation from the list."))],
        description=_l("The organisation's admins (or a network administrator) decide. Until then you are a member "
                    "of no organisation; a membership you hold now ends when you ask for another one."),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [(0, _("— Choose —"))] + [(o.id, o.name) for o in organisations]


class RejectForm(Form):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Say why, so that the person knows what to do.")), Length(max=500)],
        filters=[strip_filter], description=_l("Sent to the person by email."),
    )


class ButtonForm(Form):
    """A POST button: its CSRF token only."""


class AdminToggleForm(Form):
    is_admin = HiddenField(validators=[AnyOf(["0", "1"])])
