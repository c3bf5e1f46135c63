"""The signed-in user's statement run on the DBAPI cursor (app.cache.raw) gives what SQLAlchemy's
execute gives, with the change stamps packed as text (app.cache.packing) and added up over shards."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import insert

from app.accounts import auth
from app.accounts.models import RevokedSession, Role
from app.cache import event_stamps, packing, stamps
from app.cache.models import ChangeStamp, ChangeStampShard
from app.timeutil import now
from tests.querycount import QueryCounter


def _through_sqlalchemy(db, build, params) -> tuple[dict | None, dict]:
    statement = stamps._with_stamps(build, db.engine.dialect.name)
    row = db.session.connection().execute(statement, params).first()
    if row is None:
        return None, {}
    return dict(zip(row._fields[:-1], row[:-1], strict=True)), packing.unpack(row[-1])


@pytest.mark.parametrize("build", [auth._page_view_user_statement, auth._user_statement])
def test_the_users_row_on_the_cursor_is_sqlalchemys(app, db, make, build):
    user = make.user(role=Role.ORGANISER, pending_email="new@example.org", last_login_at=now(), position="Lead")
    db.session.commit()
    params = {"user_id": user.id, "sid": "a-session"}
    with app.test_request_context("/"):
        expected, expected_stamps = _through_sqlalchemy(db, build, params)
        with QueryCounter(db.engine) as counter:
            values = stamps.first_row_with_stamps(db.session, build, params)
        assert counter.count == 1  # listeners see the statement (counts, Server-Timing, dependencies)
        assert values == expected
        assert {key: type(value) for key, value in values.items()} == {key: type(value) for key, value in expected.items()}
        assert values["role"] is Role.ORGANISER and isinstance(values["last_login_at"], datetime)
        assert values["last_login_at"].tzinfo is not None
        assert stamps.read(db.session) == expected_stamps and expected_stamps


def test_no_row_for_a_revoked_session_or_a_missing_user(app, db, make):
    user = make.user()
    at = now()
    db.session.add(RevokedSession(sid="gone", user_id=user.id, revoked_at=at, expires_at=at))
    db.session.commit()
    with app.test_request_context("/"):
        assert stamps.first_row_with_stamps(db.session, auth._user_statement, {"user_id": user.id, "sid": "gone"}) is None
        assert stamps.first_row_with_stamps(db.session, auth._user_statement, {"user_id": user.id + 999, "sid": ""}) is None
        assert stamps.first_row_with_stamps(db.session, auth._user_statement, {"user_id": user.id, "sid": ""})["id"] == user.id


def test_a_failing_statement_raises_sqlalchemys_error(app, db, make, monkeypatch):
    from sqlalchemy.exc import StatementError

    user = make.user()
    db.session.commit()
    with app.test_request_context("/"), pytest.raises(StatementError):
        stamps.first_row_with_stamps(db.session, auth._user_statement, {"user_id": user.id, "sid": object()})


def test_packed_stamps_add_up_every_shard_and_leave_out_other_events(app, db):
    db.session.execute(insert(ChangeStamp), [{"name": "events", "version": 5}, {"name": "sessions@7", "version": 11}])
    db.session.execute(insert(ChangeStampShard), [
        {"name": "events", "shard": 2, "version": 100}, {"name": "events", "shard": 9, "version": 1000},
        {"name": "sessions@*", "shard": 3, "version": 40}, {"name": "sessions@7", "shard": 3, "version": 2},
        {"name": "sessions@8", "shard": 3, "version": 9}])
    db.session.commit()
    with app.test_request_context("/"):
        whole = stamps.read(db.session)
        assert whole["events"] == 1105 and whole["sessions@*"] == 40
        assert not any(name.startswith("sessions@") and name != "sessions@*" for name in whole)
        assert event_stamps.read(db.session, 7)["sessions"] == 13
    assert packing.unpack("a 1 b 2 a 3") == {"a": 4, "b": 2}
    assert packing.unpack(None) == {} and packing.unpack("") == {}


def test_a_text_unpacked_again_gives_the_same_stamps_in_a_dict_of_its_own():
    first = packing.unpack("x 1 y 2 x 3")
    first["x"] = 99  # a caller's change stays in its copy
    assert packing.unpack("x 1 y 2 x 3") == {"x": 4, "y": 2}
    assert packing.unpack("x 1 y 2 x 4") == {"x": 5, "y": 2}  # another text, another answer
    for number in range(packing._UNPACKED_MAX * 3):
        assert packing.unpack(f"n {number}") == {"n": number}
    assert len(packing._UNPACKED) <= packing._UNPACKED_MAX


def _first_statement(db, client, url) -> str:
    with QueryCounter(db.engine) as counter:
        assert client.get(url).status_code == 200
    return next(s for s in counter.statements if "FROM users" in s)


def test_with_the_cache_on_the_users_statement_brings_the_stamps(app, db, make, login):
    client = login(make.user())
    assert "change_stamps" in _first_statement(db, client, "/profile")


def test_with_the_cache_off_the_users_statement_leaves_the_stamps_out(app, db, make, login, cold):
    # No page view reads them with the cache off: the statement costs the database about half.
    client = login(make.user())
    assert "change_stamps" not in _first_statement(db, client, "/profile")
    assert "change_stamps" not in _first_statement(db, client, "/events")
