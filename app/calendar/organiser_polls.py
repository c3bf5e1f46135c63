"""A calendar program's poll of an organiser's feed (app.calendar.feeds.organiser_by_token) in one
statement: the owner's row found by the feed's token and the feed's fingerprint (a one-row
aggregate over the events the owner manages and may see) for that owner, as a personal feed's poll
(app.calendar.personal_polls, whose machinery it shares). The aggregate's statement depends on the
owner's shape (which events they manage: their own or all; whether they see others' drafts), guessed
before the owner is found and checked against the owner found."""

from __future__ import annotations

import functools
from types import SimpleNamespace

from sqlalchemy import bindparam, func, select

from app.calendar.personal_polls import Guesses, owner_with
from app.events.access import managed_clause_of, managed_shape, visible_clause_of, visible_shape
from app.events.models import Event
from app.roles import Role

# The fingerprint's columns follow the user's, under these labels.
FINGERPRINT_LABELS = ("count", "latest", "ids", "sequences")


def shape(user) -> tuple:
    """What the organiser feed's statements depend on beyond the values bound when they run."""
    return managed_shape(user), visible_shape(user)


def events(shape: tuple, user_id, since):
    """The events of an organiser's feed for a reader of `shape` whose id `user_id` gives (a value or
    an expression): those they manage (an organiser's found by their ids: a few index probes, not a
    test of every event in the window) and may see, ending at `since` or later."""
    managed, visible = shape
    return select(Event).where(managed_clause_of(managed, user_id, by_ids=True), visible_clause_of(visible, user_id),
                               Event.ends_at >= since)


def fingerprint_select(shape: tuple, user_id, since):
    """The fingerprint's one row over `events`: count, latest change, sum of ids and of sequences."""
    return events(shape, user_id, since).with_only_columns(
        func.count(), func.max(Event.updated_at), func.sum(Event.id), func.sum(Event.sequence))


@functools.cache
def by_token_statement(*shape):
    """personal_polls.owner_with the fingerprint of a reader of `shape`, `since` bound."""
    since = bindparam("since", type_=Event.ends_at.type)
    return owner_with(lambda owner: fingerprint_select(shape, owner, since), FINGERPRINT_LABELS)


@functools.cache
def by_token_build(shape: tuple):
    """by_token_statement of `shape` as a build without arguments, the same one each time."""
    return functools.partial(by_token_statement, *shape)


# The usual owner: an organiser (members share their shape and are refused by the view).
guesses = Guesses(shape, SimpleNamespace(is_authenticated=True, is_confirmed=True, role=Role.ORGANISER))
