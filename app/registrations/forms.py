"""Registration, invitation, import, message, check-in and feedback forms."""

from __future__ import annotations

import functools

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.accounts.emails import valid_address
from app.accounts.errors import AccountError
from app.forms_base import Form
from app.forms_common import none_if_empty, strip_filter
from app.i18n import catalog
from app.registrations.imports import ENCODINGS
from app.registrations.models import ParticipantRole
from app.registrations.notices import MESSAGE_GROUPS
from app.registrations.rules import SELF_ROLES


# Callables: WTForms asks for the choices when a form is made, so the labels speak the page's language.
def self_role_choices() -> list[tuple[str, str]]:
    """Translated once per language (every registration form asks for them, twice a post)."""
    return list(_self_roles_in(catalog()))


@functools.lru_cache(maxsize=16)
def _self_roles_in(_catalog) -> tuple[tuple[str, str], ...]:
    """SELF_ROLES' choices in the current language, whose catalog is the key."""
    return tuple((role.value, role.label) for role in SELF_ROLES)


def all_role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in ParticipantRole]


def bulk_role_choices() -> list[tuple[str, str]]:
    return [("", "—")] + all_role_choices()


_BULK_ACTIONS = (
    ("approve", _l("Approve")), ("reject", _l("Reject")), ("cancel", _l("Cancel")),
    ("promote", _l("Move from the waiting list")), ("role", _l("Change role to")),
)


def bulk_action_choices() -> list[tuple[str, str]]:
    """Translated once per language (the participant list prints them all)."""
    return list(_bulk_actions_in(catalog()))


@functools.lru_cache(maxsize=16)
def _bulk_actions_in(_catalog) -> tuple[tuple[str, str], ...]:
    """_BULK_ACTIONS in the current language, whose catalog is the key."""
    return tuple((value, str(label)) for value, label in _BULK_ACTIONS)



class NeedsMixin:
    dietary_needs = StringField(_l("Dietary needs"), validators=[Optional(), Length(max=500)],
                                filters=[none_if_empty], description=_l("For example vegetarian, halal, allergies."))
    accessibility_needs = StringField(_l("Accessibility needs"), validators=[Optional(), Length(max=500)],
                                      filters=[none_if_empty])
    needs_visa_letter = BooleanField(_l("I need a visa support letter"))


class RegistrationForm(NeedsMixin, Form):
    role = SelectField(_l("I will take part as"), choices=self_role_choices, default="participant",
                       description=_l("Speakers and trainers are confirmed by the organisers."))
    consent = BooleanField(_l("I have read and accept the privacy notice"),
                           validators=[DataRequired(message=_l("Please accept the privacy notice to register."))])


class AcceptInvitationForm(NeedsMixin, Form):
    consent = BooleanField(_l("I have read and accept the privacy notice"),
                           validators=[DataRequired(message=_l("Please accept the privacy notice to register."))])


class NeedsForm(NeedsMixin, Form):
    pass


class BulkForm(Form):
    action = SelectField(_l("Action"), choices=bulk_action_choices)
    role = SelectField(_l("Role"), choices=bulk_role_choices, validators=[Optional()])
    reason = StringField(_l("Reason (for a rejection; sent to the person)"), validators=[Optional(), Length(max=2000)],
                         filters=[strip_filter])

    def validate_role(self, field):
        if self.action.data == "role" and not field.data:
            raise ValidationError(_("Choose the new role."))


class InviteForm(Form):
    emails = TextAreaField(
        _l("Email addresses"),
        validators=[DataRequired(message=_l("Enter at least one email address.")), Length(max=100_000)],
        description=_l("One per line, optionally followed by a comma and the name (jane@police.example, Jane Doe)."),
    )
    role = SelectField(_l("Role"), choices=all_role_choices, default="participant")


class ImportForm(Form):
    file = FileField(_l("CSV file"), description=_l("Columns: email, name (optional), role (optional). First line: the column names."))
    mode = RadioField(_l("What to do with each row"), choices=[
        ("invite", _l("Invite (they accept by email)")), ("register", _l("Register them directly (existing accounts)")),
    ], default="invite", validators=[InputRequired()])
    encoding = SelectField(_l("The file's encoding"), choices=list(ENCODINGS.items()), default="auto",
                           description=_l("Leave “Detect it” unless the names in the preview look wrong."))


class ConfirmImportForm(Form):
    payload = HiddenField(validators=[DataRequired()])


class MessageForm(Form):
    group = SelectField(_l("Send to"), choices=[(key, label) for key, (label, _statuses) in MESSAGE_GROUPS.items()], default="confirmed")
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=20_000)])


RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class FeedbackForm(Form):
    overall = RadioField(_l("Overall"), choices=RATING_CHOICES, validators=[InputRequired(message=_l("Choose 1 to 5."))])
    relevance = RadioField(_l("Relevance to your work"), choices=RATING_CHOICES,
                           validators=[InputRequired(message=_l("Choose 1 to 5."))])
    organisation = RadioField(_l("Practical organisation"), choices=RATING_CHOICES,
                              validators=[InputRequired(message=_l("Choose 1 to 5."))])
    what_worked = TextAreaField(_l("What worked well"), validators=[Optional(), Length(max=5000)])
    what_to_improve = TextAreaField(_l("What to improve"), validators=[Optional(), Length(max=5000)])
    is_anonymous = BooleanField(_l("Send anonymously (organisers will not see your name)"))


def parse_email_lines(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """'email[, name]' per line -> ([(email, name)], [problems with their line numbers])."""
    people, bad = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        for separator in (",", ";", "\t"):
            if separator in line:
                email, name = (part.strip() for part in line.split(separator, 1))
                break
        else:
            email, name = line, ""
        if "<" in email and email.endswith(">"):
            name, email = email.split("<", 1)[0].strip(), email.split("<", 1)[1][:-1]
        try:
            address = valid_address(email)  # the one rule for addresses (app.accounts.emails)
        except AccountError as error:
            bad.append(_("Line %(number)d: “%(email)s”: %(error)s", number=number, email=email[:100], error=error))
            continue
        people.append((address, name))
    if not people and not bad:
        bad.append(_("Enter at least one email address."))
    return people, bad
