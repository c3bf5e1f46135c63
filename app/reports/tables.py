"""The report's tables and charts, built from the figures (app.reports.figures and
app.reports.participants): ordering, totals and labels only, no counting."""

from __future__ import annotations

from app.directory.models import OrganisationType
from app.events.models import EventKind
from app.lessons.models import LessonStatus
from app.registrations.models import ParticipantRole, RegistrationStatus
from app.reports import figures, participants
from app.reports.counting import number
from app.reports.results import COUNTRY, N_, NONE, Chart, Series, Table
from app.reports.scope import Scope
from app.templating import country_name

UNKNOWN = N_("Not recorded")
NO_THEME = N_("No theme")
# Labels translated in any table, even among the users' own words.
ALWAYS_TRANSLATED = frozenset({UNKNOWN, NO_THEME})


def _kind_order(kinds) -> list[EventKind]:
    return [kind for kind in EventKind if kind in kinds]


def events_tables(scope: Scope, tables: dict, charts: list) -> tuple[int, int, int]:
    by_kind, months = figures.events_by_kind_and_month(scope)
    table = Table(
        "events_by_kind", N_("Events by kind"), [N_("Event kind"), N_("Held"), N_("Planned"), N_("Cancelled"), N_("Total")]
    )
    for kind in _kind_order(by_kind):
        held, planned, cancelled = by_kind[kind]
        table.rows.append([kind.label, held, planned, cancelled, held + planned + cancelled])
    totals = tuple(sum(values[i] for values in by_kind.values()) for i in range(3))
    tables[table.key] = table
    charts.append(
        Chart(
            "events_by_kind",
            N_("Events by kind"),
            table.key,
            [row[0] for row in table.rows],
            [Series(N_("Held"), table.column("Held")), Series(N_("Planned"), table.column("Planned"))],
        )
    )

    table = Table("events_by_month", N_("Events by month"), [N_("Month"), N_("Held"), N_("Planned")])
    table.rows = [[m, held, planned] for m, held, planned in _fill_months(months)]
    table.note = N_("Months with no event in between are shown with zero.")
    table.labels = NONE  # ISO months (2026-03): the same in every language, and they sort
    tables[table.key] = table
    charts.append(
        Chart(
            "events_by_month",
            N_("Events by month of start"),
            table.key,
            table.column("Month"),
            [Series(N_("Held"), table.column("Held")), Series(N_("Planned"), table.column("Planned"))],
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
    columns = [N_("People"), N_("Registrations"), N_("Attended"), N_("People who attended")]

    def figures(sums: dict) -> list[int]:
        return [sums["people"], sums["registrations"], sums["attended"], sums["attended_people"]]

    by_country = participants.sum_cells(cells, key=lambda cell: cell[0])
    table = Table("participants_by_country", N_("Participants by country"), [N_("Country"), *columns])
    table.labels = COUNTRY
    names = {c: country_name(c) for c in by_country if c}  # (each name looked up once)
    order = sorted(by_country, key=lambda c: (c is None, -by_country[c]["people"], names.get(c, "")))
    table.rows = [[names[c] if c else UNKNOWN, *figures(by_country[c])] for c in order]
    tables[table.key] = table
    charts.append(
        Chart(
            "participants_by_country",
            N_("People by country"),
            table.key,
            table.column("Country"),
            [Series(N_("People"), table.column("People"))],
        )
    )

    by_type = participants.sum_cells(cells, key=lambda cell: cell[1])
    table = Table(
        "participants_by_organisation_type",
        N_("Participants by organisation type"),
        [N_("Organisation type"), *columns],
    )
    rank = {kind: i for i, kind in enumerate(OrganisationType)}
    order = sorted(by_type, key=lambda t: rank.get(t, len(rank)))
    table.rows = [[t.label if t else UNKNOWN, *figures(by_type[t])] for t in order]
    tables[table.key] = table
    charts.append(
        Chart(
            "participants_by_organisation_type",
            N_("People by organisation type"),
            table.key,
            table.column("Organisation type"),
            [Series(N_("People"), table.column("People"))],
        )
    )
    return sum(1 for c in by_country if c), sum(1 for t in by_type if t)


CAPACITY_FIGURES = [  # (row label, key in figures.capacity(), or people_trained)
    (N_("Trainings held"), "trainings"),
    (N_("Training sessions"), "sessions"),
    (N_("Training hours delivered"), "hours"),
    (N_("People trained"), "people_trained"),
    (N_("Certificates issued"), "certificates"),
]


def capacity_table(scope: Scope, tables: dict, people_trained: int) -> dict:
    """The capacity figures (people_trained counted with the participants: their cells' total)."""
    capacity = {**figures.capacity(scope), "people_trained": people_trained}
    table = Table("capacity_building", N_("Capacity building"), [N_("Figure"), N_("Value")])
    table.rows = [[label, capacity[key]] for label, key in CAPACITY_FIGURES]
    tables[table.key] = table
    return capacity


def feedback_table(scope: Scope, tables: dict, charts: list) -> dict:
    rows = {row[0]: row[1:] for row in figures.feedback_by_kind(scope)}
    table = Table(
        "feedback",
        N_("Feedback averages (1–5)"),
        [N_("Event kind"), N_("Answers"), N_("Overall"), N_("Relevance"), N_("Practical organisation")],
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
    all_row = [N_("All events"), *averages(int(sums[0]), *sums[1:])]
    table.rows.append(all_row)
    tables[table.key] = table
    charts.append(
        Chart(
            "feedback",
            N_("Average feedback, all events (1–5)"),
            table.key,
            [N_("Overall"), N_("Relevance"), N_("Practical organisation")],
            [Series(N_("Average"), [v or 0 for v in all_row[2:]])],
            maximum=5,
        )
    )
    return {"answers": all_row[1], "overall": all_row[2]}


def lessons_tables(scope: Scope, tables: dict, charts: list) -> int:
    by_status, by_theme = figures.lessons_by_status_and_theme(scope)
    table = Table("lessons_by_status", N_("Lessons by status"), [N_("Status"), N_("Lessons")])
    table.rows = [[status.label, by_status.get(status, 0)] for status in LessonStatus]
    tables[table.key] = table
    charts.append(
        Chart(
            "lessons_by_status",
            N_("Lessons by status"),
            table.key,
            table.column("Status"),
            [Series(N_("Lessons"), table.column("Lessons"))],
        )
    )

    themes: dict = {}
    for theme_id, name, cycle, status, count in by_theme:
        label = (f"{name} (EMPACT {cycle})" if cycle else name) if theme_id else NO_THEME
        themes.setdefault((theme_id is None, label), {})[status] = count
    statuses = list(LessonStatus)
    table = Table(
        "lessons_by_theme",
        N_("Lessons by theme and status"),
        [N_("Theme"), N_("Total"), *(status.label for status in statuses)],
    )
    for (_, label), counts in sorted(themes.items()):
        table.rows.append([label, sum(counts.values()), *(counts.get(s, 0) for s in statuses)])
    table.note = N_("A lesson with several themes counts under each of them.")
    table.labels = NONE
    tables[table.key] = table
    charts.append(
        Chart(
            "lessons_by_theme",
            N_("Lessons by theme"),
            table.key,
            table.column("Theme"),
            [Series(N_("Lessons"), table.column("Total"))],
        )
    )
    return sum(by_status.values())


def actions_table(scope: Scope, tables: dict, charts: list) -> tuple[dict, list[dict]]:
    """The actions table and chart; returns the counts and the most overdue actions (figures.actions)."""
    actions, overdue = figures.actions(scope)
    table = Table("actions", N_("Follow-up actions"), [N_("Status"), N_("Actions")])
    table.rows = [
        [N_("Open"), actions["open"]],
        [N_("In progress"), actions["in_progress"]],
        [N_("Overdue (open or in progress)"), actions["overdue"]],
        [N_("Done"), actions["done"]],
        [N_("Dropped"), actions["dropped"]],
    ]
    tables[table.key] = table
    charts.append(
        Chart(
            "actions",
            N_("Follow-up actions"),
            table.key,
            table.column("Status"),
            [Series(N_("Actions"), table.column("Actions"))],
        )
    )
    return actions, overdue


# ---------------------------------------------------------------------------------------------
# Tables of the participation report


def participation_by_kind_table(scope: Scope, tables: dict, charts: list) -> tuple[int, int]:
    """Events, registrations, people and attended per event kind; returns (held, planned)."""
    by_kind = participants.participation_by_kind(scope)
    table = Table(
        "participation_by_kind",
        N_("Participation by event kind"),
        [N_("Event kind"), N_("Events held"), N_("Events planned"), N_("Registrations"), N_("People"), N_("Attended")],
    )
    for kind in _kind_order(by_kind):
        table.rows.append([kind.label, *(int(v) for v in by_kind[kind])])
    tables[table.key] = table
    charts.append(
        Chart(
            "participation_by_kind",
            N_("Registered and attended by event kind"),
            table.key,
            table.column("Event kind"),
            [
                Series(N_("Attended"), table.column("Attended")),
                Series(
                    N_("Registered, not attended"),
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
        N_("Participation by project"),
        [N_("Project"), N_("Events"), N_("Registrations"), N_("People"), N_("Attended")],
    )
    table.rows = [
        [r[0], int(r[1]), int(r[2]), int(r[3]), int(r[4])]
        for r in participants.participation_by_project(scope)
    ]
    table.note = N_("An event linked to several projects counts for each of them.")
    table.labels = NONE
    tables[table.key] = table


def registrations_by_status_table(scope: Scope, tables: dict) -> None:
    by_status = participants.registrations_by_status(scope)
    table = Table("registrations_by_status", N_("Registrations by status"), [N_("Status"), N_("Registrations")])
    table.rows = [[status.label, by_status.get(status, 0)] for status in RegistrationStatus]
    tables[table.key] = table


def registrations_by_role_table(scope: Scope, tables: dict) -> None:
    roles = participants.registrations_by_role(scope)
    table = Table(
        "participants_by_role",
        N_("Confirmed registrations by role"),
        [N_("Role"), N_("Registrations"), N_("People"), N_("Attended")],
    )
    table.rows = [
        [role.label, *(int(v) for v in roles[role][:3])]
        for role in ParticipantRole
        if role in roles
    ]
    tables[table.key] = table
