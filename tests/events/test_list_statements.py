"""The events list built afresh (nothing of it cached) in a fixed number of statements: the signed-in
user with the change stamps and whether they organise a draft, the count with the page of events (only
the columns a row shows), their hosts and themes, and the filter's projects and themes together (7,
then 6 before: whether they organise a draft, the count and the themes were statements of their own)."""

import re
from datetime import UTC, datetime, timedelta

from app.cache import fragments
from app.extensions import db
from app.timeutil import set_now
from tests.querycount import QueryCounter, cold_statements

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def test_events_list_cold_in_three_statements(app, make, login):
    set_now(NOW)
    try:
        themes = [make.theme("Cybercrime", empact_cycle="2026-2029"), make.theme("Drugs")]
        projects = [make.project("ALPHA"), make.project("BETA")]
        host = make.organisation()
        for index in range(3):
            event = make.event(f"Listed {index}", starts_at=NOW + timedelta(days=index + 1), city="Kyiv",
                               country="UA", host_organisation_id=host.id, timezone="Europe/Kyiv",
                               description="A long description the list does not show.")
            event.themes = themes
            event.projects = projects
        db.session.commit()
        client = login(make.user(timezone="America/New_York"))
        statements, page = cold_statements(app, client, "/events")
        assert all(f"Listed {index}" in page for index in range(3))
        assert "Cybercrime (EMPACT 2026-2029)" in page and "ALPHA" in page and host.name in page
        assert len(statements) == 3, statements
        listed = next(s for s in statements if "FROM event_themes" in s or "JOIN event_themes" in s)
        assert "events.description" not in listed  # the long texts stay in the database
        assert "count(" in listed.lower()
        # Past the last page: the count still comes with it, in the same statement.
        statements, page = cold_statements(app, client, "/events?page=9")
        assert len(statements) == 3 and "3 events" in page, statements
        statements, page = cold_statements(app, client, "/events/calendar?year=2026&month=9")
        assert "ALPHA" in page and "Drugs" in page
        assert sum("FROM projects" in s for s in statements) == 1 and not any("FROM themes" in s and "projects" not in s
                                                                             for s in statements), statements
    finally:
        set_now(None)



def _listed_world(make):
    """Events with themes (an EMPACT priority beside its plain namesake) and projects, hosts or none, a
    past event and a draft; projects and themes whose names sort otherwise than their ids."""
    themes = [make.theme("Drugs"), make.theme("Cybercrime", empact_cycle="2026-2029"), make.theme("Cybercrime"),
              make.theme("Arms trafficking", empact_cycle="2022-2025")]
    projects = [make.project("ZETA"), make.project("ALPHA"), make.project("M&M <b>")]
    host = make.organisation()
    for index in range(23):
        event = make.event(f"Listed {index} & <i>", starts_at=NOW + timedelta(days=index + 1), city="Kyiv",
                           country="UA" if index % 2 else "GE", host_organisation_id=host.id if index % 3 else None,
                           timezone="Europe/Kyiv" if index % 2 else "Asia/Tbilisi")
        event.themes = themes[index % 4:]
        event.projects = projects[index % 3:]
    make.event("Ended", starts_at=NOW - timedelta(days=3))
    make.event("Draft", starts_at=NOW + timedelta(days=2), status="draft")
    db.session.commit()
    return themes, projects


# Each with its language (a visitor's `lang` is remembered in the session).
LIST_QUERIES = ("?lang=en", "?page=2&lang=en", "?page=9&lang=uk", "?tab=past&lang=en", "?country=UA&lang=uk",
                "?kind=workshop&lang=en", "?q=nothing&lang=en", "?theme=2&lang=ka", "?mine=1&lang=en")


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]*"', "", page)


def test_with_the_cache_off_the_filter_choices_are_kept_under_stamps_read_with_the_list(app, make, login, client,
                                                                                      monkeypatch):
    """With the cache off, signed in: the user, then the list with the change stamps of projects and
    themes, the choices kept in this worker under them (2 statements; 3 before); a visitor's list in
    1 (2 before). The pages are those the cache gives, and a new project shows at once."""
    set_now(NOW)
    try:
        themes, projects = _listed_world(make)
        viewers = {"member": login(make.user(timezone="America/New_York")),
                   "organiser": login(make.user(role="organiser")), "visitor": client}
        for web in viewers.values():
            web.get("/events")  # the welcome
        kept = {(name, query): _without_tokens(web.get(f"/events{query}").get_data(as_text=True))
                for name, web in viewers.items() for query in LIST_QUERIES}
        page = kept[("member", "?lang=en")]
        # The choices in projects_and_themes' order: by acronym, by name then cycle.
        assert page.index(f'value="{projects[2].id}">M&amp;M &lt;b&gt;<') < page.index('>ZETA<')
        assert page.index(f'value="{themes[3].id}">Arms trafficking (EMPACT 2022-2025)<') < page.index('>Drugs<')
        monkeypatch.delitem(app.extensions, fragments.EXTENSION, raising=False)
        monkeypatch.setitem(app.config, "CACHE_TYPE", "NullCache")
        for (name, query), page in kept.items():
            viewers[name].get(f"/events{query}")  # (the first view in a language reads the choices)
            with QueryCounter(db.engine) as counter:
                cold = viewers[name].get(f"/events{query}").get_data(as_text=True)
            reads = [s for s in counter.statements if not s.startswith("BEGIN")]  # (SQLite)
            assert len(reads) == (1 if name == "visitor" else 2), (name, query, reads)
            assert "counted" in reads[-1] and "change_stamps" in reads[-1] and "FROM projects" not in reads[-1]
            assert _without_tokens(cold) == page, (name, query)
        make.project("NEWPROJ")
        assert ">NEWPROJ<" in client.get("/events?lang=en").get_data(as_text=True)
    finally:
        set_now(None)


def test_a_visitor_s_list_reads_the_change_stamps_in_its_one_statement(app, make, client):
    """With the cache on, a visitor's list brings the change stamps (its filter form is kept under
    them) in the list's statement: 1 statement once the form and its choices are kept (2 before),
    and an added project still shows at once."""
    set_now(NOW)
    try:
        _listed_world(make)
        first = client.get("/events?country=UA").get_data(as_text=True)
        with QueryCounter(db.engine) as counter:
            again = client.get("/events?country=UA").get_data(as_text=True)
        reads = [s for s in counter.statements if not s.startswith("BEGIN")]  # (SQLite)
        assert len(reads) == 1 and "change_stamps" in reads[0], reads
        assert _without_tokens(again) == _without_tokens(first)
        make.project("NEWPROJ")
        assert ">NEWPROJ<" in client.get("/events?country=UA").get_data(as_text=True)
    finally:
        set_now(None)
