"""Built reports reused across requests and web workers: the shared snapshot of the network's
figures, stale-while-revalidate, the coordinator's refresh, the scheduler's job and the cached HTML."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.extensions import db
from app.reports import cache, snapshots
from app.reports.builders import dashboard_report
from app.reports.models import ReportSnapshot
from app.reports.scope import ReportFilter
from app.scheduler.jobs.snapshots import run_report_snapshots
from app.timeutil import set_now
from tests.reports import dataset


@pytest.fixture
def data(app):
    return dataset.build()


@pytest.fixture
def cached(app, monkeypatch):
    """The cache switched on (60 s), background rebuilds collected instead of run in a thread."""
    app.config["REPORTS_CACHE_SECONDS"] = 60
    pending = []
    monkeypatch.setattr(cache, "start_background", pending.append)
    cache.clear()
    yield pending
    app.config.pop("REPORTS_CACHE_SECONDS")
    cache.clear()


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="([^"]+)">([^<]*)</dd>', html))


def produced(html: str) -> str:
    return re.search(r'data-testid="report-produced">([^<]*)<', html).group(1)


def new_worker() -> None:
    """What another web worker sees: nothing in memory, the same database."""
    cache.clear()


def add_registration(data) -> None:
    from tests import factories

    db.session.rollback()
    factories.registration(data.events["e1"], factories.user())
    db.session.commit()


def count_queries(client, url: str) -> tuple[int, str]:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_snapshot_keeps_every_figure_table_chart_and_action(data):
    report = dashboard_report(data.coordinator, ReportFilter())
    again = snapshots.loads(snapshots.dumps(report))
    assert again == report
    filtered = dashboard_report(data.coordinator, ReportFilter(
        date_from=dataset.NOW.date() - timedelta(days=400), project_id=data.alpha.id, kind=report.filters.kind))
    assert snapshots.loads(snapshots.dumps(filtered)) == filtered


def test_network_figures_are_shared_by_every_worker(data, login, cached):
    client = login(data.coordinator)
    first_count, first = count_queries(client, "/reports/")
    stored = db.session.scalar(select(ReportSnapshot).where(ReportSnapshot.key == "dashboard:network"))
    assert stored is not None and stored.refresh_started_at is None
    new_worker()
    count, html = count_queries(client, "/reports/")
    assert count < 10 < first_count  # read from the snapshot, not aggregated again
    assert figures(html) == figures(first) and produced(html) == produced(first)
    # An admin shares the network's figures; an organiser never sees them.
    from tests import factories

    admin = factories.user(role="admin")
    db.session.commit()
    assert figures(login(admin).get("/reports/").get_data(as_text=True)) == figures(first)
    organiser = login(data.organiser).get("/reports/").get_data(as_text=True)
    assert figures(organiser)["Registrations"] == "4" and "Scope: events organised by" in organiser


def test_stale_figures_are_served_while_they_are_rebuilt(data, login, cached):
    client = login(data.coordinator)
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "11"
    add_registration(data)
    set_now(dataset.NOW + timedelta(seconds=90))
    html = client.get("/reports/").get_data(as_text=True)
    assert figures(html)["Registrations"] == "11"  # the page did not wait for the rebuild
    assert produced(html) == "Produced 15 Jun 2026, 12:00 UTC"
    assert len(cached) == 1
    client.get("/reports/")
    assert len(cached) == 1  # one rebuild at a time
    cached.pop()()
    for worker in ("this one", "another"):
        html = client.get("/reports/").get_data(as_text=True)
        assert figures(html)["Registrations"] == "12", worker
        assert produced(html) == "Produced 15 Jun 2026, 12:01 UTC"
        new_worker()


def test_much_older_figures_are_rebuilt_before_answering(data, login, cached):
    client = login(data.coordinator)
    client.get("/reports/?country=UA")
    add_registration(data)
    set_now(dataset.NOW + timedelta(hours=1))
    for url in ("/reports/", "/reports/?country=UA"):
        html = client.get(url).get_data(as_text=True)
        assert produced(html) == "Produced 15 Jun 2026, 13:00 UTC"
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "12"
    assert cached == []


def test_filtered_figures_are_rebuilt_in_the_background_too(data, login, cached):
    client = login(data.organiser)
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "4"
    add_registration(data)  # at E1, one of the organiser's events
    set_now(dataset.NOW + timedelta(seconds=61))
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "4"
    cached.pop()()
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "5"


def test_coordinator_refreshes_the_figures_for_everyone(data, login, cached):
    client = login(data.coordinator)
    client.get("/reports/")
    add_registration(data)
    set_now(dataset.NOW + timedelta(seconds=20))
    response = client.post("/reports/dashboard/refresh?country=&kind=")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/?country=&kind=")
    html = client.get("/reports/").get_data(as_text=True)
    assert figures(html)["Registrations"] == "12" and produced(html) == "Produced 15 Jun 2026, 12:00 UTC"
    assert "The figures were produced again just now." in html
    new_worker()
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "12"
    assert login(data.member).post("/reports/dashboard/refresh").status_code == 403


def test_page_html_follows_the_filter_and_the_figures(data, login, cached):
    client = login(data.coordinator)
    plain = client.get("/reports/").get_data(as_text=True)
    ukraine = client.get("/reports/?country=UA").get_data(as_text=True)
    assert "Filter: country Ukraine" in ukraine and "Filter: none (all events)" in plain
    assert '<option selected value="UA">' in ukraine and '<option selected value="UA">' not in plain
    again = client.get("/reports/").get_data(as_text=True)
    assert "Filter: none (all events)" in again and '<option selected value="UA">' not in again
    # A bad filter is never answered from the cache.
    response = client.get("/reports/?date_from=tomorrow")
    assert response.status_code == 422 and "The filter is not valid" in response.get_data(as_text=True)


def test_scheduler_rebuilds_the_network_figures_before_they_are_stale(data, cached):
    assert run_report_snapshots(dataset.NOW).detail == "2 report(s) rebuilt: dashboard, participation"
    assert run_report_snapshots(dataset.NOW + timedelta(seconds=10)).detail == "0 report(s) rebuilt"
    set_now(dataset.NOW + timedelta(seconds=30))
    assert run_report_snapshots(dataset.NOW + timedelta(seconds=30)).detail.startswith("2 report(s)")
    stored = db.session.scalars(select(ReportSnapshot).order_by(ReportSnapshot.key)).all()
    assert [row.key for row in stored] == ["dashboard:network", "participation:network"]
    assert all(row.produced_at == dataset.NOW + timedelta(seconds=30) for row in stored)


def test_scheduler_job_does_nothing_when_the_cache_is_off(data):
    assert run_report_snapshots(dataset.NOW).detail == "0 report(s) rebuilt"
    assert db.session.scalars(select(ReportSnapshot)).all() == []


def test_one_process_rebuilds_a_snapshot_at_a_time(data):
    assert snapshots.claim("dashboard:network", dataset.NOW)
    assert not snapshots.claim("dashboard:network", dataset.NOW + timedelta(seconds=10))
    # A claim left by a process that died is taken over after a while.
    later = dataset.NOW + timedelta(seconds=snapshots.CLAIM_SECONDS + 1)
    assert snapshots.claim("dashboard:network", later)
    report = dashboard_report(data.coordinator, ReportFilter())
    snapshots.save("dashboard:network", report)
    assert snapshots.claim("dashboard:network", later)


def _saved_elsewhere(data, seconds: int) -> None:
    """Another worker (or the scheduler) stores figures produced `seconds` after NOW."""
    set_now(dataset.NOW + timedelta(seconds=seconds))
    assert snapshots.claim("dashboard:network", dataset.NOW + timedelta(seconds=seconds))
    snapshots.save("dashboard:network", dashboard_report(data.coordinator, ReportFilter()))


def test_after_a_refresh_the_new_figures_show_on_every_worker(data, login, cached, monkeypatch):
    monkeypatch.setattr(cache, "SNAPSHOT_CHECK_SECONDS", 3600)  # this worker just looked
    client = login(data.coordinator)
    client.get("/reports/")
    add_registration(data)
    _saved_elsewhere(data, 20)  # e.g. the refresh was answered by another worker
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "11"
    with client.session_transaction() as session:
        session["reports_refreshed"] = True  # what the refresh leaves in the coordinator's session
    assert figures(client.get("/reports/").get_data(as_text=True))["Registrations"] == "12"


def test_a_worker_does_not_rebuild_figures_another_just_stored(data, login, cached, monkeypatch):
    monkeypatch.setattr(cache, "SNAPSHOT_CHECK_SECONDS", 3600)
    client = login(data.coordinator)
    client.get("/reports/")
    _saved_elsewhere(data, 80)
    set_now(dataset.NOW + timedelta(seconds=90))
    client.get("/reports/")  # this worker's copy is stale: it starts a rebuild...
    cached.pop()()
    stored = db.session.scalar(select(ReportSnapshot.produced_at).where(ReportSnapshot.key == "dashboard:network"))
    assert stored == dataset.NOW + timedelta(seconds=80)  # ...which finds fresh figures and builds nothing
    client.get("/reports/")
    assert cached == []  # and does not try again at every request
