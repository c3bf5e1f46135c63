"""The event page serves its agenda, calendar box and lessons box from cached fragments: every
change must show on the next view, and no viewer may see a fragment built for someone else."""

from __future__ import annotations

import re

from app.accounts.models import Role
from app.events.models import SessionSpeaker
from app.lessons.models import TLP
from tests.factories import lesson


def _page(client, event) -> str:
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_session_and_a_renamed_speaker_show_on_the_next_view(client, make, db):
    event = make.event(title="Cross-border hot pursuit workshop")
    speaker = make.user(name="Ion Popescu")
    session = make.session(event, title="Legal framework")
    db.session.add(SessionSpeaker(session_id=session.id, user_id=speaker.id))
    db.session.commit()
    html = _page(client, event)
    assert "Legal framework" in html and "Ion Popescu" in html
    _page(client, event)  # from the cache

    make.session(event, title="Joint patrols in practice")
    speaker.name = "Ion Popescu-Rusu"
    db.session.commit()
    html = _page(client, event)
    assert "Joint patrols in practice" in html
    assert "Ion Popescu-Rusu" in html


def test_organiser_controls_are_neither_cached_for_others_nor_lost_for_organisers(client, login, make):
    organiser, member = make.user(Role.ORGANISER), make.user(Role.MEMBER)
    event = make.event(created_by=organiser)
    make.session(event, title="Opening")
    edit_link = f"/events/{event.id}/sessions/"
    assert edit_link not in _page(login(member), event)  # the member's view is cached first
    organiser_page = _page(login(organiser), event)
    assert edit_link in organiser_page and 'name="csrf_token"' in organiser_page
    assert edit_link not in _page(client, event)
    assert edit_link not in _page(login(member), event)


def test_the_organisers_column_is_built_for_each_view_with_its_own_token(login, make, monkeypatch):
    from app.cache import timing

    organiser, coordinator = make.user(Role.ORGANISER), make.user(Role.COORDINATOR)
    event = make.event(created_by=organiser)
    for title in ("Opening", "Closing"):  # each with its edit, move and delete forms
        make.session(event, title=title)
    lookups: list[tuple[str, bool]] = []
    monkeypatch.setattr(timing, "note_lookup", lambda hit, key="": lookups.append((key.split(":", 1)[0], hit)))
    pages = [_page(login(person), event) for person in (organiser, coordinator, organiser)]
    # Not kept (found 9 times in 207 in the mix's replay), nor the visitors' column used for them.
    assert [name for name, _hit in lookups if name.startswith("events.detail_main")] == []
    tokens = []
    for page in pages:
        found = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(found) == 1 and "\x00" not in page
        assert f"/events/{event.id}/sessions/" in page and "Move down" in page
        tokens.append(found.pop())
    assert len(set(tokens)) == 3  # three sessions, each its own token


def test_the_online_link_is_shown_only_to_confirmed_participants(client, login, make):
    event = make.event(format="online", online_url="https://meet.example/room-42")
    participant, other = make.user(), make.user()
    make.registration(event, participant)
    assert "https://meet.example/room-42" in _page(login(participant), event)
    assert "https://meet.example/room-42" not in _page(login(other), event)
    assert "https://meet.example/room-42" not in _page(client, event)


def test_an_amber_entry_is_seen_by_attendees_only_and_as_soon_as_they_attend(login, make):
    event = make.past_event()
    author, attendee, later = make.user(), make.user(), make.user()
    make.attendee(event, author)
    make.attendee(event, attendee)
    lesson(event, author, title="Interpreters were booked too late", tlp=TLP.AMBER_STRICT)

    attendee_web, later_web = login(attendee), login(later)
    assert "Interpreters were booked too late" in _page(attendee_web, event)
    assert "Interpreters were booked too late" not in _page(later_web, event)

    make.attendee(event, later)  # checked in: now they attended
    assert "Interpreters were booked too late" in _page(later_web, event)


def test_a_validated_entry_appears_on_the_event_page_at_once(client, make):
    event = make.past_event()
    author = make.user()
    assert "Radio interoperability failed" not in _page(client, event)
    lesson(event, author, tlp=TLP.CLEAR)
    assert "Radio interoperability failed" in _page(client, event)


def test_sign_up_sessions_and_their_places_follow_every_change(login, make, db):
    event = make.event()
    viewer, other = make.user(), make.user()
    web = login(viewer)
    make.session(event, title="Forensic triage lab", has_signup=True, capacity=10)
    html = _page(web, event)
    assert "Forensic triage lab" in html and "0/10 places" in html
    _page(web, event)  # remembered

    lab = make.session(event, title="Drone detection lab", has_signup=True, capacity=4)
    make.signup(lab, other)
    html = _page(web, event)
    assert "Drone detection lab" in html and "1/4 places" in html
