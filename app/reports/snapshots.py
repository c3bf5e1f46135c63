"""Report snapshots in the database: a built report as JSON, shared by every web worker.

Only the network-wide reports without filter are stored (what coordinators open): their number is
fixed, so the table stays a handful of rows. A process rebuilds a snapshot after claiming it with a
conditional UPDATE, so the web workers and the scheduler never build the same one at once.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.db import begin_write
from app.events.models import EventKind
from app.extensions import db
from app.lessons.models import ActionStatus
from app.reports.models import ReportSnapshot
from app.reports.results import Chart, Report, Series, Table
from app.reports.scope import ReportFilter

# A claim older than this is abandoned (its process died mid-build): another one may take it over.
CLAIM_SECONDS = 300


# --- JSON ------------------------------------------------------------------------------------------


def dumps(report: Report) -> str:
    return json.dumps(
        {
            "title": report.title,
            "scope": report.scope,
            "filters": report.filters.query_args(),
            "filter_line": report.filter_line,
            "produced_at": report.produced_at.isoformat(),
            "tables": [table.__dict__ for table in report.tables.values()],
            "charts": [
                {**chart.__dict__, "series": [series.__dict__ for series in chart.series]}
                for chart in report.charts
            ],
            "overdue_actions": [
                {**action, "due_on": action["due_on"].isoformat(), "status": action["status"].value}
                for action in report.overdue_actions
            ],
            "details": report.details,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _filter(args: dict) -> ReportFilter:
    return ReportFilter(
        date_from=date.fromisoformat(args["date_from"]) if "date_from" in args else None,
        date_to=date.fromisoformat(args["date_to"]) if "date_to" in args else None,
        project_id=int(args["project"]) if "project" in args else None,
        country=args.get("country"),
        theme_id=int(args["theme"]) if "theme" in args else None,
        kind=EventKind(args["kind"]) if "kind" in args else None,
    )


def loads(text: str) -> Report:
    data = json.loads(text)
    tables = [Table(**table) for table in data["tables"]]
    return Report(
        title=data["title"],
        scope=data["scope"],
        filters=_filter(data["filters"]),
        filter_line=data["filter_line"],
        produced_at=datetime.fromisoformat(data["produced_at"]),
        tables={table.key: table for table in tables},
        charts=[
            Chart(**{**chart, "series": [Series(**series) for series in chart["series"]]})
            for chart in data["charts"]
        ],
        overdue_actions=[
            {**action, "due_on": date.fromisoformat(action["due_on"]), "status": ActionStatus(action["status"])}
            for action in data["overdue_actions"]
        ],
        details=data["details"],
    )


# --- the table -------------------------------------------------------------------------------------


def produced_at(key: str) -> datetime | None:
    """When the stored snapshot was produced (None: there is none yet). One primary-key lookup."""
    return db.session.scalar(select(ReportSnapshot.produced_at).where(ReportSnapshot.key == key))


def load(key: str) -> Report | None:
    payload = db.session.scalar(select(ReportSnapshot.payload).where(ReportSnapshot.key == key))
    return loads(payload) if payload else None


def claim(key: str, at: datetime, produced_before: datetime | None = None) -> bool:
    """Take the right to rebuild `key` (no other claim younger than CLAIM_SECONDS; with
    `produced_before`, only if the stored snapshot was produced by then). Commits."""
    db.session.commit()
    conditions = [
        ReportSnapshot.key == key,
        or_(
            ReportSnapshot.refresh_started_at.is_(None),
            ReportSnapshot.refresh_started_at < at - timedelta(seconds=CLAIM_SECONDS),
        ),
    ]
    if produced_before is not None:
        conditions.append(
            or_(ReportSnapshot.produced_at.is_(None), ReportSnapshot.produced_at <= produced_before)
        )
    result = db.session.execute(
        update(ReportSnapshot)
        .where(*conditions)
        .values(refresh_started_at=at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        db.session.commit()
        return True
    db.session.rollback()
    begin_write(db.session)
    if db.session.get(ReportSnapshot, key) is not None:
        db.session.rollback()
        return False
    try:  # the first build of this snapshot: the row is created already claimed
        db.session.add(ReportSnapshot(key=key, refresh_started_at=at))
        db.session.commit()
        return True
    except IntegrityError:  # another process created it first
        db.session.rollback()
        return False


def save(key: str, report: Report) -> None:
    """Store a built report and release the claim. Commits. An older report never replaces a
    newer one (two builds finishing out of order)."""
    db.session.commit()
    db.session.execute(
        update(ReportSnapshot)
        .where(
            ReportSnapshot.key == key,
            or_(ReportSnapshot.produced_at.is_(None), ReportSnapshot.produced_at <= report.produced_at),
        )
        .values(produced_at=report.produced_at, payload=dumps(report), refresh_started_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def release(key: str) -> None:
    """Give a claim up after a failed build."""
    db.session.rollback()
    db.session.execute(
        update(ReportSnapshot)
        .where(ReportSnapshot.key == key)
        .values(refresh_started_at=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
