"""Forms of the subscribe page: a new feed address, and what the personal feed holds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from app.forms_base import Form


class RegenerateTokenForm(Form):
    # The confirmation step (no script needed): the old address stops working at once, for every
    # calendar program subscribed to it.
    confirm = BooleanField(
        _l("I understand: the current address stops working at once, and I subscribe again with the new one"),
        validators=[DataRequired(_l("Tick the box to confirm: the current address stops working at once."))],
    )
    submit = SubmitField(_l("Make a new feed address"))


class FeedPreferencesForm(Form):
    include_waitlisted = BooleanField(
        _l("Also show events I am on the waiting list for (marked tentative)")
    )
    submit = SubmitField(_l("Save"))


class ConfirmDeclineForm(Form):
    """The one button of an emailed decline link (a POST, so a mail scanner that opens links cancels nothing)."""
    submit = SubmitField(_l("Yes, cancel my registration"))
