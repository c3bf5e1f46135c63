"""The report's tables and charts, built from the figures (app.reports.figures and
app.reports.participants): ordering, totals and labels only, no counting."""

from __future__ import annotations

from app.directory.models import OrganisationType
from app.events.models import EventKind
from app.lessons.models import LessonStatus
from app.registrations.models import ParticipantRole, RegistrationStatus
from app.reports import figures, participants
from app.reports.counting import number
from app.reports.results import Chart, Series, Table
from app.reports.scope import Scope
from app.templating import country_name

UNKNOWN = "Not recorded"


def _kind_order(kinds) -> list[EventKind]:
    return [kind for kind in EventKind if kind in kinds]


def events_tables(scope: Scope, tables: dict, charts: list) -> tuple[int, int, int]:
    by_kind = figures.events_by_kind(scope)
    table = Table(
        "events_by_kind", "Events by kind", ["Event kind", "Held", "Planned", "Cancelled", "Total"]
    )
    for kind in _kind_order(by_kind):
        held, planned, cancelled = by_kind[kind]
        table.rows.append([kind.label, held, planned, cancelled, held + planned + cancelled])
    totals = tuple(sum(values[i] for values in by_kind.values()) for i in range(3))
    tables[table.key] = table
    charts.append(
        Chart(
            "events_by_kind",
            "Events by kind",
            table.key,
            [row[0] for row in table.rows],
            [Series("Held", table.column("Held")), Series("Planned", table.column("Planned"))],
        )
    )

    months = figures.events_by_month(scope)
    table = Table("events_by_month", "Events by month", ["Month", "Held", "Planned"])
    table.rows = [[m, held, planned] for m, held, planned in _fill_months(months)]
    table.note = "Months with no event in between are shown with zero."
    tables[table.key] = table
    charts.append(
        Chart(
            "events_by_month",
            "Events by month of start",
            table.key,
            table.column("Month"),
            [Series("Held", table.column("Held")), Series("Planned", table.column("Planned"))],
            vertical=True,
        )
    )
    return totals


