"""The event pages and lists one code answers, written down to compare with another code's (issue 19).

    createdb -T liaison_bench liaison_copy   # a copy: the run writes (registrations, agenda, lessons)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_copy \
        python -m bench.event_page_samecheck --caches on --out /tmp/new-on.txt
    (the same in a checkout of the old code, on another copy of the same dataset; then diff the files)

Before the app starts, people of every role get one of the seven languages and one of eight time zones
(their rows changed directly: the cache is empty then). Then the mix's seeded plan of requests
(bench.cache_replay.plan, with its writes) is replayed, and every SWEEP steps, and at the end, a sweep
asks every event of a fixed sample (upcoming ones the mix asks most, past, cancelled and draft ones,
ones with and without an agenda) of viewers of every kind (visitors in each language, members in each
zone and language, the event's organisers, a coordinator, an administrator), twice (with the cache on,
the second answer is found), and the events list with a few filters. Each answer is written as one line:
what was asked, of whom, its status and a digest of its body (CSRF tokens blanked, bench.cache_costs).
"""

from __future__ import annotations

import argparse
import hashlib
import os
from itertools import cycle

from sqlalchemy import create_engine, text

from bench.cache_costs import normalised
from bench.cache_replay import Replay, make_app, plan
from bench.mixed_people import Person, load_population

SWEEP = 400
ZONES = ("Europe/Brussels", "Europe/Kyiv", "Asia/Tbilisi", "Europe/Lisbon", "America/New_York", "UTC",
         "Europe/Bucharest", "Asia/Tokyo")
LANGUAGES = ("en", "uk", "ro", "ka", "mk", "sr", "sr_Latn")


def _prepare(url: str) -> None:
    """Every fourth person a language and a zone of their own (before the app reads anything)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        ids = [row[0] for row in connection.execute(text("SELECT id FROM users ORDER BY id"))]
        for index, (user_id, zone, language) in enumerate(zip(ids, cycle(ZONES), cycle(LANGUAGES))):
            if index % 4 == 0:
                connection.execute(text("UPDATE users SET timezone = :zone, language = :language WHERE id = :id"),
                                   {"zone": zone, "language": language, "id": user_id})
    engine.dispose()


def _viewers(url: str) -> tuple[list[int], list[tuple]]:
    """(the sample of events, viewers as (user id or None, session version, Accept-Language))."""
    engine = create_engine(url)
    with engine.connect() as connection:
        def ids(sql: str) -> list[int]:
            return [row[0] for row in connection.execute(text(sql))]

        events = (ids("SELECT id FROM events WHERE status = 'published' AND starts_at > now() ORDER BY starts_at LIMIT 25")
                  + ids("SELECT id FROM events WHERE status = 'published' AND ends_at < now() ORDER BY id LIMIT 5")
                  + ids("SELECT id FROM events WHERE status = 'cancelled' ORDER BY id LIMIT 3")
                  + ids("SELECT id FROM events WHERE status = 'draft' ORDER BY id LIMIT 3")
                  + ids("SELECT e.id FROM events e WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.event_id = e.id)"
                        " AND status = 'published' ORDER BY id LIMIT 3"))
        people = []
        for role, count in (("member", 16), ("organiser", 3), ("coordinator", 1), ("admin", 1)):
            people += list(connection.execute(text(
                "SELECT id, session_version FROM users WHERE role = :role AND is_active ORDER BY id LIMIT :n"),
                {"role": role, "n": count}))
        organisers = list(connection.execute(text(
            "SELECT u.id, u.session_version FROM event_organisers o JOIN users u ON u.id = o.user_id"
            " WHERE o.event_id = ANY(:events) ORDER BY o.event_id LIMIT 6"), {"events": events}))
        registered = list(connection.execute(text(
            "SELECT u.id, u.session_version FROM registrations r JOIN users u ON u.id = r.user_id"
            " WHERE r.event_id = ANY(:events) AND u.role = 'member' ORDER BY r.id LIMIT 8"), {"events": events}))
    engine.dispose()
    viewers = [(None, 0, language) for language in LANGUAGES]
    viewers += [(user_id, version, None) for user_id, version in people + organisers + registered]
    return events, viewers


class Recording(Replay):
    def __init__(self, apps, population, out):
        super().__init__(apps, population)
        self.out = out
        self.count = 0

    def get(self, person, path, headers=None, compared=True):
        response = self.client(person).get(path, headers=headers or {})
        status, etag, kind, body = normalised(response)
        who = getattr(person, "id", None), (headers or {}).get("Accept-Language")
        self.out.write(f"{self.count} {path} {who} {status} {etag} {kind} {hashlib.sha1(body).hexdigest()}\n")
        self.count += 1
        self.note(response)
        return response


def _sweep(replay: Recording, events: list[int], viewers: list[tuple]) -> None:
    paths = [f"/events/{event_id}" for event_id in events]
    paths += ["/events", "/events?page=2", "/events?tab=past", "/events?format=online", "/events?page=3&format=hybrid"]
    for user_id, version, language in viewers:
        person = None if user_id is None else Person(user_id, "", "", version, "")
        headers = {"Accept-Language": language} if language else None
        for path in paths:
            for _twice in range(2):
                replay.get(person, path, headers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--caches", choices=("on", "off"), default="on")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    _prepare(args.database_url)
    events, viewers = _viewers(args.database_url)
    population = load_population(args.database_url)
    steps = plan(population, args.requests, args.seed, True)
    app = make_app(args.database_url, args.caches == "on")
    with open(args.out, "w") as out:
        replay = Recording([app], population, out)
        for index, step in enumerate(steps):
            if index % SWEEP == 0:
                _sweep(replay, events, viewers)
            replay.step(*step)
        _sweep(replay, events, viewers)
    print(f"{replay.count} answers written to {args.out}; statuses {dict(replay.statuses)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
