"""Each rule that several capabilities share has one home (DESIGN.md); these tests pin what that
home says, in every form it is asked in (a loaded object, a SQL filter, an aggregate)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import func, select
from wtforms import Form, StringField

from app.events import access
from app.events.models import Event, EventFormat
from app.events.place import FULL, TOWN, VENUE, place, where
from app.events.urls import event_path, event_url
from app.extensions import db
from app.forms_common import show_rule_error
from app.registrations import attendance
from app.registrations import exports as registration_exports
from app.registrations.models import Registration
from app.registrations.rules import RegistrationError
from app.reports import exports as report_exports
from app.reports.results import Report, Table
from app.reports.scope import ReportFilter
from app.scheduler.jobs.closing import final_list_csv

# --- who organises an event (app/events/access.py) ------------------------------------------------


def test_an_event_is_organised_by_its_creator_and_co_organisers_and_managed_also_by_coordinators(app, make):
    creator, co_organiser = make.user(role="organiser"), make.user(role="organiser")
    coordinator, admin, member = make.user(role="coordinator"), make.user(role="admin"), make.user()
    event = make.event(created_by=creator, organisers=[co_organiser])
    own = {user.id for user in (creator, co_organiser, coordinator, admin, member) if access.is_own_organiser(user, event)}
    managing = {user.id for user in (creator, co_organiser, coordinator, admin, member)
                if access.is_organiser_of(user, event)}
    assert own == {creator.id, co_organiser.id}
    assert managing == {creator.id, co_organiser.id, coordinator.id, admin.id}
    assert not access.is_organiser_of(None, event)
    # The SQL forms of the rule select the same events.
    for user in (creator, co_organiser, coordinator, member):
        organised = set(db.session.scalars(access.organised_event_ids(user.id)))
        managed = set(db.session.scalars(select(Event.id).where(access.managed_clause(user))))
        assert (event.id in organised) == access.is_own_organiser(user, event)
        assert (event.id in managed) == access.is_organiser_of(user, event)
    assert [user.id for user in access.own_organisers(event)] == [creator.id, co_organiser.id]


# --- who attended (app/registrations/attendance.py) -----------------------------------------------


def test_attended_is_one_rule_for_a_loaded_registration_a_filter_and_an_aggregate(app, make):
    event = make.event(starts_at=datetime(2026, 5, 4, 8, 0, tzinfo=UTC), days=2)
    session = make.session(event)
    people = {name: make.user() for name in ("door", "day", "session", "absent", "pending")}
    door = make.registration(event, people["door"], checked_in=True)
    day = make.registration(event, people["day"])
    make.attendance_day(day, date(2026, 5, 5))
    by_session = make.registration(event, people["session"])
    make.session_attendance(by_session, session, event.starts_at)
    make.registration(event, people["absent"])
    make.registration(event, people["pending"], status="pending", checked_in=True)

    expected = {door.id, day.id, by_session.id}
    filtered = set(db.session.scalars(select(Registration.id).where(attendance.attended_clause())))
    counted = db.session.scalar(select(func.count().filter(attendance.attended_clause())).select_from(Registration))
    loaded = {registration.id for registration in db.session.scalars(select(Registration))
              if attendance.attended(registration)}
    assert filtered == loaded == expected
    assert counted == len(expected)
    # Checked in at the door: the loaded row says so; a pending registration never attended.
    assert attendance.attended(door)
    assert not attendance.attended(db.session.scalar(
        select(Registration).where(Registration.user_id == people["pending"].id)))


# --- where an event is and its page (app/events/place.py, urls.py) --------------------------------


def test_an_event_place_is_written_one_way_at_three_levels_of_detail(app, make):
    event = make.event(venue="Police Academy", address="Str. Stefan cel Mare 1", city="Chișinău", country="MD")
    assert place(event, FULL) == "Police Academy, Str. Stefan cel Mare 1, Chișinău, Moldova"
    assert place(event, VENUE) == "Police Academy, Chișinău, Moldova"
    assert place(event, TOWN) == "Chișinău, Moldova"
    event.format = EventFormat.HYBRID
    assert where(event, "en") == "Police Academy, Str. Stefan cel Mare 1, Chișinău, Moldova (and online)"
    event.format = EventFormat.ONLINE
    assert where(event, "en") == "Online"
    # Another language's words come from its catalog (app/translations), in the language asked for.
    with force_locale("uk"):
        in_ukrainian = where(event)
    assert where(event, "uk") == in_ukrainian == "Онлайн"
    event.venue = event.address = event.city = event.country = None
    assert place(event) == ""


def test_an_event_page_has_one_path_for_pages_and_one_absolute_url_for_mail_and_calendars(app, make):
    event = make.event()
    with app.test_request_context("/"):
        assert event_path(event) == f"/events/{event.id}" == event_path(event.id)
    assert event_url(event) == f"{app.config['BASE_URL']}/events/{event.id}"


# --- spreadsheet cells (app/spreadsheets.py) ------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_every_csv_and_xlsx_the_app_writes_shows_a_formula_as_text(app, make):
    organisation = make.organisation(name=FORMULA)
    person = make.user(name="@SUM(A1:A9)", organisation=organisation)
    event = make.event()
    make.registration(event, person, dietary_needs="+44 vegetarian")

    final_list = list(csv.reader(io.StringIO(final_list_csv(event))))
    assert final_list[1][0] == "'@SUM(A1:A9)" and final_list[1][2] == "'" + FORMULA
    assert final_list[1][7] == "'+44 vegetarian"

    participants = registration_exports.build_csv(["name", "organisation"], [[person.name, FORMULA]])
    assert list(csv.reader(io.StringIO(participants.decode("utf-8-sig"))))[1] == ["'@SUM(A1:A9)", "'" + FORMULA]
    sheet = load_workbook(io.BytesIO(registration_exports.build_xlsx(["name"], [[FORMULA]]))).active
    assert sheet["A2"].value == "'" + FORMULA and sheet["A2"].data_type == "s"

    table = Table(key="t", title="By project", columns=["Project", "Change"], rows=[[FORMULA, -3.25]])
    report = Report(title="Dashboard", scope="Network", filters=ReportFilter(), filter_line="",
                    produced_at=datetime(2026, 12, 1, tzinfo=UTC), tables={"t": table}, charts=[])
    rows = list(csv.reader(io.StringIO(report_exports.to_csv(report, "t").decode("utf-8-sig"))))
    assert rows[1] == ["'" + FORMULA, "-3.2"]  # the text is guarded, the negative figure stays a number
    book = load_workbook(io.BytesIO(report_exports.to_xlsx(report)))
    cell = book[book.sheetnames[1]]["A2"]
    assert cell.value == "'" + FORMULA and cell.data_type == "s"


# --- a broken rule reaches the form (app/errors.py, app/forms_common.py) -------------------------


class _NameForm(Form):
    name = StringField()


@pytest.mark.parametrize("field, default, where_shown", [
    ("name", None, "name"), (None, "name", "name"), (None, None, "form"), ("missing", None, "form"),
])
def test_a_broken_rule_is_shown_beside_the_field_it_names_or_at_the_top(field, default, where_shown):
    form = _NameForm()
    show_rule_error(form, RegistrationError("This name is taken.", field), default)
    shown = form.name.errors if where_shown == "name" else form.form_errors
    assert list(shown) == ["This name is taken."]
