"""TLP 2.0: the whole matrix of markings × viewers, checked on lists, counts, detail pages, the event
page's partial, search and "my actions" — they must all agree with the rule."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from app.accounts.models import Role
from app.extensions import db
from app.lessons.models import TLP, Lesson, LessonStatus
from app.lessons.search import LibraryFilter, counts_by
from app.lessons.visibility import visible_lessons_clause
from tests.factories import lesson as make_lesson

VIEWERS = ["anonymous", "other_org_member", "attending_org_member", "attendee", "organiser",
           "coordinator", "author", "admin"]

# Who sees a validated entry with each marking.
EXPECTED = {
    TLP.CLEAR: set(VIEWERS),
    TLP.GREEN: set(VIEWERS) - {"anonymous"},
    TLP.AMBER: {"attending_org_member", "attendee", "organiser", "coordinator", "author", "admin"},
    TLP.AMBER_STRICT: {"attending_org_member", "attendee", "organiser", "author"},
    TLP.RED: {"attendee", "organiser", "author"},
}


@pytest.fixture
def matrix(make):
    attending_org = make.organisation(name="State Border Guard", country="MD")
    author_org = make.organisation(name="Police Academy", country="GE")
    other_org = make.organisation(name="Customs Service", country="RO")
    people = {
        "other_org_member": make.user(name="Other", organisation=other_org),
        "attending_org_member": make.user(name="Colleague", organisation=attending_org),
        "attendee": make.user(name="Attendee", organisation=attending_org),
        "organiser": make.user(role=Role.ORGANISER, name="Organiser"),
        "coordinator": make.user(role=Role.COORDINATOR, name="Coordinator"),
        "author": make.user(name="Author", organisation=author_org),
        "admin": make.user(role=Role.ADMIN, name="Admin"),
    }
    event = make.past_event(title="Study visit to Europol", organisers=[people["organiser"]])
    make.attendee(event, people["attendee"])
    make.attendee(event, people["author"])
    # Registered but never checked in: attendance is what counts, not registration.
    make.registration(event, people["other_org_member"])
    lessons = {tlp: make_lesson(event, people["author"], tlp=tlp, title=f"Entry marked {tlp.value}")
               for tlp in TLP}
    return {"people": people, "event": event, "lessons": lessons}


def _client(app, login, people, viewer):
    return app.test_client() if viewer == "anonymous" else login(people[viewer])


@pytest.mark.parametrize("viewer", VIEWERS)
def test_tlp_matrix_lists_counts_and_pages_agree(app, login, matrix, viewer):
    people, lessons, event = matrix["people"], matrix["lessons"], matrix["event"]
    expected_ids = {lessons[tlp].id for tlp, who in EXPECTED.items() if viewer in who}
    client = _client(app, login, people, viewer)

    # Library list and its count.
    html = client.get("/lessons/?page=1").get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)}
    assert listed == expected_ids, viewer
    assert f'data-testid="total">{len(expected_ids)}<' in html

    # Search through the full-text index obeys the same rule.
    html = client.get("/lessons/?q=entry+marked").get_data(as_text=True)
    assert {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)} == expected_ids

    # Library filtered to the event (as the event page's "all entries" link).
    html = client.get(f"/lessons/?event={event.id}").get_data(as_text=True)
    assert {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)} == expected_ids

    # Detail pages: 200 exactly for the visible ones, 404 for the others (no hint they exist).
    for tlp, item in lessons.items():
        status = client.get(f"/lessons/{item.id}").status_code
        assert status == (200 if item.id in expected_ids else 404), (viewer, tlp)

    # The SQL rule and GROUP BY counts.
    user = people.get(viewer)
    from flask_login import AnonymousUserMixin

    subject = user if user is not None else AnonymousUserMixin()
    db.session.rollback()
    assert set(db.session.scalars(select(Lesson.id).where(visible_lessons_clause(subject)))) == expected_ids
    counted = db.session.scalar(select(func.count(Lesson.id)).where(visible_lessons_clause(subject)))
    assert counted == len(expected_ids)
    assert sum(counts_by(subject, LibraryFilter(), Lesson.kind).values()) == len(expected_ids)

    # The event page's partial.
    with app.test_request_context("/"):
        if user is not None:
            login_user(user)
        html = render_template_string('{% include "lessons/_event_entries.html" %}', event=event)
    assert {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)} == expected_ids
    assert f'data-testid="event-entries-count">{len(expected_ids)}<' in html

    # The event page itself (which includes the partial).
    if "events.detail" in app.view_functions:
        response = client.get(f"/events/{event.id}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)} == expected_ids


def test_drafts_are_the_authors_alone_and_submitted_seen_by_validators(app, login, make, matrix):
    people, event = matrix["people"], matrix["event"]
    draft = make_lesson(event, people["author"], tlp=TLP.CLEAR, status=LessonStatus.DRAFT, title="My draft")
    submitted = make_lesson(event, people["author"], tlp=TLP.CLEAR, status=LessonStatus.SUBMITTED,
                            title="Awaiting validation")
    for viewer in VIEWERS:
        client = _client(app, login, people, viewer)
        assert client.get(f"/lessons/{draft.id}").status_code == (200 if viewer == "author" else 404), viewer
        sees_submitted = viewer in ("author", "organiser", "coordinator", "admin")
        assert client.get(f"/lessons/{submitted.id}").status_code == (200 if sees_submitted else 404), viewer


def test_draft_event_hides_even_clear_entries(app, login, make, matrix):
    organiser = matrix["people"]["organiser"]
    draft_event = make.past_event(title="Not yet published", status="draft", organisers=[organiser])
    item = make_lesson(draft_event, organiser, tlp=TLP.CLEAR)
    assert app.test_client().get(f"/lessons/{item.id}").status_code == 404
    assert login(matrix["people"]["other_org_member"]).get(f"/lessons/{item.id}").status_code == 404
    assert login(organiser).get(f"/lessons/{item.id}").status_code == 200


def test_my_actions_hide_entries_the_owner_may_not_see(login, make, matrix, db):
    people, lessons = matrix["people"], matrix["lessons"]
    red = lessons[TLP.RED]
    make.action(people["coordinator"], title="Check radios", lesson=red)
    html = login(people["coordinator"]).get("/lessons/my-actions").get_data(as_text=True)
    assert "Check radios" in html
    assert red.title not in html


def _oracle(viewer, user, lesson, event, organisers, attendees, attending_orgs) -> bool:
    """The TLP rule of app/lessons/visibility.py written out in Python, one entry at a time."""
    if user is not None and lesson.author_id == user.id:
        return True
    organiser = user is not None and user.id in organisers
    coordinator = user is not None and user.role in (Role.ADMIN, Role.COORDINATOR)
    if event.status.value == "draft" and not (organiser or (user is not None and user.role == Role.ADMIN)):
        return False
    if user is None:
        return lesson.status in PUBLISHED and lesson.tlp == TLP.CLEAR
    attended = user.id in attendees
    org_attended = user.organisation_id is not None and user.organisation_id in attending_orgs
    if lesson.status in PUBLISHED:
        status_ok = True
    elif lesson.status in (LessonStatus.SUBMITTED, LessonStatus.REJECTED):
        status_ok = organiser or coordinator
    else:
        status_ok = False
    audience = {
        TLP.CLEAR: True,
        TLP.GREEN: True,
        TLP.AMBER: org_attended or attended or organiser or coordinator,
        TLP.AMBER_STRICT: org_attended or attended or organiser,
        TLP.RED: attended or organiser,
    }[lesson.tlp]
    return status_ok and audience


PUBLISHED = (LessonStatus.VALIDATED, LessonStatus.ACTIONED, LessonStatus.LEARNED)


def test_viewer_facts_clause_equals_the_rule_for_every_marking_status_and_event(app, make, matrix):
    """The library's forms (facts read once as id lists, or in its own statement) and the sub-query
    form select exactly the entries the rule allows: every marking × every status ×
    published/draft/other events × viewers, including attendance recorded per day only, an event
    without creator and a member without organisation."""
    from app.accounts.models import User
    from app.lessons.listing import library_counts
    from app.lessons.search import LibraryFilter
    from app.lessons.visibility import viewer_facts

    people = dict(matrix["people"])
    people["no_org_member"] = make.user(name="Freelancer", organisation=None)
    day_org = make.organisation(name="Day-by-day Agency", country="PL")
    people["day_attendee"] = make.user(name="Day attendee", organisation=day_org)
    people["day_colleague"] = make.user(name="Day colleague", organisation=day_org)
    organiser = people["organiser"]
    events = {
        "main": matrix["event"],
        "draft": make.past_event(title="Draft", status="draft", organisers=[organiser]),
        "created": make.past_event(title="Created by the coordinator", created_by=people["coordinator"]),
        "orphan": make.past_event(title="No creator, no organisers"),
    }
    day_reg = make.registration(events["orphan"], people["day_attendee"])
    make.attendance_day(day_reg, events["orphan"].starts_at.date(), events["orphan"].starts_at)
    make.attendee(events["created"], people["no_org_member"])
    db.session.commit()
    organisers = {
        "main": {organiser.id}, "draft": {organiser.id}, "created": {people["coordinator"].id}, "orphan": set(),
    }
    attendees = {
        "main": {people["attendee"].id, people["author"].id},
        "draft": set(), "created": {people["no_org_member"].id}, "orphan": {people["day_attendee"].id},
    }
    entries = []
    for key, event in events.items():
        for tlp in TLP:
            for status in LessonStatus:
                entries.append((key, make_lesson(event, people["author"], tlp=tlp, status=status,
                                                 title=f"{key} {tlp.value} {status.value}")))
    from flask_login import AnonymousUserMixin

    for viewer in ["anonymous", *people]:
        user = db.session.get(User, people[viewer].id) if viewer != "anonymous" else None
        subject = user if user is not None else AnonymousUserMixin()
        orgs = {key: {db.session.get(User, uid).organisation_id for uid in ids} - {None}
                for key, ids in attendees.items()}
        expected = {
            item.id for key, item in entries
            if _oracle(viewer, user, item, events[key], organisers[key], attendees[key], orgs[key])
        } | {item.id for item in matrix["lessons"].values()
             if _oracle(viewer, user, item, events["main"], organisers["main"], attendees["main"], orgs["main"])}
        plain = set(db.session.scalars(select(Lesson.id).where(visible_lessons_clause(subject))))
        facts = viewer_facts(subject)
        fast = set(db.session.scalars(select(Lesson.id).where(visible_lessons_clause(subject, facts))))
        assert plain == expected, viewer
        assert fast == expected, viewer
        listed = {entry.id for entry in library_counts(subject, LibraryFilter(), page=(1000, 0)).entries}
        assert listed == expected, viewer  # the library's statement, which reads the facts itself
        if user is not None and user.role != Role.ADMIN:
            assert facts.hidden == ({events["draft"].id} if viewer != "organiser" else set()), viewer
