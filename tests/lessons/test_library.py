"""The library: full-text search (FTS5 / tsvector), filters, pagination, bounded queries."""

from __future__ import annotations

import re

from markupsafe import escape
from sqlalchemy import text

from app.accounts.models import Role
from app.extensions import db
from app.lessons.models import TLP, LessonKind, LessonStatus, RecommendationType
from app.lessons.search import LibraryFilter, fulltext_clause, library_query
from tests.factories import lesson as make_lesson
from tests.querycount import QueryCounter


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)}


def _search(user, q) -> set[int]:
    return {lesson.id for lesson in db.session.scalars(library_query(user, LibraryFilter(q=q))).unique()}


def test_full_text_search_matches_words_prefixes_and_stems(app, make):
    coordinator = make.user(role=Role.COORDINATOR)
    event = make.past_event()
    radio = make_lesson(event, coordinator, title="Radio interoperability",
                        observation="Patrols could not communicate across the border.")
    drones = make_lesson(event, coordinator, title="Drone detection",
                         observation="Counter-drone trainings were too short.",
                         recommendation="Extend the training programme")
    gp = make_lesson(event, coordinator, title="Joint patrols", kind=LessonKind.GOOD_PRACTICE,
                     observation="x", evidence="Burglaries dropped sharply")
    assert _search(coordinator, "radio") == {radio.id}
    assert _search(coordinator, "communicate border") == {radio.id}
    assert _search(coordinator, "interop") == {radio.id}  # prefix
    assert _search(coordinator, "training") == {drones.id}  # stem: trainings / training
    assert _search(coordinator, "burglaries") == {gp.id}  # good-practice fields are indexed
    assert _search(coordinator, "radio drone") == set()  # every word must match
    # Operator syntax and junk are taken as plain words, never an error.
    for junk in ['"', "AND OR NOT", "radio*)(", "':*&|!", "NEAR(radio", "-", "a" * 600, "%_\\"]:
        _search(coordinator, junk)


def test_search_index_follows_updates_and_deletes(app, make):
    coordinator = make.user(role=Role.COORDINATOR)
    item = make_lesson(make.past_event(), coordinator, title="Radio interoperability")
    item.title = "Satellite phones"
    db.session.commit()
    assert _search(coordinator, "radio") == set()
    assert _search(coordinator, "satellite") == {item.id}
    db.session.delete(item)
    db.session.commit()
    assert _search(coordinator, "satellite") == set()


def test_fulltext_index_exists(app):
    if db.engine.dialect.name == "postgresql":
        found = db.session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_lessons_fulltext'"))
        assert found and "gin" in found.lower() and "to_tsvector" in found
        # The search expression is the indexed one, so the planner can use the index.
        from sqlalchemy import select

        from app.lessons.models import Lesson

        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        query = select(Lesson.id).where(fulltext_clause("radio"))
        compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        assert "ix_lessons_fulltext" in plan, plan
    else:
        found = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'lessons_fts'"))
        assert found and "fts5" in found.lower()
    assert fulltext_clause("   ") is None


