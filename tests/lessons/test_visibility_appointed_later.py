"""Need-to-know against an insider: being appointed co-organiser of an event does not open the RED
and AMBER+STRICT entries already marked on it (app.lessons.visibility) — on every path that reads
entries (library list, search, counts, detail page, event page, wrap-up export, validation), and
both forms of the clause (with the viewer's facts and without) agree."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.lessons import visibility, workflow
from app.lessons.listing import library_counts
from app.lessons.models import TLP, Lesson, LessonStatus
from app.lessons.search import LibraryFilter
from app.timeutil import set_now
from tests.factories import lesson as make_lesson

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARKER_TITLE = "Codename KESTREL handled the informant"
MARKER_BODY = "Meeting point behind the ferry terminal QX-7731"


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)}


@pytest.fixture
def story(app, make):
    """An event created at T0 with a RED entry and an AMBER+STRICT entry marked then; a day later
    the creator appoints three co-organisers (a coordinator, an organiser whose organisation
    attended, an organiser who attended)."""
    set_now(T0)
    creator = make.user(Role.ORGANISER, name="Creator")
    attending_org = make.organisation(name="Border Police")
    author = make.user(name="Author", organisation=attending_org)
    coordinator = make.user(Role.COORDINATOR, name="Coordinator")
    colleague = make.user(Role.ORGANISER, name="Colleague", organisation=attending_org)
    attendee = make.user(Role.ORGANISER, name="Attended")
    event = make.past_event(title="Joint action day", created_by=creator)
    make.attendee(event, author)
    make.attendee(event, attendee)
    red = make_lesson(event, author, tlp=TLP.RED, title=MARKER_TITLE, observation=MARKER_BODY)
    strict = make_lesson(event, author, tlp=TLP.AMBER_STRICT, title="Strict entry")
    waiting = make_lesson(event, author, tlp=TLP.RED, title="Waiting red entry", status=LessonStatus.SUBMITTED)
    set_now(T0 + timedelta(days=1))
    event.organisers.extend([coordinator, colleague, attendee])
    db.session.commit()
    return {"event": event, "red": red, "strict": strict, "waiting": waiting, "creator": creator,
            "author": author, "coordinator": coordinator, "colleague": colleague, "attendee": attendee}


def _sees(user, lesson) -> bool:
    """Every form of the clause, which must agree (the library's reads the facts in its statement)."""
    with_facts = db.session.scalar(select(Lesson.id).where(
        Lesson.id == lesson.id, visibility.visible_lessons_clause(user, visibility.viewer_facts(user))))
    without = visibility.can_see(user, lesson)
    listed = {entry.id for entry in library_counts(user, LibraryFilter(), page=(1000, 0)).entries}
    assert (with_facts is not None) == without == (lesson.id in listed), (user.name, lesson.title)
    return without


def test_a_co_organiser_appointed_after_a_red_entry_was_marked_does_not_see_it(login, story):
    event, red = story["event"], story["red"]
    client = login(story["coordinator"])

    library = client.get("/lessons/").get_data(as_text=True)
    assert red.id not in _ids(library) and MARKER_TITLE not in library
    assert 'data-testid="total">0<' in library  # not counted either (the AMBER+STRICT one is hidden too)
    search = client.get("/lessons/?q=KESTREL").get_data(as_text=True)
    assert _ids(search) == set() and MARKER_TITLE not in search
    assert MARKER_BODY not in client.get("/lessons/?q=ferry+terminal").get_data(as_text=True)
    assert client.get(f"/lessons/{red.id}").status_code == 404
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert MARKER_TITLE not in page
    for fmt in ("md", "html"):
        response = client.get(f"/events/{event.id}/wrap-up/export/{fmt}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert MARKER_TITLE not in text and MARKER_BODY not in text
    assert not _sees(story["coordinator"], red)

    # The creator (an organiser from the event's creation) still sees it everywhere.
    creator = login(story["creator"])
    assert red.id in _ids(creator.get("/lessons/").get_data(as_text=True))
    assert red.id in _ids(creator.get("/lessons/?q=KESTREL").get_data(as_text=True))
    assert MARKER_BODY in creator.get(f"/lessons/{red.id}").get_data(as_text=True)
    assert MARKER_BODY in creator.get(f"/events/{event.id}/wrap-up/export/md").get_data(as_text=True)


def test_the_later_co_organiser_can_neither_validate_nor_re_mark_the_older_entry(login, story):
    waiting, coordinator = story["waiting"], story["coordinator"]
    assert not visibility.can_validate(coordinator, waiting)
    client = login(coordinator)
    assert client.post(f"/lessons/{waiting.id}/transition", data={"step": "validate"}).status_code == 404
    assert client.post(f"/lessons/{story['red'].id}/marking",
                       data={"tlp": "clear", "comment": "Nothing secret"}).status_code == 404
    db.session.refresh(waiting)
    assert waiting.status == LessonStatus.SUBMITTED
    # Nor are they asked to: the creator, who organised it when it was marked, is, and the later
    # co-organiser who attended (in the RED audience as an attendee).
    told = {user.id for user in workflow.notices.validators_to_tell(waiting)}
    assert told == {story["creator"].id, story["attendee"].id}


def test_an_entry_marked_red_after_the_appointment_is_visible_to_the_co_organiser(login, story):
    colleague, author = story["colleague"], story["author"]
    later = make_lesson(story["event"], author, tlp=TLP.AMBER, title="Amber then red")
    assert not _sees(colleague, story["red"])
    set_now(T0 + timedelta(days=2))
    workflow.change_marking(later, author, TLP.RED)
    assert later.marked_at == T0 + timedelta(days=2)
    assert _sees(colleague, later)
    assert later.id in _ids(login(colleague).get("/lessons/").get_data(as_text=True))

    # Re-marked (lowered with a reason, then raised again) after the appointment: seen too.
    old = story["red"]
    workflow.change_marking(old, author, TLP.AMBER_STRICT, "Sources protected now")
    workflow.change_marking(old, author, TLP.RED)
    assert _sees(colleague, old)


def test_an_edit_that_changes_the_marking_sets_when_it_was_marked(story):
    author, event = story["author"], story["event"]
    draft = make_lesson(event, author, tlp=TLP.GREEN, title="Draft", status=LessonStatus.DRAFT)
    set_now(T0 + timedelta(days=3))
    data = workflow.EntryData(kind=draft.kind.value, title="Draft", tlp=TLP.RED.value,
                              observation="Something happened")
    workflow.update_entry(draft, author, data)
    assert draft.marked_at == T0 + timedelta(days=3)
    set_now(T0 + timedelta(days=4))
    workflow.update_entry(draft, author, data)  # same marking: the time stays
    assert draft.marked_at == T0 + timedelta(days=3)


def test_a_later_organiser_in_the_non_organiser_audience_still_sees_older_entries(login, story):
    red, strict = story["red"], story["strict"]
    # Attended: sees the older RED and AMBER+STRICT entries as any attendee would.
    assert _sees(story["attendee"], red) and _sees(story["attendee"], strict)
    html = login(story["attendee"]).get("/lessons/").get_data(as_text=True)
    assert {red.id, strict.id} <= _ids(html)
    # Their organisation attended: the AMBER+STRICT entry, not the RED one.
    assert _sees(story["colleague"], strict) and not _sees(story["colleague"], red)
    # The coordinator neither.
    assert not _sees(story["coordinator"], strict)
