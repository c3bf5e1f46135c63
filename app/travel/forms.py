"""Travel forms: a participant's arrival, departure and accommodation; the event's travel settings."""

from __future__ import annotations

from dataclasses import fields

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import Length, Optional

from app.forms_base import Form
from app.forms_common import none_if_empty
from app.travel.models import TravelMode
from app.travel.plans import PlanData, SettingsData


def mode_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(mode.value, mode.label) for mode in TravelMode]


def _number(label):
    return StringField(label, validators=[Optional(), Length(max=40)], filters=[none_if_empty],
                       description=_l("For example a flight or train number."))


class PlanForm(Form):
    arrival_on = DateField(_l("Arrival date"), validators=[Optional()])
    arrival_time = TimeField(_l("Arrival time"), validators=[Optional()], description=_l("Local time."))
    arrival_mode = SelectField(_l("Arriving by"), choices=mode_choices, validators=[Optional()])
    arrival_number = _number(_l("Arrival flight or train number"))
    departure_on = DateField(_l("Departure date"), validators=[Optional()])
    departure_time = TimeField(_l("Departure time"), validators=[Optional()], description=_l("Local time."))
    departure_mode = SelectField(_l("Leaving by"), choices=mode_choices, validators=[Optional()])
    departure_number = _number(_l("Departure flight or train number"))
    hotel = StringField(_l("Hotel"), validators=[Optional(), Length(max=200)], filters=[none_if_empty])
    check_in_on = DateField(_l("Hotel check-in"), validators=[Optional()])
    check_out_on = DateField(_l("Hotel check-out"), validators=[Optional()])

    def plan_data(self) -> PlanData:
        return PlanData(**{field.name: self[field.name].data or None for field in fields(PlanData)})


class SettingsForm(Form):
    logistics_enabled = BooleanField(_l("Participants give their arrival, departure and accommodation"))
    letter_template = TextAreaField(
        _l("Visa support letter"), validators=[Optional(), Length(max=20_000)], filters=[none_if_empty],
        description=_l("The letter's text; participants who asked for a visa letter download it as a PDF. "
                       "Placeholders: {name}, {organisation}, {nationality}, {document_number}, {date_of_birth}, "
                       "{event_title}, {event_dates}, {venue}, {organiser_name}."))
    signatory_name = StringField(_l("Signed by"), validators=[Optional(), Length(max=200)], filters=[none_if_empty],
                                 description=_l("Empty: the name of the event's creator."))
    nationality_question_id = SelectField(_l("Question giving the nationality"), validate_choice=False)
    document_question_id = SelectField(_l("Question giving the document number"), validate_choice=False)
    birth_date_question_id = SelectField(_l("Question giving the date of birth"), validate_choice=False)

    MAPPINGS = ("nationality_question_id", "document_question_id", "birth_date_question_id")

    def offer(self, questions) -> None:
        """The event's questions as the choices of the three mappings."""
        for name in self.MAPPINGS:
            self[name].choices = [("", "—")] + [(str(q.id), q.label) for q in questions]

    def settings_data(self) -> SettingsData:
        def as_id(value):
            return int(value) if value and str(value).isdigit() else None

        return SettingsData(self.logistics_enabled.data, self.letter_template.data, self.signatory_name.data,
                            *(as_id(self[name].data) for name in self.MAPPINGS))
