"""Forms of the call for contributions. The deadline is typed in the event's local time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.contributions.models import ProposalKind
from app.events.forms import LocalTimesMixin, _local, enum_choices
from app.events.models import SessionKind
from app.forms_base import Form
from app.forms_common import none_if_empty, strip_filter


class CallForm(LocalTimesMixin, Form):
    local_time_fields = ("deadline_at",)

    deadline_at = _local(_l("Deadline for proposals"))
    intro = TextAreaField(
        _l("What you are looking for"), validators=[Optional(), Length(max=2000)], filters=[none_if_empty],
        render_kw={"rows": 4},
        description=_l("A few sentences shown to participants above the form: themes, cases, questions you welcome."),
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def zone_name(self) -> str | None:
        return self.event.timezone if self.event is not None else None

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self.convert_times() and ok


def session_kind_choices() -> list:
    return [choice for choice in enum_choices(SessionKind) if choice[0] != SessionKind.BREAK.value]


class ProposalForm(Form):
    kind = RadioField(_l("You propose"), choices=enum_choices(ProposalKind), default=ProposalKind.TOPIC.value,
                      validators=[InputRequired(message=_l("Choose what you propose."))])
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give your proposal a title.")),
                                                 Length(max=200)], filters=[strip_filter])
    description = TextAreaField(
        _l("Short description"), filters=[strip_filter], render_kw={"rows": 5},
        validators=[DataRequired(message=_l("Describe your proposal in a few sentences.")), Length(max=2000)],
        description=_l("What you would present or ask, and why it matters to the others (up to 2000 characters)."),
    )
    session_kind = SelectField(_l("Kind of session"), choices=session_kind_choices(),
                               default=SessionKind.WORKSHOP.value)


class DeclineForm(Form):
    note = TextAreaField(_l("Note to the proposer"), filters=[strip_filter], render_kw={"rows": 3},
                         validators=[DataRequired(message=_l("Tell the proposer why, in a sentence or two.")),
                                     Length(max=2000)])


class MergeForm(Form):
    target = SelectField(_l("Merge into"), coerce=int, validate_choice=False,
                         validators=[InputRequired(message=_l("Choose another proposal of this event."))])
