"""What the library's filters offer (themes, projects)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import has_request_context
from sqlalchemy import Text, cast, column, func, literal, null, select, union_all

from app.cache import fragments, sizes, stamps, worker
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


def aggregated_choice_parts(dialect_name: str):
    """filter_choices' SELECTs to read inside another statement (app.lessons.listing): ONE row for the
    themes and one for the projects, (part, their rows as a JSON array of [id, name, cycle, place by
    name in the database's collation]); choices_from_aggregated reads them. Two rows rather than one
    per theme and project (84 on the benchmark's dataset, each decoded and folded in Python)."""
    if dialect_name == "postgresql":
        array, aggregate = func.json_build_array, func.json_agg
    else:
        array, aggregate = func.json_array, func.json_group_array
    parts = []
    for part, row_id, name, cycle in ((literal("t"), Theme.id, Theme.name, Theme.empact_cycle),
                                      (literal("p"), Project.id, Project.acronym, null())):
        ranked = select(row_id.label("id"), name.label("name"), cycle.label("cycle"),
                        func.row_number().over(order_by=(name, row_id)).label("place")).subquery()
        rows = aggregate(array(ranked.c.id, ranked.c.name, ranked.c.cycle, ranked.c.place))
        parts.append(select(part, cast(rows, Text)).select_from(ranked))
    return parts


def choices_from_aggregated(rows) -> tuple[list[ThemeChoice], list[ProjectChoice]]:
    """(themes, projects) from rows (part, JSON array) of aggregated_choice_parts."""
    found = {part: sorted(json.loads(rows_json), key=lambda row: row[3]) if rows_json else []
             for part, rows_json in rows}
    return _choices_from_rows([("t", *row[:3]) for row in found.get("t", ())]
                              + [("p", *row[:3]) for row in found.get("p", ())])


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


CHOICE_TABLES = ("projects", "themes")  # what the choices are read from
_KEPT = "lessons.filter_choices"  # this worker's entry (app.cache.worker): (stamps, (themes, projects))


def choices_stamps() -> tuple | None:
    """The change stamps of CHOICE_TABLES when this request has read them already (the shared cache
    on: they came with the signed-in user's row), else None (reading them would cost a statement)."""
    if not has_request_context() or not fragments.enabled() or stamps.wanted_unread():
        return None
    whole = stamps.read(db.session)
    return tuple(whole.get(table, 0) for table in CHOICE_TABLES)


def kept_choices(key: tuple | None) -> tuple[list[ThemeChoice], list[ProjectChoice]] | None:
    """(themes, projects) as this worker last read them, if read under the stamps `key`
    (choices_stamps), else None: the library then reads them in its statement (aggregated_choice_parts)
    and keeps them (keep_choices). Themes and projects change seldom; reading them in every search
    cost the database ~0.13 ms and Python the decoding of their 84 rows."""
    if key is None:
        return None
    found = worker.memo().get(_KEPT)
    return found[0][1] if found is not None and found[0][0] == key else None


def keep_choices(key: tuple | None, choices: tuple) -> bool:
    """Keep `choices`, read after the stamps `key` were (so never older than what `key` names);
    whether they were kept."""
    return key is not None and worker.memo().set(_KEPT, ((key, choices),), size=sizes.held(choices))
