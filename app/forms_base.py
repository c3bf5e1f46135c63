"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is required.")
translated from our catalogs (app/translations), so Georgian and Macedonian get them too."""

from __future__ import annotations

import functools

import wtforms
from flask_babel import get_translations
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields.choices import Choice, SelectField

from app.forms_widgets import QuickSelect, add_flags, attributes, quicken, write_option


class _Catalog:
    """What WTForms asks for its messages: our catalog for the page's language (English if missing)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class _QuickWidgets:
    """A Meta whose fields render WTForms' own widgets and labels through their quick twins: the
    same markup for less CPU (app.forms_widgets); subclasses of them are left as they are."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        quicken(field)
        return field


class Form(FlaskForm):
    class Meta(_QuickWidgets, FlaskForm.Meta):
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

    class Meta(_QuickWidgets, wtforms.Form.Meta):
        def get_translations(self, form):
            return _Catalog()


class LongSelect(QuickSelect):
    """The quick Select (app.forms_widgets), for a long list (every country) of plain (value, label)
    pairs: the options are written once per worker for each list (per language, as its labels are
    part of the key), the chosen one afresh, so the markup is WTForms' own. Its choices are read as
    the pairs they are: WTForms 3.3 makes each pair a SelectChoice, and then a Choice, on every
    rendering (twice: has_groups() and iter_choices()), most of a long select's cost. Other shapes of
    choices, multiple choice and fields that choose their own way are written by the quick Select."""

    def __call__(self, field, **kwargs):
        pairs = None if self.multiple or type(field).iter_choices is not SelectField.iter_choices \
            else _pairs(field.choices)
        if not pairs:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        add_flags(self, field, kwargs)
        plain = _plain_options(tuple((type(value), value, type(label), str(label) if label else None)
                                     for value, label in pairs))
        coerce, data = field.coerce, field.data
        options = [write_option(Choice(value, label, True, None)) if coerce(value) == data else plain[index]
                   for index, (value, label) in enumerate(pairs)]
        return Markup(f"<select {attributes(dict(name=field.name, **kwargs).items())}>{''.join(options)}</select>")


def _pairs(choices) -> list | tuple | None:
    """`choices` when it is a list of (value, label) pairs, else None."""
    if type(choices) in (list, tuple) and all(type(choice) is tuple and len(choice) == 2 for choice in choices):
        return choices
    return None


@functools.lru_cache(maxsize=64)
def _plain_options(choices: tuple) -> tuple[str, ...]:
    """Each option as WTForms writes it when it is not the chosen one, of (the value's type, the
    value, the label's type, its text or None when WTForms writes the value instead). A label with
    __html__ (Markup, a lazy string) is written as its text, any other escaped."""
    return tuple(write_option(Choice(value, None if text is None else Markup(text) if hasattr(kind, "__html__") else text,
                                     False, None))
                 for _value_kind, value, kind, text in choices)
