"""Sign-up, sign-in, profile and user-administration forms."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.accounts.models import LANGUAGES, Role
from app.accounts.passwords import MAX_LENGTH, password_problem
from app.forms_base import Form
from app.forms_common import TimezoneField, country_choices, none_if_empty, strip_filter


class SignInForm(Form):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[strip_filter],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me signed in on this device")


class PasswordRules:
    def validate_password(self, field):
        problem = password_problem(
            field.data or "",
            email=(getattr(self, "email", None) and self.email.data) or "",
            name=(getattr(self, "name", None) and self.name.data) or "",
        )
        if problem:
            raise ValidationError(problem)


class SignUpForm(PasswordRules, Form):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(message="Enter a valid email address."), Length(max=254)],
        filters=[strip_filter],
    )
    # A request, decided by the organisation's admins (app.accounts.membership): not a membership.
    organisation_id = SelectField("Request membership of", coerce=int, validate_choice=True,
                                  description="Optional. The organisation's admins decide; until then you are a "
                                              "member of no organisation.")
    country = SelectField("Country", validators=[Optional()], filters=[none_if_empty])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description="At least 8 characters. A passphrase of a few words is easy to remember and hard to guess.",
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [(0, "— None / not listed —")] + [(o.id, o.name) for o in organisations]
        self.country.choices = country_choices()


class ProfileForm(Form):
    # No organisation here: a membership is requested and granted (app.accounts.membership_views).
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    position = StringField("Position", validators=[Optional(), Length(max=200)], filters=[none_if_empty])
    country = SelectField("Country", validators=[Optional()], filters=[none_if_empty])
    timezone = TimezoneField("Time zone", validators=[DataRequired()])
    language = SelectField("Language", choices=LANGUAGES)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class ChangeEmailForm(Form):
    email = EmailField(
        "New email",
        validators=[DataRequired(), Email(message="Enter a valid email address."), Length(max=254)],
        filters=[strip_filter],
    )
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ChangePasswordForm(PasswordRules, Form):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField("New password", validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})


class AdminUserForm(Form):
    name = StringField("Full name", validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    email = EmailField(
        "Email",
        validators=[DataRequired(), Email(message="Enter a valid email address."), Length(max=254)],
        filters=[strip_filter],
    )
    role = SelectField("Role", choices=[(r.value, r.label) for r in Role])
    organisation_id = SelectField(
        "Organisation (membership)", coerce=int, validate_choice=True,
        description="Changing it grants an approved membership (or ends the current one); the person is told.",
    )
    is_active = BooleanField("Active (may sign in)")

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [(0, "— None —")] + [(o.id, o.name) for o in organisations]


class AddressForm(Form):
    """Forgot password, or a new confirmation link: just the address."""
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)], filters=[strip_filter],
                       render_kw={"autocomplete": "username"})


class ResendForm(Form):
    """A new confirmation link: the signed-in account's, or (signed out) the address typed."""
    email = EmailField("Email", validators=[Optional(), Length(max=254)], filters=[strip_filter])


class NewPasswordForm(PasswordRules, Form):
    password = PasswordField("New password", validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
