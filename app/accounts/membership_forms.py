"""Forms of the membership pages: a request to join an organisation, a rejection's reason, and the
buttons (approve, end, organisation admin) that carry only their CSRF token."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange

from app.forms_base import Form
from app.forms_common import strip_filter


class MembershipRequestForm(Form):
    organisation_id = SelectField(
        "Request membership of", coerce=int, validate_choice=True,
        validators=[NumberRange(min=1, message="Choose an organisation from the list.")],
        description="The organisation's admins (or a network administrator) decide. Until then you are a member "
                    "of no organisation; a membership you hold now ends when you ask for another one.",
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [(0, "— Choose —")] + [(o.id, o.name) for o in organisations]


class RejectForm(Form):
    reason = TextAreaField(
        "Reason", validators=[DataRequired(message="Say why, so that the person knows what to do."), Length(max=500)],
        filters=[strip_filter], description="Sent to the person by email.",
    )


class ButtonForm(Form):
    """A POST button: its CSRF token only."""


class AdminToggleForm(Form):
    is_admin = HiddenField(validators=[AnyOf(["0", "1"])])
