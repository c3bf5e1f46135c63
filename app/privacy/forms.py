"""The privacy forms: delete an account, an admin's request on someone's behalf, consent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.accounts.passwords import MAX_LENGTH
from app.forms_base import Form
from app.forms_common import strip_filter


class DeleteAccountForm(Form):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    understood = BooleanField(_l("I understand that this cannot be undone."),
                              validators=[InputRequired(message=_l("Tick the box to confirm."))])


class RequestForm(Form):
    """An admin acting on a person's request (a data export or an account deletion)."""

    reason = StringField(_l("Request (who asked, when, how)"), filters=[strip_filter],
                         validators=[DataRequired(message=_l("Say whose request this is.")), Length(max=500)])
    format = HiddenField(default="html")


class ConfirmForm(Form):
    """A button: CSRF only."""
