"""The reader of a calendar statement built once and kept (per shape of reader), with the reader's
id bound when it runs: the access rules (app.events.access) are applied to a stand-in that answers
what they branch on (signed in, role), so each rule keeps its one home."""

from __future__ import annotations

from sqlalchemy import Integer, bindparam

from app.roles import BoundUser, is_signed_in

READER_ID = "reader_id"
READER = bindparam(READER_ID, type_=Integer)  # the reader's id, bound when a statement runs


def shape(user) -> tuple[bool, object]:
    """What the access rules branch on: whether `user` is signed in (app.roles.is_signed_in), their role."""
    signed_in = is_signed_in(user)
    return signed_in, user.role if signed_in else None


def stand_in(signed_in: bool, role, reader_id=READER) -> BoundUser:
    """The reader of that shape, its id `reader_id`: the bound READER, or an expression (a subquery
    finding the reader in the same statement: app.calendar.personal_polls.by_token_statement)."""
    return BoundUser(signed_in, role, reader_id)


def params(user) -> dict:
    return {READER_ID: user.id if is_signed_in(user) else None}
