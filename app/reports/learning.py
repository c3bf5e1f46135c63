"""The capacity-building section's learning figures (issue 22): per event with knowledge checks,
the participants tested, the mean pre- and post-test scores, the paired learning gain and the
satisfaction (average overall feedback)."""

from __future__ import annotations

from sqlalchemy import select

from app.events.models import Event
from app.learning.results import learning_by_event
from app.reports.results import N_, NONE, Table
from app.reports.scope import Scope


def learning_table(scope: Scope, tables: dict) -> dict:
    """Adds the "learning_by_event" table; returns the totals the summary shows."""
    lines = learning_by_event(select(Event.id).where(*scope.published()))
    table = Table(
        "learning_by_event",
        N_("Learning gain by training event"),
        [N_("Event"), N_("Participants tested"), N_("Mean pre-test (%)"), N_("Mean post-test (%)"),
         N_("Paired"), N_("Gain (points)"), N_("Satisfaction (1–5)")],
    )
    table.rows = [
        [line.title, line.tested, line.overall.mean_pre, line.overall.mean_post, line.overall.n_paired,
         line.overall.gain, line.satisfaction]
        for line in lines
    ]
    table.note = N_("Scores in percent of the points; the gain compares the same people's pre- and post-test "
                    "(paired); satisfaction is the average overall feedback.")
    table.labels = NONE
    tables[table.key] = table
    return {"tested": sum(line.tested for line in lines)}
