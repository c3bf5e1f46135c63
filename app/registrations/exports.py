"""Participant list exports (CSV, XLSX) with the columns the organiser chose. Pure builders: they
take rows of plain values and return bytes."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from app.registrations.rules import NEEDS_COLUMNS
from app.spreadsheets import csv_bytes, safe_cell
from app.templating import country_name

# key -> label. Needs columns are personal data: only organisers reach the export.
COLUMNS: dict[str, str] = {
    "name": "Name",
    "email": "Email",
    "organisation": "Organisation",
    "organisation_type": "Organisation type",
    "country": "Country",
    "position": "Position",
    "role": "Role",
    "status": "Status",
    "waitlist_position": "Waiting-list position",
    "registered_at": "Registered at (UTC)",
    "dietary_needs": "Dietary needs",
    "accessibility_needs": "Accessibility needs",
    "needs_visa_letter": "Visa letter",
    "checked_in_at": "Checked in at (UTC)",
}
DEFAULT_COLUMNS = ["name", "email", "organisation", "country", "role", "status"]


def columns_for(with_needs: bool) -> dict[str, str]:
    """The columns a manager may export: the needs only for those who may see them (rules.may_see_needs)."""
    return COLUMNS if with_needs else {key: label for key, label in COLUMNS.items() if key not in NEEDS_COLUMNS}


def choose_columns(requested: Iterable[str], with_needs: bool = False) -> list[str]:
    allowed = columns_for(with_needs)
    chosen = [key for key in requested if key in allowed]
    return list(dict.fromkeys(chosen)) or list(DEFAULT_COLUMNS)


def row_for(registration, columns: Sequence[str], positions: dict[int, int]) -> list:
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
        "needs_visa_letter": "yes" if registration.needs_visa_letter else "no",
        "checked_in_at": registration.checked_in_at.strftime("%Y-%m-%d %H:%M") if registration.checked_in_at else "",
    }
    return [values[key] for key in columns]


def build_csv(columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    return csv_bytes([COLUMNS[key] for key in columns], rows)


def build_xlsx(columns: Sequence[str], rows: Iterable[Sequence], title: str = "Participants") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (title or "Participants")[:31].translate(str.maketrans("", "", "[]:*?/\\")) or "Participants"
    sheet.append([COLUMNS[key] for key in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for index, key in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(COLUMNS[key]) + 4)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
