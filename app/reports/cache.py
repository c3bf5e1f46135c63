"""Built reports, reused and kept fresh without making a request wait for a rebuild.

A report aggregates every registration in its scope (about half a second on a large network), so:

- The reports served are kept in the one cache (app.cache.fragments) as time-kept entries. A
  report older than REPORTS_CACHE_SECONDS (default 60; 0 disables; tests run without it) is still
  served while it is rebuilt once the response is sent (stale-while-revalidate, no thread), as long
  as it is less than STALE_FACTOR times that old. Only a report nobody built yet, or a much older
  one, is built during the request.
- The network-wide reports without filter (what coordinators open) are snapshots in the
  report_snapshots table, shared by every worker: the scheduler keeps them fresh (job
  report_snapshots), a worker finding one stale claims its rebuild (one process at a time), and a
  coordinator may refresh them from the page. A worker reads the snapshot's production time (one
  primary-key lookup) at most once every SNAPSHOT_CHECK_SECONDS, and at once for a coordinator who
  just pressed refresh, and loads the snapshot when it changed.
- The rendered HTML of a report's page body is kept too (a time-kept entry), keyed on the report
  it shows and the filter form's input: a page view then renders only the surrounding layout.

Every report states when it was produced.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import timedelta

from flask import after_this_request, current_app, has_request_context
from markupsafe import Markup

from app.accounts.models import Role, User
from app.cache import fragments
from app.extensions import db
from app.reports import builders, snapshots
from app.reports.results import Report
from app.reports.scope import ReportFilter
from app.timeutil import now

DEFAULT_SECONDS = 60
STALE_FACTOR = 10
SNAPSHOT_CHECK_SECONDS = 1.0
RETRY_SECONDS = 5.0  # after finding another process on a shared rebuild, wait before trying again
REFRESH_SECONDS = 300  # a rebuild that did not report back within this long is given up

BUILDERS = {"dashboard": builders.dashboard_report, "participation": builders.participation_report}
NETWORK = "network"
# The time-kept entries of the one cache (app.cache.fragments.keep) this module uses.
REPORT, BODY, CHECKED, REFRESHING, RETRY = (
    "reports.report", "reports.body", "reports.snapshot_checked", "reports.refreshing", "reports.retry")


class NetworkViewer:
    """Whom a network-wide report is built for outside a request (scheduler, background rebuild):
    the figures of coordinators and admins depend on nothing but their role."""

    is_authenticated = True
    is_confirmed = True
    is_active = True
    id = None
    name = "the network"
    role = Role.COORDINATOR


def scope_key(user) -> Hashable:
    """Coordinators and admins share the network-wide figures; an organiser's are their own."""
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return NETWORK
    return ("organiser", user.id)


def ttl_seconds() -> float:
    default = 0 if current_app.testing else DEFAULT_SECONDS
    return float(current_app.config.get("REPORTS_CACHE_SECONDS", default))


def _build(key) -> Report:
    name, scope, filters = key
    viewer = NetworkViewer() if scope == NETWORK else db.session.get(User, scope[1])
    return BUILDERS[name](viewer, filters)


def snapshot_name(key) -> str | None:
    """The report_snapshots key of a shared report (None: this report stays in the worker)."""
    name, scope, filters = key
    if scope == NETWORK and filters == ReportFilter():
        return f"{name}:network"
    return None


def _remember(key, report: Report) -> None:
    current = fragments.kept(REPORT, key)
    if current is None or current.produced_at <= report.produced_at:
        fragments.keep(REPORT, key, report, ttl_seconds() * STALE_FACTOR)


def _age(report: Report) -> float:
    return (now() - report.produced_at).total_seconds()


def _check_due(shared: str, force: bool) -> bool:
    if not force and fragments.kept(CHECKED, shared) is not None:
        return False
    fragments.keep(CHECKED, shared, True, SNAPSHOT_CHECK_SECONDS)
    return True


