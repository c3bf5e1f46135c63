"""The feeds' entries, remembered per worker: a feed's entry is a function of its plain rows
(app.calendar.rows: every column it shows), the reader's part in it (online link, status, own-status
note, whole days) and the build's wording (language, site host, organiser, URL pattern). A feed
rebuilt after one event changed makes only that entry anew; the others come back as the very `Entry`
objects the VEVENT memo (app.calendar.ics) is keyed on, so their bytes are found without comparing
field by field.

Only plain rows are remembered (named tuples, compared by value); the .ics downloads and iTIP emails
pass ORM objects to app.calendar.entries directly."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from flask_babel import get_locale

from app.calendar import entries
from app.calendar.ics import Entry
from app.i18n import current_language

# The public feed (at most 1,000 events: public_reads.PUBLIC_LIMIT) with room for the personal feeds'
# entries between two of its rebuilds, as the VEVENT memo; each kept entry adds its row (the event's own
# texts, ~1 KB) to the Entry the VEVENT memo holds anyway. Bounded for the worker's memory (issue 19):
# in an in-process replay of the mix with writes, 1,280 here, for the VEVENT memo and the kept event
# rows, and 512 kept session rows, were 3.1 MB less at the peak than 2,048 each, with as many VEVENTs
# found (3,688 built against 3,336 in 50,000 lookups); 1,024 each built 3.7 times as many.
MAX_ENTRIES = 1280

_memo: dict[tuple, Entry] = {}
_evicting = threading.Lock()
_PROBE = SimpleNamespace(id=0)


def wording_key(words: entries.Wording) -> tuple:
    """What an entry takes from the build's wording: the language (labels, country names, phrases),
    the site's host (UIDs), organiser and event URL pattern."""
    return (str(get_locale()), current_language(), words.details(""), words.host, words.organizer,
            words.event_url(_PROBE))


def event_entry(event, *, words: entries.Wording, key: tuple, show_online: bool, status: str | None = None,
                all_day: bool = False, note: str | None = None) -> Entry:
    """app.calendar.entries.event_entry of a plain row (`key`: wording_key(words), once per build)."""
    memo_key = ("event", event, key, show_online, status, all_day, note)
    entry = found(_memo, memo_key)
    if entry is None:
        entry = _remember(memo_key, entries.event_entry(
            event, show_online=show_online, status=status, all_day=all_day, note=note, words=words))
    return entry


def session_entry(session, event, *, words: entries.Wording, key: tuple, show_online: bool,
                  status: str | None = None, note: str | None = None) -> Entry:
    """app.calendar.entries.session_entry of plain rows (`key`: wording_key(words))."""
    memo_key = ("session", session, event, key, show_online, status, note)
    entry = found(_memo, memo_key)
    if entry is None:
        entry = _remember(memo_key, entries.session_entry(
            session, event, show_online=show_online, status=status, note=note, words=words))
    return entry


def _remember(memo_key: tuple, entry: Entry) -> Entry:
    make_room(_memo, MAX_ENTRIES)
    _memo[memo_key] = entry
    return entry


def found(store: dict, key):
    """`store[key]` or None, moved to the end of the store's order when found: a worker's memo is
    kept in use order, so make_room drops the least recently used. The public feed's entries and
    rows, used by every rebuild, then stay while the personal feeds' pass through (in insertion
    order they were dropped as soon as enough personal ones came after them, and every public
    rebuild after that read and wrote them all again)."""
    value = store.pop(key, None)
    if value is not None:
        store[key] = value
    return value


def make_room(store: dict, limit: int) -> None:
    """Drop a worker's memo's least recently used entries (see `found`) until it holds fewer than
    `limit`."""
    if len(store) >= limit:
        with _evicting:
            while len(store) >= limit:
                try:
                    del store[next(iter(store))]
                except (KeyError, RuntimeError, StopIteration):
                    break


def forget() -> None:
    _memo.clear()
