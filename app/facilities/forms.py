"""The facility form: what a facility is, where, for how many, in which languages, and whom to contact."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from app.directory.fields import DirectoryPicksField, OrganisationField
from app.facilities.languages import language_choices
from app.facilities.models import FacilityKind
from app.forms_base import Form
from app.forms_common import country_choices, none_if_empty, strip_filter


def _text(label, max_length: int, description=None, rows: int = 3) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=max_length)], filters=[none_if_empty],
                         description=description, render_kw={"rows": rows})


class FacilityForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    kind = SelectField(_l("Kind"), choices=[(k.value, FacilityKind.__labels__[k.value]) for k in FacilityKind])
    organisation_id = OrganisationField(_l("Hosting organisation"))
    country = SelectField(_l("Country"), validators=[DataRequired(message=_l("Choose the country."))])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120)], filters=[strip_filter])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)], filters=[none_if_empty])
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100_000)],
                            description=_l("How many participants it takes at once; leave empty if unsure."))
    languages = SelectMultipleField(_l("Languages"), description=_l("Languages the staff train and guide in."))
    description = _text(_l("Description"), 10_000, rows=4)
    capabilities = _text(_l("Equipment and capabilities"), 10_000, rows=5,
                         description=_l("What can be shown, practised or tested there."))
    theme_ids = DirectoryPicksField(_l("Themes"), kind="themes")
    accessibility = _text(_l("Accessibility"), 5_000,
                          description=_l("Step-free access, lifts, hearing loops, security clearance needed…"))
    availability = _text(_l("Availability"), 5_000,
                         description=_l("When visits are possible, how far ahead to ask, seasons to avoid."))
    contact_name = StringField(_l("Contact name"), validators=[Optional(), Length(max=200)], filters=[none_if_empty])
    contact_email = StringField(_l("Contact email"), filters=[none_if_empty],
                                validators=[Optional(), Email(_l("Enter an email address.")), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)], filters=[none_if_empty])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        self.languages.choices = language_choices()

    def values(self) -> dict:
        names = ("name", "kind", "organisation_id", "country", "city", "address", "capacity", "languages",
                 "description", "capabilities", "accessibility", "availability", "contact_name", "contact_email",
                 "contact_phone")
        return {name: getattr(self, name).data for name in names}