def test_filters(client, make):
    coordinator = make.user(role=Role.COORDINATOR)
    organised_crime = make.theme("Criminal networks", empact_cycle="2022-2025")
    cyber = make.theme("Cyber-attacks")
    project = make.project("ROXANNE")
    study_visit = make.past_event(kind="study_visit", country="NL")
    study_visit.projects = [project]
    db.session.commit()
    workshop = make.past_event(kind="workshop", country="UA")
    a = make_lesson(study_visit, coordinator, themes=[organised_crime], kind=LessonKind.LESSON,
                    recommendation_type=RecommendationType.POLICY, tlp=TLP.CLEAR)
    b = make_lesson(workshop, coordinator, themes=[cyber], kind=LessonKind.OBSERVATION, tlp=TLP.CLEAR,
                    status=LessonStatus.LEARNED)
    checks = {
        "kind=lesson": {a.id},
        "status=learned": {b.id},
        f"theme={cyber.id}": {b.id},
        "empact_cycle=2022-2025": {a.id},
        "recommendation_type=policy": {a.id},
        "event_kind=workshop": {b.id},
        "country=nl": {a.id},
        f"project={project.id}": {a.id},
        f"event={workshop.id}": {b.id},
        "tlp=clear": {a.id, b.id},
        f"from={study_visit.starts_at.date().isoformat()}&to={study_visit.starts_at.date().isoformat()}": {a.id, b.id},
        "from=2099-01-01": set(),
        # Malformed filters are ignored, never an error.
        "kind=zzz&theme=abc&from=yesterday&country=Narnia&page=-4": {a.id, b.id},
    }
    for query, expected in checks.items():
        response = client.get(f"/lessons/?{query}")
        assert response.status_code == 200, query
        assert _ids(response.get_data(as_text=True)) == expected, query


def test_entries_link_to_their_event_and_pages(client, make):
    coordinator = make.user(role=Role.COORDINATOR)
    event = make.past_event(title="Cross-regional meeting in Chisinau")
    for n in range(25):
        make_lesson(event, coordinator, title=f"Entry {n:02d}", tlp=TLP.CLEAR)
    first = client.get("/lessons/").get_data(as_text=True)
    second = client.get("/lessons/?page=2").get_data(as_text=True)
    assert len(_ids(first)) == 20 and len(_ids(second)) == 5 and not _ids(first) & _ids(second)
    assert "Cross-regional meeting in Chisinau" in first
    assert "Page 1 of 2" in first


def test_list_shows_each_entry_with_its_event_author_and_themes_by_name(client, make):
    """The library lists plain rows (not whole entries): what each shows must still be the entry's."""
    coordinator = make.user(role=Role.COORDINATOR, name="Ana Popescu")
    zeta, alpha = make.theme("Zeta trafficking"), make.theme("Alpha fraud", empact_cycle="2022-2025")
    beta = make.theme("Beta smuggling")
    first = make_lesson(make.past_event(title="Workshop in Tbilisi"), coordinator, title="Radio first",
                        tlp=TLP.CLEAR, themes=[zeta, alpha, beta])
    orphan = make_lesson(make.past_event(title="Study visit to Riga"), None, title="Radio orphan",
                         tlp=TLP.CLEAR, kind=LessonKind.GOOD_PRACTICE, status=LessonStatus.LEARNED)
    html = client.get("/lessons/?q=radio").get_data(as_text=True)
    items = dict(re.findall(r'data-testid="lesson-(\d+)">(.*?)</li>', html, re.S))
    assert set(items) == {str(first.id), str(orphan.id)}
    # Newest first.
    assert html.index(f"lesson-{orphan.id}") < html.index(f"lesson-{first.id}")
    one, two = items[str(first.id)], items[str(orphan.id)]
    assert f'href="/lessons/{first.id}">Radio first</a>' in one and "Workshop in Tbilisi" in one
    assert "Ana Popescu" in one and "Observation" in one and "Validated" in one and "TLP:CLEAR" in one
    badges = re.findall(r'text-start">([^<]*)<', one)
    assert badges == ["Alpha fraud (EMPACT 2022-2025)", "Beta smuggling", "Zeta trafficking"]
    assert "Study visit to Riga" in two and "Ana Popescu" not in two and "Good practice" in two
    assert "Learned" in two and not re.findall(r'text-start">', two)


