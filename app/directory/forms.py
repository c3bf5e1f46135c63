"""Forms for organisations, projects and themes."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from app.directory.empact import CYCLES
from app.directory.models import OrganisationType
from app.forms_base import Form
from app.forms_common import country_choices, none_if_empty, strip_filter

URL_HINT = _l("The full address, starting with https://")


def _http_only(form, field):
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError(_("Enter an address starting with https:// or http://."))


def _website():
    return URLField(
        _l("Website"),
        validators=[Optional(), Length(max=300), URL(require_tld=True, message=_l("Enter a full web address, such as https://example.org.")), _http_only],
        filters=[none_if_empty],
        description=URL_HINT,
    )


class OrganisationForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    short_name = StringField(
        _l("Short name"), validators=[Optional(), Length(max=40)], filters=[none_if_empty],
        description=_l("An acronym people use, for example MVS or IGPR."),
    )
    type = SelectField(_l("Type"))
    country = SelectField(_l("Country"), validators=[Optional()], filters=[none_if_empty])
    website = _website()
    domains = TextAreaField(
        _l("Email domains"), validators=[Optional(), Length(max=5_000)],
        description=_l("One a line, for example police.gov.ua. Whoever confirms an address on one of these domains "
                    "becomes a member of this organisation without waiting for approval (exact domains only: "
                    "a subdomain is not included)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type.choices = [(t.value, t.label) for t in OrganisationType]
        self.country.choices = country_choices()


class ProjectForm(Form):
    acronym = StringField(_l("Acronym"), validators=[DataRequired(), Length(max=40)], filters=[strip_filter])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)], filters=[strip_filter])
    programme = StringField(
        _l("Programme / funding"), validators=[Optional(), Length(max=120)], filters=[none_if_empty],
        description=_l("For example Horizon Europe, ISF-Police, EU4Security."),
    )
    grant_number = StringField(_l("Grant number"), validators=[Optional(), Length(max=60)], filters=[none_if_empty])
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(_l("End date"), validators=[Optional()])
    website = _website()
    coordinator_organisation_id = SelectField(_l("Coordinating organisation"), coerce=int, validate_choice=True)
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10_000)], filters=[none_if_empty])

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinator_organisation_id.choices = [(0, _("— None —"))] + [(o.id, o.name) for o in organisations]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_("The end date must be on or after the start date."))


class ThemeForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5_000)], filters=[none_if_empty])
    empact_cycle = SelectField(
        _l("EMPACT cycle"),
        choices=[("", _l("— Not an EMPACT priority —"))] + [(c, c) for c in CYCLES],
        validators=[Optional()],
        filters=[none_if_empty],
        description=_l("Set this only for the EU crime priorities of an EMPACT policy cycle."),
    )
