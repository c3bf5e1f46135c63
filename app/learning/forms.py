"""Forms of the knowledge-check pages (the test itself is read field by field: its questions vary)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.events.forms import enum_choices
from app.forms_base import Form
from app.learning.models import CheckKind, QuestionKind


class NewCheckForm(Form):
    session_id = HiddenField()
    kind = SelectField(_l("Test"), choices=enum_choices(CheckKind),
                       validators=[InputRequired()])


class WindowForm(Form):
    window = IntegerField(_l("Window"), validators=[InputRequired(message=_l("Give a number.")),
                                                    NumberRange(min=1, max=60 * 24 * 60)])


class QuestionForm(Form):
    kind = SelectField(_l("Kind"), choices=enum_choices(QuestionKind), default="single")
    text = TextAreaField(_l("Question"), validators=[DataRequired(message=_l("Write the question.")),
                                                     Length(max=1000)])
    points = IntegerField(_l("Points"), default=1, validators=[Optional(), NumberRange(min=1, max=10)])
    options = TextAreaField(
        _l("Options"), validators=[Length(max=5000)],
        description=_l("One option a line; start each correct option with * (not needed for free text)."))


class FollowUpScheduleForm(Form):
    weeks_after = IntegerField(_l("Weeks after the event"), default=6,
                               validators=[InputRequired(message=_l("Give a number.")), NumberRange(min=1, max=52)])


APPLIED_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class FollowUpAnswerForm(Form):
    applied = RadioField(_l("Have you applied what you learned at work?"), choices=APPLIED_CHOICES,
                         validators=[InputRequired(message=_l("Choose 1 to 5."))])
    how = TextAreaField(_l("How did you apply it, or what stood in the way?"),
                        validators=[Optional(), Length(max=5000)])


class EmptyForm(Form):
    """A CSRF token only (the test's answers are read from the request)."""
