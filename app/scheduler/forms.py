"""The admin's forms on the scheduler page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import Optional, Regexp


class RetryDeadForm(FlaskForm):
    """Retry every dead message, or only the one named by message_id."""

    message_id = HiddenField(validators=[Optional(), Regexp(r"^\d{1,12}$", message="Not a message number.")])
