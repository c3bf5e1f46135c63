"""Report figures against the hand-built dataset (tests/reports/dataset.py), where every answer is
known. Each number below is worked out by hand in the dataset's comments and here."""

from __future__ import annotations

from datetime import date

import pytest

from app.events.models import EventKind
from app.reports.builders import dashboard_report, participation_report
from app.reports.scope import ReportFilter
from tests.reports import dataset


@pytest.fixture
def data(app):
    return dataset.build()


def rows(report, key):
    return {row[0]: row[1:] for row in report.tables[key].rows}


def test_dashboard_key_figures_for_the_whole_network(data):
    report = dashboard_report(data.coordinator, ReportFilter())
    expected = {
        "Events held": 4,  # E1, E2, E3, E7 (draft E6 and cancelled E5 are not held)
        "Events planned": 1,  # E4
        "Events cancelled": 1,  # E5
        "Registrations": 11,  # confirmed registrations at published events, any role
        "People registered": 5,  # Alice, Bob, Carol, Dan, Erin: each counted once
        "Registrations attended": 6,
        "Attendance rate at held events (%)": 66.7,  # 6 attended of 9 at held events
        "Countries reached": 3,  # UA, MD, FR (Carol's own country beats her organisation's)
        "Organisation types reached": 3,
        "Training hours delivered": 14.5,  # 8 (E2, no agenda) + 3 + 2 (E3, break excluded) + 1.5 (E7)
        "People trained": 4,  # Alice, Erin (E2), Bob (E3 session), Dan (E7 training session)
        "Certificates issued": 3,  # Alice & Erin at E2, Bob at E3; Carol was the trainer
        "Lessons recorded": 3,  # lessons of the draft and cancelled events do not count
        "Open follow-up actions": 3,
        "Overdue follow-up actions": 1,
    }
    assert {label: report.figure(label) for label in expected} == expected


def test_person_registered_for_several_events_is_one_person(data):
    report = dashboard_report(data.coordinator, ReportFilter())
    # Alice has three confirmed registrations (E1, E2, E4) and Erin two: Ukraine = 2 people.
    assert rows(report, "participants_by_country")["Ukraine"] == [2, 5, 3, 2]
    assert rows(report, "participants_by_country")["France"] == [1, 2, 1, 1]
    assert rows(report, "participants_by_country")["Not recorded"] == [1, 2, 1, 1]
    assert "Belgium" not in rows(report, "participants_by_country")
    assert rows(report, "participants_by_organisation_type")["Law enforcement"] == [2, 5, 3, 2]


def test_events_by_kind_and_by_month(data):
    report = dashboard_report(data.coordinator, ReportFilter())
    assert rows(report, "events_by_kind") == {
        "Study visit": [0, 1, 0, 1],
        "Workshop": [1, 0, 0, 1],  # the draft workshop is not counted
        "Training / capacity building": [2, 0, 0, 2],
        "Conference": [0, 0, 1, 1],
        "Webinar": [1, 0, 0, 1],
    }
    assert report.tables["events_by_month"].rows == [
        ["2026-03", 1, 0],
        ["2026-04", 1, 0],
        ["2026-05", 2, 0],
        ["2026-06", 0, 0],
        ["2026-07", 0, 1],
    ]


def test_lessons_by_status_and_theme_and_actions(data):
    report = dashboard_report(data.coordinator, ReportFilter())
    by_status = rows(report, "lessons_by_status")
    assert by_status["Draft"] == [1] and by_status["Submitted"] == [1]
    assert by_status["Validated (lesson identified)"] == [1] and by_status["Rejected"] == [0]
    by_theme = rows(report, "lessons_by_theme")
    assert by_theme["Cybercrime"][:3] == [2, 0, 1]  # total, draft, submitted
    assert by_theme["Trafficking"][0] == 1
    assert by_theme["No theme"][0] == 1
    assert rows(report, "actions") == {
        "Open": [2],
        "In progress": [1],
        "Overdue (open or in progress)": [1],
        "Done": [1],
        "Dropped": [0],
    }
    assert [a["title"] for a in report.overdue_actions] == ["Overdue action"]


def test_participation_report_capacity_building_and_feedback(data):
    report = participation_report(data.coordinator, ReportFilter())
    assert report.figure("People who attended") == 5
    assert report.figure("Trainings held") == 2
    assert rows(report, "capacity_building") == {
        "Trainings held": [2],
        "Training sessions": [3],  # E3 hands-on and plenary, E7 tooling
        "Training hours delivered": [14.5],
        "People trained": [4],
        "Certificates issued": [3],
    }
    feedback = rows(report, "feedback")
    assert feedback["Workshop"] == [2, 4.0, 4.0, 4.0]
    assert feedback["Training / capacity building"] == [1, 4.0, 5.0, 4.0]
    # The cancelled conference's feedback is left out: (5+3+4)/3, (4+4+5)/3, (3+5+4)/3.
    assert feedback["All events"] == [3, 4.0, 4.3, 4.0]
    assert report.figure("Average overall rating (1–5)") == 4.0
    assert rows(report, "participation_by_project") == {"ALPHA": [2, 5, 4, 4], "BETA": [2, 4, 4, 1]}
    assert rows(report, "registrations_by_status")["On the waiting list"] == [1]
    assert rows(report, "registrations_by_status")["Pending approval"] == [1]
    assert rows(report, "participants_by_role")["Trainer"] == [1, 1, 1]
    assert rows(report, "participation_by_kind")["Training / capacity building"] == [2, 0, 5, 5, 4]


