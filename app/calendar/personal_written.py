"""The personal feed's entries written (app.calendar.ics.vevent_parts) and remembered per worker
(app.calendar.feed_entries.written) by what they are made of: the session's and the event's rows by
id and row version, the reader's own status and the registration's, whole days, the wording.

On PostgreSQL the listing of a feed's rows (app.calendar.personal_reads.listing_statement: ids,
versions, statuses), which its fingerprint read, gives every key: a feed whose entries this worker
wrote in those versions is written from the listing alone (`listed`), without a row looked up or an
Entry made, hashed or compared. Else the feed's rows are read (personal_reads.feed_items) and the
entries not remembered are made from them (`of_rows`); off PostgreSQL (no row versions) the rows
themselves stand in the keys for their versions."""

from __future__ import annotations

import operator

from app.calendar import feed_entries
from app.calendar.entries import Wording, event_entry, session_entry
from app.calendar.personal_reads import (
    LISTED_EVENT_ID,
    LISTED_EVENT_VERSION,
    LISTED_OWN_STATUS,
    LISTED_REGISTRATION_STATUS,
    LISTED_SESSION_ID,
    LISTED_SESSION_VERSION,
)
from app.registrations.models import RegistrationStatus, SessionSignupStatus

# The statuses as the personal feed's reads give them (plain values).
_CONFIRMED = RegistrationStatus.CONFIRMED.value
_SIGNED_UP = SessionSignupStatus.CONFIRMED.value
_ORDER = operator.itemgetter(feed_entries.ORDER)


def entry_key(session_id, session_version, event_id, event_version, own_status: str, registration_status: str,
              all_day: bool, wording: int) -> tuple:
    """The key of a written entry: the rows by id and version (off PostgreSQL the rows in the
    versions' place), the reader's statuses (its STATUS, online link, note), whole days (an event's
    only), the wording (feed_entries.wording_id). `listed` makes the same tuple from a listed row."""
    return (session_id, session_version, event_id, event_version, own_status, registration_status,
            all_day and session_id is None, wording)


def listed(rows: list, all_day: bool, wording: int) -> tuple[list, list] | None:
    """(events, sessions) of the feed written, each in its statement's order (start, id), found by
    the listing's `rows` alone; None when one of them is not remembered (then: `of_rows`)."""
    events, sessions = [], []
    store = feed_entries.written_store()
    take, put = store.pop, store.__setitem__
    for row in rows:
        event_id = row[LISTED_EVENT_ID]
        if event_id is None:
            continue  # the fingerprint's sums (listing_statement)
        session_id = row[LISTED_SESSION_ID]  # below: entry_key's tuple, and feed_entries.written's lookup
        key = (session_id, row[LISTED_SESSION_VERSION], event_id, row[LISTED_EVENT_VERSION], row[LISTED_OWN_STATUS],
               row[LISTED_REGISTRATION_STATUS], all_day and session_id is None, wording)
        value = take(key, None)
        if value is None:
            return None
        put(key, value)
        (events if session_id is None else sessions).append(value)
    events.sort(key=_ORDER)
    sessions.sort(key=_ORDER)
    return events, sessions


def of_rows(items: tuple[list, list], all_day: bool, words: Wording, wording: int) -> tuple[list, list]:
    """(events, sessions) of the feed written, from its rows (personal_reads.feed_items, in order):
    those remembered, and the others made (confirmed events, signed-up sessions of those events and
    waitlisted ones as TENTATIVE without their online link) and remembered."""
    registrations, signups = items
    events, sessions = [], []
    for event, own_status, registration_status, version in registrations:
        key = entry_key(None, None, event.id, event if version is None else version, own_status,
                        registration_status, all_day, wording)
        value = feed_entries.written(key)
        if value is None:
            confirmed = own_status == _CONFIRMED
            entry = event_entry(event, show_online=confirmed, status=None if confirmed else "TENTATIVE",
                                note=words.own_status("registration", confirmed), all_day=all_day, words=words)
            value = feed_entries.write(key, entry, (event.starts_at, event.id))
        events.append(value)
    for session, event, signup_status, registration_status, session_version, event_version in signups:
        key = entry_key(session.id, session if session_version is None else session_version, event.id,
                        event if event_version is None else event_version, signup_status, registration_status,
                        all_day, wording)
        value = feed_entries.written(key)
        if value is None:
            confirmed = signup_status == _SIGNED_UP and registration_status == _CONFIRMED
            note = words.own_status("sign-up" if registration_status == _CONFIRMED else "registration", confirmed)
            entry = session_entry(session, event, show_online=confirmed, status=None if confirmed else "TENTATIVE",
                                  note=note, words=words)
            value = feed_entries.write(key, entry, (session.starts_at, session.id))
        sessions.append(value)
    return events, sessions
