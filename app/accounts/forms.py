"""Sign-up, sign-in, profile and user-administration forms."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from app.accounts.models import LANGUAGES, Role
from app.accounts.passwords import MAX_LENGTH, password_problem
from app.forms_base import Form
from app.forms_common import TimezoneField, country_choices, none_if_empty, strip_filter


class SignInForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)], filters=[strip_filter],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


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
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
        filters=[strip_filter],
    )
    # A request, decided by the organisation's admins (app.accounts.membership): not a membership.
    organisation_id = SelectField(_l("Request membership of"), coerce=int, validate_choice=True,
                                  description=_l("Optional. The organisation's admins decide; until then you are a "
                                              "member of no organisation."))
    country = SelectField(_l("Country"), validators=[Optional()], filters=[none_if_empty])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least 8 characters. A passphrase of a few words is easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [(0, _("— None / not listed —"))] + [(o.id, o.name) for o in organisations]
        self.country.choices = country_choices()


class ProfileForm(Form):
    # No organisation here: a membership is requested and granted (app.accounts.membership_views).
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=200)], filters=[none_if_empty])
    country = SelectField(_l("Country"), validators=[Optional()], filters=[none_if_empty])
    timezone = TimezoneField(_l("Time zone"), validators=[DataRequired()])
    language = SelectField(_l("Language"), choices=LANGUAGES)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class ChangeEmailForm(Form):
    email = EmailField(
        _l("New email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
        filters=[strip_filter],
    )
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ChangePasswordForm(PasswordRules, Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})


class AdminUserForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
        filters=[strip_filter],
    )
    role = SelectField(_l("Role"))
    organisation_id = SelectField(
        _l("Organisation (membership)"), coerce=int, validate_choice=True,
        description=_l("Changing it grants an approved membership (or ends the current one); the person is told."),
    )
    is_active = BooleanField(_l("Active (may sign in)"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = [(0, _("— None —"))] + [(o.id, o.name) for o in organisations]
        self.role.choices = [(r.value, r.label) for r in Role]


class AddressForm(Form):
    """Forgot password, or a new confirmation link: just the address."""
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)], filters=[strip_filter],
                       render_kw={"autocomplete": "username"})


class ResendForm(Form):
    """A new confirmation link: the signed-in account's, or (signed out) the address typed."""
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)], filters=[strip_filter])


class NewPasswordForm(PasswordRules, Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
                             render_kw={"autocomplete": "new-password"})
