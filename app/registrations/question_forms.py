"""The organiser's question form, and the registration forms with the event's questions added: one
field a question (q<id>), so a missing required answer or a bad date shows beside its question."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.forms_base import Form, QueryForm
from app.forms_common import country_choices, none_if_empty, strip_filter
from app.registrations.question_models import QuestionKind
from app.registrations.questions import QuestionData, QuestionSpec, event_questions


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in QuestionKind]


class QuestionForm(Form):
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)], filters=[strip_filter])
    kind = SelectField(_l("Type of answer"), choices=kind_choices, default="text")
    choices = TextAreaField(_l("Options (for a choice)"), validators=[Optional(), Length(max=5000)],
                            description=_l("One option a line."))
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=500)], filters=[none_if_empty],
                            description=_l("Shown under the question."))
    is_required = BooleanField(_l("An answer is required"))
    position = IntegerField(_l("Order"), validators=[Optional(), NumberRange(min=0, max=1000)],
                            description=_l("Questions are asked in this order (smallest first)."))
    is_sensitive = BooleanField(_l("Sensitive (only the event's organisers see the answers; they are deleted "
                                   "after the event)"))
    retention_days = IntegerField(_l("Delete sensitive answers this many days after the event ends"),
                                  validators=[Optional(), NumberRange(min=0, max=3650)], default=30)

    def data_for_service(self) -> QuestionData:
        return QuestionData(label=self.label.data, kind=self.kind.data, help_text=self.help_text.data,
                            choices=self.choices.data, is_required=self.is_required.data,
                            is_sensitive=self.is_sensitive.data, retention_days=self.retention_days.data,
                            position=self.position.data)


class CopyQuestionsForm(Form):
    source = SelectField(_l("Copy the questions of"), coerce=int, validate_choice=False)


class AnswersOnly(QueryForm):
    """The API's registration: the questions alone, checked with the same rules as the pages."""


DOCUMENT_NUMBER = r"^[A-Za-z0-9][A-Za-z0-9 /-]{2,39}$"


def _field(question: QuestionSpec):
    required = [DataRequired(message=_l("Answer this question."))] if question.is_required else [Optional()]
    kind = QuestionKind(question.kind)
    options = {"description": question.help_text or ""}
    if kind == QuestionKind.DATE:
        return DateField(question.label, validators=required, **options)
    if kind == QuestionKind.CHOICE:
        return SelectField(question.label, choices=[("", "—")] + [(c, c) for c in question.choices],
                           validators=required, **options)
    if kind == QuestionKind.YES_NO:
        return SelectField(question.label, choices=lambda: [("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                           validators=required, **options)
    if kind == QuestionKind.COUNTRY:
        return SelectField(question.label, choices=country_choices, validators=required, **options)
    if kind == QuestionKind.DOCUMENT_NUMBER:
        pattern = Regexp(DOCUMENT_NUMBER, message=_l("Use 3 to 40 letters, digits, spaces, hyphens or slashes."))
        return StringField(question.label, validators=required + [pattern], filters=[strip_filter], **options)
    return StringField(question.label, validators=required + [Length(max=2000)], filters=[strip_filter], **options)


def with_questions(base: type, questions: Sequence[QuestionSpec]) -> type:
    """A subclass of the form `base` asking the questions too (fields q<id>, in the questions' order).
    Made once per form and questions (QuestionSpec is frozen): making the class, and WTForms' first
    look at its fields, cost about as much as the rest of a registration's form."""
    return _with_questions(base, tuple(questions))


@functools.lru_cache(maxsize=256)
def _with_questions(base: type, questions: tuple[QuestionSpec, ...]) -> type:
    fields = {f"q{question.id}": _field(question) for question in questions}
    names = tuple(fields)

    def answer_fields(self):
        return [self[name] for name in names]

    def answers(self) -> dict[int, str]:
        found = {}
        for name in names:
            value = self[name].data
            found[int(name[1:])] = value.isoformat() if hasattr(value, "isoformat") else (value or "")
        return found

    return type(f"{base.__name__}WithQuestions", (base,), {**fields, "answer_fields": answer_fields,
                                                           "answers": answers})


def prefill(form, current: dict[int, str]) -> None:
    """Show a person's earlier answers in the form (a GET of the needs page)."""
    from datetime import date

    for field in form.answer_fields():
        value = current.get(int(field.name[1:]))
        if value is None:
            continue
        field.data = date.fromisoformat(value) if isinstance(field, DateField) else value


def form_for(base: type, event_id: int, **kwargs):
    """The form `base` with the event's questions (remembered across requests until one changes)."""
    return with_questions(base, event_questions(event_id))(**kwargs)


def api_answers(event_id: int, given: dict | None) -> tuple[dict[int, str], dict[str, str]]:
    """The API's answers ({question id: value}) checked as the pages check them: (answers, problems as
    {"answers.<id>": message}). Ids that are not the event's questions are ignored."""
    from werkzeug.datastructures import MultiDict

    def text(value) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        return "" if value is None else str(value)

    questions = event_questions(event_id)
    form = with_questions(AnswersOnly, questions)(
        formdata=MultiDict({f"q{key}": text(value) for key, value in (given or {}).items()}))
    if form.validate():
        return form.answers(), {}
    return {}, {f"answers.{name[1:]}": errors[0] for name, errors in form.errors.items()}


class LazyForm:
    """A form made on first use: the event page's registration box builds its form (and reads the
    event's questions) only when it shows the form."""

    def __init__(self, make):
        self._make, self._form = make, None

    @property
    def is_made(self) -> bool:
        return self._form is not None

    def __getattr__(self, name):
        if self._form is None:
            self._form = self._make()
        return getattr(self._form, name)
