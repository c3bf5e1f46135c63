"""The library is served from a cache of rendered pages (per viewer and query string, keyed on the
change stamps of the tables it reads): every change a viewer must see shows on the next view, and
nobody is ever served a page built for someone who may see more."""

from __future__ import annotations

import re

from app.accounts.models import Role
from app.cache import stamps
from app.extensions import db
from app.lessons import workflow
from app.lessons.models import TLP, LessonStatus
from app.registrations import attendance
from tests.factories import lesson as make_lesson


def _ids(client, query: str = "") -> set[int]:
    response = client.get(f"/lessons/{query}")
    assert response.status_code == 200
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', response.get_data(as_text=True))}


def _html(client, query: str = "") -> str:
    response = client.get(f"/lessons/{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_red_entry_cached_for_an_attendee_is_never_served_to_others(client, login, make):
    attending_org = make.organisation(name="State Border Guard")
    attendee = make.user(name="Attendee", organisation=attending_org)
    colleague = make.user(name="Colleague", organisation=attending_org)
    organiser = make.user(Role.ORGANISER)
    event = make.past_event(organisers=[organiser])
    make.attendee(event, attendee)
    red = make_lesson(event, organiser, tlp=TLP.RED, title="Radio codes were shared")
    amber = make_lesson(event, organiser, tlp=TLP.AMBER, title="Radio amber")
    clear = make_lesson(event, organiser, tlp=TLP.CLEAR, title="Radio clear")
    for query in ("", "?q=radio"):
        assert _ids(login(attendee), query) == {red.id, amber.id, clear.id}  # built, then cached
        assert _ids(login(attendee), query) == {red.id, amber.id, clear.id}  # from the cache
        assert _ids(login(colleague), query) == {amber.id, clear.id}
        assert _ids(login(make.user(Role.COORDINATOR)), query) == {amber.id, clear.id}
        assert _ids(login(make.user(Role.ADMIN)), query) == {amber.id, clear.id}
        assert _ids(client, query) == {clear.id}


def test_a_validated_entry_and_new_figures_show_at_once(login, make):
    coordinator, member = make.user(Role.COORDINATOR), make.user()
    event = make.past_event()
    entry = make_lesson(event, make.user(), status=LessonStatus.SUBMITTED, title="Radio submitted")
    viewer = login(member)
    assert _ids(viewer) == set()
    assert 'data-testid="total">0<' in _html(viewer)
    workflow.transition(entry, coordinator, "validate")
    assert _ids(viewer) == {entry.id}
    assert 'data-testid="total">1<' in _html(viewer)
    workflow.change_marking(entry, coordinator, TLP.AMBER_STRICT)
    assert _ids(viewer) == set()


def test_attendance_recorded_after_a_view_opens_amber_entries_to_the_organisation(login, make):
    organisation = make.organisation(name="Customs Service")
    member, colleague = make.user(organisation=organisation), make.user(organisation=organisation)
    organiser = make.user(Role.ORGANISER)
    event = make.past_event(organisers=[organiser])
    amber = make_lesson(event, organiser, tlp=TLP.AMBER, title="Radio amber")
    viewer = login(member)
    assert _ids(viewer) == set()
    signed_up = make.registration(event, colleague)
    assert _ids(viewer) == set()  # registered is not attended
    # The event's first day in its own time zone (not the UTC date, which differs late in the UTC evening).
    # The event is over: recorded afterwards as a late correction.
    attendance.check_in(signed_up, attendance.event_days(event)[0], organiser, late_correction=True)
    assert _ids(viewer) == {amber.id}


def test_joining_an_organisation_or_the_organisers_changes_what_one_sees(login, make):
    organisation = make.organisation(name="Police Academy")
    attendee, member = make.user(organisation=organisation), make.user()
    author = make.user(Role.ORGANISER)
    event = make.past_event(organisers=[author])
    make.attendee(event, attendee)
    amber = make_lesson(event, author, tlp=TLP.AMBER_STRICT, title="Radio strict")
    make_lesson(event, author, tlp=TLP.RED, title="Radio red")
    waiting = make_lesson(event, author, tlp=TLP.GREEN, status=LessonStatus.SUBMITTED, title="Radio waiting")
    viewer = login(member)
    assert _ids(viewer) == set()
    member.organisation_id = organisation.id
    db.session.commit()
    assert _ids(viewer) == {amber.id}
    event.organisers.append(member)
    db.session.commit()
    # An organiser sees the entries waiting for validation; the RED entry, marked before the
    # appointment, stays with its audience (app.lessons.visibility).
    assert _ids(viewer) == {amber.id, waiting.id}


def test_an_event_back_to_draft_hides_its_entries_and_names_follow_edits(client, make):
    author = make.user(name="Ana Popescu")
    theme = make.theme("Cybercrime")
    event = make.past_event(title="Workshop in Tbilisi")
    entry = make_lesson(event, author, tlp=TLP.CLEAR, themes=[theme])
    html = _html(client)
    assert "Workshop in Tbilisi" in html and "Ana Popescu" in html and "Cybercrime" in html
    event.title, author.name, theme.name = "Workshop in Batumi", "Ana Ionescu", "Cyber-attacks"
    db.session.commit()
    html = _html(client)
    assert "Workshop in Batumi" in html and "Ana Ionescu" in html and "Cyber-attacks" in html
    event.status = "draft"
    db.session.commit()
    assert entry.id not in _ids(client)


def test_a_new_project_appears_in_the_filters_at_once(client, make):
    assert "NEWPROJ" not in _html(client)
    make.project("NEWPROJ")
    assert "NEWPROJ" in _html(client)


def test_rebuilding_the_search_index_moves_the_lessons_stamp(app, runner, make):
    make_lesson(make.past_event(), make.user(), title="Satellite phones")
    db.session.commit()
    before = stamps.read(db.session).get("lessons", 0)
    result = runner.invoke(args=["lessons", "reindex"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert stamps.read(db.session).get("lessons", 0) == before + 1
