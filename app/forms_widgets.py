"""WTForms' markup for selects, labels, text areas and inputs written with plain strings: the same
bytes (attributes in WTForms' order and escaping, `selected`, optgroups, validation attributes) at a
fraction of the cost. WTForms writes each attribute through `html_params`, whose `Markup.format`
goes through Python's string Formatter, and reads a field's flags with `dir()`: on the lesson
form's 65 options and 25 labels and inputs that was a quarter of the page's CPU.

Every form's Meta (app.forms_base) gives its bound fields these twins of WTForms' own widgets and
label (`quicken`); subclasses of them keep their own rendering. tests/test_forms_widgets.py compares
each with WTForms' on many fields, so a WTForms release that writes them differently fails there."""

from __future__ import annotations

import copy
import weakref

from flask_babel import LazyString
from markupsafe import Markup, escape
from wtforms.fields.core import Flags, Label
from wtforms.widgets import Input, Select, TextArea
from wtforms.widgets import core as wtforms_widgets


def _value(value) -> str:
    """`value` as html_params writes it between the quotes."""
    kind = type(value)
    if kind is str:
        return escape(value)  # a quote becomes &#34;: nothing left for html_params' &quot;
    if kind is int:
        return str(value)
    return str(escape(value)).replace('"', "&quot;")  # Markup (or __html__) keeps its quotes


def attributes(pairs) -> str:
    """WTForms' html_params(**dict(pairs)): sorted by the names as given, `True` written bare,
    `False` left out, names cleaned (`class_` → class, `data_x` → data-x) and escaped."""
    written = []
    for key, value in sorted(pairs):
        if value is False:
            continue
        name = escape(wtforms_widgets.clean_key(key))
        written.append(name if value is True else f'{name}="{_value(value)}"')
    return " ".join(written)


def html_params(**kwargs) -> Markup:
    """wtforms.widgets.html_params, the same text."""
    return Markup(attributes(kwargs.items()))


def add_flags(widget, field, kwargs: dict) -> None:
    """The field's flags among the widget's validation attributes, as WTForms' Select and TextArea
    add them (from dir(flags): a plain Flags holds them in its __dict__, dir() costs ~10 µs)."""
    flags = getattr(field, "flags", {})
    names = flags.__dict__ if type(flags) is Flags else dir(flags)
    for name in names:
        if name in widget.validation_attrs and name not in kwargs:
            kwargs[name] = getattr(flags, name)


def _label(choice) -> str:
    """escape(choice.label or choice.value), as WTForms writes an option's text."""
    label = choice.label
    kind = type(label)
    if kind is str:
        return escape(label) if label else escape(choice.value)
    if kind is LazyString:  # its __html__ is its text, unescaped (as escape() takes it)
        text = str(label)
        return text if text else escape(choice.value)
    return escape(label or choice.value)


def write_option(choice, kwargs=None) -> str:
    """Select.render_option(choice, **kwargs), as text."""
    value = choice.value
    if isinstance(value, bool):
        value = str(value)
    if choice.render_kw or kwargs:
        options = {"value": value, **(choice.render_kw or {}), **(kwargs or {})}
        if choice.selected:
            options["selected"] = True
        return f"<option {attributes(options.items())}>{_label(choice)}</option>"
    if choice.selected:
        return f'<option selected value="{_value(value)}">{_label(choice)}</option>'
    return f'<option value="{_value(value)}">{_label(choice)}</option>'


class QuickSelect(Select):
    """wtforms.widgets.Select, each option written in one f-string."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        return Markup(write_option(choice, kwargs))

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        add_flags(self, field, kwargs)
        html = [f"<select {attributes(dict(name=field.name, **kwargs).items())}>"]
        if type(self).render_option.__func__ is QuickSelect.render_option.__func__:
            render = write_option
        else:
            render = type(self)._dispatch_render_option()
        if field.has_groups():
            for group, choices in field._iter_groups_normalized():
                if group is not None:
                    html.append(f"<optgroup {attributes((('label', group),))}>")
                html.extend(render(choice) for choice in choices)
                if group is not None:
                    html.append("</optgroup>")
        else:
            html.extend(render(choice) for choice in field._iter_choices_normalized())
        html.append("</select>")
        return Markup("".join(html))


class QuickTextArea(TextArea):
    """wtforms.widgets.TextArea with html_params' text written by `attributes`."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        add_flags(self, field, kwargs)
        params = attributes(dict(name=field.name, **kwargs).items())
        return Markup(f"<textarea {params}>\r\n{escape(field._value())}</textarea>")


class QuickLabel(Label):
    """wtforms.fields.Label with html_params' text written by `attributes`."""

    def __call__(self, text=None, **kwargs):
        if "for_" in kwargs:
            kwargs["for"] = kwargs.pop("for_")
        else:
            kwargs.setdefault("for", self.field_id)
        params = attributes(kwargs.items())
        return Markup(f"<label{' ' + params if params else ''}>{escape(text or self.text)}</label>")


_TWINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a widget -> its quick twin, or None: none


def _twin(widget):
    """The quick twin of one of WTForms' own widgets (its attributes copied), else the widget."""
    kind = type(widget)
    if kind is Select:
        twin = QuickSelect.__new__(QuickSelect)
    elif kind is TextArea:
        twin = QuickTextArea.__new__(QuickTextArea)
    elif isinstance(widget, Input) and kind.html_params is wtforms_widgets.html_params \
            and "html_params" not in widget.__dict__:
        # Input's own hook: its subclasses (text, hidden, submit, radio...) write through self.html_params.
        twin = copy.copy(widget)
        twin.html_params = html_params
        return twin
    else:
        return widget
    twin.__dict__.update(widget.__dict__)
    return twin


def quick_widget(widget):
    """The widget's quick twin (made once per widget), or the widget itself when it has none."""
    try:
        found = _TWINS.get(widget, _TWINS)
    except TypeError:  # not weakly referable: left as it is
        return widget
    if found is _TWINS:
        twin = _twin(widget)
        found = _TWINS[widget] = None if twin is widget else twin
    return widget if found is None else found


def quicken(field) -> None:
    """Give a freshly bound field the quick twins of WTForms' widget, option widget and label."""
    widget = quick_widget(field.widget)
    if widget is not field.widget:
        field.widget = widget
    option_widget = getattr(field, "option_widget", None)
    if option_widget is not None:
        quick = quick_widget(option_widget)
        if quick is not option_widget:
            field.option_widget = quick
    label = field.__dict__.get("label")
    if type(label) is Label:
        field.label = QuickLabel(label.field_id, label.text)
