"""An entry's page reads its entry with the TLP rule built once per shape of viewer (app.lessons.queries
._entry_statement on app.lessons.bound_rule): the viewer's id and organisation are parameters and the
viewer's facts are read in the statement, so every viewer of a role sends one text (PostgreSQL keeps a
generic plan) and each still sees only what the rule opens to them."""

from __future__ import annotations

from app.extensions import db
from app.lessons.models import TLP
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now
from tests.factories import lesson as make_lesson
from tests.querycount import cold_statements

# The user (with the change stamps), the entry with its event, people and themes, whether the viewer
# co-organises its event (kept in the cache when warm), its history (steps and marking changes in one
# statement), its actions. (Before: 7, the themes and the marking changes apart.)
ENTRY_STATEMENTS = 5


def _two_members(make):
    """Two members of two organisations, each with a colleague who attended an event of their own with
    an AMBER and a RED entry: [(member, amber, red)] for each."""
    found = []
    for _ in range(2):
        member = make.user(organisation=make.organisation())
        colleague = make.user(organisation=member.organisation)
        event = make.past_event()
        db.session.add(Registration(event_id=event.id, user_id=colleague.id, status=RegistrationStatus.CONFIRMED,
                                    checked_in_at=now()))
        db.session.commit()
        themes = [make.theme(name=name) for name in ("Zulu radio", "Alpha radio")]
        found.append((member, make_lesson(event, colleague, title="Amber entry", tlp=TLP.AMBER, themes=themes),
                      make_lesson(event, colleague, title="Red entry", tlp=TLP.RED)))
    return found


def test_entry_statement_is_built_once_per_shape_and_binds_the_viewer(app, login, make, monkeypatch):
    """Two members of one role share the statement, built once; each sees their organisation's AMBER
    entry and not the other's, nor a RED entry of an event they did not attend (404)."""
    from app.lessons import bound_rule, queries

    (first, first_amber, first_red), (second, second_amber, _second_red) = _two_members(make)
    built = []
    original = bound_rule.bound_rule
    monkeypatch.setattr(bound_rule, "bound_rule", lambda *args: built.append(args) or original(*args))
    queries._entry_statement.cache_clear()
    for viewer, lesson, status in ((first, first_amber, 200), (first, second_amber, 404), (second, second_amber, 200),
                                   (second, first_amber, 404), (first, first_red, 404)):
        assert login(viewer).get(f"/lessons/{lesson.id}").status_code == status, (viewer.email, lesson.title)
    assert len(built) == 1


def test_entry_page_is_one_text_for_every_viewer_of_a_role(app, login, make):
    """The entry's statement is the same text for two members (no lists of their event ids in it), and
    the page reads a fixed number of statements, the themes in name order."""
    (first, first_amber, _red), (second, second_amber, _red2) = _two_members(make)
    texts = []
    for viewer, lesson in ((first, first_amber), (second, second_amber)):
        statements, page = cold_statements(app, login(viewer), f"/lessons/{lesson.id}")
        assert len(statements) == ENTRY_STATEMENTS, [statement[:90] for statement in statements]
        assert page.index("Alpha radio") < page.index("Zulu radio")
        entry = [statement for statement in statements if "WITH facts" in statement]
        assert len(entry) == 1
        texts.append(entry[0])
    assert texts[0] == texts[1]
    assert "ARRAY[" not in texts[0]
