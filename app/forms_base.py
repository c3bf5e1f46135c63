"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is required.")
translated from our catalogs (app/translations), so Georgian and Macedonian get them too."""

from __future__ import annotations

import wtforms
from flask_babel import get_translations
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms.validators import ValidationError


class _Catalog:
    """What WTForms asks for its messages: our catalog for the page's language (English if missing)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class _TranslatedCSRF(_FlaskFormCSRF):
    """Flask-WTF raises its CSRF messages in English; they are in our catalog (app.forms_messages)."""

    def validate_csrf_token(self, form, field):
        try:
            super().validate_csrf_token(form, field)
        except ValidationError as error:
            raise ValidationError(_Catalog().gettext(str(error.args[0]))) from error


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        csrf_class = _TranslatedCSRF

        def get_translations(self, form):
            return _Catalog()


class QueryForm(wtforms.Form):
    """A form read from the query string (filters): no CSRF token, the same translated messages."""

    class Meta(wtforms.Form.Meta):
        def get_translations(self, form):
            return _Catalog()
