"""The participation tallies job: move the events' held flags once they have ended."""

from __future__ import annotations

from datetime import datetime

from app.reports import tallies
from app.scheduler.jobs.work import JobResult


def run_participation_tallies(at: datetime) -> JobResult:
    """Flag the events that have ended by `at` (and unflag those whose end moved past it) as held
    for the tallies, whose triggers recount their registrants: the network-wide report's live
    correction (app.reports.tallies) then stays a few events small."""
    moved = tallies.move_flags(at)
    return JobResult(detail=f"{moved} event(s) moved")
