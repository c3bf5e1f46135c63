"""Forms for organisations, projects and themes."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from app.directory.empact import CYCLES
from app.directory.models import OrganisationType
from app.forms_base import Form
from app.forms_common import country_choices, none_if_empty, strip_filter

URL_HINT = "The full address, starting with https://"


def _http_only(form, field):
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError("Enter an address starting with https:// or http://.")


def _website():
    return URLField(
        "Website",
        validators=[Optional(), Length(max=300), URL(require_tld=True, message="Enter a full web address, such as https://example.org."), _http_only],
        filters=[none_if_empty],
        description=URL_HINT,
    )


class OrganisationForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    short_name = StringField(
        "Short name", validators=[Optional(), Length(max=40)], filters=[none_if_empty],
        description="An acronym people use, for example MVS or IGPR.",
    )
    type = SelectField("Type", choices=[(t.value, t.label) for t in OrganisationType])
    country = SelectField("Country", validators=[Optional()], filters=[none_if_empty])
    website = _website()
    domains = TextAreaField(
        "Email domains", validators=[Optional(), Length(max=5_000)],
        description="One a line, for example police.gov.ua. Whoever confirms an address on one of these domains "
                    "becomes a member of this organisation without waiting for approval (exact domains only: "
                    "a subdomain is not included).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class ProjectForm(Form):
    acronym = StringField("Acronym", validators=[DataRequired(), Length(max=40)], filters=[strip_filter])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)], filters=[strip_filter])
    programme = StringField(
        "Programme / funding", validators=[Optional(), Length(max=120)], filters=[none_if_empty],
        description="For example Horizon Europe, ISF-Police, EU4Security.",
    )
    grant_number = StringField("Grant number", validators=[Optional(), Length(max=60)], filters=[none_if_empty])
    starts_on = DateField("Start date", validators=[Optional()])
    ends_on = DateField("End date", validators=[Optional()])
    website = _website()
    coordinator_organisation_id = SelectField("Coordinating organisation", coerce=int, validate_choice=True)
    description = TextAreaField("Description", validators=[Optional(), Length(max=10_000)], filters=[none_if_empty])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinator_organisation_id.choices = [(0, "— None —")] + [(o.id, o.name) for o in organisations]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be on or after the start date.")


class ThemeForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5_000)], filters=[none_if_empty])
    empact_cycle = SelectField(
        "EMPACT cycle",
        choices=[("", "— Not an EMPACT priority —")] + [(c, c) for c in CYCLES],
        validators=[Optional()],
        filters=[none_if_empty],
        description="Set this only for the EU crime priorities of an EMPACT policy cycle.",
    )
