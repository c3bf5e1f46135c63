"""The library's public part kept per search (app.lessons.public_part): a search by words alone of a
member or an organiser lists and counts, once the words were searched before, the kept public entries
and their own candidates; whatever changes the public entries (a marking, a status, an event made a
draft, a deletion) is seen at the next search, and nothing the rule hides from a viewer is listed or
counted. PostgreSQL asks with the kept part; SQLite always asks anew (the same answers)."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from app.accounts.models import Role, User
from app.events.models import EventStatus
from app.extensions import db
from app.lessons import public_part
from app.lessons.listing import library_counts
from app.lessons.models import TLP, LessonStatus
from app.lessons.search import LibraryFilter
from tests.factories import lesson as make_lesson


@pytest.fixture
def story(app, make):
    """Public "heron" entries on two events, one RED entry of an event the member did not attend, the
    member's own draft, and an organiser's submitted entry on their event."""
    member, other = make.user(name="Member"), make.user(name="Other")
    organiser = make.user(Role.ORGANISER, name="Organiser")
    first, second = make.past_event(title="First"), make.past_event(title="Second", created_by=organiser)
    public = [make_lesson(first if n % 2 else second, other, title=f"Heron sighting {n}", tlp=TLP.GREEN)
              for n in range(6)]
    red = make_lesson(first, other, title="Heron red", tlp=TLP.RED)
    draft = make_lesson(first, member, title="Heron draft", status=LessonStatus.DRAFT, tlp=TLP.CLEAR)
    submitted = make_lesson(second, other, title="Heron submitted", status=LessonStatus.SUBMITTED, tlp=TLP.CLEAR)
    db.session.commit()
    return {"member": member, "organiser": organiser, "public": public, "red": red, "draft": draft,
            "submitted": submitted, "first": first, "second": second}


def _search(user_id, words="heron", page=(4, 0)):
    """(ids listed, total, by status, whether the statement of the kept part asked)."""
    texts = []

    def note(conn, cursor, statement, parameters, context, executemany):
        texts.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", note)
    try:
        counts = library_counts(db.session.get(User, user_id), LibraryFilter(q=words), page=page)
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", note)
    return ([entry.id for entry in counts.entries], counts.total, counts.by_status,
            any("kept_ids" in text for text in texts))


def _ids(*entries):
    return {entry.id for entry in entries}


def test_a_search_asked_again_answers_the_same_from_the_kept_public_part(story):
    postgresql = db.engine.dialect.name == "postgresql"
    for name, own in (("member", story["draft"]), ("organiser", story["submitted"])):
        answers = [_search(story[name].id, page=(4, offset)) for offset in (0, 4, 0, 4, 0, 4)]
        for _listed, total, _by_status, _kept in answers:
            assert total == 7  # the six public entries and their own (draft, or submitted on their event)
        first_page, second_page = answers[0][0], answers[1][0]
        assert len(first_page) == 4 and len(second_page) == 3
        assert set(first_page) | set(second_page) == _ids(*story["public"], own)
        assert all(answer[:3] == answers[offset % 2][:3] for offset, answer in enumerate(answers))
        assert any(answer[3] for answer in answers) == postgresql  # kept: PostgreSQL only
        assert story["red"].id not in set(first_page) | set(second_page)


def test_an_entry_made_red_is_no_longer_listed_from_the_kept_part(story):
    member_id = story["member"].id
    for _ in range(3):
        listed, total, by_status, _ = _search(member_id, page=(20, 0))
    assert total == 7 and story["public"][0].id in listed
    story["public"][0].tlp = TLP.RED
    db.session.commit()
    listed, total, by_status, _ = _search(member_id, page=(20, 0))
    assert story["public"][0].id not in listed and total == 6
    assert by_status == {LessonStatus.VALIDATED: 5, LessonStatus.DRAFT: 1}


def test_an_entry_validated_or_deleted_is_seen_at_the_next_search(story):
    member_id = story["member"].id
    for _ in range(3):
        _search(member_id, page=(20, 0))
    story["submitted"].status = LessonStatus.VALIDATED  # now public: every member sees it
    db.session.delete(story["public"][1])
    db.session.commit()
    listed, total, by_status, _ = _search(member_id, page=(20, 0))
    assert story["submitted"].id in listed and story["public"][1].id not in listed
    assert total == 7 and by_status == {LessonStatus.VALIDATED: 6, LessonStatus.DRAFT: 1}


def test_an_event_made_draft_hides_its_entries_from_the_kept_part(story):
    member_id, organiser_id = story["member"].id, story["organiser"].id
    for _ in range(3):
        _search(member_id, page=(20, 0))
        _search(organiser_id, page=(20, 0))
    story["second"].status = EventStatus.DRAFT
    db.session.commit()
    on_second = {entry.id for entry in story["public"] if entry.event_id == story["second"].id}
    listed, total, _, _ = _search(member_id, page=(20, 0))
    assert not on_second & set(listed) and total == 7 - len(on_second)
    listed, total, _, _ = _search(organiser_id, page=(20, 0))  # their own draft event: still theirs to see
    assert on_second <= set(listed) and total == 7


def test_a_draft_recorded_keeps_the_public_part_and_is_listed_to_its_author_alone(story, make):
    member_id = story["member"].id
    other = make.user(name="Colleague")
    for _ in range(3):
        _search(member_id, page=(20, 0))
    stamp = db.session.scalar(select(public_part.stamp_column())) if db.engine.dialect.name == "postgresql" else None
    new = make_lesson(story["first"], other, title="Heron fresh draft", status=LessonStatus.DRAFT, tlp=TLP.CLEAR)
    db.session.commit()
    listed, total, _, kept = _search(member_id, page=(20, 0))
    assert new.id not in listed and total == 7
    listed, total, _, _ = _search(other.id, page=(20, 0))
    assert new.id in listed and total == 7  # the six public entries and their own draft
    if stamp is not None:  # a draft moves nothing: the kept part still answers
        assert kept and db.session.scalar(select(public_part.stamp_column())) == stamp


def test_pages_past_the_kept_ids_are_asked_anew_and_answer_the_same(story, monkeypatch):
    monkeypatch.setattr(public_part, "KEPT_IDS", 2)  # two of the six public entries' ids kept
    member_id = story["member"].id
    expected = {offset: _search(member_id, page=(2, offset))[:3] for offset in (0, 2, 4, 6)}
    for _ in range(2):
        for offset, answer in expected.items():
            listed, total, by_status, kept = _search(member_id, page=(2, offset))
            assert (listed, total, by_status) == answer
            assert kept == (offset == 0 and db.engine.dialect.name == "postgresql")  # only the first page kept
    assert {entry for offset in expected for entry in expected[offset][0]} == _ids(*story["public"], story["draft"])


def test_a_kept_part_is_not_taken_for_current_when_the_stamps_go_back(story, app):
    """Rows put back as they were (tests.authz_world.restore; an emptied database starts its stamps at
    0 again) can bring back a stamp under which something else was kept: emptying the cache
    (fragments.clear) empties the kept searches too, so a RED entry is never listed from them."""
    from app.cache import fragments
    from app.cache.packing import SHARD_TABLE, TABLE

    member_id = story["member"].id
    for _ in range(3):
        _search(member_id, page=(20, 0))
    saved = {table: [dict(row._mapping) for row in db.session.execute(table.select())] for table in (TABLE, SHARD_TABLE)}
    story["public"][0].tlp = TLP.RED
    db.session.commit()
    with db.engine.begin() as connection:  # the stamps as they were before the entry was marked RED
        for table, rows in saved.items():
            connection.execute(table.delete())
            if rows:
                connection.execute(table.insert(), rows)
    fragments.clear(app)
    listed, total, _, _ = _search(member_id, page=(20, 0))
    assert story["public"][0].id not in listed and total == 6
