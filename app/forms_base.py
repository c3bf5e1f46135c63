"""The base of every form: Flask-WTF's, with WTForms' own messages ("This field is required.")
translated from our catalogs (app/translations), so Georgian and Macedonian get them too."""

from __future__ import annotations

import functools

import wtforms
from flask_babel import get_translations
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields.choices import Choice
from wtforms.widgets import html_params

from app.forms_widgets import quicken


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


class LongSelect(wtforms.widgets.Select):
    """WTForms' Select, for a long list (every country): each list of options is rendered once per
    worker (per language, as its labels are part of the key), the chosen option written afresh by
    WTForms itself, so the markup is the same. Multiple choice, groups and per-option attributes go
    through WTForms' own rendering."""

    def __call__(self, field, **kwargs):
        choices = list(field.iter_choices()) if not self.multiple and not field.has_groups() else None
        if not choices or any(choice.render_kw for choice in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        plain = _plain_options(tuple((choice.value, None if choice.label is None else str(choice.label))
                                     for choice in choices))
        options = [self.render_option(choice) if choice.selected else plain[index]
                   for index, choice in enumerate(choices)]
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{''.join(options)}</select>")


@functools.lru_cache(maxsize=64)
def _plain_options(choices: tuple) -> tuple[str, ...]:
    """Each option as WTForms writes it when it is not the chosen one."""
    return tuple(str(wtforms.widgets.Select.render_option(Choice(value, label, False, None)))
                 for value, label in choices)
