"""The dashboard's attendance figures for every kind of check-in, counted by hand, and the number of
statements the page sends (issue 19: the aggregates were rewritten for speed; the figures must not
move)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.reports.builders import dashboard_report, participation_report
from app.reports.scope import ReportFilter
from app.timeutil import set_now
from tests import factories as make
from tests.querycount import QueryCounter

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def network(app):
    """One held two-day training, one held workshop, one planned workshop.

    Training: P1 checked in at the door (checked_in_at only); P2 has a day's attendance row only;
    P3 a session check-in only (at a plenary session: it is still attendance at a training event);
    P4 a day's attendance as a speaker (attended, but speakers are not trained); P5 is waitlisted
    with a stray attendance row (not confirmed: counts nowhere); P6 confirmed, never checked in.
    Workshop: P3 again, with both days and a session check-in (one attended registration).
    Planned workshop: P6 (registered, not held).
    """
    set_now(NOW)
    coordinator = make.user("coordinator")
    people = [make.user(organisation=make.organisation(country="UA")) for _ in range(6)]
    p1, p2, p3, p4, p5, p6 = people
    training = make.event("Training", kind="training", starts_at=START, days=2)
    workshop = make.event("Workshop", kind="workshop", starts_at=START + timedelta(days=7), days=2)
    planned = make.event("Planned", kind="workshop", starts_at=NOW + timedelta(days=20))
    plenary = make.session(training, "Plenary", kind="plenary", starts_at=START, hours=2)
    workshop_session = make.session(workshop, "Demo", kind="plenary", starts_at=workshop.starts_at, hours=1)

    make.registration(training, p1, checked_in=True)
    make.attendance_day(make.registration(training, p2), date(2026, 5, 4))
    r3 = make.registration(training, p3)
    make.session_attendance(r3, plenary, START)
    make.attendance_day(make.registration(training, p4, role="speaker"), date(2026, 5, 5))
    make.attendance_day(make.registration(training, p5, "waitlisted"), date(2026, 5, 4))
    make.registration(training, p6)
    r3w = make.registration(workshop, p3)
    for day in (11, 12):
        make.attendance_day(r3w, date(2026, 5, day))
    make.session_attendance(r3w, workshop_session, workshop.starts_at)
    make.registration(planned, p6)
    db.session.commit()
    return coordinator


def test_dashboard_counts_every_kind_of_check_in_once(network):
    report = dashboard_report(network, ReportFilter())
    expected = {
        "Registrations": 7,  # P1, P2, P3, P4, P6 at the training, P3 at the workshop, P6 planned
        "People registered": 5,  # P1, P2, P3, P4, P6 (P5 is waitlisted)
        "Registrations attended": 5,  # P1 door, P2 day, P3 session, P4 day; P3 at the workshop once
        "Attendance rate at held events (%)": 83.3,  # 5 attended of the 6 at held events
        "People trained": 3,  # P1, P2, P3: seat roles who attended the held training (not P4, a speaker)
    }
    assert {label: report.figure(label) for label in expected} == expected
    participation = participation_report(network, ReportFilter())
    assert participation.figure("People who attended") == 4  # P1, P2, P3, P4
    assert participation.figure("People trained") == 3
    by_kind = {row[0]: row[1:] for row in participation.tables["participation_by_kind"].rows}
    assert by_kind == {  # held, planned, registrations, people, attended
        "Workshop": [1, 1, 2, 2, 1],  # P3 (attended) at the held one, P6 at the planned one
        "Training / capacity building": [1, 0, 5, 5, 4],
    }
    by_role = {row[0]: row[1:] for row in participation.tables["participants_by_role"].rows}
    assert by_role == {"Participant": [6, 4, 4], "Speaker": [1, 1, 1]}  # registrations, people, attended


def test_dashboard_statement_count(network, login):
    client = login(network)
    client.get("/reports/")  # the first request of a session loads what later ones keep
    with QueryCounter(db.engine) as counter:
        assert client.get("/reports/").status_code == 200
    # The user, the filter's choices (when not kept from the first request) or PostgreSQL's SET LOCAL
    # work_mem, and 5 statements of figures (events, participants, capacity, lessons by status and
    # by theme in one, actions). Was 8 (lessons twice).
    assert counter.count <= 7
