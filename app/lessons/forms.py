"""Forms for entries, workflow steps, markings, follow-up actions and summaries."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.forms_base import Form
from app.forms_common import none_if_empty, strip_filter
from app.lessons.models import TLP, ActionStatus, Addressee, LessonKind, RecommendationType
from app.lessons.summaries.compile import GROUPINGS

LONG = 20_000


def labelled_choices(enum_cls) -> list[tuple]:
    """(value, label) choices whose labels translate when the form is shown, not when it is defined."""
    return [(member.value, enum_cls.__labels__.get(member.value) or member.label) for member in enum_cls]


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class LessonForm(Form):
    kind = SelectField(_l("Kind"), choices=labelled_choices(LessonKind), default=LessonKind.OBSERVATION.value)
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the entry a title.")), Length(max=200)], filters=[strip_filter],
        description=_l("One issue per entry."),
    )
    session_id = SelectField(_l("Session (optional)"), coerce=_int_or_none, validate_choice=True)
    observation = TextAreaField(
        _l("Observation"), validators=[Length(max=LONG)], filters=[none_if_empty],
        description=_l("What happened — the facts."),
    )
    analysis = TextAreaField(_l("Analysis"), validators=[Length(max=LONG)], filters=[none_if_empty],
                             description=_l("Why it happened."))
    recommendation = TextAreaField(
        _l("Recommendation"), validators=[Length(max=LONG)], filters=[none_if_empty],
        description=_l("What should change, and who should change it."),
    )
    recommendation_type = SelectField(
        _l("Recommendation type"), choices=[("", "—")] + labelled_choices(RecommendationType)
    )
    addressed_to = SelectField(_l("Addressed to"), choices=[("", "—")] + labelled_choices(Addressee))
    themes = SelectMultipleField(_l("Themes"), coerce=int, description=_l("EMPACT priorities and topics."))
    problem_addressed = TextAreaField(_l("The problem it addresses"), validators=[Length(max=LONG)],
                                      filters=[none_if_empty])
    how_it_works = TextAreaField(_l("How and why it works"), validators=[Length(max=LONG)], filters=[none_if_empty])
    evidence = TextAreaField(_l("The evidence it works"), validators=[Length(max=LONG)], filters=[none_if_empty])
    replication_needs = TextAreaField(_l("What another unit needs to replicate it"), validators=[Length(max=LONG)],
                                      filters=[none_if_empty])
    tlp = SelectField(
        _l("TLP marking"), choices=labelled_choices(TLP), default=TLP.GREEN.value,
        description=_l("Who may see this entry (Traffic Light Protocol 2.0)."),
    )
    save_draft = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit for validation"))

    def set_choices(self, sessions, themes):
        """`sessions` and `themes`: (id, label) pairs (lessons.queries.session_choices, theme_choices)."""
        self.session_id.choices = [(None, _l("— the event as a whole —")), *sessions]
        self.themes.choices = list(themes)


class TransitionForm(Form):
    step = HiddenField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=5000)], filters=[none_if_empty])


class MarkingForm(Form):
    tlp = SelectField(_l("Marking"), choices=labelled_choices(TLP))
    comment = StringField(_l("Why"), validators=[Optional(), Length(max=500)], filters=[none_if_empty])


class ActionForm(Form):
    title = StringField(_l("What must be done"), validators=[DataRequired(_l("Say what must be done.")), Length(max=300)],
                        filters=[strip_filter])
    description = TextAreaField(_l("Details"), validators=[Optional(), Length(max=LONG)], filters=[none_if_empty])
    owner_user_id = SelectField(_l("Owner (a person)"), coerce=_int_or_none)
    owner_organisation_id = SelectField(_l("or an organisation"), coerce=_int_or_none)
    owner_contact = StringField(
        _l("Organisation's contact email"), validators=[Optional(), Email(_l("Enter an email address.")), Length(max=254)],
        filters=[none_if_empty],
    )
    due_on = DateField(_l("Due date"), validators=[Optional()])
    save = SubmitField(_l("Add action"))

    def set_choices(self, users, organisations):
        self.owner_user_id.choices = [(None, "—")] + [
            (u.id, f"{u.name} ({u.organisation.name})" if u.organisation else u.name) for u in users
        ]
        self.owner_organisation_id.choices = [(None, "—")] + [(o.id, o.name) for o in organisations]

    def validate_owner_contact(self, field):
        if not self.owner_user_id.data and self.owner_organisation_id.data and not field.data:
            raise ValidationError(_l("Give the organisation's contact for this action."))

    def validate_owner_user_id(self, field):
        if not field.data and not self.owner_organisation_id.data:
            raise ValidationError(_l("Choose a person, or an organisation with a contact."))


class ActionUpdateForm(Form):
    status = SelectField(_l("Status"), choices=labelled_choices(ActionStatus))
    note = TextAreaField(_l("Progress note"), validators=[Optional(), Length(max=5000)], filters=[none_if_empty])
    save = SubmitField(_l("Update"))


class SummaryForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the summary a title.")), Length(max=200)],
                        filters=[strip_filter])
    group_by = SelectField(_l("Group by"), choices=list(GROUPINGS.items()), default="theme")
    introduction = TextAreaField(_l("Introduction"), validators=[Optional(), Length(max=50_000)])
    conclusions = TextAreaField(_l("Conclusions"), validators=[Optional(), Length(max=50_000)])
    filters = HiddenField()
    save = SubmitField(_l("Save summary"))
