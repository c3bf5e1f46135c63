"""Form fields that pick organisations, projects and themes without listing the whole directory (issue 23).

Their choices are only what is already chosen (or sent back by the form), read in one statement; the
browser adds others through the search-as-you-type picker (static/js/directory-picker.js, Tom Select)
that asks GET /<kind>/search. Without JavaScript the chosen values stay; adding needs it. An
organisation field can instead be given a fixed, short list (`fixed`): then it is a plain select."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import ValidationError

from app.directory.lookup import LABELS, LOOKUP_LIMIT
from app.roles import is_signed_in

_PLACEHOLDERS = {
    "organisations": _l("Type part of an organisation's name"),
    "projects": _l("Type part of a project's acronym or title"),
    "themes": _l("Type part of a theme"),
}
_UNKNOWN = {
    "organisations": _l("That organisation does not exist (any more); choose another."),
    "projects": _l("One of the projects chosen does not exist (any more)."),
    "themes": _l("One of the themes chosen does not exist (any more)."),
}


def picker_attributes(kind: str, kwargs: dict) -> None:
    """The data- attributes directory-picker.js reads, in the page's language."""
    if not is_signed_in(current_user):
        return
    kwargs.setdefault("data-directory-picker", kind)
    kwargs.setdefault("data-search-url", url_for(f"lookup.{kind}"))
    kwargs.setdefault("data-limit", str(LOOKUP_LIMIT))
    kwargs.setdefault("data-placeholder", str(_PLACEHOLDERS[kind]))
    kwargs.setdefault("data-no-results", _("Nothing found."))
    kwargs.setdefault("data-loading", _("Searching…"))
    kwargs.setdefault("data-remove", _("Remove"))
    kwargs.setdefault("data-error", _("The search failed; try again."))


class DirectoryPicksField(SelectMultipleField):
    """Several projects or themes (`kind`)."""

    def __init__(self, label=None, validators=None, kind: str = "themes", **kwargs):
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("invalid_value_message", _UNKNOWN[kind])
        super().__init__(label, validators, **kwargs)
        self.kind = kind
        self.choices = None

    def _load(self) -> None:
        if self.choices is None:
            self.choices = list(LABELS[self.kind](self.data or ()).items())

    def pre_validate(self, form):
        if self.process_errors or not self.data:
            return
        self._load()
        known = {value for value, _label in self.choices}
        if any(value not in known for value in self.data):
            self.data = [value for value in self.data if value in known]
            raise ValidationError(str(_UNKNOWN[self.kind]))

    def __call__(self, **kwargs):
        self._load()
        picker_attributes(self.kind, kwargs)
        return super().__call__(**kwargs)


class OrganisationField(SelectField):
    """One organisation (0: none, when `blank` is given), picked by search, or from `fixed` choices."""

    def __init__(self, label=None, validators=None, blank=None, **kwargs):
        kwargs.setdefault("coerce", int)
        super().__init__(label, validators, **kwargs)
        self.blank = blank
        self.fixed: list[tuple[int, str]] | None = None
        self.choices = None

    def fix_choices(self, choices: list[tuple[int, str]]) -> None:
        """A plain select of these organisations only (e.g. those a person administers)."""
        self.fixed = list(choices)
        self.choices = None

    def _load(self) -> None:
        if self.choices is not None:
            return
        chosen = self.fixed if self.fixed is not None else list(LABELS["organisations"]([self.data] if self.data else ()).items())
        self.choices = ([(0, str(self.blank))] if self.blank is not None else []) + chosen

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0]:
            valuelist = ["0"]  # the picker cleared: no organisation
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.process_errors:
            return
        if not self.data:
            if self.blank is None:
                raise ValidationError(_("Choose an organisation."))
            return
        self._load()
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(str(_UNKNOWN["organisations"]))

    def __call__(self, **kwargs):
        self._load()
        if self.fixed is None:
            picker_attributes("organisations", kwargs)
        return super().__call__(**kwargs)
