"""The cross-instance check of the two-instance modes (not a timed test): a write through instance A
is seen by a read through instance B at B's next request, as the README promises for every cached
fragment and feed ("keyed on change stamps in the database, so a change shows on every worker at the
next request"; the one exception, built reports, is refreshed after REPORTS_CACHE_SECONDS).

Each read through B is repeated READS times so that both of B's workers are likely to answer at
least once (gunicorn's sync workers take connections from one socket); B's caches are warmed with
the same pages first, so a worker that kept the old page would serve it.
"""

from __future__ import annotations

import random
import secrets
import time

from bench import loadgen
from bench.mixed_traffic import find_form

READS = 6


def _client(port: int, person) -> loadgen.Client:
    client = loadgen.Client(port)
    client.cookies = dict(person.cookies)
    return client


def _form(html: bytes, path: str):
    form = find_form(html, path)
    if form is not None and not form.action:
        form.action = path
    return form


def _submit(client: loadgen.Client, form, fields) -> int:
    fields = list(fields)
    if form.submit and form.submit[0]:
        fields.append(form.submit)
    status, _, _ = client.post(form.action, fields)
    return status


def _reads(client: loadgen.Client, path: str, marker: str, headers=None) -> tuple[int, list[float]]:
    """How many of READS reads show `marker`, and when each answered."""
    seen, times = 0, []
    for _ in range(READS):
        status, _, body = client.get(path, headers)
        times.append(time.perf_counter())
        seen += status == 200 and marker.encode() in body
    return seen, times


def agenda_edit(port_a: int, port_b: int, population, rng: random.Random) -> dict:
    organiser = next(p for p in population.people if p.role == "organiser" and p.organises
                     and population.sessions_of.get(p.organises[0]))
    event_id = organiser.organises[0]
    session_id = population.sessions_of[event_id][0]
    reader = rng.choice([p for p in population.people if p.role == "member"])
    path = f"/events/{event_id}/sessions/{session_id}/edit"
    writer, viewer = _client(port_a, organiser), _client(port_b, reader)
    for _ in range(READS):
        viewer.get(f"/events/{event_id}")  # B's workers build and keep the page's fragments
    status, _, html = writer.get(path)
    form = _form(html, path) if status == 200 else None
    if form is None:
        return {"what": "agenda edit through A, event page through B", "ok": False,
                "detail": f"no session form at {path} (HTTP {status})"}
    original = dict(form.fields).get("title", "")
    marker = f"check{secrets.token_hex(4)}"
    status = _submit(writer, form, [(n, f"{original} {marker}" if n == "title" else v) for n, v in form.fields])
    written = time.perf_counter()
    seen, times = _reads(viewer, f"/events/{event_id}", marker)
    status_back, _, html = writer.get(path)  # put the title back
    if status_back == 200 and (form := _form(html, path)):
        _submit(writer, form, [(n, original if n == "title" else v) for n, v in form.fields])
    return {"what": "agenda edit (session title) through A, event page through B", "ok": status in (302, 303)
            and seen == READS,
            "detail": f"POST → {status}; {seen}/{READS} reads through B showed it, the first "
                      f"{(times[0] - written) * 1000:.0f} ms after A's answer"}


def registration(port_a: int, port_b: int, population, rng: random.Random) -> dict:
    members = [p for p in population.people if p.role == "member"]
    for _ in range(40):
        # An event that confirms at once: a waiting-list or pending registration is rightly not in the feed.
        member, event_id = rng.choice(members), rng.choice(population.confirming or population.open_events)
        writer, viewer = _client(port_a, member), _client(port_b, member)
        status, _, html = writer.get(f"/events/{event_id}")
        form = _form(html, f"/events/{event_id}/register") if status == 200 else None
        if form is not None:
            break
    else:
        return {"what": "registration through A", "ok": False, "detail": "no open event with a register form"}
    feed = f"/calendar/feed/{member.calendar_token}.ics"
    for _ in range(READS):
        viewer.get("/my/events")
        status, headers, _ = viewer.get(feed)
    etag = headers.get("etag", "")
    status = _submit(writer, form, list(form.fields) + list(form.required_boxes))
    written = time.perf_counter()
    seen, times = _reads(viewer, "/my/events", f"/events/{event_id}")
    fresh = 0
    for _ in range(READS):
        feed_status, feed_headers, _ = viewer.get(feed, {"If-None-Match": etag} if etag else None)
        fresh += feed_status == 200 and feed_headers.get("etag") != etag
    _, _, html = writer.get(f"/events/{event_id}")  # cancel again, as the person would
    if cancel := _form(html, f"/events/{event_id}/registration/cancel"):
        _submit(writer, cancel, list(cancel.fields) + list(cancel.required_boxes))
    return {"what": "registration through A; my events and the personal feed through B",
            "ok": status in (302, 303) and seen == READS and fresh == READS,
            "detail": f"POST → {status}; my events through B listed it {seen}/{READS} times (first "
                      f"{(times[0] - written) * 1000:.0f} ms after A's answer); the feed answered 200 with a "
                      f"new ETag to {fresh}/{READS} conditional requests carrying the old one"}


def cross_instance(port_a: int, port_b: int, population, seed: int = 7) -> dict:
    rng = random.Random(seed)
    items = [agenda_edit(port_a, port_b, population, rng), registration(port_a, port_b, population, rng)]
    return {"passed": all(item["ok"] for item in items), "items": items}
