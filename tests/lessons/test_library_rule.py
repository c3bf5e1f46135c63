"""The library's one statement (app.lessons.listing, the rule bound once per kind of viewer) lists and
counts exactly what the rule (app.lessons.visibility.visible_lessons_clause) opens, for every marking ×
status × kind of event and viewer, with and without words to search and filters, and follows the
entries as they change (marking, status, author, deletion). Written for a narrower statement tried in
the twentieth round (bench/README.md) and kept for whatever shape the statement takes next: each test
runs on the statement a search first asks with, on the candidates' statement (the rule ANDed with
FactRows.search_candidates) that PostgreSQL asks with for words that found many entries, and on the
statement of the viewer's own candidates beside the public part kept for the words
(app.lessons.public_part), asked once the words were searched before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from app.accounts.models import Role, User
from app.extensions import db
from app.lessons import listing, public_part
from app.lessons.listing import library_counts
from app.lessons.models import TLP, Lesson, LessonKind, LessonStatus
from app.lessons.search import LibraryFilter, apply_filters
from app.lessons.visibility import visible_lessons_clause
from app.timeutil import set_now
from tests.factories import lesson as make_lesson

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORDS = ("kestrel", "osprey")


@pytest.fixture
def world(app, make):
    """Entries of every marking and status on an event someone attended, a draft event, an event the
    viewer's organisation attended, an event with a co-organiser appointed after some entries were
    marked, and an event nobody of the viewers touched; viewers of every kind."""
    set_now(T0)
    attending_org, other_org = make.organisation(name="Border Police"), make.organisation(name="Customs")
    people = {
        "member": make.user(name="Member", organisation=other_org),
        "colleague": make.user(name="Colleague", organisation=attending_org),
        "attendee": make.user(name="Attendee", organisation=attending_org),
        "no_org_attendee": make.user(name="Freelancer", organisation=None),
        "author": make.user(name="Author", organisation=other_org),
        "creator": make.user(Role.ORGANISER, name="Creator"),
        "appointed": make.user(Role.ORGANISER, name="Appointed later"),
        "coordinator": make.user(Role.COORDINATOR, name="Coordinator", organisation=attending_org),
        "admin": make.user(Role.ADMIN, name="Admin"),
        # Counts as a visitor (app.roles.is_signed_in) whose own entries "mine" still names.
        "unconfirmed": make.user(name="Unconfirmed", organisation=attending_org, email_confirmed_at=None),
    }
    events = {
        "attended": make.past_event(title="Attended", created_by=people["creator"]),
        "draft": make.past_event(title="Draft", status="draft", created_by=people["creator"]),
        "appointed": make.past_event(title="Appointed", created_by=people["creator"]),
        "untouched": make.past_event(title="Untouched"),
    }
    make.attendee(events["attended"], people["attendee"])
    make.attendee(events["attended"], people["no_org_attendee"])
    make.attendee(events["appointed"], people["author"])
    kinds = list(LessonKind)
    n = 0
    for key, event in events.items():
        for tlp in TLP:
            for status in LessonStatus:
                n += 1
                author = people["unconfirmed"] if n % 7 == 0 else people["author"] if n % 3 else people["attendee"]
                make_lesson(event, author, tlp=tlp, status=status, kind=kinds[n % len(kinds)],
                            title=f"{WORDS[n % 2]} {key} {tlp.value} {status.value}")
    set_now(T0 + timedelta(days=1))
    events["appointed"].organisers.append(people["appointed"])
    db.session.commit()
    set_now(T0 + timedelta(days=2))
    for tlp in (TLP.RED, TLP.AMBER_STRICT):  # marked after the appointment: open to the co-organiser
        make_lesson(events["appointed"], people["author"], tlp=tlp, title=f"kestrel appointed later {tlp.value}")
    return people


FILTERS = [LibraryFilter(), LibraryFilter(q="kestrel"), LibraryFilter(q="osprey"), LibraryFilter(q="appointed"),
           LibraryFilter(q="kestrel", tlp=TLP.RED), LibraryFilter(status=LessonStatus.SUBMITTED),
           LibraryFilter(q="osprey", kind=LessonKind.LESSON), LibraryFilter(tlp=TLP.AMBER_STRICT),
           LibraryFilter(mine=True), LibraryFilter(q="kestrel", mine=True)]


@pytest.fixture(params=["as_found", "candidates", "kept"])
def statement(request, monkeypatch):
    """As found (a search by words first asks with the plain rule), or every search by words alone
    on the candidates' statement (PostgreSQL: listing._is_broad; elsewhere the plain rule), or with
    the public part kept (each search asked twice before it is checked: the first keeps it)."""
    listing._FOUND.clear()
    public_part._KEPT.clear()
    if request.param == "candidates":
        monkeypatch.setattr(listing, "BROAD_FROM", 0)
    yield request.param
    listing._FOUND.clear()


def _subjects(people):
    yield "anonymous", AnonymousUserMixin()
    for name, person in people.items():
        yield name, db.session.get(User, person.id)


def _agree(people, statement):
    for name, subject in _subjects(people):
        for f in FILTERS:
            for _ in range(2 if statement == "kept" else 0):
                library_counts(subject, f, page=(3, 2))
            query = apply_filters(select(Lesson.id, Lesson.kind, Lesson.status, Lesson.created_at), subject, f,
                                  visible=visible_lessons_clause(subject))
            rows = db.session.execute(query).all()
            counts = library_counts(subject, f, page=(1000, 0))
            assert [entry.id for entry in counts.entries] == [
                row.id for row in sorted(rows, key=lambda row: (row.created_at, row.id), reverse=True)], (name, f)
            assert counts.total == len(rows), (name, f)
            by_status = {}
            for row in rows:
                by_status[row.status] = by_status.get(row.status, 0) + 1
            assert counts.by_status == by_status, (name, f)
            page = library_counts(subject, f, page=(3, 2))
            assert [entry.id for entry in page.entries] == [entry.id for entry in counts.entries][2:5], (name, f)


def test_library_lists_and_counts_what_the_rule_opens(world, statement):
    _agree(world, statement)
    # Every viewer of the story sees something, and the rule hides something from each who is no admin.
    total = db.session.scalar(select(func.count(Lesson.id)))
    for name, subject in _subjects(world):
        seen = library_counts(subject, LibraryFilter(), page=(1, 0)).total
        assert 0 < seen < total, name


def test_library_follows_changes_of_marking_status_author_and_deletion(world, statement):
    _agree(world, statement)  # what each search found kept, then the entries change
    entries = list(db.session.scalars(select(Lesson).order_by(Lesson.id)))
    for i, entry in enumerate(entries[::7]):
        set_now(T0 + timedelta(days=3, minutes=i))
        entry.tlp = list(TLP)[(i + 2) % len(TLP)]
        entry.marked_at = T0 + timedelta(days=3, minutes=i)
        entry.status = list(LessonStatus)[(i + 1) % len(LessonStatus)]
        if i % 4 == 0:
            entry.author_id = world["member"].id
    for entry in entries[3::11]:
        db.session.delete(entry)
    db.session.commit()
    _agree(world, statement)


def test_words_that_found_many_entries_are_asked_with_the_candidates(world, monkeypatch):
    """The statement is chosen by what the same words found when last listed (PostgreSQL; a member or
    an organiser searching by words alone); the answer is the same either way."""
    monkeypatch.setattr(listing, "BROAD_FROM", 5)
    monkeypatch.setattr(public_part, "read_and_keep", lambda *args: None)  # no public part kept: asked anew
    listing._FOUND.clear()
    public_part._KEPT.clear()
    texts = []

    def note(conn, cursor, statement, parameters, context, executemany):
        texts.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", note)
    try:
        asked = {}
        for name in ("member", "creator", "coordinator"):
            listing._FOUND.clear()  # the memo is by words, whoever searched them
            subject = db.session.get(User, world[name].id)
            for f in (LibraryFilter(q="kestrel"), LibraryFilter(q="kestrel", tlp=TLP.RED), LibraryFilter(q="nothing")):
                answers = []
                for _ in range(2):
                    texts.clear()
                    counts = library_counts(subject, f, page=(20, 0))
                    answers.append((counts.total, counts.by_status, [entry.id for entry in counts.entries]))
                    asked[name, f.q, f.tlp, len(answers)] = any("any (array(" in text.lower() for text in texts)
                assert answers[0] == answers[1], (name, f)
                assert answers[0][0] > 0 or f.q == "nothing" or f.tlp is not None
            if name != "coordinator":
                assert listing._FOUND[listing.fulltext_query("kestrel")] >= 5
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", note)
    postgresql = db.engine.dialect.name == "postgresql"
    for name in ("member", "creator"):
        assert not asked[name, "kestrel", None, 1]  # nothing found yet: the plain rule
        assert asked[name, "kestrel", None, 2] == postgresql
        assert not asked[name, "kestrel", TLP.RED, 2]  # with another filter: its own index first
        assert not asked[name, "nothing", None, 2]  # found none
    assert not any(used for (name, *_rest), used in asked.items() if name == "coordinator")
    assert listing._FOUND == {}  # what a coordinator found is no measure of what others find
