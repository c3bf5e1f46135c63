"""The event page's main column shared by every viewer (issue 19): the column is rendered once per
event (and language, link rule) with a slot wherever the viewer's own time goes (beside the event's
dates, the agenda's "your time in grey" line, beside each session's times), cut at the slots and
kept so; each request fills the slots for its viewer's time zone. It was kept once per viewer zone
(2,783 built against 588 found in a mix), though only those few times differ.

The slot is a random marker per build: text of the event cannot hold it, and the cut is checked (as
many pieces as slots) before the column is kept. What fills a slot is what the template wrote there
(templates/macros.html `your_time`, templates/events/_detail_main.html), byte for byte."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from flask import get_template_attribute
from markupsafe import Markup, escape

from app.i18n import catalog, current_language, format_pattern
from app.timeutil import zone as zone_info


class SharedMain(NamedTuple):
    """The main column cut at its slots (the event's dates, the agenda's line, then each session's
    times), its agenda's facts in the same order (app.events.page_main.agenda_facts: the boxes
    below read them on every view, the times fill the sessions' slots) and the side column's "Add to
    your calendar" box cut at its one slot, the line on the personal feed (`calendar_box`: before it,
    the line for a signed-in viewer, the line for a visitor, after it). A tuple: kept as text is.
    A column for the cache has its pieces as UTF-8 (`render_shared(kept=True)`): a str holding one
    character past U+00FF (the agenda's "–") takes two bytes a character, and the column was most of
    the cache's bytes (issue 19); one built for one view (an organiser's, the cache off) keeps str."""
    pieces: tuple[bytes, ...] | tuple[str, ...]  # len(agenda) + 3
    agenda: tuple
    calendar: tuple[bytes, ...] | tuple[str, ...] = ()  # 4 pieces, as `pieces` are kept


def render_shared(render: Callable[[Markup], str], agenda: tuple, render_calendar: Callable[[Markup], tuple],
                  kept: bool = True) -> SharedMain:
    """`render(slot)` writes the column with `slot` at each place the viewer's time goes;
    `render_calendar(slot)` the calendar box with `slot` where the line on the personal feed goes,
    then that line for a signed-in viewer and for a visitor; `kept`: the column goes to the cache
    (its pieces as UTF-8)."""
    for _attempt in range(3):
        slot = Markup(f"\x00{secrets.token_hex(12)}\x00")
        pieces = render(slot).split(slot)
        box, member_line, visitor_line = render_calendar(slot)
        box = box.split(slot)
        if len(pieces) == len(agenda) + 3 and len(box) == 2:
            calendar = (box[0], str(member_line), str(visitor_line), box[1])
            if kept:
                return SharedMain(tuple(piece.encode() for piece in pieces), agenda,
                                  tuple(piece.encode() for piece in calendar))
            return SharedMain(tuple(pieces), agenda, calendar)
    raise RuntimeError("the event page's main column did not cut at its slots")


def calendar_box(shared: SharedMain, signed_in: bool) -> Markup:
    """The "Add to your calendar" box with the line for a signed-in viewer or for a visitor."""
    before, member_line, visitor_line, after = shared.calendar
    line = member_line if signed_in else visitor_line
    if type(before) is bytes:
        return Markup(b"".join((before, line, after)).decode())
    return Markup("".join((before, line, after)))


def for_viewer(shared: SharedMain, event, viewer_tz: str | None) -> Markup:
    """The column as `viewer_tz` sees it (None or the event's zone: no "your time")."""
    pieces = shared.pieces
    encoded = type(pieces[0]) is bytes
    zone = event.timezone
    if not viewer_tz or viewer_tz == zone:
        return Markup(b"".join(pieces).decode() if encoded else "".join(pieces))
    fills = _fills(current_language(), zone, viewer_tz, event.starts_at, event.ends_at,
                   tuple((item.starts_at, item.ends_at) for item in shared.agenda), encoded)
    out = [None] * (2 * len(pieces) - 1)
    out[::2] = pieces
    out[1::2] = fills
    return Markup(b"".join(out).decode() if encoded else "".join(out))


@functools.lru_cache(maxsize=96)  # ~4 KB an entry (ten sessions' texts and the key's instants)
def _fills(language: str, zone: str, viewer_tz: str, starts_at, ends_at, spans: tuple,
           encoded: bool) -> tuple[bytes, ...] | tuple[str, ...]:
    """What fills the slots (the times of one event and agenda in a zone and language: the same for
    every viewer of that zone, so remembered in the worker; ~60 µs for ten sessions); `encoded`:
    as UTF-8, for a column's pieces kept so."""
    texts = catalog()
    fills = [_your_time(zone, starts_at, ends_at, viewer_tz)]
    fills.append(Markup('<p class="small text-muted">{}</p>').format(
        Markup(texts.ugettext("Times in %(zone)s; your time (%(own_zone)s) in grey."))
        % {"zone": zone, "own_zone": viewer_tz}) if spans else "")
    title = Markup(texts.ugettext("Your time (%(zone)s)")) % {"zone": viewer_tz}
    head = f'<br><small class="text-muted" title="{title}">'
    viewer_zone = zone_info(viewer_tz)  # (to_local's zone, looked up once)
    weekdays: dict[date, str] = {}
    for session_start, session_end in spans:
        start, end = session_start.astimezone(viewer_zone), session_end.astimezone(viewer_zone)
        day = start.date()
        weekday = weekdays.get(day)
        if weekday is None:  # "%a %H:%M": the weekday is the locale's, the clock the same everywhere
            weekday = weekdays[day] = str(escape(format_pattern(start, "%a")))
        # (each clock as strftime("%H:%M") writes it)
        fills.append(f"{head}{weekday} {start.hour:02d}:{start.minute:02d}–{end.hour:02d}:{end.minute:02d}</small>")
    return tuple(str(fill).encode() for fill in fills) if encoded else tuple(str(fill) for fill in fills)


def _your_time(zone: str, starts_at, ends_at, viewer_tz: str) -> str:
    """The `when` macro's second line: templates/macros.html `your_time` itself (block=False)."""
    return "<br>" + str(get_template_attribute("macros.html", "your_time")(starts_at, ends_at, zone, viewer_tz))
