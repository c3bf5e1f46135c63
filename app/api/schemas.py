"""What the API reads and writes: marshmallow schemas (the OpenAPI description is built from them).
Input schemas refuse what the pages' forms refuse, with a message per field (422)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.events.models import EventFormat, EventKind
from app.events.urls import event_path
from app.lessons.models import TLP, ActionStatus, LessonKind, LessonStatus
from app.registrations.models import RegistrationStatus
from app.registrations.rules import SELF_ROLES

# The Location header of a 201 answer: where the new resource is read.
LOCATION = {"Location": {"description": "Where the created resource is read", "required": True,
                         "schema": {"type": "string"}}}


class Overlay:
    """An object as a schema reads it, with some attributes replaced (hidden needs, a hidden link)."""

    def __init__(self, obj, **overrides):
        self._obj, self._overrides = obj, overrides

    def __getattr__(self, name):
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._obj, name)


def values(enum_cls) -> list[str]:
    return [member.value for member in enum_cls]


class Value(fields.String):
    """An enum member, as its lower-case value."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else getattr(value, "value", value)


class JsonBoolean(fields.Boolean):
    """A JSON true or false, nothing else: 0, 1, "yes" are refused (the description says boolean)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _page_number():
    return fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


def _per_page(default: int = 20):
    return fields.Integer(load_default=default, validate=validate.Range(min=1, max=100))


class PageArgs(Schema):
    page = _page_number()
    per_page = _per_page()


class LinksSchema(Schema):
    self = fields.String()
    first = fields.String()
    last = fields.String()
    next = fields.String(allow_none=True)
    prev = fields.String(allow_none=True)


def page_of(item_schema, name: str):
    """The envelope of a page of `item_schema` rows: items, counts and links."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
        "links": fields.Nested(LinksSchema, required=True),
    }, name=name)


# ---- events ------------------------------------------------------------------------------------

class EventListArgs(PageArgs):
    tab = fields.String(load_default="upcoming", validate=validate.OneOf(["upcoming", "past"]))
    kind = fields.String(validate=validate.OneOf(values(EventKind)))
    format = fields.String(validate=validate.OneOf(values(EventFormat)))
    country = fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    project = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    theme = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    q = fields.String(validate=validate.Length(max=100))
    mine = fields.Boolean(metadata={"description": "Only the events I organise."})


class NamedSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class ProjectNameSchema(Schema):
    acronym = fields.String()


class SessionSchema(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = Value()
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    room = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    learning_objectives = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    has_signup = fields.Boolean()


class EventSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(allow_none=True)
    kind = Value()
    format = Value()
    status = Value()
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    timezone = fields.String()
    venue = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    capacity = fields.Integer(allow_none=True)
    registration_mode = Value()
    url = fields.Function(event_path, metadata={"description": "The event's page"})


class EventDetailSchema(EventSchema):
    description = fields.String(allow_none=True, metadata={"description": "Markdown"})
    address = fields.String(allow_none=True)
    online_url = fields.String(allow_none=True, metadata={
        "description": "Only for confirmed participants and those who run the event; else null"})
    registration_opens_at = fields.DateTime(allow_none=True)
    registration_closes_at = fields.DateTime(allow_none=True)
    projects = fields.Pluck("ProjectNameSchema", "acronym", many=True)
    themes = fields.Pluck(NamedSchema, "name", many=True)
    organisers = fields.Pluck(NamedSchema, "name", many=True)
    sessions = fields.List(fields.Nested(SessionSchema))


# ---- registrations -----------------------------------------------------------------------------

class RegisterArgs(Schema):
    role = fields.String(load_default="participant", validate=validate.OneOf([r.value for r in SELF_ROLES]))
    consent = JsonBoolean(required=True, validate=validate.OneOf([True]), metadata={
        "description": "You accept the privacy notice (/privacy-notice): required to register"})
    dietary_needs = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    accessibility_needs = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    needs_visa_letter = JsonBoolean(load_default=False)


class RegistrationSchema(Schema):
    id = fields.Integer(required=True)
    event_id = fields.Integer(required=True)
    event_title = fields.String(attribute="event.title")
    status = Value(required=True)
    role = Value()
    registered_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    waitlisted_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)


class OutcomeSchema(Schema):
    registration = fields.Nested(RegistrationSchema, allow_none=True)
    status = fields.String(allow_none=True)
    message = fields.String()
    waitlist_position = fields.Integer(allow_none=True)


class SignupSchema(Schema):
    session_id = fields.Integer()
    status = fields.String(allow_none=True)
    message = fields.String()


class MyRegistrationArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(values(RegistrationStatus)))


# ---- participants ------------------------------------------------------------------------------

class ParticipantArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(values(RegistrationStatus)))
    q = fields.String(validate=validate.Length(max=100))
    per_page = _per_page(50)


class ParticipantSchema(RegistrationSchema):
    name = fields.String(attribute="user.name")
    email = fields.String(attribute="user.email")
    organisation = fields.String(attribute="user.organisation.name", allow_none=True)
    dietary_needs = fields.String(allow_none=True, metadata={"description": "Only for the event's own organisers"})
    accessibility_needs = fields.String(allow_none=True)
    needs_visa_letter = fields.Boolean(allow_none=True)


class AddParticipantArgs(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    role = fields.String(load_default="participant", validate=validate.OneOf(
        ["participant", "speaker", "trainer", "observer", "organiser"]))


class RejectArgs(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CheckInArgs(Schema):
    day = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "The day of a several-day event (default: today, or its first day)"})
    session_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    undo = JsonBoolean(load_default=False)
    late_correction = JsonBoolean(load_default=False, metadata={
        "description": "Check in for a day (or session) already past: a late correction, recorded in the audit log. "
                       "Check-in is otherwise allowed only on the day itself, in the event's time zone."})


# ---- lessons -----------------------------------------------------------------------------------

class LessonSearchArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=500))
    kind = fields.String(validate=validate.OneOf(values(LessonKind)))
    status = fields.String(validate=validate.OneOf(values(LessonStatus)))
    tlp = fields.String(validate=validate.OneOf(values(TLP)))
    theme = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    event = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    project = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    country = fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    mine = fields.Boolean()


class LessonListedSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = Value()
    status = Value()
    tlp = Value()
    event_id = fields.Integer(allow_none=True)


class LessonSchema(LessonListedSchema):
    session_id = fields.Integer(allow_none=True)
    observation = fields.String(allow_none=True)
    analysis = fields.String(allow_none=True)
    recommendation = fields.String(allow_none=True)
    recommendation_type = Value(allow_none=True)
    addressed_to = Value(allow_none=True)
    problem_addressed = fields.String(allow_none=True)
    how_it_works = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    replication_needs = fields.String(allow_none=True)
    themes = fields.Pluck(NamedSchema, "name", many=True)
    author = fields.String(attribute="author.name", allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    validated_at = fields.DateTime(allow_none=True)


def _text(maximum: int = 20_000):
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=maximum))


class LessonCreateArgs(Schema):
    event_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    kind = fields.String(required=True, validate=validate.OneOf(values(LessonKind)))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    tlp = fields.String(load_default="green", validate=validate.OneOf(values(TLP)))
    observation = _text()
    analysis = _text()
    recommendation = _text()
    problem_addressed = _text()
    how_it_works = _text()
    evidence = _text()
    replication_needs = _text()
    session_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    theme_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)), load_default=list,
                            validate=validate.Length(max=50))
    submit = JsonBoolean(load_default=False, metadata={"description": "Submit for validation at once"})


class TransitionArgs(Schema):
    comment = _text(5000)


# ---- follow-up actions, summaries, reports -----------------------------------------------------

class ActionArgs(PageArgs):
    all = fields.Boolean(load_default=False, metadata={"description": "Also the done and dropped ones"})


class ActionSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(allow_none=True)
    status = Value()
    due_on = fields.Date(allow_none=True)
    lesson_id = fields.Integer(allow_none=True)
    event_id = fields.Integer(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class ActionUpdateArgs(Schema):
    status = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(values(ActionStatus)))
    note = _text(5000)


class SummarySchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    tlp = Value()
    current_version = fields.Integer()
    updated_at = fields.DateTime(allow_none=True)
    exports = fields.Dict(keys=fields.String(), values=fields.String())


class ReportArgs(Schema):
    date_from = fields.Date()
    date_to = fields.Date()
    project = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    theme = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"))
    kind = fields.String(validate=validate.OneOf(values(EventKind)))


class TableSchema(Schema):
    key = fields.String()
    title = fields.String()
    columns = fields.List(fields.String())
    rows = fields.List(fields.List(fields.Raw(allow_none=True)))
    note = fields.String()


class ReportSchema(Schema):
    title = fields.String()
    scope = fields.String()
    filter = fields.String(attribute="filter_line")
    produced_at = fields.DateTime()
    tables = fields.List(fields.Nested(TableSchema))