def test_project_filter(data):
    report = participation_report(data.coordinator, ReportFilter(project_id=data.alpha.id))
    assert report.filter_line == "Filter: project ALPHA"
    assert report.details == ["Project ALPHA: A security research project"]
    assert report.figure("Events held") == 2  # E1, E2
    assert report.figure("Registrations") == 5
    assert report.figure("People registered") == 4  # Alice counted once across E1 and E2
    assert report.figure("Training hours delivered") == 8.0
    assert report.figure("Certificates issued") == 2


def test_period_country_theme_and_kind_filters(data):
    coordinator = data.coordinator
    spring = dashboard_report(coordinator, ReportFilter(date_from=date(2026, 4, 1), date_to=date(2026, 5, 31)))
    assert spring.filter_line == "Filter: period 2026-04-01 to 2026-05-31"
    assert (spring.figure("Events held"), spring.figure("Registrations")) == (3, 7)

    ukraine = dashboard_report(coordinator, ReportFilter(country="UA"))
    assert ukraine.filter_line == "Filter: country Ukraine"
    assert (ukraine.figure("Events held"), ukraine.figure("Events planned"), ukraine.figure("Registrations")) == (1, 1, 4)

    themed = dashboard_report(coordinator, ReportFilter(theme_id=data.trafficking.id))
    assert themed.figure("Registrations") == 3  # E2 only
    assert themed.figure("Lessons recorded") == 1  # L3 (tagged and on a themed event)

    trainings = dashboard_report(coordinator, ReportFilter(kind=EventKind.TRAINING))
    assert trainings.filter_line == "Filter: event kind Training / capacity building"
    assert (trainings.figure("Events held"), trainings.figure("Registrations")) == (2, 5)


def test_organiser_sees_only_the_events_they_organise(data):
    report = dashboard_report(data.organiser, ReportFilter())
    assert report.scope == "Scope: events organised by Olga Organiser"
    # Olga created E1 and co-organises E4.
    assert (report.figure("Events held"), report.figure("Events planned")) == (1, 1)
    assert report.figure("Registrations") == 4
    assert report.figure("People registered") == 3  # Alice, Bob, Carol
    assert report.figure("Training hours delivered") == 0
    assert report.figure("Lessons recorded") == 2


def test_empty_network_reports_zeros_not_errors(app, make):
    coordinator = make.user("coordinator")
    report = dashboard_report(coordinator, ReportFilter())
    assert report.figure("Registrations") == 0
    assert report.figure("Attendance rate at held events (%)") is None
    assert report.tables["events_by_month"].rows == []
    report = participation_report(coordinator, ReportFilter())
    assert report.figure("Average overall rating (1–5)") is None


def test_organiser_sees_no_titles_of_actions_on_restricted_lessons(data):
    from app.extensions import db
    from app.lessons.models import TLP
    from tests import factories

    red = factories.lesson(data.events["e1"], status="validated", title="Restricted")
    red.tlp = TLP.RED
    factories.action(None, date(2026, 5, 1), "Secret follow-up", lesson=red)
    db.session.commit()
    organiser = dashboard_report(data.organiser, ReportFilter())
    assert organiser.figure("Overdue follow-up actions") == 2  # counted...
    assert [a["title"] for a in organiser.overdue_actions] == ["Overdue action"]  # ...not shown
    coordinator = dashboard_report(data.coordinator, ReportFilter())
    # A coordinator outside the RED entry's audience neither sees its action nor counts it.
    assert [a["title"] for a in coordinator.overdue_actions] == ["Overdue action"]
    assert coordinator.figure("Overdue follow-up actions") == 1


def test_statements_planned_once_per_shape_answer_with_each_scopes_values(data, make, monkeypatch):
    """The figures' statements are built and planned once per kind of viewer and set of filter fields
    (app.reports.scope.Scope.rows); the filter's values, the viewer's id and the instant are bound
    anew on every run: each report is the one its statements planned for it alone would give."""
    from datetime import UTC, datetime

    from app.cache import raw
    from app.reports.cache import NetworkViewer

    newcomer = make.user("organiser", name="Nina Newcomer")  # organises nothing
    cases = [
        (viewer, filters, at)
        for viewer in (data.coordinator, NetworkViewer(), data.organiser, newcomer)
        for filters in (ReportFilter(), ReportFilter(country="UA"), ReportFilter(country="MD"),
                        ReportFilter(project_id=data.alpha.id), ReportFilter(project_id=data.beta.id),
                        ReportFilter(theme_id=data.cyber.id), ReportFilter(theme_id=data.trafficking.id),
                        ReportFilter(kind=EventKind.TRAINING), ReportFilter(kind=EventKind.WORKSHOP),
                        ReportFilter(date_from=date(2026, 4, 1), date_to=date(2026, 5, 31)),
                        ReportFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)))
        for at in (datetime(2026, 4, 20, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    ]
    alone = []
    for viewer, filters, at in cases:
        monkeypatch.setattr(raw, "_PLANNED", {})  # every statement planned for this report alone
        alone.append([repr(build(viewer, filters, at=at)) for build in (dashboard_report, participation_report)])
    monkeypatch.setattr(raw, "_PLANNED", {})
    shared = [[repr(build(viewer, filters, at=at)) for build in (dashboard_report, participation_report)]
              for viewer, filters, at in reversed(cases)]
    assert shared[::-1] == alone
    assert len({report for pair in alone for report in pair}) > len(cases)  # (the figures differ)
