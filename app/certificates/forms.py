"""The certificate settings form and the revocation form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.certificates.images import ImageError, clean_png
from app.certificates.models import AttendanceRule
from app.forms_base import Form
from app.forms_common import none_if_empty, strip_filter


def rule_choices() -> list[tuple[str, str]]:
    return [(rule.value, rule.label) for rule in AttendanceRule]


class SettingsForm(Form):
    attendance_rule = RadioField(_l("Who earns the certificate for the event"), choices=rule_choices,
                                 default=AttendanceRule.ANY_DAY.value, validators=[InputRequired()])
    training_hours = DecimalField(
        _l("Training hours"), places=1, validators=[Optional(), NumberRange(min=0.5, max=10_000)],
        description=_l("Printed on the event's certificate. Giving hours makes any event (not only a training) "
                       "offer a certificate. Training sessions count their own length."))
    minimum_score = IntegerField(
        _l("Minimum post-test score (%)"), validators=[Optional(), NumberRange(min=0, max=100)],
        description=_l("Leave empty for none. With a minimum, a certificate also needs the post-test of the "
                       "event or session passed with at least this score."))
    issuer_name = StringField(_l("Issuing organisation"), validators=[Optional(), Length(max=200)],
                              filters=[none_if_empty],
                              description=_l("Leave empty to use the host organisation's name."))
    signatory_name = StringField(_l("Signatory"), validators=[Optional(), Length(max=200)],
                                 filters=[none_if_empty],
                                 description=_l("The organiser who signs. Leave empty to use the event's creator."))
    logo = FileField(_l("Logo of the issuing organisation"),
                     description=_l("PNG or JPEG, at most 1 MB."))
    remove_logo = BooleanField(_l("Remove the current logo"))
    signature = FileField(_l("Signature image"), description=_l("PNG or JPEG, at most 1 MB."))
    remove_signature = BooleanField(_l("Remove the current signature"))

    def cleaned_image(self, name: str) -> bytes | None:
        """The uploaded image as a clean PNG (None when none was uploaded); errors go beside the field."""
        field = getattr(self, name)
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return None
        try:
            return clean_png(upload.read(2 * 1024 * 1024))
        except ImageError as error:
            field.errors = [*field.errors, str(error)]
            return None


class RevokeForm(Form):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)], filters=[strip_filter],
                           description=_l("Kept with the certificate; not shown on the public verification page."))


class IssueAllForm(Form):
    pass