def _fill_months(months: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Insert the empty months between the first and last (presentation only; no counting)."""
    if not months:
        return []
    present = {m: (held, planned) for m, held, planned in months}
    year, month = (int(part) for part in months[0][0].split("-"))
    last = months[-1][0]
    filled = []
    for _ in range(600):
        key = f"{year:04d}-{month:02d}"
        held, planned = present.get(key, (0, 0))
        filled.append((key, held, planned))
        if key >= last:
            break
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return filled


def people_tables(cells, tables: dict, charts: list) -> tuple[int, int]:
    columns = ["People", "Registrations", "Attended", "People who attended"]

    def figures(sums: dict) -> list[int]:
        return [sums["people"], sums["registrations"], sums["attended"], sums["attended_people"]]

    by_country = participants.sum_cells(cells, key=lambda cell: cell[0])
    table = Table("participants_by_country", "Participants by country", ["Country", *columns])
    order = sorted(
        by_country,
        key=lambda c: (c is None, -by_country[c]["people"], country_name(c) if c else ""),
    )
    table.rows = [[country_name(c) if c else UNKNOWN, *figures(by_country[c])] for c in order]
    tables[table.key] = table
    charts.append(
        Chart(
            "participants_by_country",
            "People by country",
            table.key,
            table.column("Country"),
            [Series("People", table.column("People"))],
        )
    )

    by_type = participants.sum_cells(cells, key=lambda cell: cell[1])
    table = Table(
        "participants_by_organisation_type",
        "Participants by organisation type",
        ["Organisation type", *columns],
    )
    rank = {kind: i for i, kind in enumerate(OrganisationType)}
    order = sorted(by_type, key=lambda t: rank.get(t, len(rank)))
    table.rows = [[t.label if t else UNKNOWN, *figures(by_type[t])] for t in order]
    tables[table.key] = table
    charts.append(
        Chart(
            "participants_by_organisation_type",
            "People by organisation type",
            table.key,
            table.column("Organisation type"),
            [Series("People", table.column("People"))],
        )
    )
    return sum(1 for c in by_country if c), sum(1 for t in by_type if t)


CAPACITY_FIGURES = [  # (row label, key in figures.training() or figures.people_trained())
    ("Trainings held", "trainings"),
    ("Training sessions", "sessions"),
    ("Training hours delivered", "hours"),
    ("People trained", "people_trained"),
    ("Certificates issued", "certificates"),
]


def capacity_table(scope: Scope, tables: dict) -> dict:
    capacity = {**figures.training(scope), **figures.people_trained(scope)}
    table = Table("capacity_building", "Capacity building", ["Figure", "Value"])
    table.rows = [[label, capacity[key]] for label, key in CAPACITY_FIGURES]
    tables[table.key] = table
    return capacity


def feedback_table(scope: Scope, tables: dict, charts: list) -> dict:
    rows = {row[0]: row[1:] for row in figures.feedback_by_kind(scope)}
    table = Table(
        "feedback",
        "Feedback averages (1–5)",
        ["Event kind", "Answers", "Overall", "Relevance", "Organisation"],
    )

    def averages(count, overall, relevance, organisation):
        if not count:
            return [count, None, None, None]
        return [
            count,
            *(round(number(total) / count, 1) for total in (overall, relevance, organisation)),
        ]

    for kind in _kind_order(rows):
        table.rows.append([kind.label, *averages(*rows[kind])])
    sums = [sum(number(values[i]) for values in rows.values()) for i in range(4)]
    all_row = ["All events", *averages(int(sums[0]), *sums[1:])]
    table.rows.append(all_row)
    tables[table.key] = table
    charts.append(
        Chart(
            "feedback",
            "Average feedback, all events (1–5)",
            table.key,
            ["Overall", "Relevance", "Organisation"],
            [Series("Average", [v or 0 for v in all_row[2:]])],
            maximum=5,
        )
    )
    return {"answers": all_row[1], "overall": all_row[2]}


def lessons_tables(scope: Scope, tables: dict, charts: list) -> int:
    by_status = figures.lessons_by_status(scope)
    table = Table("lessons_by_status", "Lessons by status", ["Status", "Lessons"])
    table.rows = [[status.label, by_status.get(status, 0)] for status in LessonStatus]
    tables[table.key] = table
    charts.append(
        Chart(
            "lessons_by_status",
            "Lessons by status",
            table.key,
            table.column("Status"),
            [Series("Lessons", table.column("Lessons"))],
        )
    )

    themes: dict = {}
    for theme_id, name, cycle, status, count in figures.lessons_by_theme(scope):
        label = (f"{name} (EMPACT {cycle})" if cycle else name) if theme_id else "No theme"
        themes.setdefault((theme_id is None, label), {})[status] = count
    statuses = list(LessonStatus)
    table = Table(
        "lessons_by_theme",
        "Lessons by theme and status",
        ["Theme", "Total", *(status.label for status in statuses)],
    )
    for (_, label), counts in sorted(themes.items()):
        table.rows.append([label, sum(counts.values()), *(counts.get(s, 0) for s in statuses)])
    table.note = "A lesson with several themes counts under each of them."
    tables[table.key] = table
    charts.append(
        Chart(
            "lessons_by_theme",
            "Lessons by theme",
            table.key,
            table.column("Theme"),
            [Series("Lessons", table.column("Total"))],
        )
    )
    return sum(by_status.values())


def actions_table(scope: Scope, tables: dict, charts: list) -> dict:
    actions = figures.actions(scope)
    table = Table("actions", "Follow-up actions", ["Status", "Actions"])
    table.rows = [
        ["Open", actions["open"]],
        ["In progress", actions["in_progress"]],
        ["Overdue (open or in progress)", actions["overdue"]],
        ["Done", actions["done"]],
        ["Dropped", actions["dropped"]],
    ]
    tables[table.key] = table
    charts.append(
        Chart(
            "actions",
            "Follow-up actions",
            table.key,
            table.column("Status"),
            [Series("Actions", table.column("Actions"))],
        )
    )
    return actions


# ---------------------------------------------------------------------------------------------
# Tables of the participation report


def participation_by_kind_table(scope: Scope, tables: dict, charts: list) -> tuple[int, int]:
    """Events, registrations, people and attended per event kind; returns (held, planned)."""
    by_kind = participants.participation_by_kind(scope)
    table = Table(
        "participation_by_kind",
        "Participation by event kind",
        ["Event kind", "Events held", "Events planned", "Registrations", "People", "Attended"],
    )
    for kind in _kind_order(by_kind):
        table.rows.append([kind.label, *(int(v) for v in by_kind[kind])])
    tables[table.key] = table
    charts.append(
        Chart(
            "participation_by_kind",
            "Registered and attended by event kind",
            table.key,
            table.column("Event kind"),
            [
                Series("Attended", table.column("Attended")),
                Series(
                    "Registered, not attended",
                    [
                        r - a
                        for r, a in zip(
                            table.column("Registrations"), table.column("Attended"), strict=True
                        )
                    ],
                ),
            ],
        )
    )
    held = sum(int(v[0]) for v in by_kind.values())
    planned = sum(int(v[1]) for v in by_kind.values())
    return held, planned


def participation_by_project_table(scope: Scope, tables: dict) -> None:
    table = Table(
        "participation_by_project",
        "Participation by project",
        ["Project", "Events", "Registrations", "People", "Attended"],
    )
    table.rows = [
        [r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])]
        for r in participants.participation_by_project(scope)
    ]
    table.note = "An event linked to several projects counts for each of them."
    tables[table.key] = table


def registrations_by_status_table(scope: Scope, tables: dict) -> None:
    by_status = participants.registrations_by_status(scope)
    table = Table("registrations_by_status", "Registrations by status", ["Status", "Registrations"])
    table.rows = [[status.label, by_status.get(status, 0)] for status in RegistrationStatus]
    tables[table.key] = table


def registrations_by_role_table(scope: Scope, tables: dict) -> None:
    roles = participants.registrations_by_role(scope)
    table = Table(
        "participants_by_role",
        "Confirmed registrations by role",
        ["Role", "Registrations", "People", "Attended"],
    )
    table.rows = [
        [role.label, *(int(v) for v in roles[role][:3])]
        for role in ParticipantRole
        if role in roles
    ]
    tables[table.key] = table