def test_filters_offer_the_themes_and_projects_in_their_order_whatever_their_names(client, make):
    """The filters' choices come with the search (as JSON: app.lessons.choices.aggregated_choice_parts):
    every theme and project, names with quotes, backslashes and other scripts as they are, EMPACT
    priorities first then by name, projects by acronym, as filter_choices() reads them alone."""
    from app.lessons.choices import filter_choices

    names = ['Zeta "quoted" \\ back', "Alpha <fraud> & co", "Ωmega", "beta lower", "Beta upper", "Ünïcode"]
    themes = [make.theme(name, empact_cycle="2022-2025" if i % 2 else None) for i, name in enumerate(names)]
    projects = [make.project(acronym) for acronym in ("ZED", 'Q"T', "ÄBC", "abc", "M\\N")]
    make_lesson(make.past_event(), make.user(), title="Radio", tlp=TLP.CLEAR, themes=themes[:2])
    html = client.get("/lessons/?q=radio").get_data(as_text=True)

    def options(select_id):
        block = re.search(rf'<select class="form-select" id="{select_id}".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', block)

    expected_themes, expected_projects = filter_choices()
    assert [int(value) for value, _label in options("theme")] == [theme.id for theme in expected_themes]
    assert [int(value) for value, _label in options("project")] == [project.id for project in expected_projects]
    assert {theme.id for theme in themes} <= {int(value) for value, _label in options("theme")}
    assert {project.id for project in projects} <= {int(value) for value, _label in options("project")}
    assert [str(escape(theme.label)) for theme in expected_themes] == [label for _value, label in options("theme")]
    assert [str(escape(project.acronym)) for project in expected_projects] == [
        label for _value, label in options("project")]
    assert options("empact_cycle") == [("2022-2025", "2022-2025")]
    # The entry's badges name its themes by the same rows.
    badges = re.findall(r'text-start">([^<]*)<', html)
    assert badges == [str(escape(themes[1].label)), str(escape(themes[0].label))]


def _library_queries(client, login_client) -> int:
    with QueryCounter(db.engine) as counter:
        assert login_client.get("/lessons/?q=radio").status_code == 200
        assert login_client.get("/lessons/").status_code == 200
    return counter.count


def test_library_queries_do_not_grow_with_entries(login, make):
    coordinator = make.user(role=Role.COORDINATOR)
    themes = [make.theme() for _ in range(3)]
    client = login(coordinator)
    db.session.rollback()  # the sign-in wrote through another session

    def add(n):
        for i in range(n):
            event = make.past_event()
            make_lesson(event, make.user(), title=f"Radio {i}", themes=themes[: i % 3 + 1],
                        tlp=TLP.GREEN)

    add(5)
    small = _library_queries(None, client)
    db.session.rollback()
    add(95)
    large = _library_queries(None, client)
    assert large == small, (small, large)
    # Two pages, built afresh (entries were added). Each: the user, the change stamps, the viewer's
    # facts read with the filter choices (themes and projects), ONE statement for the total, the
    # counts by kind and status, the "awaiting validation" badge and the page's entries with their
    # themes, plus SQLite's BEGIN. It was 9 (+1) a page for a coordinator, then 7 (+1), then 6 (+1).
    assert large <= 2 * 5, large
    # Not cached (kept per viewer and query string it was never found again): built the same way again.
    assert _library_queries(None, client) == large


def test_reindex_command_rebuilds_the_index(app, make, runner):
    coordinator = make.user(role=Role.COORDINATOR)
    item = make_lesson(make.past_event(), coordinator, title="Satellite phones")
    result = runner.invoke(args=["lessons", "reindex"])
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.output
    db.session.rollback()
    assert _search(coordinator, "satellite") == {item.id}


