"""Forms for entries, workflow steps, markings, follow-up actions and summaries."""

from __future__ import annotations

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


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "", "None") else None
    except (TypeError, ValueError):
        return None


class LessonForm(Form):
    kind = SelectField("Kind", choices=[(k.value, k.label) for k in LessonKind], default=LessonKind.OBSERVATION.value)
    title = StringField(
        "Title", validators=[DataRequired("Give the entry a title."), Length(max=200)], filters=[strip_filter],
        description="One issue per entry.",
    )
    session_id = SelectField("Session (optional)", coerce=_int_or_none, validate_choice=True)
    observation = TextAreaField(
        "Observation", validators=[Length(max=LONG)], filters=[none_if_empty],
        description="What happened — the facts.",
    )
    analysis = TextAreaField("Analysis", validators=[Length(max=LONG)], filters=[none_if_empty],
                             description="Why it happened.")
    recommendation = TextAreaField(
        "Recommendation", validators=[Length(max=LONG)], filters=[none_if_empty],
        description="What should change, and who should change it.",
    )
    recommendation_type = SelectField(
        "Recommendation type", choices=[("", "—")] + [(r.value, r.label) for r in RecommendationType]
    )
    addressed_to = SelectField("Addressed to", choices=[("", "—")] + [(a.value, a.label) for a in Addressee])
    themes = SelectMultipleField("Themes", coerce=int, description="EMPACT priorities and topics.")
    problem_addressed = TextAreaField("The problem it addresses", validators=[Length(max=LONG)],
                                      filters=[none_if_empty])
    how_it_works = TextAreaField("How and why it works", validators=[Length(max=LONG)], filters=[none_if_empty])
    evidence = TextAreaField("The evidence it works", validators=[Length(max=LONG)], filters=[none_if_empty])
    replication_needs = TextAreaField("What another unit needs to replicate it", validators=[Length(max=LONG)],
                                      filters=[none_if_empty])
    tlp = SelectField(
        "TLP marking", choices=[(t.value, t.label) for t in TLP], default=TLP.GREEN.value,
        description="Who may see this entry (Traffic Light Protocol 2.0).",
    )
    save_draft = SubmitField("Save draft")
    submit = SubmitField("Submit for validation")

    def set_choices(self, event, themes):
        self.session_id.choices = [(None, "— the event as a whole —")] + [
            (s.id, s.title) for s in event.sessions
        ]
        self.themes.choices = [(t.id, t.label) for t in themes]


class TransitionForm(Form):
    step = HiddenField(validators=[DataRequired()])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=5000)], filters=[none_if_empty])


class MarkingForm(Form):
    tlp = SelectField("Marking", choices=[(t.value, t.label) for t in TLP])
    comment = StringField("Why", validators=[Optional(), Length(max=500)], filters=[none_if_empty])


class ActionForm(Form):
    title = StringField("What must be done", validators=[DataRequired("Say what must be done."), Length(max=300)],
                        filters=[strip_filter])
    description = TextAreaField("Details", validators=[Optional(), Length(max=LONG)], filters=[none_if_empty])
    owner_user_id = SelectField("Owner (a person)", coerce=_int_or_none)
    owner_organisation_id = SelectField("or an organisation", coerce=_int_or_none)
    owner_contact = StringField(
        "Organisation's contact email", validators=[Optional(), Email("Enter an email address."), Length(max=254)],
        filters=[none_if_empty],
    )
    due_on = DateField("Due date", validators=[Optional()])
    save = SubmitField("Add action")

    def set_choices(self, users, organisations):
        self.owner_user_id.choices = [(None, "—")] + [
            (u.id, f"{u.name} ({u.organisation.name})" if u.organisation else u.name) for u in users
        ]
        self.owner_organisation_id.choices = [(None, "—")] + [(o.id, o.name) for o in organisations]

    def validate_owner_contact(self, field):
        if not self.owner_user_id.data and self.owner_organisation_id.data and not field.data:
            raise ValidationError("Give the organisation's contact for this action.")

    def validate_owner_user_id(self, field):
        if not field.data and not self.owner_organisation_id.data:
            raise ValidationError("Choose a person, or an organisation with a contact.")


class ActionUpdateForm(Form):
    status = SelectField("Status", choices=[(s.value, s.label) for s in ActionStatus])
    note = TextAreaField("Progress note", validators=[Optional(), Length(max=5000)], filters=[none_if_empty])
    save = SubmitField("Update")


class SummaryForm(Form):
    title = StringField("Title", validators=[DataRequired("Give the summary a title."), Length(max=200)],
                        filters=[strip_filter])
    group_by = SelectField("Group by", choices=list(GROUPINGS.items()), default="theme")
    introduction = TextAreaField("Introduction", validators=[Optional(), Length(max=50_000)])
    conclusions = TextAreaField("Conclusions", validators=[Optional(), Length(max=50_000)])
    filters = HiddenField()
    save = SubmitField("Save summary")
