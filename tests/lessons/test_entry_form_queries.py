"""The entry form's page reads its sessions as two columns and its themes from the cache (the same for
every entry, kept until a theme changes): an attendee's form is the user, the event, whether they
attended it and the event's sessions. What the form offers stays in the order it had."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.lessons.models import Lesson
from tests.querycount import QueryCounter, cold_statements

# The user (with the change stamps), the event, the attendee's confirmed registration, the event's
# sessions; when the cache is cold, also whether they co-organise it and the themes' list. (Before: 5
# warm, the themes read on every view, the sessions as whole objects.)
FORM_STATEMENTS = 4


def _attended(make):
    attendee = make.user()
    event = make.past_event()
    make.attendee(event, attendee)
    later = make.session(event, "Zulu workshop", starts_at=event.starts_at + timedelta(hours=2), position=0)
    first = make.session(event, "Opening <plenary> & talks", starts_at=event.starts_at, position=1)
    second = make.session(event, "Alpha panel", starts_at=event.starts_at, position=2)
    make.theme(name="Zebra topic")
    make.theme(name="Cybercrime", empact_cycle="2022-2025")
    make.theme(name="Apple topic")
    return attendee, event, [first, second, later]


def test_entry_form_offers_sessions_in_agenda_order_and_themes_empact_first(app, login, make):
    attendee, event, sessions = _attended(make)
    page = login(attendee).get(f"/events/{event.id}/lessons/new").get_data(as_text=True)
    offered = [page.index(f'<option value="{item.id}">') for item in sessions]
    assert offered == sorted(offered)
    assert "Opening &lt;plenary&gt; &amp; talks" in page
    assert page.index("Cybercrime (EMPACT 2022-2025)") < page.index("Apple topic") < page.index("Zebra topic")


def test_entry_form_reads_its_themes_once_then_from_the_cache(app, login, make):
    attendee, event, _sessions = _attended(make)
    client = login(attendee)
    url = f"/events/{event.id}/lessons/new"
    statements, _page = cold_statements(app, client, url)
    assert len(statements) == FORM_STATEMENTS + 2, [statement[:90] for statement in statements]
    with QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    read = [s for s in counter.statements if not s.startswith("BEGIN")]
    assert len(read) == FORM_STATEMENTS, [statement[:90] for statement in read]
    assert not any("FROM themes" in statement for statement in read)


def test_a_new_theme_is_offered_at_once_and_the_entry_keeps_the_chosen_ones(app, login, make):
    attendee, event, sessions = _attended(make)
    client = login(attendee)
    url = f"/events/{event.id}/lessons/new"
    client.get(url)
    added = make.theme(name="Border management")
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{added.id}">Border management</option>' in page
    response = client.post(url, data={"kind": "observation", "title": "Radios", "tlp": "green",
                                      "session_id": str(sessions[1].id), "themes": [str(added.id)],
                                      "recommendation_type": "", "addressed_to": "",
                                      "save_draft": "Save draft"})
    assert response.status_code == 302
    db.session.rollback()
    lesson = db.session.query(Lesson).one()
    assert lesson.session_id == sessions[1].id and [t.id for t in lesson.themes] == [added.id]
