"""Statements run on the DBAPI cursor (app.cache.raw.read) give what SQLAlchemy's execute gives: the
event page's first read with its facts (a Numeric one among them, which psycopg types by the
column's type code), the event made into the ORM's Event, and the viewer's registration."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import inspect, select

from app.cache import raw
from app.certificates.models import CertificateSettings
from app.events import access, page_facts
from app.events.models import Event
from app.registrations import event_page
from app.registrations.models import Registration, RegistrationStatus
from tests.querycount import QueryCounter


def _columns(instance) -> dict:
    return {attr.key: getattr(instance, attr.key) for attr in inspect(type(instance)).column_attrs
            if not attr.deferred}


def test_the_event_pages_first_read_on_the_cursor_is_sqlalchemys(app, db, make):
    event = make.event(capacity=30, online_url="https://meet.example.org/x")
    db.session.add(CertificateSettings(event_id=event.id, training_hours=Decimal("12.5"), minimum_score=70))
    make.registration(event, make.user())
    db.session.commit()
    event_id = event.id
    facts = tuple(page_facts._facts.items())
    names, width = tuple(name for name, _column in facts), page_facts._event_width()
    statement = page_facts._load_statement(db.engine.dialect.name, facts)
    expected = db.session.execute(statement, {"event_id": event_id, "user_id": 0}).one()
    db.session.expunge_all()
    with app.test_request_context("/"):
        row, plan = raw.read(db.session, ("test", names), lambda: statement, {"event_id": event_id, "user_id": 0})
    assert row == tuple(expected)
    assert [type(value) for value in row] == [type(value) for value in expected]
    hours = dict(zip(names, row[width + 2:], strict=True))["certificates.training_hours"]
    assert hours == Decimal("12.5") and isinstance(hours, Decimal)


def test_a_loaded_event_is_the_orms_and_lazy_loads_as_it_would(app, db, make):
    event = make.event(organisers=[make.user()])
    event_id, organiser_ids = event.id, [user.id for user in event.organisers]
    expected = _columns(db.session.get(Event, event_id))
    db.session.expunge_all()
    with app.test_request_context("/"):
        loaded = access._load(event_id)
        assert inspect(loaded).persistent and loaded in db.session
        assert db.session.execute(select(Event).where(Event.id == event_id)).scalar_one() is loaded
        assert _columns(loaded) == expected
        with QueryCounter(db.engine) as counter:
            assert [user.id for user in loaded.organisers] == organiser_ids
        assert counter.count == 1  # loaded when touched, as the ORM's would
        assert access._load(event_id + 999) is None


def test_a_loaded_instance_has_the_state_set_committed_value_gave_it(app, db, make):
    """raw.loaded puts a row's values into a new instance's dict at once: the state SQLAlchemy's
    set_committed_value on each attribute, then make_transient_to_detached, gave (nothing modified,
    no history, the deferred columns expired, persistent in the session)."""
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.attributes import set_committed_value

    from app.accounts.models import User

    user = make.user()
    event = make.event(organisers=[user], online_url="https://meet.example.org/y")
    db.session.commit()
    for model, row_id in ((Event, event.id), (User, user.id)):
        values = dict(db.session.execute(select(*raw.columns_by_attribute(model)).where(model.id == row_id))
                      .one()._mapping)
        db.session.expunge_all()
        old = inspect(model).class_manager.new_instance()
        for key, value in values.items():
            set_committed_value(old, key, value)
        make_transient_to_detached(old)
        new = raw.loaded(db.session(), model, values)
        old_state, new_state = inspect(old), inspect(new)
        assert new_state.persistent and new in db.session and not new_state.modified
        assert new_state.key == old_state.key
        assert new_state.dict.keys() - {"_sa_instance_state"} == old_state.dict.keys() - {"_sa_instance_state"}
        assert all(new_state.dict[key] == old_state.dict[key] for key in values)
        assert new_state.committed_state == old_state.committed_state == {}
        assert new_state.expired_attributes == old_state.expired_attributes
        assert new_state.unloaded == old_state.unloaded and new_state.callables == old_state.callables
        assert raw.loaded(db.session(), model, values) is new  # in the session: returned as it is


def test_an_event_already_in_the_session_is_returned_as_it_is(app, db, make):
    event = make.event(title="Before")
    db.session.commit()
    event.title = "Changed in this session"
    with app.test_request_context("/"):
        assert access._load(event.id) is event and event.title == "Changed in this session"


def test_the_viewers_registration_on_the_cursor_is_the_orms(app, db, make):
    member, stranger = make.user(), make.user()
    event = make.event()
    mine = make.registration(event, member, status="waitlisted")
    make.registration(event, make.user())
    db.session.commit()
    event_id, mine_id, member_id, stranger_id = event.id, mine.id, member.id, stranger.id
    expected = _columns(mine)
    db.session.expunge_all()
    with app.test_request_context("/"):
        event = db.session.get(Event, event_id)
        registration, invitation_id, tally = event_page._viewer_facts(db.session.get(type(member), member_id), event)
        assert registration.id == mine_id and registration.status is RegistrationStatus.WAITLISTED
        assert _columns(registration) == expected and tally is None and invitation_id is None
        assert db.session.get(Registration, mine_id) is registration
        assert event_page._viewer_facts(db.session.get(type(stranger), stranger_id), event)[0] is None


def test_the_viewers_registration_read_with_the_event_is_the_orms(app, db, make):
    """Read with the event by the event page (page_facts' viewer facts): the same object, from the
    first statement's row, with no statement of its own."""
    member = make.user()
    event = make.event()
    mine = make.registration(event, member, status="waitlisted")
    make.registration(event, make.user())
    db.session.commit()
    event_id, mine_id, member_id = event.id, mine.id, member.id
    expected = _columns(mine)
    db.session.expunge_all()
    with app.test_request_context("/"):
        user = db.session.get(type(member), member_id)
        event = page_facts.load_visible_or_404(event_id, user)
        with QueryCounter(db.engine) as counter:
            registration, invitation_id, tally = event_page._viewer_facts(user, event)
        assert counter.count == 0
        assert registration.id == mine_id and registration.status is RegistrationStatus.WAITLISTED
        assert _columns(registration) == expected and tally is None and invitation_id is None
        assert inspect(registration).persistent and db.session.get(Registration, mine_id) is registration


def test_a_loaded_user_is_in_the_state_the_orms_loading_leaves_it(app, db, make):
    """raw.loaded puts a row's values straight into a new instance: nothing pending, nothing expired
    but the columns the row lacks, and a change flushes that column alone, as with the ORM's instance."""
    from app.accounts import auth
    from app.accounts.models import User
    from app.cache import stamps

    user = make.user(position="Lead")
    db.session.commit()
    user_id = user.id
    db.session.expunge_all()
    with app.test_request_context("/"):
        values = stamps.first_row_with_stamps(db.session, auth._user_statement, {"user_id": user_id, "sid": ""})
        loaded = raw.loaded(db.session(), User, values)
        state = inspect(loaded)
        assert state.persistent and loaded in db.session and not db.session.dirty
        assert not state.modified and not state.committed_state
        assert state.unloaded == {key for key in inspect(User).attrs.keys() if key not in values}
        assert db.session.get(User, user_id) is loaded and loaded.position == "Lead"
        loaded.position = "Chair"
        assert state.attrs.position.history.deleted == ["Lead"]  # the loaded value is the committed one
        with QueryCounter(db.engine) as counter:
            db.session.flush()
        assert counter.count == 1 and "position" in counter.statements[0] and "email" not in counter.statements[0]
    db.session.rollback()
