"""Visa support letters: the organiser's template with placeholders ({name}, {document_number}…),
checked when it is saved, and filled per participant from their registration, their answers to the
questions the organiser mapped, and the event. Pure text here; the PDF is app.travel.letter_pdf."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

PLACEHOLDERS: dict[str, object] = {
    "name": _l("the participant's name"),
    "organisation": _l("the participant's organisation"),
    "nationality": _l("the answer to the nationality question"),
    "document_number": _l("the answer to the document number question"),
    "date_of_birth": _l("the answer to the date of birth question"),
    "event_title": _l("the event's title"),
    "event_dates": _l("the event's dates"),
    "venue": _l("where the event takes place"),
    "organiser_name": _l("the name the letter is signed with"),
}
_TOKEN = re.compile(r"\{([^{}]*)\}")
MISSING = "—"


def unknown_placeholders(template: str) -> list[str]:
    """The {…} in the template that are not placeholders (in the order they appear, each once)."""
    found = [name for name in _TOKEN.findall(template or "") if name not in PLACEHOLDERS]
    return list(dict.fromkeys(found))


def template_problem(template: str) -> str | None:
    """Why the template cannot be saved (unknown placeholders or a stray brace), else None."""
    unknown = unknown_placeholders(template)
    if unknown:
        return _("Unknown placeholders: %(names)s. Use only %(known)s.",
                 names=", ".join("{" + name + "}" for name in unknown),
                 known=", ".join("{" + name + "}" for name in PLACEHOLDERS))
    if "{" in _TOKEN.sub("", template or "") or "}" in _TOKEN.sub("", template or ""):
        return _("A brace is not closed: write placeholders as {name}.")
    return None


def fill(template: str, values: dict[str, str]) -> str:
    """The template with each placeholder replaced (a missing value shows as a dash)."""
    return _TOKEN.sub(lambda match: values.get(match.group(1)) or MISSING, template or "")


@dataclass(frozen=True)
class Letter:
    """Everything the PDF shows, as plain text."""

    letterhead: str
    letterhead_detail: str
    place_and_date: str
    title: str
    body: str
    signatory: str
    signatory_role: str
