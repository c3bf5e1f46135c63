"""The library's figures (app.lessons.listing: one row of counts by kind and by status) and the
filters' choices kept in the worker under the change stamps of themes and projects
(app.lessons.choices.kept_choices)."""

from __future__ import annotations

import re

from app.accounts.models import Role
from app.extensions import db
from app.lessons.listing import library_counts
from app.lessons.models import TLP, LessonKind, LessonStatus
from app.lessons.search import LibraryFilter
from tests.factories import lesson as make_lesson
from tests.querycount import sent_by


def test_figures_count_every_kind_and_status_and_leave_out_the_absent(app, make):
    """Each kind and status counted on its own (not swapped, not shifted); those no match has are
    not in the figures at all, as a grouped count gave no row for them."""
    coordinator = make.user(Role.COORDINATOR)
    event_ = make.past_event()
    author = make.user()
    wanted = [(LessonKind.LESSON, LessonStatus.VALIDATED)] * 3 + [(LessonKind.GOOD_PRACTICE, LessonStatus.LEARNED)] * 2 \
        + [(LessonKind.LESSON, LessonStatus.REJECTED)] + [(LessonKind.GOOD_PRACTICE, LessonStatus.SUBMITTED)] * 4
    for index, (kind, status) in enumerate(wanted):
        make_lesson(event_, author, title=f"Radio {index}", kind=kind, status=status, tlp=TLP.CLEAR)
    make_lesson(event_, author, title="Other words", kind=LessonKind.OBSERVATION, status=LessonStatus.ACTIONED)
    with app.test_request_context():
        counts = library_counts(coordinator, LibraryFilter(q="radio"), page=(20, 0))
    assert counts.total == 10
    assert counts.by_kind == {LessonKind.LESSON: 4, LessonKind.GOOD_PRACTICE: 6}
    assert counts.by_status == {LessonStatus.VALIDATED: 3, LessonStatus.LEARNED: 2, LessonStatus.REJECTED: 1,
                                LessonStatus.SUBMITTED: 4}
    assert len(counts.entries) == 10
    with app.test_request_context():
        nothing = library_counts(coordinator, LibraryFilter(q="zzznothing"), page=(20, 0))
    assert (nothing.total, nothing.by_kind, nothing.by_status, nothing.entries) == (0, {}, {}, [])


def _searches(client, url: str) -> tuple[list[str], str]:
    """The library statements `url` sends (those with the matches) and the page."""
    return sent_by(client, url, lambda statement: "matches" in statement)


def _offered(page: str) -> list[str]:
    """The themes' and projects' names the filters offer, in order."""
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)


def test_kept_choices_are_read_again_when_a_theme_or_project_changes(app, login, make):
    member = make.user()
    theme = make.theme(name="Border radio")
    make.project(acronym="RADIOPROJ")
    make_lesson(make.past_event(), member, title="Radio entry", themes=[theme])
    viewer = login(member)
    (first,), page = _searches(viewer, "/lessons/?q=radio")
    assert "FROM themes" in first and "Border radio" in _offered(page) and "RADIOPROJ" in _offered(page)
    (second,), again = _searches(viewer, "/lessons/?q=entry")  # kept: the statement reads neither
    assert "FROM themes" not in second and "FROM projects" not in second
    assert _offered(again) == _offered(page)
    assert "Border radio" in again  # the entry's badge, from the kept themes
    theme.name = "Maritime radio"
    db.session.commit()
    (third,), renamed = _searches(viewer, "/lessons/?q=radio")
    assert "FROM themes" in third
    assert "Maritime radio" in _offered(renamed) and "Border radio" not in renamed
    make.project(acronym="NEWPROJ")
    (fourth,), added = _searches(viewer, "/lessons/?q=radio")
    assert "FROM projects" in fourth and "NEWPROJ" in _offered(added)
    (fifth,), _page = _searches(viewer, "/lessons/?q=radio")
    assert "FROM themes" not in fifth


def test_choices_are_read_in_the_statement_when_the_stamps_are_not_known(app, client, login, make, cold):
    """Caches off (the user's row comes without the stamps) or a visitor: every search reads the
    choices in its statement, as before."""
    make.theme(name="Border radio")
    viewer = login(make.user())
    for who in (viewer, client, viewer):
        (statement,), page = _searches(who, "/lessons/?q=radio")
        assert "FROM themes" in statement and "Border radio" in _offered(page)


def test_kept_filter_fields_follow_the_words_the_filters_and_the_language(app, login, make):
    """The filters' fields kept in the worker (app.lessons.views.library._filters_html) are those of
    the page's own words, filters and language."""
    make.theme(name="Border radio")
    viewer = login(make.user())
    for _ in range(2):  # built, then kept
        radio = viewer.get("/lessons/?q=radio").get_data(as_text=True)
        entry = viewer.get("/lessons/?q=entry&kind=lesson").get_data(as_text=True)
        ukrainian = viewer.get("/lessons/?q=entry&kind=lesson&lang=uk").get_data(as_text=True)
        assert 'name="q" type="search" value="radio"' in radio and 'value="lesson" selected' not in radio
        assert 'name="q" type="search" value="entry"' in entry and 'value="lesson" selected' in entry
        assert 'for="kind">Kind<' in entry and 'for="kind">Kind<' not in ukrainian
        assert 'value="lesson" selected' in ukrainian
