"""The arrivals overview as CSV or XLSX: one row a participant, by arrival. Pure builders: plain
rows in, bytes out."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from app.countries import country_name
from app.spreadsheets import csv_bytes, xlsx_bytes
from app.travel.queries import TravelRow


def header() -> list[str]:
    return [_("Arrival date"), _("Arrival time"), _("Arrival by"), _("Arrival number"), _("Name"),
            _("Organisation"), _("Country"), _("Status"), _("Departure date"), _("Departure time"),
            _("Departure by"), _("Departure number"), _("Hotel"), _("Check-in"), _("Check-out"), _("Nights")]


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "label"):
        return value.label
    if hasattr(value, "isoformat"):
        return value.isoformat()[:5] if hasattr(value, "hour") else value.isoformat()
    return str(value)


def row_values(row: TravelRow) -> list:
    plan = row.plan
    travel = ["" for _index in range(4)] + [row.name, row.organisation, country_name(row.country),
                                             row.status.label] + ["" for _index in range(8)]
    if plan is not None:
        travel[0:4] = [_text(plan.arrival_on), _text(plan.arrival_time), _text(plan.arrival_mode),
                       plan.arrival_number or ""]
        travel[8:16] = [_text(plan.departure_on), _text(plan.departure_time), _text(plan.departure_mode),
                        plan.departure_number or "", plan.hotel or "", _text(plan.check_in_on),
                        _text(plan.check_out_on), "" if plan.nights is None else plan.nights]
    return travel


def build_csv(rows: Sequence[TravelRow]) -> bytes:
    return csv_bytes(header(), [row_values(row) for row in rows])


def build_xlsx(rows: Sequence[TravelRow], title: str) -> bytes:
    return xlsx_bytes(header(), [row_values(row) for row in rows], title, _("Arrivals"))
