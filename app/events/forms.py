"""Forms for planning events and their sessions. Times are typed as wall-clock times in the event's zone."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.accounts.people_field import PeopleField
from app.directory.fields import DirectoryPicksField, OrganisationField
from app.events.facility_place import facility_choices
from app.events.models import EventFormat, EventKind, RegistrationMode, SessionKind
from app.events.times import NonexistentLocalTime, local_instant
from app.forms_base import Form
from app.forms_common import TimezoneField, country_choices, none_if_empty, strip_filter
from app.timeutil import is_valid_timezone

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _local(label, required: bool = True, **kw) -> DateTimeLocalField:
    return DateTimeLocalField(
        label, format=LOCAL_FORMATS,
        validators=[InputRequired(message=_l("Enter a date and time."))] if required else [Optional()], **kw,
    )


def enum_choices(enum_cls) -> list:
    """(value, label) for every member, the label translated when the form is rendered."""
    return [(member.value, enum_cls.__labels__[member.value]) for member in enum_cls]


class FacilityField(SelectField):
    """A facility of the roster, or none (0, also when the form does not send the field)."""

    def pre_validate(self, form):
        if not self.data:
            self.data = 0
            return
        super().pre_validate(form)


class LocalTimesMixin:
    """Converts the local-time fields to UTC instants in `self.instants`, with field errors for
    times that a daylight-saving change skips (ambiguous ones: first occurrence, see events.times)."""

    local_time_fields: tuple[str, ...] = ()

    def zone_name(self) -> str | None:
        raise NotImplementedError

    def convert_times(self) -> bool:
        self.instants = {}
        tz = self.zone_name()
        if not is_valid_timezone(tz):
            return False
        ok = True
        for name in self.local_time_fields:
            field = getattr(self, name)
            if field.data is None or field.errors:
                self.instants[name] = None
                continue
            if not 2000 <= field.data.year <= 2100:
                field.errors.append(_("Enter a date between the years 2000 and 2100."))
                ok = False
                continue
            try:
                self.instants[name] = local_instant(field.data, tz)
            except NonexistentLocalTime as error:
                field.errors.append(str(error))
                ok = False
        return ok


class EventForm(LocalTimesMixin, Form):
    local_time_fields = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    kind = SelectField(_l("Kind"), choices=enum_choices(EventKind))
    format = SelectField(_l("Format"), choices=enum_choices(EventFormat))
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)], filters=[none_if_empty],
                            description=_l("One or two sentences shown in lists."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=50_000)], filters=[none_if_empty],
                                description=_l("Markdown: **bold**, *italic*, lists, links."), render_kw={"rows": 8})
    timezone = TimezoneField(_l("Time zone of the event"), validators=[DataRequired()], default="Europe/Brussels",
                             description=_l("Times below are local times in this zone."))
    starts_at = _local(_l("Starts"))
    ends_at = _local(_l("Ends"))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)], filters=[none_if_empty])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)], filters=[none_if_empty])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)], filters=[none_if_empty])
    country = SelectField(_l("Country"), validators=[Optional()], filters=[none_if_empty])
    online_url = URLField(
        _l("Online link"), filters=[none_if_empty],
        validators=[Optional(), Length(max=500), URL(require_tld=False, message=_l("Enter a web address (https://...)."))],
        description=_l("Shown only to confirmed participants and organisers."),
    )
    facility_id = FacilityField(_l("Facility"), coerce=int, render_kw={"data-facility-pick": ""}, description=_l(
        "A site from the roster of facilities: the venue fields left empty are filled from it."))
    host_organisation_id = OrganisationField(_l("Host organisation"), blank=_l("— None —"))
    project_ids = DirectoryPicksField(_l("Projects"), kind="projects")
    theme_ids = DirectoryPicksField(_l("Themes"), kind="themes")
    organiser_ids = PeopleField(_l("Co-organisers"),
                                        description=_l("They can edit the event and its agenda like you."))
    capacity = IntegerField(_l("Capacity"), validators=[Optional(), NumberRange(min=0, max=100_000)],
                            description=_l("Number of participant seats; leave empty for no limit."))
    registration_mode = SelectField(_l("Registration"), choices=enum_choices(RegistrationMode))
    registration_opens_at = _local(_l("Registration opens"), required=False)
    registration_closes_at = _local(_l("Registration closes"), required=False)
    reminder_days = StringField(_l("Reminders (days before)"), default="7,1", validators=[Length(max=40)],
                                filters=[strip_filter], description=_l("For example 7,1: a week and a day before."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()
        current = getattr(kwargs.get("obj"), "facility_id", None)
        self.facility_id.choices = facility_choices(_("— None —"), current)

    def zone_name(self) -> str | None:
        return self.timezone.data

    def validate_online_url(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Enter a web address starting with https://."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.convert_times() and ok

    def values(self) -> dict:
        return {
            "title": self.title.data, "kind": self.kind.data, "format": self.format.data,
            "summary": self.summary.data, "description": self.description.data, "timezone": self.timezone.data,
            "venue": self.venue.data, "address": self.address.data, "city": self.city.data,
            "country": self.country.data, "online_url": self.online_url.data,
            "host_organisation_id": self.host_organisation_id.data or None, "capacity": self.capacity.data,
            "facility_id": self.facility_id.data or None,
            "registration_mode": self.registration_mode.data, "reminder_days": self.reminder_days.data,
            **self.instants,
        }


class SessionForm(LocalTimesMixin, Form):
    local_time_fields = ("starts_at", "ends_at")

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    kind = SelectField(_l("Kind"), choices=enum_choices(SessionKind))
    starts_at = _local(_l("Starts"))
    ends_at = _local(_l("Ends"))
    facility_id = FacilityField(_l("Facility"), coerce=int, render_kw={"data-facility-pick": ""},
                              description=_l("When the session is held elsewhere than the event: a site visit."))
    room = StringField(_l("Room or site"), validators=[Optional(), Length(max=200)], filters=[none_if_empty])
    speaker_ids = PeopleField(_l("Speakers / trainers (users)"))
    external_speakers = TextAreaField(
        _l("External speakers / trainers"), validators=[Optional(), Length(max=10_000)], filters=[none_if_empty],
        description=_l("One per line: Name — Organisation"),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)], filters=[none_if_empty],
                                render_kw={"rows": 4})
    learning_objectives = TextAreaField(
        _l("Learning objectives"), validators=[Optional(), Length(max=10_000)], filters=[none_if_empty],
        description=_l("For trainings: what participants will be able to do afterwards."),
    )
    capacity = IntegerField(_l("Own capacity"), validators=[Optional(), NumberRange(min=0, max=100_000)],
                            description=_l("Leave empty when the session has no limit of its own."))
    has_signup = BooleanField(_l("Participants sign up for this session"))

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.facility_id.choices = facility_choices(_("— None —"), getattr(kwargs.get("obj"), "facility_id", None))

    def zone_name(self) -> str | None:
        return self.event.timezone if self.event is not None else None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.convert_times() and ok

    def values(self) -> dict:
        return {
            "title": self.title.data, "kind": self.kind.data, "room": self.room.data,
            "description": self.description.data, "learning_objectives": self.learning_objectives.data,
            "capacity": self.capacity.data, "has_signup": self.has_signup.data,
            "facility_id": self.facility_id.data or None, **self.instants,
        }


class CancelForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Say why; everyone will see it.")),
                                                 Length(max=2000)], filters=[strip_filter],
                           description=_l("Shown on the event page and sent to participants."))


class CloneForm(Form):
    starts_on = DateField(_l("New start date"), validators=[DataRequired(message=_l("Enter a date."))])

    def validate_starts_on(self, field):
        if not 2000 <= field.data.year <= 2100:
            raise ValidationError(_("Enter a date between the years 2000 and 2100."))


WEEKDAYS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday")]


class SeriesForm(Form):
    rule = RadioField(_l("Repeat"), choices=[("weekly", _l("Every N weeks")), ("monthly", _l("Monthly on the n-th weekday"))],
                      default="weekly")
    every_weeks = IntegerField(_l("Every … weeks"), default=1, validators=[Optional(), NumberRange(min=1, max=52)])
    nth = SelectField(_l("Which"), coerce=int, choices=[(1, _l("First")), (2, _l("Second")), (3, _l("Third")),
                                                        (4, _l("Fourth")), (-1, _l("Last"))])
    weekday = SelectField(_l("Weekday"), coerce=int, choices=list(enumerate(WEEKDAYS)))
    count = IntegerField(_l("Number of further events"), default=3,
                         validators=[DataRequired(message=_l("How many events?")), NumberRange(min=1, max=52)])

    def validate_every_weeks(self, field):
        if self.rule.data == "weekly" and not field.data:
            raise ValidationError(_("Enter a number of weeks."))