def test_figures_by_kind_and_status_and_awaiting_agree_with_the_list(login, make):
    from app.lessons.models import LessonKind, LessonStatus

    coordinator = make.user(role=Role.COORDINATOR)
    member = make.user()
    event = make.past_event()
    make_lesson(event, member, title="Radio alpha", kind=LessonKind.LESSON)
    make_lesson(event, member, title="Radio beta", kind=LessonKind.GOOD_PRACTICE, status=LessonStatus.LEARNED)
    make_lesson(event, member, title="Radio gamma", status=LessonStatus.SUBMITTED)
    make_lesson(event, member, title="Border delta", status=LessonStatus.SUBMITTED)
    make_lesson(event, member, title="Radio draft", status=LessonStatus.DRAFT)
    client = login(coordinator)
    for query, total, awaiting in (("", 4, 2), ("?q=radio", 3, 2), ("?q=nothingmatches", 0, 2)):
        html = client.get(f"/lessons/{query}").get_data(as_text=True)
        assert f'data-testid="total">{total}<' in html, query
        assert len(_ids(html)) == total, query
        assert f'data-testid="awaiting">Awaiting validation <span class="badge text-bg-info">{awaiting}<' in html
    html = client.get("/lessons/?q=radio").get_data(as_text=True)
    assert "Observation: 1" in html and "Lesson: 1" in html and "Good practice: 1" in html
    assert "Validated (lesson identified): 1" in html and "Learned: 1" in html and "Submitted: 1" in html
    # A page past the end lists nothing but keeps the figures.
    html = client.get("/lessons/?q=radio&page=9").get_data(as_text=True)
    assert 'data-testid="total">3<' in html and not _ids(html)
    # A member sees the published ones and no badge.
    html = login(member).get("/lessons/").get_data(as_text=True)
    assert 'data-testid="total">5<' in html and 'data-testid="awaiting"' not in html


def test_an_organisers_awaiting_figure_is_what_they_may_validate_whatever_the_search(login, make):
    """The awaiting figure of a searched library (its own part of the statement) counts the submitted
    entries the viewer may see: for an organiser their own and those of the events they organise
    (the part reads only those), for a coordinator every visible one."""
    from app.lessons.models import LessonStatus

    organiser = make.user(role=Role.ORGANISER)
    member = make.user()
    created = make.past_event(created_by=organiser)
    co_organised = make.past_event(organisers=[organiser])
    elsewhere = make.past_event()
    make_lesson(created, member, status=LessonStatus.SUBMITTED)
    make_lesson(co_organised, member, status=LessonStatus.SUBMITTED, tlp=TLP.AMBER)
    make_lesson(elsewhere, member, status=LessonStatus.SUBMITTED)
    make_lesson(elsewhere, organiser, status=LessonStatus.SUBMITTED)  # their own
    make_lesson(elsewhere, member, status=LessonStatus.SUBMITTED, tlp=TLP.RED)
    make_lesson(created, member, status=LessonStatus.VALIDATED)
    make_lesson(created, member, status=LessonStatus.DRAFT)
    for viewer, awaiting in ((organiser, 3), (make.user(role=Role.COORDINATOR), 4)):
        client = login(viewer)
        for query in ("", "?q=radio", "?q=nothingmatches", "?q=radio&page=2"):
            html = client.get(f"/lessons/{query}").get_data(as_text=True)
            assert f'data-testid="awaiting">Awaiting validation <span class="badge text-bg-info">{awaiting}<' in html, \
                (viewer.role, query)


def test_country_filter_is_a_list_of_countries_like_the_events_page(client, make, login):
    """Issue 23: a select of countries (names in the page's language), the chosen one selected; also on
    the coordinator's summary page, which shares the filters."""
    body = client.get("/lessons/?country=md").get_data(as_text=True)
    select = re.search(r'<select class="form-select" id="country" name="country">(.*?)</select>', body, re.S)
    assert select, "the country filter is not a select"
    assert '<option value="">Any</option>' in select.group(1)
    assert '<option value="MD" selected>Moldova</option>' in select.group(1)
    assert '<option value="UA">Ukraine</option>' in select.group(1)
    assert 'name="country" value=' not in body  # no free-text field any more
    coordinator = login(make.user(role=Role.COORDINATOR))
    compile_page = coordinator.get("/lessons/summaries/new").get_data(as_text=True)
    assert '<select class="form-select" id="country" name="country">' in compile_page
