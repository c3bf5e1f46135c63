"""Every form's selects, text areas, inputs and labels render through app.forms_widgets' quick twins
of WTForms' own: the markup must stay WTForms' to the byte. Each field here is rendered by a form of
ours and by the same form made on plain wtforms.Form, and the two compared, so a WTForms release
that writes any of them differently fails here first."""

from __future__ import annotations

import pytest
import wtforms
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import Select

from app.forms_base import Form, LongSelect, QueryForm
from app.forms_widgets import QuickLabel, QuickSelect, QuickTextArea, attributes

ODD = 'Tom & "Jerry" <b>\'s</b>'

FIELDS = {
    "plain": SelectField("Plain", choices=[("a", "A"), ("b", "B"), ("c", "C")]),
    "odd": SelectField(ODD, choices=[(ODD, ODD), ("<x>", ""), ("", "—"), (Markup('<i a="1">m</i>'), Markup("<i>m</i>"))],
                       default=ODD),
    "lazy": SelectField(_l("Kind"), choices=[("observation", _l("Observation")), ("lesson", _l("Lesson")),
                                             ("x", _l("Choose %(what)s", what="<&>"))], default="lesson"),
    "numbers": SelectField("Numbers", coerce=int, choices=[(1, "one"), (2, "two"), (-3, "minus")], default=2),
    "optional": SelectField("Optional", coerce=lambda v: None if v in (None, "", "None") else int(v),
                            choices=[(None, "— none —"), (7, "seven")]),
    "truth": SelectField("Truth", coerce=lambda v: v in (True, "True"), choices=[(True, "Yes"), (False, "No")],
                         default=False),
    "floats": SelectField("Floats", coerce=float, choices=[(1.5, "one and a half"), (2.0, 2.0)], default=2.0),
    "empty": SelectField("Empty", choices=[]),
    "unset": SelectField("Unset", validate_choice=False),
    "required": SelectField("Required", choices=[("", "—"), ("y", "Yes")], validators=[DataRequired()]),
    "kw": SelectField("Keywords", choices=[("a", "A")],
                      render_kw={"class": "big", "data_pick": "x y", "aria_label": 'say "a"', "disabled": True,
                                 "hidden": False, "data-count": 3}),
    "option_kw": SelectField("Per option", choices=[("a", "A", {"data-city": 'Ko"ln', "disabled": True}),
                                                    ("b", "B", {"class": "x", "data_y": 1})], default="b"),
    "select_choices": SelectField("Declared", choices=[SelectChoice("p", "P", {"data-x": "1"}),
                                                       SelectChoice("q", optgroup="Group <one>"),
                                                       SelectChoice("r", "R", optgroup="Group <one>"),
                                                       SelectChoice("s", "S", optgroup="Two")], default="r"),
    "groups": SelectField("Groups", choices={"Fruit & nuts": {"apple": "Apple", "nut": "<Nut>"}, "plain": "Plain"},
                          default="nut"),
    "many": SelectMultipleField("Many", coerce=int, choices=[(i, f"Theme {i} & co") for i in range(1, 40)],
                                default=[3, 17, 39], validators=[DataRequired()]),
    "many_empty": SelectMultipleField("None chosen", choices=[("a", "A"), ("b", "B")]),
    "many_groups": SelectMultipleField("Grouped", choices={"G": {"a": "A", "b": "B"}, "H": {"c": "C"}},
                                       default=["a", "c"]),
    "long": SelectField("Long", choices=[("", "—"), ("de", "Germany"), ("fr", "France")], default="fr",
                        widget=LongSelect()),
    "radio": RadioField(_l("Kind"), choices=[("one", "One <1>"), ("two", _l("Lesson"))], default="two",
                        validators=[DataRequired()]),
    "title": StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], default=ODD),
    "note": TextAreaField("Note", validators=[Optional(), Length(min=2, max=5000)], default=f"line 1\n{ODD}"),
    "blank_note": TextAreaField("Blank", render_kw={"rows": 4}),
    "count": IntegerField("Count", validators=[Optional(), NumberRange(min=0, max=100_000)], default=12),
    "when": DateTimeLocalField("When", format="%Y-%m-%dT%H:%M", validators=[DataRequired()]),
    "secret": HiddenField(default='a"b<c>'),
    "agree": BooleanField("Agree & go", default=True),
    "go": SubmitField(_l("Save draft")),
}

