"""Participant list exports (CSV, XLSX) with the columns the organiser chose. Pure builders: they
take rows of plain values and return bytes."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.i18n import catalog
from app.registrations.rules import NEEDS_COLUMNS
from app.spreadsheets import csv_bytes, xlsx_bytes
from app.templating import country_name

# key -> label. Needs columns are personal data: only organisers reach the export.
COLUMNS: dict[str, str] = {
    "name": _l("Name"),
    "email": _l("Email"),
    "organisation": _l("Organisation"),
    "organisation_type": _l("Organisation type"),
    "country": _l("Country"),
    "position": _l("Position"),
    "role": _l("Role"),
    "status": _l("Status"),
    "waitlist_position": _l("Waiting-list position"),
    "registered_at": _l("Registered at (UTC)"),
    "dietary_needs": _l("Dietary needs"),
    "accessibility_needs": _l("Accessibility needs"),
    "needs_visa_letter": _l("Visa letter"),
    "checked_in_at": _l("Checked in at (UTC)"),
}
DEFAULT_COLUMNS = ["name", "email", "organisation", "country", "role", "status"]


def columns_for(with_needs: bool, answers: dict[str, str] | None = None) -> dict[str, str]:
    """The columns a manager may export: the needs only for those who may see them (rules.may_see_needs);
    `answers`: the answer columns the reader may see (answers.answer_columns)."""
    columns = COLUMNS if with_needs else {key: label for key, label in COLUMNS.items() if key not in NEEDS_COLUMNS}
    return {**columns, **(answers or {})}


def column_labels(with_needs: bool, answers: dict[str, str] | None = None) -> dict[str, str]:
    """columns_for with the labels in the page's language (the participant list offers them all):
    ours translated once per language, not on every page."""
    ours = _labels_in(catalog())
    return {key: ours.get(key, label) for key, label in columns_for(with_needs, answers).items()}


@functools.lru_cache(maxsize=16)
def _labels_in(_catalog) -> dict[str, str]:
    """COLUMNS' labels in the current language, whose catalog is the key."""
    return {key: str(label) for key, label in COLUMNS.items()}


def choose_columns(requested: Iterable[str], with_needs: bool = False, answers: dict[str, str] | None = None) -> list[str]:
    allowed = columns_for(with_needs, answers)
    chosen = [key for key in requested if key in allowed]
    return list(dict.fromkeys(chosen)) or list(DEFAULT_COLUMNS)


def row_for(registration, columns: Sequence[str], positions: dict[int, int], answers: dict[str, str] | None = None) -> list:
    """`answers`: {"answer_<question id>": the answer as read} of this registration."""
    user = registration.user
    organisation = user.organisation
    values = {
        "name": user.name,
        "email": user.email,
        "organisation": organisation.name if organisation else "",
        "organisation_type": organisation.type.label if organisation else "",
        "country": country_name(user.country or (organisation.country if organisation else None)),
        "position": user.position or "",
        "role": registration.role.label,
        "status": registration.status.label,
        "waitlist_position": positions.get(registration.id, ""),
        "registered_at": registration.registered_at.strftime("%Y-%m-%d %H:%M") if registration.registered_at else "",
        "dietary_needs": registration.dietary_needs or "",
        "accessibility_needs": registration.accessibility_needs or "",
        "needs_visa_letter": _("yes") if registration.needs_visa_letter else _("no"),
        "checked_in_at": registration.checked_in_at.strftime("%Y-%m-%d %H:%M") if registration.checked_in_at else "",
    }
    values.update(answers or {})
    return [values.get(key, "") for key in columns]


def build_csv(columns: Sequence[str], rows: Iterable[Sequence], labels: dict[str, str] | None = None) -> bytes:
    labels = {**COLUMNS, **(labels or {})}
    return csv_bytes([str(labels[key]) for key in columns], rows)


def build_xlsx(columns: Sequence[str], rows: Iterable[Sequence], title: str | None = None,
               labels: dict[str, str] | None = None) -> bytes:
    labels = {**COLUMNS, **(labels or {})}
    return xlsx_bytes([str(labels[key]) for key in columns], rows, title, _("Participants"))
