"""A cold library page (its cached content built afresh) reads what it shows in a fixed number of
statements, whatever the query, the filters, the page and the number of entries, events and
attendances (issue 19): the user (with the change stamps), and ONE search statement, built once per
role and filters set, that reads the viewer's facts and gives the figures, the page's entries and
the filters' choices (app.lessons.listing.library_counts)."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.extensions import db
from app.lessons.models import TLP, LessonStatus
from app.lessons.search import LibraryFilter
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now
from tests.factories import lesson as make_lesson
from tests.querycount import cold_statements, sent_by

# A signed-in member: the user, the search with the facts and the choices. (Before issue 19: 9; then 3.)
MEMBER_STATEMENTS = 2
# A visitor: the search with the choices (the library's page is no longer kept in the cache, so a
# visitor's request reads no change stamps; they came with the user for a signed-in viewer).
ANONYMOUS_STATEMENTS = 1
# An organiser or coordinator: + the identified needs beside the capability gaps (app.assessments).
PLANNER_STATEMENTS = 3
# A search by words alone of a member or an organiser on PostgreSQL, in a worker that has not kept
# the words' public part yet (app.lessons.public_part; emptied with the cache): + the public part
# read to keep it. Asked again, the kept part rides in the search statement (see below).
KEEPS_PUBLIC_PART = 1

URLS = ["/lessons/", "/lessons/?q=radio", "/lessons/?q=radio&page=2", "/lessons/?q=nothing+matches",
        "/lessons/?kind=lesson&tlp=amber", "/lessons/?country=UA&event_kind=workshop", "/lessons/?mine=1",
        "/lessons/?status=submitted&lang=uk"]


def _world(make, member, size: int):
    """`size` events (one a draft, others attended by the member's colleague), each with entries of
    every marking and a few themes."""
    colleague = make.user(organisation=member.organisation)
    themes = [make.theme() for _ in range(3)]
    for index in range(size):
        event = make.past_event() if index % 4 else make.event(status="draft")
        if index % 2:
            db.session.add(Registration(event_id=event.id, user_id=colleague.id,
                                        status=RegistrationStatus.CONFIRMED, checked_in_at=now()))
        for tlp in TLP:
            make_lesson(event, colleague, title=f"Radio {index} {tlp.value}", tlp=tlp, themes=themes[: index % 3 + 1])
        make_lesson(event, member, title=f"Radio draft {index}", status=LessonStatus.DRAFT)
    db.session.commit()


def _counts(app, client) -> dict[str, int]:
    counts = {}
    for url in URLS:
        statements, page = cold_statements(app, client, url)
        assert 'data-testid="lesson-list"' in page
        counts[url] = len(statements)
    return counts


@pytest.mark.parametrize("role, expected", [(Role.MEMBER, MEMBER_STATEMENTS),
                                            (Role.ORGANISER, PLANNER_STATEMENTS),
                                            (Role.COORDINATOR, PLANNER_STATEMENTS)])
def test_cold_library_reads_a_fixed_number_of_statements(app, login, make, role, expected):
    viewer = make.user(role=role, organisation=make.organisation())
    client = login(viewer)
    db.session.rollback()  # the sign-in wrote through another session
    _world(make, viewer, 4)
    small = _counts(app, client)
    _world(make, viewer, 12)
    large = _counts(app, client)
    assert large == small, (small, large)
    keeps = role != Role.COORDINATOR and db.engine.dialect.name == "postgresql"
    words_alone = {url for url in URLS if url.startswith("/lessons/?q=")}
    assert large == {url: expected + (KEEPS_PUBLIC_PART if keeps and url in words_alone else 0) for url in URLS}


def test_cold_library_for_a_visitor_reads_a_fixed_number_of_statements(app, client, make):
    _world(make, make.user(organisation=make.organisation()), 4)
    assert set(_counts(app, client).values()) == {ANONYMOUS_STATEMENTS}


def test_viewers_sharing_the_search_statement_each_get_their_own_facts(app, login, make):
    """The search statement and the facts in it are built once per role (app.lessons.listing): the
    viewer's id and organisation are parameters, so one member's attendance never opens an entry to
    another."""
    first, second = (make.user(organisation=make.organisation()) for _ in range(2))
    colleague = make.user(organisation=first.organisation)
    event = make.past_event()
    db.session.add(Registration(event_id=event.id, user_id=colleague.id, status=RegistrationStatus.CONFIRMED,
                                checked_in_at=now()))
    db.session.commit()
    amber = make_lesson(event, colleague, title="Radio amber", tlp=TLP.AMBER)
    for viewer, sees in ((first, True), (second, False), (first, True)):
        _statements, page = cold_statements(app, login(viewer), "/lessons/?q=radio")
        assert (f'data-testid="lesson-{amber.id}"' in page) is sees, viewer.email


def _attended_world(make):
    """Two members of two organisations, each with a colleague who attended an event of their own
    with an AMBER and a RED entry: (first, second, first's entries, second's entries)."""
    viewers, entries = [], []
    for _ in range(2):
        viewer = make.user(organisation=make.organisation())
        colleague = make.user(organisation=viewer.organisation)
        event = make.past_event()
        for user in (viewer, colleague):
            db.session.add(Registration(event_id=event.id, user_id=user.id, status=RegistrationStatus.CONFIRMED,
                                        checked_in_at=now()))
        db.session.commit()
        viewers.append(viewer)
        entries.append([make_lesson(event, colleague, title=f"Radio {tlp.value}", tlp=tlp)
                        for tlp in (TLP.AMBER, TLP.RED)])
    return viewers, entries


def test_library_statement_is_built_once_per_shape(app, login, make, monkeypatch):
    """Viewers of one role whose facts are empty or not alike, with the same filters set
    (whatever their values), share one statement (app.lessons.listing._bound_statement): it is not
    built again for the next request."""
    from app.lessons import listing

    (first, second), _entries = _attended_world(make)
    assert login(first).get("/lessons/").status_code == 200  # the filters' choices read and kept
    built = []
    original = listing._counts_statement
    monkeypatch.setattr(listing, "_counts_statement", lambda *args: built.append(1) or original(*args))
    listing._bound_statement.cache_clear()
    for viewer, url in ((first, "/lessons/?q=radio&kind=lesson"), (second, "/lessons/?q=amber&kind=observation"),
                        (first, "/lessons/?q=red&kind=observation&page=2")):
        assert login(viewer).get(url).status_code == 200
    assert len(built) == 1
    assert login(second).get("/lessons/?q=radio&tlp=red").status_code == 200  # another filter: another shape
    assert len(built) == 2


def test_viewers_sharing_the_library_statement_each_see_their_own_entries(app, login, make):
    """The shared statement reads each viewer's own facts (their id and organisation are parameters):
    one member's organisation's attendance never opens an entry to another member."""
    (first, second), (first_entries, second_entries) = _attended_world(make)
    for viewer, own, other in ((first, first_entries, second_entries), (second, second_entries, first_entries),
                               (first, first_entries, second_entries)):
        _statements, page = cold_statements(app, login(viewer), "/lessons/?q=radio")
        assert all(f'data-testid="lesson-{entry.id}"' in page for entry in own), viewer.email
        assert not any(f'data-testid="lesson-{entry.id}"' in page for entry in other), viewer.email


def test_search_statement_is_one_text_for_every_viewer_of_a_role(app, login, make):
    """The search statement reads the viewer's facts itself (app.lessons.bound_rule.FactRows): two
    members with different attended events send the same text, without their lists of event ids, so
    PostgreSQL plans it once (psycopg prepares a statement run 5 times) instead of for each viewer."""
    (first, second), _entries = _attended_world(make)
    texts = []
    for viewer in (first, second):
        statements, _page = cold_statements(app, login(viewer), "/lessons/?q=radio")
        search = [statement for statement in statements if "WITH facts" in statement]
        assert len(search) == 1
        texts.append(search[0])
    assert texts[0] == texts[1]
    assert "ARRAY[" not in texts[0]
    if db.engine.dialect.name == "postgresql":  # and the statement beside the public part kept for the words
        kept = []
        for viewer in (first, second):
            statements, _page = sent_by(login(viewer), "/lessons/?q=radio")
            kept += [statement for statement in statements if "WITH facts" in statement]
        assert len(kept) == 2 and kept[0] == kept[1] and "kept_ids" in kept[0] and kept[0] != texts[0]


def test_search_statement_sends_only_the_viewer_filters_words_and_page(app, login, make):
    """The statement's own constants (statuses, markings, the facts' tags) are written in its text, not
    sent as parameters (app.lessons.bound_rule.constants_written): PostgreSQL costs the generic plan of
    the prepared statement as well as a custom one and keeps it, instead of planning every run."""
    from sqlalchemy import event

    (first, _second), _entries = _attended_world(make)
    client = login(first)
    client.get("/lessons/?q=radio&kind=lesson&page=2")
    sent = []

    def _seen(conn, cursor, statement, parameters, *args):
        if "WITH facts" in statement:
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        assert client.get("/lessons/?q=radio&kind=lesson&page=2").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", _seen)
    (statement, parameters), = sent
    if isinstance(parameters, dict):  # PostgreSQL (named); SQLite's are positional
        allowed = {"viewer_id", "viewer_organisation_id", "fulltext_query", "filter_kind", "page_limit",
                   "page_offset"}
        assert {name for name, value in parameters.items() if value is not None} == allowed
    assert "'submitted'" in statement and "'amber'" in statement
    assert sum(value is not None and not isinstance(value, int) for value in
               (parameters.values() if isinstance(parameters, dict) else parameters)) == 2  # the words, the kind


def test_visitors_share_one_library_statement_per_shape(app, client, make, monkeypatch):
    """A visitor's search is built once per filters set too (app.lessons.listing._bound_statement), and
    an account whose address is unconfirmed is served it as a visitor: CLEAR published entries only."""
    from app.lessons import listing

    event = make.past_event()
    author = make.user(organisation=make.organisation())
    clear = make_lesson(event, author, title="Radio clear", tlp=TLP.CLEAR)
    green = make_lesson(event, author, title="Radio green", tlp=TLP.GREEN)
    built = []
    original = listing._counts_statement
    monkeypatch.setattr(listing, "_counts_statement", lambda *args: built.append(1) or original(*args))
    listing._bound_statement.cache_clear()
    for url in ("/lessons/?q=radio", "/lessons/?q=clear", "/lessons/?q=green&page=2"):
        assert client.get(url).status_code == 200
    assert len(built) == 1
    page = client.get("/lessons/?q=radio").get_data(as_text=True)
    assert f'data-testid="lesson-{clear.id}"' in page and f'data-testid="lesson-{green.id}"' not in page
    unconfirmed = make.user(organisation=author.organisation, email_confirmed_at=None)
    counts = listing.library_counts(unconfirmed, LibraryFilter(q="radio"), page=(20, 0), with_choices=True)
    assert [entry.id for entry in counts.entries] == [clear.id]
    assert len(built) == 1  # the visitors' statement again
