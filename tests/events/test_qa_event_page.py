"""Regressions found in the QA walk-through of the event page."""

import re

from app.accounts.models import Role


def _organisers_cell(html: str) -> str:
    match = re.search(r"<dt[^>]*>Organisers</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    assert match, "the event page lists its organisers"
    return match.group(1)


def test_creator_who_is_also_an_organiser_is_listed_once(client, make):
    creator = make.user(role=Role.ORGANISER, name="Taras Hrytsenko")
    other = make.user(role=Role.ORGANISER, name="Carl Co")
    event = make.event("Webinar", created_by=creator, organisers=[creator, other])

    html = client.get(f"/events/{event.id}").get_data(as_text=True)

    cell = _organisers_cell(html)
    assert cell.count("Taras Hrytsenko") == 1
    assert cell.count("Carl Co") == 1


def test_long_theme_labels_may_wrap_instead_of_overflowing(client, make):
    theme = make.theme("Drugs trafficking: synthetic drugs and new psychoactive substances", empact_cycle="2022-2025")
    event = make.event("Webinar")
    event.themes = [theme]
    from app.extensions import db
    db.session.commit()

    for url in (f"/events/{event.id}", "/events"):
        html = client.get(url).get_data(as_text=True)
        badge = re.search(r'<span class="([^"]*)">Drugs trafficking: synthetic', html)
        assert badge, url
        assert "text-wrap" in badge.group(1), url


def test_agenda_offers_only_the_session_moves_that_can_happen(login, make):
    from datetime import timedelta

    creator = make.user(role=Role.ORGANISER)
    event = make.event("Workshop", created_by=creator)
    start = event.starts_at
    alone = make.session(event, "Opening", starts_at=start)
    first = make.session(event, "Room A", starts_at=start + timedelta(hours=2), position=0)
    second = make.session(event, "Room B", starts_at=start + timedelta(hours=2), position=1)

    html = login(creator).get(f"/events/{event.id}").get_data(as_text=True)

    def moves(item):
        return set(re.findall(rf'/sessions/{item.id}/move">\s*<input[^>]*><input type="hidden" name="direction" value="(\w+)"',
                              html))

    assert moves(alone) == set()  # no parallel session: moving could never do anything
    assert moves(first) == {"down"}
    assert moves(second) == {"up"}
