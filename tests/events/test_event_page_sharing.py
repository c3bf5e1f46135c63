"""The event page's cached parts shared between viewers (issue 19, the cache paying its way): a viewer
in the event's own zone shares the main column of a viewer without one, anonymous visitors share
the lessons box; nobody is served a part built for someone who sees more."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app.accounts.models import Role
from app.lessons.models import TLP
from tests.factories import lesson as make_lesson

START = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)


def _page(client, event_id: int) -> str:
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _entries(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-testid="lesson-(\d+)"', html)}


def test_a_viewer_in_the_events_zone_shares_the_main_column_of_one_without_a_zone(app, make, login, client):
    event = make.event("Kyiv workshop", starts_at=START, timezone="Europe/Kyiv")
    elsewhere = make.user(timezone="Asia/Tbilisi")
    at_home = make.user(timezone="Europe/Kyiv")
    assert "Your time (Asia/Tbilisi)" in _page(login(elsewhere), event.id)
    anonymous = _page(client, event.id)
    home = _page(login(at_home), event.id)
    for html in (anonymous, home):
        assert 'data-testid="your-time"' not in html and "Asia/Tbilisi" not in html
    main = re.compile(r'data-testid="event-when">.*?</dd>', re.S)
    assert main.search(anonymous).group(0) == main.search(home).group(0)


def test_a_visitor_and_a_member_share_the_calendar_box_each_with_their_own_feed_line(app, make, login, client,
                                                                                    monkeypatch):
    """The calendar box is kept with the main column (one lookup for both): a member finds what a
    visitor's page built and reads the line for signed-in viewers; a visitor's box is what the
    template writes on its own."""
    from flask import render_template

    from app.cache import timing

    event = make.event("Kyiv workshop", starts_at=START, timezone="Europe/Kyiv")
    make.session(event, title="Opening", starts_at=START, ends_at=START.replace(hour=8))
    member = login(make.user(timezone="Europe/Kyiv"))
    lookups: list[tuple[str, bool]] = []
    monkeypatch.setattr(timing, "note_lookup", lambda hit, key="": lookups.append((key.split(":", 1)[0], hit)))
    box = re.compile(r'<section class="card mb-3" aria-labelledby="calendar-links-title".*?</section>', re.S)
    visitor_box = box.search(_page(client, event.id)).group(0)
    member_box = box.search(_page(member, event.id)).group(0)
    assert [name for name, _hit in lookups if name.startswith("events.") and name != "events.lesson_entries"] == [
        "events.detail_main", "events.detail_main"]
    assert lookups[-1] == ("events.detail_main", True)
    assert 'data-testid="subscribe-link"' in member_box and "after signing in" not in member_box
    assert "after signing in" in visitor_box and 'data-testid="subscribe-link"' not in visitor_box
    assert 'data-testid="ics-download-sessions"' in member_box and f"/events/{event.id}.ics" in visitor_box
    with app.test_request_context(f"/events/{event.id}"):  # the template on its own, for a visitor
        assert box.search(render_template("calendar/_event_links.html", event=event)).group(0) == visitor_box


def test_the_lessons_box_is_shared_by_anonymous_visitors_only(app, make, login, client):
    organiser = make.user(Role.ORGANISER)
    attendee, stranger = make.user(), make.user()
    event = make.past_event(organisers=[organiser])
    make.attendee(event, attendee)
    clear = make_lesson(event, organiser, tlp=TLP.CLEAR, title="Radio clear")
    red = make_lesson(event, organiser, tlp=TLP.RED, title="Radio codes were shared")
    # Anonymous first (the shared box is built), then the attendee who sees more, then the others.
    assert _entries(_page(client, event.id)) == {clear.id}
    attendee_page = _page(login(attendee), event.id)
    assert _entries(attendee_page) == {clear.id, red.id}
    assert "/lessons/new" in attendee_page.split('data-testid="event-entries"')[1]  # may record: attended
    stranger_page = _page(login(stranger), event.id)
    assert _entries(stranger_page) == {clear.id}
    assert "/lessons/new" not in stranger_page.split('data-testid="event-entries"')[1]
    assert _entries(_page(client, event.id)) == {clear.id}
    # A new public entry reaches the anonymous box at once.
    newer = make_lesson(event, organiser, tlp=TLP.CLEAR, title="Radio newer")
    assert _entries(_page(client, event.id)) == {clear.id, newer.id}


def test_viewers_in_other_zones_share_one_main_column_each_with_their_own_times(app, make, login, monkeypatch):
    """The main column is built once for every zone (app.events.page_times): a viewer in another zone
    finds it, and still reads their own times, as the page wrote them for them alone before."""
    from app.cache import timing

    event = make.event("Kyiv workshop", starts_at=START, timezone="Europe/Kyiv")
    make.session(event, title="Opening", starts_at=START, ends_at=START.replace(hour=8))
    zones = ("Asia/Tbilisi", "Europe/Lisbon", "Europe/Kyiv")
    viewers = {zone: make.user(timezone=zone) for zone in zones}  # (a new user moves the users' stamp)
    lookups: list[tuple[str, bool]] = []
    monkeypatch.setattr(timing, "note_lookup", lambda hit, key="": lookups.append((key.split(":", 1)[0], hit)))
    pages = {}
    for zone in zones:
        client = login(viewers[zone])
        lookups.clear()
        pages[zone] = _page(client, event.id)
        pages[zone, "main"] = [hit for name, hit in lookups if name == "events.detail_main"]
    assert pages["Asia/Tbilisi", "main"] == [False]
    assert pages["Europe/Lisbon", "main"] == [True] and pages["Europe/Kyiv", "main"] == [True]
    # 07:00 UTC: 10:00 in Kyiv, 11:00 in Tbilisi, 08:00 in Lisbon (summer time); the session to 08:00 UTC.
    assert "Your time (Asia/Tbilisi)" in pages["Asia/Tbilisi"] and "Asia/Tbilisi" not in pages["Europe/Lisbon"]
    assert '<small class="text-muted" title="Your time (Asia/Tbilisi)">Mon 11:00–12:00</small>' in pages["Asia/Tbilisi"]
    assert '<small class="text-muted" title="Your time (Europe/Lisbon)">Mon 08:00–09:00</small>' in pages["Europe/Lisbon"]
    assert "Times in Europe/Kyiv; your time (Europe/Lisbon) in grey." in pages["Europe/Lisbon"]
    assert 'data-testid="your-time"' not in pages["Europe/Kyiv"] and "in grey" not in pages["Europe/Kyiv"]
    assert "10:00–11:00" in pages["Europe/Kyiv"]


def test_a_participant_in_another_zone_reads_the_warm_page_in_three_statements(app, make, login):
    """With the main column found (built for a viewer of another zone) the page asks: the user, the
    event with its facts and the viewer's registration, and the lessons box's check of their
    attendance. The agenda's facts kept with the column answer the certificate rule and the sign-up
    sessions (before: 5, the main column built again for the zone, or, found, the event's sessions
    loaded for the certificate rule; then 4, the viewer's registration read on its own)."""
    from app.extensions import db
    from tests.querycount import QueryCounter

    event = make.event("Kyiv workshop", starts_at=START, timezone="Europe/Kyiv")
    make.session(event, title="Opening", starts_at=START, ends_at=START.replace(hour=8), has_signup=True, capacity=5)
    first, second = make.user(timezone="Asia/Tbilisi"), make.user(timezone="Europe/Lisbon")
    for person in (first, second):
        make.registration(event, person)
    event_id = event.id
    assert "Opening" in _page(login(first), event_id)
    client = login(second)
    db.session.expunge_all()
    with QueryCounter(db.engine) as counter:
        html = _page(client, event_id)
    assert "Opening" in html and 'data-testid="certificate-rule"' not in html
    assert counter.count == 3 + (db.engine.dialect.name == "sqlite"), "\n".join(s[:150] for s in counter.statements)


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_column_and_boxes_found_in_the_cache_read_as_built_in_every_script(app, make, login, client, monkeypatch):
    """The main column is kept as UTF-8 and the cached boxes as UTF-8 text (app.events.page_times,
    app.cache.fragments.cached): what a viewer finds is, byte for byte, what was built, in Cyrillic
    and with the agenda's en dashes, for a viewer with their own times and for one without."""
    from app.cache import fragments, timing

    event = make.event("Семінар: спільне патрулювання – Київ", starts_at=START, timezone="Europe/Kyiv",
                       summary="Обмін досвідом · «практика»", venue="Будинок вчителя")
    make.session(event, title="Відкриття – вступ", starts_at=START, ends_at=START.replace(hour=8), room="Зала №3")
    viewers = {"elsewhere": login(make.user(timezone="Asia/Tbilisi")), "home": login(make.user(timezone="Europe/Kyiv")),
               "visitor": client}
    lookups: list[tuple[str, bool]] = []
    monkeypatch.setattr(timing, "note_lookup", lambda hit, key="": lookups.append((key.split(":", 1)[0], hit)))
    for name, viewer in viewers.items():
        with app.app_context():
            fragments.clear()
        lookups.clear()
        built = _page(viewer, event.id)
        found = _page(viewer, event.id)
        assert ("events.detail_main", True) in lookups, name
        for start, end in (('<div class="col-lg-8 event-main">', '<div class="col-lg-4 event-side">'),
                           ('data-testid="calendar-links"', "</section>")):
            assert _between(found, start, end) == _between(built, start, end), name
        assert "Семінар: спільне патрулювання – Київ" in found and "Відкриття – вступ" in found
        assert "10:00–11:00" in found and "Зала №3" in found
    assert "Mon 11:00–12:00" in _page(viewers["elsewhere"], event.id)


def test_the_kept_column_holds_its_text_as_utf8_and_the_agenda_without_the_columns_texts(app, make, client, monkeypatch):
    """What the cache keeps of the main column (issue 19: it was most of the cache's bytes): its pieces
    as UTF-8 bytes, and of the agenda only what the boxes below read."""
    from app.cache import fragments

    kept = []
    remember = fragments.remember

    def spy(name, key, tables, compute, **kw):
        value = remember(name, key, tables, compute, **kw)
        if name == "events.detail_main":
            kept.append(value)
        return value

    monkeypatch.setattr(fragments, "remember", spy)
    event = make.event("Radio workshop – spring", starts_at=START, timezone="Europe/Kyiv")
    session = make.session(event, title="Opening", starts_at=START, ends_at=START.replace(hour=8), room="Hall 2",
                           has_signup=True, capacity=12)
    assert "Hall 2" in _page(client, event.id)
    (column,) = kept
    assert column.pieces and all(isinstance(piece, bytes) for piece in column.pieces)
    (item,) = column.agenda
    assert (item.id, item.title, item.starts_at, item.ends_at, item.has_signup, item.capacity) == (
        session.id, "Opening", START, START.replace(hour=8), True, 12)
    assert item.kind is not None
    assert (item.room, item.speakers, item.speaker_names, item.start_clock, item.description, item.facility) == (
        None, None, None, None, None, None)