# What the templates pass (macros.html's field(): class, size, aria-describedby, aria-invalid).
CALLS = [
    {},
    {"class_": "form-select"},
    {"class_": "form-select is-invalid", "size": 6, "aria-describedby": "x-help x-errors", "aria-invalid": "true"},
    {"id": "other", "data_extra": '"q"', "required": False, "disabled": True},
    {"class": "form-control", "placeholder": ODD, "autofocus": True},
]


def _forms(formdata=None):
    plain = type("PlainForm", (wtforms.Form,), dict(FIELDS))(formdata)
    quick = type("QuickForm", (QueryForm,), dict(FIELDS))(formdata)
    return plain, quick


@pytest.fixture
def page(app):
    with app.test_request_context("/?lang=uk"):
        yield


@pytest.mark.parametrize("call", CALLS)
def test_every_field_renders_as_wtforms_does(page, call):
    plain, quick = _forms()
    for name in FIELDS:
        assert str(quick[name](**call)) == str(plain[name](**call)), name
        assert str(quick[name].label(class_="form-label")) == str(plain[name].label(class_="form-label")), name
        assert str(quick[name].label("Other <text>", for_="y")) == str(plain[name].label("Other <text>", for_="y"))
        assert str(quick[name]) == str(plain[name]), name


def test_submitted_values_render_as_wtforms_does(page):
    """Values sent back (a form shown again with its errors): the chosen options and typed text."""
    sent = MultiDict([("plain", "b"), ("many", "5"), ("many", "6"), ("numbers", "-3"), ("optional", "7"),
                      ("truth", "True"), ("title", '<script>"x"'), ("note", "a & b"), ("count", "x"),
                      ("odd", "<x>"), ("groups", "apple"), ("many_groups", "b")])
    plain, quick = _forms(sent)
    plain.validate()
    quick.validate()
    for name in FIELDS:
        assert str(quick[name](class_="form-select")) == str(plain[name](class_="form-select")), name


def test_radio_buttons_render_as_wtforms_does(page):
    plain, quick = _forms()
    assert [str(option) for option in quick["radio"]] == [str(option) for option in plain["radio"]]
    assert [str(option.label) for option in quick["radio"]] == [str(option.label) for option in plain["radio"]]


def test_an_option_alone_renders_as_wtforms_does(page):
    plain, quick = _forms()
    for choice in plain["option_kw"].iter_choices():
        assert str(QuickSelect.render_option(choice, class_="c")) == str(Select.render_option(choice, class_="c"))
        assert str(QuickSelect.render_option(choice)) == str(Select.render_option(choice))


def test_attributes_are_html_params(page):
    from wtforms.widgets import html_params

    cases = [{}, {"class_": "a", "for_": "b", "data_x_y": "1", "aria_z": 2, "checked": True, "off": False},
             {"value": None, "v2": 1.5, "v3": Markup('a"b'), "v4": _l("Lesson"), "v5": -1, "v6": ODD}]
    for case in cases:
        assert attributes(case.items()) == str(html_params(**case))


def test_the_app_forms_get_the_quick_twins_and_keep_their_own_widgets(app):
    with app.test_request_context("/"):
        form = type("F", (Form,), dict(FIELDS))(meta={"csrf": False})
        assert type(form.plain.widget) is QuickSelect and not form.plain.widget.multiple
        assert type(form.many.widget) is QuickSelect and form.many.widget.multiple
        assert type(form.note.widget) is QuickTextArea
        assert type(form.title.label) is QuickLabel
        assert type(form.long.widget) is LongSelect  # a subclass keeps its own rendering
        assert type(FIELDS["plain"].field_class.widget) is Select  # WTForms' own classes are left alone


def test_the_csrf_token_and_hidden_fields_render_as_flask_wtf_does(app):
    from flask_wtf import FlaskForm

    with app.test_request_context("/"):
        fields = {"secret": FIELDS["secret"], "title": FIELDS["title"]}
        plain = type("P", (FlaskForm,), dict(fields))(meta={"csrf": True})  # (off in the tests' settings)
        quick = type("Q", (Form,), dict(fields))(meta={"csrf": True})
        assert str(quick.hidden_tag()) == str(plain.hidden_tag())
        assert 'name="csrf_token"' in str(quick.hidden_tag())
