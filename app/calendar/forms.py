"""Forms of the subscribe page: a new feed address, and what the personal feed holds."""

from __future__ import annotations

from wtforms import BooleanField, SubmitField

from app.forms_base import Form


class RegenerateTokenForm(Form):
    submit = SubmitField("Make a new feed address")


class FeedPreferencesForm(Form):
    include_waitlisted = BooleanField(
        "Also show events I am on the waiting list for (marked tentative)"
    )
    submit = SubmitField("Save")


class ConfirmDeclineForm(Form):
    """The one button of an emailed decline link (a POST, so a mail scanner that opens links cancels nothing)."""
    submit = SubmitField("Yes, cancel my registration")
