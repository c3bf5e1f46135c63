"""What the database did during a mixed run (PostgreSQL): commits and rows written per second, the
busiest rows (the change stamps every write moves), the connections the instances held, and how
often a backend was waiting for a lock — the figures behind "what limits the next step"."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, text

_DATABASE = ("SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, tup_fetched, "
             "blks_read, blks_hit, deadlocks FROM pg_stat_database WHERE datname = current_database()")
_STAMPS = ("SELECT coalesce(sum(n_tup_upd + n_tup_ins), 0) FROM pg_stat_user_tables "
           "WHERE relname = 'change_stamps'")
_ACTIVITY = ("SELECT count(*) AS connections, count(*) FILTER (WHERE state = 'active') AS active, "
             "count(*) FILTER (WHERE wait_event_type = 'Lock') AS waiting, "
             "count(*) FILTER (WHERE wait_event_type = 'Lock' AND query ILIKE '%change_stamps%') AS on_stamps "
             "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")


class DatabaseSampler:
    """pg_stat_database at the start and end of each recorded slice (begin/finish, any number of
    times: the figures add up); pg_stat_activity every `interval` seconds in between."""

    def __init__(self, database_url: str, interval: float = 0.25):
        self.enabled = database_url.startswith("postgres")
        self.engine = create_engine(database_url, pool_size=1, max_overflow=0) if self.enabled else None
        self.interval = interval
        self.samples: list[dict] = []
        self.delta: dict[str, int] = {}
        self.seconds = 0.0
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self._start: dict | None = None

    def _counters(self, connection) -> dict:
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        counters = dict(connection.execute(text(_DATABASE)).mappings().one())
        counters["stamp_writes"] = connection.execute(text(_STAMPS)).scalar()
        connection.commit()
        return counters

    def _sample(self):
        with self.engine.connect() as connection:
            while not self._halt.is_set():
                connection.execute(text("SELECT pg_stat_clear_snapshot()"))
                self.samples.append(dict(connection.execute(text(_ACTIVITY)).mappings().one()))
                connection.commit()
                self._halt.wait(self.interval)

    def begin(self) -> None:
        if not self.enabled:
            return
        with self.engine.connect() as connection:
            self._start = self._counters(connection)
        self._halt.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def finish(self, seconds: float) -> None:
        if not self.enabled or self._thread is None:
            return
        self._halt.set()
        self._thread.join(10)
        with self.engine.connect() as connection:
            end = self._counters(connection)
        for key in end:
            self.delta[key] = self.delta.get(key, 0) + int(end[key] or 0) - int(self._start[key] or 0)
        self.seconds += seconds

    def figures(self) -> dict | None:
        if not self.enabled or not self.delta:
            return None
        self.engine.dispose()
        delta, seconds = self.delta, self.seconds
        count = len(self.samples) or 1
        per_second = lambda key: round(delta[key] / seconds, 1) if seconds else None  # noqa: E731
        reads = delta["blks_read"] + delta["blks_hit"]
        return {
            "commits_per_s": per_second("xact_commit"), "rollbacks_per_s": per_second("xact_rollback"),
            "rows_inserted_per_s": per_second("tup_inserted"), "rows_updated_per_s": per_second("tup_updated"),
            "rows_deleted_per_s": per_second("tup_deleted"), "rows_fetched_per_s": per_second("tup_fetched"),
            "stamp_row_writes_per_s": per_second("stamp_writes"),
            "buffer_hit_rate": round(delta["blks_hit"] / reads, 4) if reads else None,
            "deadlocks": delta["deadlocks"],
            "connections_max": max((s["connections"] for s in self.samples), default=None),
            "active_mean": round(sum(s["active"] for s in self.samples) / count, 2),
            # Share of samples in which at least one backend waited for a lock (on a change stamp).
            "lock_wait_samples": round(sum(1 for s in self.samples if s["waiting"]) / count, 3),
            "stamp_lock_wait_samples": round(sum(1 for s in self.samples if s["on_stamps"]) / count, 3),
            "waiting_mean": round(sum(s["waiting"] for s in self.samples) / count, 3),
        }


def verify_writes(database_url: str, intents: list[tuple]) -> dict[str, list]:
    """Whether the writes answered with a redirect are in the database: {kind: [found, expected]}, and
    under "missed" each registration or session that does not show its last write.
    The last intent for a registration (registered / cancelled) or a session (its room) is the one
    its row must show now; every lesson recorded must exist under its unique title."""
    registrations: dict[tuple[int, int], str] = {}
    rooms: dict[int, str] = {}
    titles: list[str] = []
    for intent in intents:
        if intent[0] == "registration":
            registrations[(intent[1], intent[2])] = intent[3]
        elif intent[0] == "session":
            rooms[intent[1]] = intent[2]
        elif intent[0] == "lesson":
            titles.append(intent[1])
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            pairs = list(registrations)
            statuses = dict(((u, e), s) for u, e, s in connection.execute(text(
                "SELECT r.user_id, r.event_id, r.status FROM registrations r JOIN unnest(:users, :events) AS w(u, e) "
                "ON r.user_id = w.u AND r.event_id = w.e"),
                {"users": [u for u, _ in pairs], "events": [e for _, e in pairs]}))
            found_rooms = dict(connection.execute(text("SELECT id, room FROM sessions WHERE id = ANY(:ids)"),
                                                  {"ids": list(rooms)}).all())
            lessons = connection.execute(text("SELECT count(DISTINCT title) FROM lessons WHERE title = ANY(:titles)"),
                                         {"titles": titles}).scalar()
    finally:
        engine.dispose()
    lost = [(pair, wanted) for pair, wanted in registrations.items()
            if pair not in statuses or (statuses[pair] == "cancelled") != (wanted == "cancelled")]
    moved = [(sid, room) for sid, room in rooms.items() if found_rooms.get(sid) != room]
    missed = [f"registration of user {user} to event {event}: {wanted}, the database says {statuses.get((user, event))}"
              for (user, event), wanted in lost]
    missed += [f"session {sid}: room {room!r}, the database says {found_rooms.get(sid)!r}" for sid, room in moved]
    return {"registrations": [len(registrations) - len(lost), len(registrations)],
            "sessions": [len(rooms) - len(moved), len(rooms)],
            "lessons": [lessons or 0, len(set(titles))], "missed": missed}
