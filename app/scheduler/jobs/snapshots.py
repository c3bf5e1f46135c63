"""The report snapshots job: rebuild the network's reports before they go stale."""

from __future__ import annotations

from datetime import datetime

from app.reports import cache
from app.scheduler.jobs.work import JobResult


def run_report_snapshots(at: datetime) -> JobResult:
    """Rebuild the network-wide dashboard and participation report (no filter) before they go
    stale, so no coordinator's page view waits for their figures (see app.reports.cache)."""
    rebuilt = cache.refresh_snapshots(at)
    return JobResult(detail=f"{len(rebuilt)} report(s) rebuilt" + (f": {', '.join(rebuilt)}" if rebuilt else ""))
