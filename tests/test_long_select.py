"""forms_base.LongSelect writes the same markup as WTForms' Select (its options rendered once per
list of choices, its pairs read as they are): nothing chosen, one chosen, an unknown value, errors'
attributes, every select of tests/test_forms_widgets.py (per-option attributes, groups and multiple
choice through the quick Select), lists that differ only in types, a field with its own choosing."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.widgets import Select

from app.forms_base import LongSelect

CHOICES = [("", "All countries"), ("AT", "Austria"), ("UA", "Ukraine"), ("X&Y", "<Tom & \"Jerry\">")]


class Plain(Form):
    country = SelectField(choices=CHOICES, default="")


class Long(Form):
    country = SelectField(choices=CHOICES, default="", widget=LongSelect())


@pytest.mark.parametrize("data", [{}, {"country": "UA"}, {"country": "X&Y"}, {"country": "nowhere"}])
@pytest.mark.parametrize("attrs", [{}, {"class_": "form-select is-invalid", "aria-invalid": "true"}])
def test_the_same_markup_as_wtforms(data, attrs):
    plain, long = Plain(MultiDict(data)), Long(MultiDict(data))
    assert str(long.country(**attrs)) == str(plain.country(**attrs))
    assert str(long.country(**attrs)) == str(Long(MultiDict(data)).country(**attrs))  # remembered: the same


def test_per_option_attributes_and_multiple_choice_go_through_wtforms():
    class WithAttributes(Form):
        country = SelectField(choices=[("AT", "Austria", {"disabled": True})], widget=LongSelect())

    class Multiple(Form):
        countries = SelectMultipleField(choices=CHOICES, widget=LongSelect(multiple=True))

    field = WithAttributes().country
    assert str(field()) == str(Select()(field))
    many = Multiple(MultiDict([("countries", "AT"), ("countries", "UA")])).countries
    assert str(many()) == str(Select(multiple=True)(many))


def _selects():
    """Each select of tests/test_forms_widgets.py, once with WTForms' own widget and once with
    LongSelect (multiple where it is), on plain wtforms.Form and on the app's QueryForm."""
    from app.forms_base import QueryForm
    from tests.test_forms_widgets import FIELDS

    selects = {name: field for name, field in FIELDS.items()
               if field.field_class in (SelectField, SelectMultipleField) and "widget" not in field.kwargs}
    long = {name: field.field_class(*field.args, **{
        **field.kwargs, "widget": LongSelect(multiple=field.field_class is SelectMultipleField)})
        for name, field in selects.items()}
    return selects, (type("Plain", (Form,), dict(selects)), type("Long", (Form,), long),
                     type("LongOfOurs", (QueryForm,), long))


def test_every_select_renders_as_wtforms_does(app):
    """Plain and lazy labels, numbers, None, booleans, per-option attributes, groups, multiple
    choice, nothing chosen and values sent back, with the attributes the templates pass."""
    from tests.test_forms_widgets import CALLS

    selects, (plain, *longs) = _selects()
    sent = MultiDict([("plain", "b"), ("many", "5"), ("many", "6"), ("numbers", "-3"), ("optional", "7"),
                      ("truth", "True"), ("odd", "<x>"), ("groups", "apple"), ("many_groups", "b"),
                      ("lazy", "nowhere")])
    for language in ("en", "uk"):
        with app.test_request_context(f"/?lang={language}"):
            for formdata in (None, sent):
                expected = plain(formdata)
                for kind in longs:
                    form = kind(formdata)
                    for name in selects:
                        assert type(form[name].widget) is LongSelect
                        for call in CALLS:
                            assert str(form[name](**call)) == str(expected[name](**call)), (language, name, call)
                            assert str(form[name](**call)) == str(kind(formdata)[name](**call))  # remembered


def test_lists_that_differ_only_in_their_types_are_remembered_apart():
    """1 == True == 1.0 and a Markup label equals its text: the remembered options are keyed by the
    types too, so each list is written as WTForms writes it."""
    from markupsafe import Markup

    lists = [[(1, "One"), (2, "<b>")], [(True, "One"), (2, "<b>")], [(1.0, "One"), (2, "<b>")],
             [(1, "One"), (2, Markup("<b>"))], [(1, "One"), (2, "")], [(1, "One"), (2, None)], [(1, "One"), (2, 0)]]
    for choices in lists * 2:
        class Plain(Form):
            pick = SelectField(choices=choices, coerce=str)

        class Long(Form):
            pick = SelectField(choices=choices, coerce=str, widget=LongSelect())

        assert str(Long().pick()) == str(Plain().pick()), choices


def test_a_field_that_chooses_its_own_way_is_asked():
    """A SelectField subclass with its own iter_choices is rendered from it (the quick Select)."""

    class Shouting(SelectField):
        def iter_choices(self):
            return [choice._replace(label=str(choice.label).upper()) for choice in super().iter_choices()]

    class Plain(Form):
        country = Shouting(choices=CHOICES, default="UA")

    class Long(Form):
        country = Shouting(choices=CHOICES, default="UA", widget=LongSelect())

    assert "UKRAINE" in str(Long().country()) and str(Long().country()) == str(Plain().country())
