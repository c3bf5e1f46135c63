"""The admin's forms on the scheduler page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp

from app.forms_base import Form


class RetryDeadForm(Form):
    """Retry every dead message, or only the one named by message_id."""

    message_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,12}$", message=_l("Not a message number."))])
