"""What the library's filters offer (themes, projects)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import column, func, literal, null, select, union_all

from app.directory.models import Project, Theme
from app.extensions import db


@dataclass(frozen=True, slots=True)
class ThemeChoice:
    """A theme as the library shows it (a filter option, a badge on an entry)."""

    id: int
    name: str
    empact_cycle: str | None
    name_rank: int  # its place in the themes ordered by name (the database's collation)

    label = property(Theme.label.fget)


@dataclass(frozen=True, slots=True)
class ProjectChoice:
    id: int
    acronym: str


def filter_choices() -> tuple[list[ThemeChoice], list[ProjectChoice]]:
    """The themes (EMPACT priorities first, then by name) and projects (by acronym) the filters
    offer, in one statement of plain rows."""
    statement = union_all(*_choice_parts()).order_by(column("part"), column("name"), column("id"))
    return _choices_from_rows(db.session.execute(statement).all())


def _choice_parts():
    """The SELECTs of filter_choices: (part: "t" theme or "p" project, id, name, cycle)."""
    return [
        select(literal("t").label("part"), Theme.id.label("id"), Theme.name.label("name"),
               Theme.empact_cycle.label("cycle")),
        select(literal("p"), Project.id, Project.acronym, null()),
    ]


def ranked_choice_parts():
    """filter_choices' SELECTs to read inside another statement (app.lessons.listing), each row's
    place by name (the database's collation) a column instead of an ORDER BY: (part, id, name,
    cycle, place); choices_from_ranked reads them."""
    return [
        select(literal("t"), Theme.id, Theme.name, Theme.empact_cycle,
               func.row_number().over(order_by=(Theme.name, Theme.id))),
        select(literal("p"), Project.id, Project.acronym, null(),
               func.row_number().over(order_by=(Project.acronym, Project.id))),
    ]


def choices_from_ranked(rows) -> tuple[list[ThemeChoice], list[ProjectChoice]]:
    """(themes, projects) from rows (part, id, name, cycle, place) of ranked_choice_parts."""
    ordered = sorted(rows, key=lambda row: (row[0], row[4]))
    return _choices_from_rows([(part, row_id, name, cycle) for part, row_id, name, cycle, _place in ordered])


def _choices_from_rows(rows) -> tuple[list[ThemeChoice], list[ProjectChoice]]:
    """(themes, projects) from rows (part, id, name, cycle) ordered by part, name and id."""
    themes, projects = [], []
    for part, row_id, name, cycle in rows:
        if part == "t":
            themes.append(ThemeChoice(row_id, name, cycle, len(themes)))
        else:
            projects.append(ProjectChoice(row_id, name))
    # A stable sort keeps the database's order by name within each group.
    themes.sort(key=lambda theme: theme.empact_cycle is None)
    return themes, projects
