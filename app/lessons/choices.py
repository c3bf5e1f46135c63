"""What the library's filters offer (themes, projects) and, read with them in one round trip, the
viewer's facts that the TLP rule needs (app.lessons.visibility)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import column, literal, null, select, union_all

from app.accounts.permissions import is_signed_in
from app.directory.models import Project, Theme
from app.extensions import db
from app.lessons.visibility import (
    FACT_TAGS,
    NEVER,
    NOBODY,
    ViewerFacts,
    bound_viewer,
    fact_parts,
    facts_from_rows,
    viewer_parameters,
)


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


def _choice_parts(*between):
    """The SELECTs of filter_choices: (part: "t" theme or "p" project, id, `between`, name, cycle)."""
    return [
        select(literal("t").label("part"), Theme.id.label("id"), *between, Theme.name.label("name"),
               Theme.empact_cycle.label("cycle")),
        select(literal("p"), Project.id, *between, Project.acronym, null()),
    ]


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


def facts_and_choices(user) -> tuple[ViewerFacts | None, list[ThemeChoice], list[ProjectChoice]]:
    """viewer_facts(user) and filter_choices() in one round trip (the library reads both first):
    one UNION of both, the facts' rows padded with a name and a cycle, the choices' with the facts'
    user id and time; rows told apart by their first column (the facts' tags are one letter too)."""
    if not is_signed_in(user):
        return None, *filter_choices()
    user = getattr(user, "_get_current_object", lambda: user)()
    statement = _facts_and_choices_statement(user.role, user.organisation_id is not None)
    fact_rows, choice_rows = [], []
    for row in db.session.execute(statement, viewer_parameters(user)).all():
        if row[0] in FACT_TAGS:
            fact_rows.append(row)
        else:
            choice_rows.append((row[0], row[1], row[4], row[5]))
    return facts_from_rows(user, fact_rows), *_choices_from_rows(choice_rows)


@functools.cache
def _facts_and_choices_statement(role, has_organisation: bool):
    """facts_and_choices' statement, built once for the viewers of a role with (or without) an
    organisation (app.lessons.visibility.bound_viewer)."""
    parts = fact_parts(bound_viewer(role, has_organisation))
    facts = [part.add_columns(null().label("name"), null().label("cycle")) for part in parts]
    return union_all(*facts, *_choice_parts(NOBODY, NEVER)).order_by(column("fact"), column("name"),
                                                                      column("event_id"))
