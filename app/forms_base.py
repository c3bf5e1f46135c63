"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is required.")
translated from our catalogs (app/translations), so Georgian and Macedonian get them too."""

from __future__ import annotations

import wtforms
from flask_babel import get_translations
from flask_wtf import FlaskForm


class _Catalog:
    """What WTForms asks for its messages: our catalog for the page's language (English if missing)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _Catalog()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Flask-WTF gives its CSRF messages in English; they are in our catalog (app.forms_messages).
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            csrf.errors = [_Catalog().gettext(str(error)) for error in csrf.errors]
        return valid


class QueryForm(wtforms.Form):
    """A form read from the query string (filters): no CSRF token, the same translated messages."""

    class Meta(wtforms.Form.Meta):
        def get_translations(self, form):
            return _Catalog()
