"""Who takes part in the mixed-traffic benchmark, read from the large dataset, and how they are signed in.

2,000 distinct signed-in people in the dataset's role proportions (97.5% members, 2% organisers,
0.5% coordinators), the events they look at (upcoming ones, ranked for a Zipf popularity), the events
they organise (with their agenda sessions), past events they attended (where they may record a lesson),
and their calendar tokens (their calendar clients poll the personal feed).

Signing in 2,000 people through the login form would cost 2,000 argon2 verifications (about 40 ms of
CPU each on this machine, and LOGIN_RATE_LIMIT per address). Instead a few people sign in through the
real form, and the others get the session cookie that form would have given them: the real cookie is
decoded with the server's SECRET_KEY (the bench starts the server, so it knows the key), its user
identity ("id:session_version:session id", app.accounts.auth) and CSRF secret are replaced, and it is
signed again with Flask's own SecureCookieSessionInterface serializer. The server checks such a
cookie exactly as it checks the form's: signature, user row, session version, revoked-session list.
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import create_engine, text

ROLE_SHARES = {"member": 0.975, "organiser": 0.02, "coordinator": 0.005}


@dataclass
class Person:
    id: int
    email: str
    role: str
    session_version: int
    calendar_token: str
    organises: list[int] = field(default_factory=list)  # upcoming events they organise
    attended: list[int] = field(default_factory=list)  # past events with a confirmed registration
    cookies: dict[str, str] = field(default_factory=dict)
    registered: set[int] = field(default_factory=set)  # events this run registered them to


@dataclass
class Population:
    people: list[Person]
    upcoming: list[int]  # published upcoming events, in popularity rank order (a seeded shuffle)
    open_events: list[int]  # upcoming events whose registration is open now, in rank order
    sessions_of: dict[int, list[int]]  # event -> its agenda sessions (for the organisers' events)
    countries: list[str]
    confirming: list[int] = field(default_factory=list)  # open events that confirm at once (seats left)

    def by_role(self, role: str) -> list[Person]:
        return [p for p in self.people if p.role == role]


def role_counts(total: int) -> dict[str, int]:
    organisers = round(total * ROLE_SHARES["organiser"])
    coordinators = max(1, round(total * ROLE_SHARES["coordinator"]))
    return {"member": total - organisers - coordinators, "organiser": organisers, "coordinator": coordinators}


def _people(connection, role: str, count: int, rng: random.Random, extra: str = "") -> list[Person]:
    rows = connection.execute(text(
        "SELECT id, email, role, session_version, calendar_token FROM users "
        "WHERE role = :role AND is_active AND deleted_at IS NULL AND email_confirmed_at IS NOT NULL "
        "AND email NOT LIKE 'bench.%' " + extra + " ORDER BY id"), {"role": role}).all()
    chosen = rng.sample(rows, min(count, len(rows)))
    return [Person(r.id, r.email, r.role, r.session_version, r.calendar_token) for r in chosen]


def load_population(database_url: str, *, total: int = 2000, seed: int = 19) -> Population:
    """Pick the people and the events from the dataset (deterministic for a seed and a dataset)."""
    rng = random.Random(seed)
    engine = create_engine(database_url)
    counts = role_counts(total)
    upcoming_organisers = ("AND id IN (SELECT e.created_by_id FROM events e WHERE e.starts_at > now() "
                           "AND e.status = 'published' UNION SELECT eo.user_id FROM event_organisers eo "
                           "JOIN events e ON e.id = eo.event_id WHERE e.starts_at > now() AND e.status = 'published')")
    with engine.connect() as connection:
        people = (_people(connection, "member", counts["member"], rng)
                  + _people(connection, "organiser", counts["organiser"], rng, upcoming_organisers)
                  + _people(connection, "coordinator", counts["coordinator"], rng))
        upcoming = list(connection.execute(text(
            "SELECT id FROM events WHERE status = 'published' AND starts_at > now() ORDER BY id")).scalars())
        rng.shuffle(upcoming)  # popularity rank: a seeded order, not the ids'
        open_ids = set(connection.execute(text(
            "SELECT id FROM events WHERE status = 'published' AND starts_at > now() "
            "AND registration_mode IN ('open', 'approval') "
            "AND (registration_opens_at IS NULL OR registration_opens_at <= now()) "
            "AND (registration_closes_at IS NULL OR registration_closes_at > now())")).scalars())
        confirming = set(connection.execute(text(
            "SELECT e.id FROM events e WHERE e.registration_mode = 'open' AND (e.capacity IS NULL OR e.capacity - 20 > "
            "(SELECT count(*) FROM registrations r WHERE r.event_id = e.id AND r.status = 'confirmed'))")).scalars())
        organisers = {p.id: p for p in people if p.role == "organiser"}
        for user_id, event_id in connection.execute(text(
                "SELECT created_by_id, id FROM events WHERE starts_at > now() AND status = 'published' "
                "AND created_by_id = ANY(:ids) UNION SELECT eo.user_id, eo.event_id FROM event_organisers eo "
                "JOIN events e ON e.id = eo.event_id WHERE e.starts_at > now() AND e.status = 'published' "
                "AND eo.user_id = ANY(:ids) ORDER BY 1, 2"), {"ids": list(organisers)}):
            organisers[user_id].organises.append(event_id)
        members = {p.id: p for p in people if p.role == "member"}
        for user_id, event_id in connection.execute(text(
                "SELECT r.user_id, r.event_id FROM registrations r JOIN events e ON e.id = r.event_id "
                "WHERE r.status = 'confirmed' AND e.ends_at < now() AND e.status = 'published' "
                "AND r.user_id = ANY(:ids) ORDER BY 1, 2"), {"ids": list(members)}):
            members[user_id].attended.append(event_id)
        organised = sorted({e for p in organisers.values() for e in p.organises})
        sessions_of: dict[int, list[int]] = {}
        for event_id, session_id in connection.execute(text(
                "SELECT event_id, id FROM sessions WHERE event_id = ANY(:ids) ORDER BY 1, 2"), {"ids": organised}):
            sessions_of.setdefault(event_id, []).append(session_id)
        countries = list(connection.execute(text(
            "SELECT DISTINCT country FROM events WHERE country IS NOT NULL ORDER BY 1")).scalars())
    engine.dispose()
    return Population(people=people, upcoming=upcoming, open_events=[e for e in upcoming if e in open_ids],
                      sessions_of=sessions_of, countries=countries,
                      confirming=[e for e in upcoming if e in open_ids and e in confirming])


def serializer(secret_key: str):
    """The signer Flask's session interface uses for this key (salt, digest and key derivation)."""
    app = Flask("liaison-bench-signer")
    app.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(app)


def forge_cookie(signer, template: dict, person: Person) -> str:
    """The session cookie a sign-in through the form would have given `person` (see the module)."""
    session = dict(template)
    session["_user_id"] = f"{person.id}:{person.session_version}:{secrets.token_urlsafe(24)}"
    if "csrf_token" in session:
        session["csrf_token"] = secrets.token_hex(20)
    if "_slid" in session:
        session["_slid"] = int(time.time())
    session.pop("_flashes", None)
    return signer.dumps(session)


def session_template(signer, cookie_value: str) -> dict:
    """The decoded session of a real sign-in (its keys are what forge_cookie fills for others)."""
    return dict(signer.loads(cookie_value))
