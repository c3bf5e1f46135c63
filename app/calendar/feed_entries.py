"""The feeds' entries, remembered per worker: a feed's entry is a function of its plain rows
(app.calendar.rows: every column it shows), the reader's part in it (online link, status, own-status
note, whole days) and the build's wording (language, site host, organiser, URL pattern). A feed
rebuilt after one event changed makes only that entry anew; the others come back as the very `Entry`
objects the VEVENT memo (app.calendar.ics) is keyed on, so their bytes are found without comparing
field by field.

Only plain rows are remembered (named tuples, compared by value); the .ics downloads and iTIP emails
pass ORM objects to app.calendar.entries directly.

The personal feeds keep theirs apart, written (`written`): by what they are made of, which the
listing of a feed's rows by version gives without any row."""

from __future__ import annotations

import itertools
import threading
from types import SimpleNamespace

from flask_babel import get_locale

from app.calendar import entries, ics
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

# The personal feeds' entries written (app.calendar.ics.vevent_parts), by what they are made of: the
# rows' ids and versions (app.calendar.personal_written) rather than the rows, the reader's statuses,
# the whole-days view and the wording's number (`wording_id`). A feed whose listing of row versions
# finds all of its entries here is written from the listing alone: no row is looked up, no Entry
# made, hashed or compared (through the memo above and the VEVENT memo, which hash every field of
# the row and of the Entry, the bench member's 200 entries were ~30% of the request's CPU). Only the
# bytes are kept (~1.6 KB an entry with its key; the Entry was as much again), and fewer than above:
# the personal feeds' entries no longer take the public feed's room in the memos above (the bench
# member's feed is 200 entries; most feeds a few).
MAX_WRITTEN = 640
# A written entry's parts (`written`).
BEFORE, AFTER, ZONE, ORDER = range(4)
_written: dict[tuple, tuple] = {}
_wordings: dict[tuple, int] = {}
_wording_numbers = itertools.count()


def wording_key(words: entries.Wording) -> tuple:
    """What an entry takes from the build's wording: the language (labels, country names, phrases),
    the site's host (UIDs), organiser and event URL pattern."""
    return (str(get_locale()), current_language(), words.details(""), words.host, words.organizer,
            words.event_url(_PROBE))


def wording_id(key: tuple) -> int:
    """A number standing for a wording (`wording_key`) in this worker, never given to another: a key
    of `written` hashes it instead of the wording, whose organiser is a dataclass hashed in Python."""
    number = _wordings.get(key)
    if number is None:
        if len(_wordings) >= 64:  # a language and the site's settings each: a few
            _wordings.clear()  # (their numbers are not given again: their entries age out)
        number = _wordings[key] = next(_wording_numbers)
    return number


def written(key: tuple) -> tuple | None:
    """The written entry remembered under `key` (app.calendar.personal_written.entry_key), or None:
    (the VEVENT's content lines before DTSTAMP, after it, the zone it uses (ics.vevent_parts),
    its order in the feed)."""
    return found(_written, key)


def written_store() -> dict:
    """`written`'s store itself, for a feed's loop over its entries (app.calendar.personal_reads):
    a lookup there moves what it finds to the end, as `found` does."""
    return _written


def write(key: tuple, entry: Entry, order: tuple) -> tuple:
    """Write `entry` (of a published feed: no ATTENDEE) and remember it under `key`: see `written`."""
    if entry.attendees:
        raise ValueError("a published calendar (METHOD:PUBLISH) carries no ATTENDEE")
    value = (*ics.vevent_parts(entry), order)
    make_room(_written, MAX_WRITTEN)
    _written[key] = value
    return value


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
    _written.clear()
