"""A calendar program's poll of a personal feed (app.calendar.feeds.personal_by_token) in one
statement: the owner's row found by the feed's token and the feed's fingerprint (the one-row
aggregate of app.calendar.personal_reads) for that owner.

Calendar programs poll with If-None-Match, and most polls are answered 304 from the fingerprint
alone: the token's lookup and the aggregate were two round trips, the first one of them a few
microseconds of the database's time. The aggregate's statement depends on the reader's shape
(personal_reads.shape: signed in, role, waitlisted events asked for), which is known only once the
owner is found: it is guessed (the owner's shape at their last poll in this worker, else the usual
one) and checked against the owner found, by shape() itself, so the rule keeps its one home; an
aggregate of the wrong shape is thrown away and the right one read on its own.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

from sqlalchemy import bindparam, select, true

from app.accounts.models import User
from app.cache import raw
from app.calendar import feed_entries
from app.calendar.personal_reads import fingerprint_select, shape
from app.roles import Role

# The fingerprint's columns follow the user's, under these labels.
FINGERPRINT_WIDTH = 14
FINGERPRINT_LABELS = tuple(f"fp{index}" for index in range(FINGERPRINT_WIDTH))


def owner_with(fingerprint, labels: tuple[str, ...]):
    """The user whose calendar token is bound as "token" (their columns by attribute:
    app.cache.raw.loaded) and the columns of `fingerprint(owner)` under `labels`, the select of a
    feed's fingerprint for the reader whose id `owner` gives: a subquery the database runs once (an
    InitPlan on PostgreSQL) before the aggregates, which read by it as they read by a bound id. No
    row for a token nobody holds."""
    token = bindparam("token", type_=User.calendar_token.type)
    owner = select(User.id).where(User.calendar_token == token).cte("owner")
    found = fingerprint(select(owner.c.id).scalar_subquery()).subquery("fingerprint")
    columns = [column.label(label) for column, label in zip(found.c, labels, strict=True)]
    return select(*raw.columns_by_attribute(User), *columns).join_from(User, found, true()).where(
        User.calendar_token == token)


@functools.cache
def by_token_statement(*shape):
    """owner_with the personal feed's fingerprint statement for a reader of `shape`."""
    return owner_with(lambda owner: fingerprint_select(shape, owner), FINGERPRINT_LABELS)


@functools.cache
def by_token_build(shape: tuple):
    """by_token_statement of `shape` as a build without arguments, the same one each time (the key
    of its plan: app.cache.stamps.first_row_with_stamps)."""
    return functools.partial(by_token_statement, *shape)


# Owners found by their tokens whose shape is not the usual one, so that their next poll guesses
# right: by token, in use order, bounded (an entry is a few dozen bytes).
MAX_SHAPES = 4096


class Guesses:
    """The shape a by-token statement runs with for a token, guessed before its owner is found: the
    owner's at their last poll in this worker (remembered only when not the usual one), else the
    usual one, `shape_of(usual_reader)`. Checked by `shape_of` itself, so the rule keeps its home."""

    def __init__(self, shape_of, usual_reader) -> None:
        self._shape_of, self._usual_reader = shape_of, usual_reader
        self._shapes: dict[str, tuple] = {}

    @functools.cached_property
    def usual(self) -> tuple:
        return self._shape_of(self._usual_reader)

    def guessed(self, token: str) -> tuple:
        return feed_entries.found(self._shapes, token) or self.usual

    def right(self, token: str, guessed: tuple, user) -> bool:
        """Whether `user`, found by `token`, is a reader of the `guessed` shape; the owner's shape is
        remembered for the token's next poll either way."""
        found = self._shape_of(user)
        if found == self.usual:
            self._shapes.pop(token, None)
        elif found != guessed:
            feed_entries.make_room(self._shapes, MAX_SHAPES)
            self._shapes[token] = found
        return found == guessed

    def forget(self) -> None:
        self._shapes.clear()


# The usual subscriber: a confirmed member who does not ask for waitlisted events.
_personal = Guesses(shape, SimpleNamespace(is_authenticated=True, is_confirmed=True, role=Role.MEMBER,
                                           calendar_include_waitlisted=False))
guessed_shape, guessed_right, forget = _personal.guessed, _personal.right, _personal.forget