def get(name: str, user, filters: ReportFilter, *, recheck: bool = False) -> Report:
    """The report `name` for `user` and `filters`, from the cache when it is fresh enough
    (`recheck`: look for a newer shared snapshot now, e.g. right after a refresh elsewhere)."""
    key = (name, scope_key(user), filters)
    ttl = ttl_seconds()
    if ttl <= 0:
        return _build(key)
    shared = snapshot_name(key)
    report = fragments.kept(REPORT, key)
    if shared is not None and _check_due(shared, force=recheck or report is None):
        stored_at = snapshots.produced_at(shared)
        if stored_at is not None and (report is None or report.produced_at < stored_at):
            report = snapshots.load(shared) or report
            if report is not None:
                _remember(key, report)
    if report is not None:
        age = _age(report)
        if age < ttl:
            return report
        if age < ttl * STALE_FACTOR:
            _refresh_in_background(key)
            return report
    return refresh(key)


def refresh(key, *, only_if_claimed: bool = False, max_age: float | None = None) -> Report | None:
    """Build the report now; a shared one is stored for every worker (unless another process is
    building it: then it is built for this request only, or not at all with only_if_claimed;
    with max_age, a stored snapshot younger than that many seconds is not built again)."""
    shared = snapshot_name(key)
    instant = now()
    produced_before = instant - timedelta(seconds=max_age) if max_age is not None else None
    claimed = shared is not None and ttl_seconds() > 0 and snapshots.claim(shared, instant, produced_before)
    if only_if_claimed and not claimed:
        return None
    try:
        report = _build(key)
    except Exception:
        if claimed:
            snapshots.release(shared)
        raise
    if claimed:
        snapshots.save(shared, report)
    if ttl_seconds() > 0:
        _remember(key, report)
    return report


def refresh_for(name: str, user, filters: ReportFilter) -> Report:
    """A coordinator (or organiser) asked for fresh figures."""
    return refresh((name, scope_key(user), filters))


def _refresh_in_background(key) -> None:
    if fragments.kept(REFRESHING, key) is not None or fragments.kept(RETRY, key) is not None:
        return
    fragments.keep(REFRESHING, key, True, REFRESH_SECONDS)
    app = current_app._get_current_object()
    ttl = ttl_seconds()

    def work():
        with app.app_context():
            try:
                shared = snapshot_name(key) is not None
                if refresh(key, only_if_claimed=shared, max_age=ttl if shared else None) is None:
                    # Another process is building it (or just stored it: the next check loads it).
                    fragments.keep(RETRY, key, True, RETRY_SECONDS)
            except Exception:  # noqa: BLE001 - the stale report stays; the next request tries again
                app.logger.exception("reports: background rebuild of %s failed", key[0])
            finally:
                db.session.remove()
                fragments.forget(REFRESHING, key)

    start_background(work)


def start_background(work: Callable[[], None]) -> None:
    """Run `work` once this request's response is sent, in the same worker (no thread): the request
    does not wait for it. Outside a request, at once. (Tests replace this to run it when they say.)"""
    if not has_request_context():
        work()
        return

    @after_this_request
    def _after(response):
        response.call_on_close(work)
        return response


def fragment(key: Hashable, render: Callable[[], str]) -> Markup:
    """Rendered HTML for `key` (which must name everything the HTML depends on)."""
    ttl = ttl_seconds()
    if ttl <= 0:
        return Markup(render())
    html = fragments.kept(BODY, key)
    if html is None:
        html = Markup(render())
        fragments.keep(BODY, key, html, ttl * STALE_FACTOR)
    return html


def refresh_snapshots(at=None) -> list[str]:
    """The scheduler's job: rebuild each shared snapshot that would otherwise go stale before the
    job's next run. Returns the names of the rebuilt ones."""
    ttl = ttl_seconds()
    if ttl <= 0:
        return []
    instant = at or now()
    margin = ttl / 2
    rebuilt = []
    for name in BUILDERS:
        key = (name, NETWORK, ReportFilter())
        stored_at = snapshots.produced_at(snapshot_name(key))
        if stored_at is not None and (instant - stored_at).total_seconds() < margin:
            continue
        if refresh(key, only_if_claimed=True, max_age=margin) is not None:
            rebuilt.append(name)
    return rebuilt


def clear() -> None:
    """Forget every kept report and page body (what a new worker starts with)."""
    fragments.clear()
