"""forms_base.LongSelect writes the same markup as WTForms' Select (its options rendered once per
list of choices): nothing chosen, one chosen, an unknown value, errors' attributes, per-option
attributes and multiple choice (WTForms' own rendering)."""

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
