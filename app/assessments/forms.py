"""Forms of the assessment pages. The questionnaire itself is not a WTForm: its fields are the
assessment's questions (app.assessments.answering reads and checks them)."""

from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.people_field import PeopleField
from app.assessments.building import AssessmentData
from app.assessments.models import AssessmentScope, NeedPriority, QuestionKind
from app.assessments.needs import NeedData
from app.forms_base import Form
from app.forms_common import country_choices, none_if_empty, strip_filter
from app.timeutil import local_to_utc, to_local


def labelled(enum_cls) -> list[tuple]:
    return [(member.value, enum_cls.__labels__[member.value]) for member in enum_cls]


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class AssessmentForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the assessment a title.")), Length(max=200)],
                        filters=[strip_filter])
    description = TextAreaField(_l("Introduction for respondents"), validators=[Optional(), Length(max=5000)],
                                filters=[none_if_empty])
    scope = SelectField(_l("The assessment is for"), choices=labelled(AssessmentScope),
                        default=AssessmentScope.COUNTRY.value)
    project_id = SelectField(_l("Project"), coerce=_int_or_none, validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    event_id = SelectField(_l("Event"), coerce=_int_or_none, validators=[Optional()])
    closes_on = DateField(_l("Answers due by (end of that day)"), validators=[Optional()],
                          description=_l("Needed before the assessment is opened."))

    def __init__(self, *args, projects=(), events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.project_id.choices = [(None, "—"), *projects]
        self.event_id.choices = [(None, "—"), *events]
        self.country.choices = country_choices()

    def fill_deadline(self, closes_at, tz_name: str) -> None:
        if closes_at and not self.closes_on.data:
            self.closes_on.data = to_local(closes_at, tz_name).date()

    def to_data(self, tz_name: str) -> AssessmentData:
        closes_at = None
        if self.closes_on.data:
            closes_at = local_to_utc(datetime.combine(self.closes_on.data, time(23, 59)), tz_name)
        return AssessmentData(title=self.title.data, scope=AssessmentScope(self.scope.data),
                              description=self.description.data, project_id=self.project_id.data,
                              country=self.country.data or None, event_id=self.event_id.data, closes_at=closes_at)


class QuestionForm(Form):
    kind = SelectField(_l("Question type"), choices=labelled(QuestionKind), default=QuestionKind.SCALE.value)
    text = StringField(_l("Question"), validators=[DataRequired(_l("Write the question.")), Length(max=500)],
                       filters=[strip_filter])
    help_text = StringField(_l("Hint (optional)"), validators=[Optional(), Length(max=500)], filters=[none_if_empty])
    options = TextAreaField(_l("Options, one a line (single and multiple choice)"),
                            validators=[Optional(), Length(max=5000)])
    is_required = BooleanField(_l("An answer is required"))


class CopyQuestionsForm(Form):
    source = SelectField(_l("Reuse the questions of"), coerce=_int_or_none, validators=[Optional()])


class RecipientsForm(Form):
    people = PeopleField(_l("People"))
    organisations = SelectMultipleField(_l("Organisations (all their approved members)"), coerce=int,
                                        validators=[Optional()])


class NeedForm(Form):
    title = StringField(_l("Need"), validators=[DataRequired(_l("Name the need.")), Length(max=200)],
                        filters=[strip_filter])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)], filters=[none_if_empty])
    theme_id = SelectField(_l("Theme"), coerce=_int_or_none, validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=labelled(NeedPriority), default=NeedPriority.MEDIUM.value)

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_id.choices = [(None, "—"), *((theme.id, theme.label) for theme in themes)]
        self.country.choices = country_choices()

    def to_data(self) -> NeedData:
        return NeedData(title=self.title.data, description=self.description.data, theme_id=self.theme_id.data,
                        country=self.country.data or None, priority=NeedPriority(self.priority.data))


class LinkEventForm(Form):
    event_id = SelectField(_l("Event that addresses the need"), coerce=_int_or_none,
                           validators=[DataRequired(_l("Choose an event from the list."))])
