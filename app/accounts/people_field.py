"""A multiple choice of people that does not load every account (issue 23).

Its choices are only the people already chosen (or sent back by the form), read in one statement;
the browser adds people through the search-as-you-type picker (static/js/people-picker.js, Tom Select)
that asks GET /people/search. Without JavaScript the people already chosen stay; adding needs it."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError

from app.accounts.permissions import can_search_people
from app.accounts.queries import PEOPLE_SEARCH_LIMIT, people_labels


class PeopleField(SelectMultipleField):
    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("invalid_value_message", _l("Choose people from the list."))
        super().__init__(label, validators, **kwargs)
        self.choices = None

    def _load(self) -> None:
        if self.choices is None:
            self.choices = list(people_labels(self.data or ()).items())

    def pre_validate(self, form):
        if self.process_errors or not self.data:
            return
        self._load()
        known = {value for value, _label in self.choices}
        if any(value not in known for value in self.data):
            self.data = [value for value in self.data if value in known]
            raise ValidationError(_("One of the people chosen does not exist or can no longer be chosen."))

    def __call__(self, **kwargs):
        self._load()
        if can_search_people(current_user):
            kwargs.setdefault("data-people-picker", "")
            kwargs.setdefault("data-search-url", url_for("accounts.people_search"))
            kwargs.setdefault("data-limit", str(PEOPLE_SEARCH_LIMIT))
            kwargs.setdefault("data-placeholder", _("Type part of a name or organisation"))
            kwargs.setdefault("data-no-results", _("No one found."))
            kwargs.setdefault("data-loading", _("Searching…"))
            kwargs.setdefault("data-remove", _("Remove"))
            kwargs.setdefault("data-error", _("The search failed; try again."))
        return super().__call__(**kwargs)
