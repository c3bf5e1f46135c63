"""Fill a database with a large, realistic and deterministic dataset for the benchmarks.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.generate --scale 1.0

At --scale 1.0: 1,000 organisations, 20,000 users, 50 projects, 40 themes, 2,000 events with 20,000
sessions, ~200,000 registrations (one event with 2,000), 20,000 lessons and 5,000 follow-up actions,
plus event links, speakers, check-ins, feedback and lesson history. Every value comes from one
seeded random.Random and an anchor date, so the same seed and anchor give the same rows.

Rows go in with SQLAlchemy Core bulk inserts (executemany in chunks) with explicit ids, so foreign
keys are computed in Python; PostgreSQL sequences are moved past the ids afterwards. Every user has
the same password (BENCH_PASSWORD), hashed once with the production argon2 parameters.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select, text

from app.accounts.models import Role
from app.directory.models import OrganisationType
from app.events.models import EventFormat, EventKind, EventStatus, RegistrationMode, SessionKind
from app.lessons.models import (
    TLP,
    ActionStatus,
    Addressee,
    LessonKind,
    LessonStatus,
    RecommendationType,
)
from app.registrations.models import ParticipantRole, RegistrationStatus, SessionSignupStatus
from app.reports import tallies

BENCH_PASSWORD = "bench-password-2026"
DEFAULT_SEED = 20260101
DEFAULT_SQLITE_URL = "sqlite:///" + os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.db")

# The named accounts and events the runner uses (found again by email / uid with --reuse).
MEMBER_EMAIL = "bench.member@bench.example"
ORGANISER_EMAIL = "bench.organiser@bench.example"
COORDINATOR_EMAIL = "bench.coordinator@bench.example"
ADMIN_EMAIL = "bench.admin@bench.example"
BIG_EVENT_UID = "bench-big-event"
TYPICAL_EVENT_UID = "bench-typical-event"
TARGET_EVENT_UID = "bench-registration-target"

CHUNK = 5000

# --- vocabulary -------------------------------------------------------------------------------
FIRST_NAMES = (
    "Olena Andrii Iryna Taras Mariam Giorgi Nino Levan Ana Ion Elena Mihai Maria Dragan Jelena "
    "Milica Nikola Stefan Petra Jan Eva Tomas Katarzyna Piotr Agnieszka Lukas Anna Markus Sophie "
    "Pierre Claire Luca Giulia Marco Sofia Pablo Lucia Joao Ines Lars Ingrid Mikko Aino Peter Zsofia "
    "Gabor Laszlo Aleksandar Teodora Vesna Marko Arben Liridona Dimitris Eleni Kristina Jonas Ruta"
).split()
LAST_NAMES = (
    "Kovalenko Shevchenko Bondarenko Tkachenko Beridze Kapanadze Popescu Ionescu Rusu Petrovic "
    "Jovanovic Nikolic Novak Horvat Kowalski Nowak Wisniewski Muller Schmidt Schneider Fischer Martin "
    "Bernard Dubois Rossi Russo Ferrari Garcia Fernandez Lopez Silva Santos Hansen Johansson Virtanen "
    "Nagy Kovacs Toth Dimitrov Georgiev Papadopoulos Berisha Krasniqi Kazlauskas Jankauskas Ozols"
).split()
COUNTRIES = (
    "UA MD GE RO RS MK AL BA ME XK HU PL CZ SK SI HR BG GR AT DE FR BE NL LU IT ES PT IE DK SE FI EE "
    "LV LT NO CH"
).split()
TIMEZONES = [
    "Europe/Brussels", "Europe/Kyiv", "Europe/Chisinau", "Asia/Tbilisi", "Europe/Bucharest",
    "Europe/Belgrade", "Europe/Skopje", "Europe/Budapest", "Europe/Warsaw", "Europe/Lisbon",
    "Europe/Athens", "Europe/Helsinki", "Europe/Madrid", "Europe/Rome", "Europe/Berlin", "UTC",
]
CITIES = [
    "Brussels", "The Hague", "Lyon", "Kyiv", "Chisinau", "Tbilisi", "Bucharest", "Belgrade", "Skopje",
    "Budapest", "Warsaw", "Lisbon", "Athens", "Helsinki", "Madrid", "Rome", "Vienna", "Tallinn",
]
ORG_WORDS = [
    ("National Police", OrganisationType.LAW_ENFORCEMENT),
    ("Border Police", OrganisationType.LAW_ENFORCEMENT),
    ("Cybercrime Unit", OrganisationType.LAW_ENFORCEMENT),
    ("Customs Service", OrganisationType.LAW_ENFORCEMENT),
    ("Ministry of Interior", OrganisationType.MINISTRY),
    ("Ministry of Justice", OrganisationType.MINISTRY),
    ("Police Academy", OrganisationType.LAW_ENFORCEMENT),
    ("Forensic Institute", OrganisationType.RESEARCH),
    ("University Security Lab", OrganisationType.RESEARCH),
    ("Security Solutions", OrganisationType.INDUSTRY),
    ("Victim Support", OrganisationType.NGO),
    ("Prosecutor's Office", OrganisationType.OTHER),
    ("Financial Intelligence Unit", OrganisationType.LAW_ENFORCEMENT),
]
TOPICS = [
    "cybercrime", "cross-border surveillance", "money laundering", "human trafficking",
    "migrant smuggling", "firearms trafficking", "drug trafficking", "child sexual abuse online",
    "terrorism financing", "border management", "digital forensics", "open-source intelligence",
    "cryptocurrency investigations", "environmental crime", "organised property crime",
    "high-risk criminal networks", "document fraud", "community policing", "crisis management",
    "joint investigation teams",
]
THEME_NAMES = [
    "High-risk criminal networks", "Cyber-attacks", "Trafficking in human beings", "Child sexual exploitation",
    "Migrant smuggling", "Drugs trafficking", "Fraud, economic and financial crimes", "Organised property crime",
    "Environmental crime", "Firearms trafficking", "Criminal finances and money laundering",
    "Document fraud", "Excise fraud", "Intellectual property crime",
]
EVENT_KIND_WORDS = {
    EventKind.CROSS_REGIONAL_MEETING: "Cross-regional meeting on",
    EventKind.STUDY_VISIT: "Study visit:",
    EventKind.WORKSHOP: "Workshop on",
    EventKind.TRAINING: "Training in",
    EventKind.CONFERENCE: "Conference on",
    EventKind.WEBINAR: "Webinar:",
}
SENTENCES = [
    "Participants compared how their units exchange information across borders.",
    "The exercise showed that requests for data took weeks where a direct contact took hours.",
    "Several teams lacked a common template for evidence packages.",
    "Interpreters were booked late, which shortened the practical part of the session.",
    "The host agency demonstrated its case-management workflow end to end.",
    "Practitioners asked for shared training material in their own languages.",
    "A single point of contact per country made the follow-up much faster.",
    "Legal differences on data retention blocked two of the planned scenarios.",
    "The tabletop exercise revealed gaps in the escalation procedure.",
    "Joint analysis of seized devices worked well when the tools were agreed in advance.",
]


@dataclass
class Counts:
    organisations: int
    users: int
    projects: int
    themes: int
    events: int
    sessions_per_event: int
    registrations: int
    big_event_registrations: int
    member_registrations: int
    lessons: int
    actions: int
    target_capacity: int

    @classmethod
    def for_scale(cls, scale: float) -> Counts:
        def n(value: float, minimum: int) -> int:
            return max(minimum, round(value * scale))

        users = n(20_000, 60)
        events = n(2_000, 12)
        return cls(
            organisations=n(1_000, 5),
            users=users,
            projects=n(50, 3),
            themes=len(THEME_NAMES) + len(TOPICS) if scale >= 0.01 else 6,
            events=events,
            sessions_per_event=10,
            registrations=n(200_000, 100),
            big_event_registrations=min(n(2_000, 20), users - 10),
            member_registrations=min(200, events - 4),
            lessons=n(20_000, 20),
            actions=n(5_000, 5),
            target_capacity=n(100, 5) if scale < 1 else 100,
        )


@dataclass
class Timings:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, table: str, rows: int, seconds: float) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows
        self.seconds[table] = self.seconds.get(table, 0.0) + seconds


def _tables():
    from app.extensions import db

    return db.metadata.tables


def bench_password_hash(rng: random.Random) -> str:
    """One argon2id hash with the production parameters (see config.py), salted from the seed so the
    dataset stays deterministic. Every bench user shares it."""
    from argon2.low_level import Type, hash_secret

    from config import Config

    salt = rng.getrandbits(128).to_bytes(16, "big")
    return hash_secret(
        BENCH_PASSWORD.encode(),
        salt,
        time_cost=Config.ARGON2_TIME_COST,
        memory_cost=Config.ARGON2_MEMORY_COST,
        parallelism=Config.ARGON2_PARALLELISM,
        hash_len=32,
        type=Type.ID,
    ).decode()


def _insert(connection, table_name: str, rows: list[dict], timings: Timings, verbose: bool) -> None:
    if not rows:
        return
    table = _tables()[table_name]
    started = time.perf_counter()
    for start in range(0, len(rows), CHUNK):
        connection.execute(table.insert(), rows[start : start + CHUNK])
    elapsed = time.perf_counter() - started
    timings.add(table_name, len(rows), elapsed)
    if verbose:
        print(f"  {table_name:<22} {len(rows):>8} rows  {elapsed:6.2f} s", flush=True)


def _hex(rng: random.Random, bits: int = 128) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def _weighted(rng: random.Random, options: list[tuple[object, float]]):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _text(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def fill(engine: Engine, *, scale: float = 1.0, seed: int = DEFAULT_SEED, anchor: date | None = None,
         verbose: bool = True) -> dict:
    """Insert the dataset into an existing, empty schema. Returns a manifest of what was made."""
    rng = random.Random(seed)
    counts = Counts.for_scale(scale)
    anchor_day = anchor or datetime.now(UTC).date()
    anchor_at = datetime(anchor_day.year, anchor_day.month, anchor_day.day, tzinfo=UTC)
    timings = Timings()
    total_started = time.perf_counter()

    def at(days: float, hours: float = 0) -> datetime:
        return anchor_at + timedelta(days=days, hours=hours)

    with engine.begin() as connection:
        # The tallies' triggers (app.reports.tallies) would recount a person at every row loaded:
        # dropped for the load, the tallies counted at the end in one statement, the triggers back.
        tallies.drop_triggers(connection)
        # --- directory ------------------------------------------------------------------------
        organisations = []
        for i in range(1, counts.organisations + 1):
            words, org_type = ORG_WORDS[i % len(ORG_WORDS)]
            country = COUNTRIES[i % len(COUNTRIES)]
            organisations.append({
                "id": i, "name": f"{words} {i}", "short_name": f"ORG{i}", "type": org_type.value,
                "country": country, "website": f"https://org{i}.example",
                "created_at": at(-1500), "updated_at": at(-1500),
            })
        _insert(connection, "organisations", organisations, timings, verbose)

        themes = []
        theme_names = THEME_NAMES + [topic.capitalize() for topic in TOPICS]
        for i in range(1, counts.themes + 1):
            name = theme_names[(i - 1) % len(theme_names)]
            cycle = "2022-2025" if i <= len(THEME_NAMES) else None
            themes.append({"id": i, "name": name, "description": None, "empact_cycle": cycle,
                           "created_at": at(-1500), "updated_at": at(-1500)})
        _insert(connection, "themes", themes, timings, verbose)

        projects = []
        for i in range(1, counts.projects + 1):
            starts_on = (anchor_at - timedelta(days=rng.randint(200, 1800))).date()
            projects.append({
                "id": i, "acronym": f"PRJ-{i:03d}", "title": f"Project on {rng.choice(TOPICS)} {i}",
                "programme": rng.choice(["Horizon 2020", "Horizon Europe", "ISF-Police", "EU4Security"]),
                "grant_number": str(800000 + i), "starts_on": starts_on,
                "ends_on": starts_on + timedelta(days=rng.randint(700, 1500)),
                "website": f"https://project{i}.example", "description": _text(rng, 2),
                "coordinator_organisation_id": rng.randint(1, counts.organisations),
                "created_at": at(-1500), "updated_at": at(-1500),
            })
        _insert(connection, "projects", projects, timings, verbose)

        # --- users ----------------------------------------------------------------------------
        password_hash = bench_password_hash(rng)
        named = [
            (ADMIN_EMAIL, "Bench Admin", Role.ADMIN),
            (COORDINATOR_EMAIL, "Bench Coordinator", Role.COORDINATOR),
            (ORGANISER_EMAIL, "Bench Organiser", Role.ORGANISER),
            (MEMBER_EMAIL, "Bench Member", Role.MEMBER),
        ]
        users = []
        for i in range(1, counts.users + 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if i <= len(named):
                email, name, role = named[i - 1]
            else:
                email, name = f"{first}.{last}.{i}@bench.example".lower(), f"{first} {last}"
                role = _weighted(rng, [(Role.MEMBER, 0.975), (Role.ORGANISER, 0.02), (Role.COORDINATOR, 0.005)])
            users.append({
                "id": i, "email": email, "name": name, "password_hash": password_hash, "role": role.value,
                "organisation_id": rng.randint(1, counts.organisations), "position": "Officer",
                "country": rng.choice(COUNTRIES), "timezone": rng.choice(TIMEZONES), "language": "en",
                "calendar_token": _hex(rng, 192), "is_active": True, "last_login_at": None,
                "session_version": 1, "created_at": at(-rng.randint(30, 1500)), "updated_at": at(-10),
            })
            users[-1]["email_confirmed_at"] = users[-1]["created_at"]
        _insert(connection, "users", users, timings, verbose)
        memberships = [
            {"id": u["id"], "user_id": u["id"], "organisation_id": u["organisation_id"], "status": "approved",
             "is_admin": False, "via": "admin", "requested_at": u["created_at"], "decided_at": u["created_at"],
             "created_at": u["created_at"], "updated_at": u["created_at"]}
            for u in users
        ]
        _insert(connection, "memberships", memberships, timings, verbose)
        coordinator_id, organiser_id, member_id = 2, 3, 4  # 1 is the admin
        organiser_ids = [u["id"] for u in users if u["role"] == Role.ORGANISER.value]
        coordinator_ids = [u["id"] for u in users if u["role"] == Role.COORDINATOR.value]
        plain_user_ids = list(range(len(named) + 1, counts.users + 1))

        # --- events ---------------------------------------------------------------------------
        # Spread over three years of history and one year ahead. Three named events come first.
        events, event_projects, event_themes, event_organisers = [], [], [], []
        special = {1: BIG_EVENT_UID, 2: TYPICAL_EVENT_UID, 3: TARGET_EVENT_UID}
        for i in range(1, counts.events + 1):
            kind = rng.choice(list(EventKind))
            fmt = _weighted(rng, [(EventFormat.IN_PERSON, 0.6), (EventFormat.ONLINE, 0.2), (EventFormat.HYBRID, 0.2)])
            status = _weighted(rng, [(EventStatus.PUBLISHED, 0.9), (EventStatus.DRAFT, 0.06), (EventStatus.CANCELLED, 0.04)])
            start_day = rng.randint(-3 * 365, 365)
            days = _weighted(rng, [(1, 0.5), (2, 0.3), (3, 0.2)])
            if i == 1:  # the 2,000-person conference, in six weeks
                kind, status, start_day, days = EventKind.CONFERENCE, EventStatus.PUBLISHED, 42, 3
            elif i == 2:  # a typical upcoming workshop
                kind, status, start_day, days = EventKind.WORKSHOP, EventStatus.PUBLISHED, 21, 2
            elif i == 3:  # the registration target: open, empty, small capacity
                kind, status, start_day, days = EventKind.TRAINING, EventStatus.PUBLISHED, 90, 2
            starts_at = at(start_day, 7 + rng.randint(0, 2))
            ends_at = starts_at + timedelta(days=days - 1, hours=8 + rng.randint(0, 2))
            topic = rng.choice(TOPICS)
            creator = organiser_id if i in (1, 2, 3) else rng.choice(organiser_ids or [organiser_id])
            mode = _weighted(rng, [(RegistrationMode.OPEN, 0.7), (RegistrationMode.APPROVAL, 0.25),
                                   (RegistrationMode.INVITATION, 0.05)])
            if i in (1, 2, 3):
                mode = RegistrationMode.OPEN
            opens = starts_at - timedelta(days=rng.randint(30, 90))
            closes = starts_at - timedelta(days=1)
            if i == 3:
                opens, closes = at(-30), at(80)
            events.append({
                "id": i, "uid": special.get(i) or _hex(rng), "sequence": rng.randint(0, 3),
                "kind": kind.value, "format": fmt.value, "status": status.value,
                "title": f"{EVENT_KIND_WORDS[kind]} {topic} ({i})",
                "summary": f"Practitioners from the network meet on {topic}.",
                "description": _text(rng, 6),
                "starts_at": starts_at, "ends_at": ends_at, "timezone": rng.choice(TIMEZONES),
                "venue": "Conference centre" if fmt != EventFormat.ONLINE else None,
                "address": None, "city": rng.choice(CITIES), "country": rng.choice(COUNTRIES),
                "online_url": "https://meet.example/room" if fmt != EventFormat.IN_PERSON else None,
                "host_organisation_id": rng.randint(1, counts.organisations), "created_by_id": creator,
                "capacity": None, "registration_mode": mode.value,
                "registration_opens_at": opens, "registration_closes_at": closes,
                "registration_closed_notified_at": None, "reminder_days": "7,1",
                "cancellation_reason": "Postponed" if status == EventStatus.CANCELLED else None,
                "cancelled_at": starts_at - timedelta(days=20) if status == EventStatus.CANCELLED else None,
                "published_at": opens if status != EventStatus.DRAFT else None,
                "series_key": None, "post_event_notified_at": None,
                "created_at": opens - timedelta(days=10), "updated_at": opens,
            })
            for project_id in rng.sample(range(1, counts.projects + 1), rng.randint(1, min(2, counts.projects))):
                event_projects.append({"event_id": i, "project_id": project_id})
            for theme_id in rng.sample(range(1, counts.themes + 1), rng.randint(1, min(3, counts.themes))):
                event_themes.append({"event_id": i, "theme_id": theme_id})
            co_organisers = {creator}
            if organiser_ids and rng.random() < 0.5:
                co_organisers.add(rng.choice(organiser_ids))
            for user_id in sorted(co_organisers):
                event_organisers.append({"event_id": i, "user_id": user_id, "added_at": opens - timedelta(days=10)})

        # --- registrations (sizes first: capacity depends on them) -----------------------------
        # Event 1 (the big one) is sized apart; event 3 (the registration target) starts empty.
        published_ids = [e["id"] for e in events if e["status"] != EventStatus.DRAFT.value and e["id"] not in (1, 3)]
        published_set = set(published_ids)
        upcoming_ids = [e["id"] for e in events if e["id"] in published_set and e["starts_at"] >= at(-30)]
        rng.shuffle(upcoming_ids)
        # The member is always confirmed on the typical event (id 2), whose page the runner shows them.
        upcoming_ids = [2] + [i for i in upcoming_ids if i != 2]
        member_event_ids = set(upcoming_ids[: counts.member_registrations])
        if len(member_event_ids) < counts.member_registrations:
            others = [i for i in published_ids if i not in member_event_ids]
            member_event_ids |= set(others[: counts.member_registrations - len(member_event_ids)])
        rest = max(0, counts.registrations - counts.big_event_registrations)
        weights = {i: rng.lognormvariate(0, 0.6) for i in published_ids}
        total_weight = sum(weights.values()) or 1.0
        population = len(plain_user_ids)
        sizes = {i: min(population - 1, max(1, round(rest * w / total_weight))) for i, w in weights.items()}
        sizes[1] = counts.big_event_registrations

        registrations, feedback, attendance_days = [], [], []
        confirmed_by_event: dict[int, list[int]] = {}
        registration_id = 0
        by_id = {e["id"]: e for e in events}
        for event_id in [1, *published_ids]:
            event = by_id[event_id]
            size = sizes[event_id]
            attendees = rng.sample(plain_user_ids, size)
            if event_id in member_event_ids:
                attendees = [member_id] + attendees[:-1]
            past = event["ends_at"] < anchor_at
            capacity = None
            if event_id == 1:
                capacity = size
            elif rng.random() < 0.6:
                capacity = max(1, int(size * rng.uniform(0.7, 1.3)))
            event["capacity"] = capacity
            approval = event["registration_mode"] == RegistrationMode.APPROVAL.value
            seats_taken = 0
            for position, user_id in enumerate(attendees):
                registration_id += 1
                role = ParticipantRole.PARTICIPANT
                if position and rng.random() < 0.03:
                    role = rng.choice([ParticipantRole.SPEAKER, ParticipantRole.TRAINER, ParticipantRole.OBSERVER])
                registered_at = event["registration_opens_at"] + timedelta(hours=position % 500 + 1)
                status = RegistrationStatus.CONFIRMED
                roll = rng.random()
                if user_id != member_id:
                    if roll < 0.06:
                        status = RegistrationStatus.CANCELLED
                    elif approval and roll < 0.12:
                        status = RegistrationStatus.PENDING if not past else RegistrationStatus.REJECTED
                takes_seat = role in (ParticipantRole.PARTICIPANT, ParticipantRole.OBSERVER)
                if status == RegistrationStatus.CONFIRMED and takes_seat and capacity is not None:
                    if seats_taken >= capacity:
                        status = RegistrationStatus.WAITLISTED
                    else:
                        seats_taken += 1
                confirmed = status == RegistrationStatus.CONFIRMED
                if confirmed and user_id != member_id:
                    confirmed_by_event.setdefault(event_id, []).append(user_id)
                checked_in = past and confirmed and rng.random() < 0.75
                registrations.append({
                    "id": registration_id, "event_id": event_id, "user_id": user_id,
                    "status": status.value, "role": role.value,
                    "waitlisted_at": registered_at if status == RegistrationStatus.WAITLISTED else None,
                    "registered_at": registered_at,
                    "confirmed_at": registered_at + timedelta(minutes=5) if confirmed else None,
                    "cancelled_at": registered_at + timedelta(days=2) if status == RegistrationStatus.CANCELLED else None,
                    "rejected_at": registered_at + timedelta(days=1) if status == RegistrationStatus.REJECTED else None,
                    "rejection_reason": None,
                    "dietary_needs": "Vegetarian" if rng.random() < 0.1 else None,
                    "accessibility_needs": None, "needs_visa_letter": rng.random() < 0.05,
                    "consented_at": registered_at, "checked_in_at": event["starts_at"] if checked_in else None,
                    "last_reminder_days": 1 if past and confirmed else None,
                    "feedback_requested_at": event["ends_at"] if past and confirmed else None,
                    "created_at": registered_at, "updated_at": registered_at,
                })
                if checked_in:  # multi-day events record a check-in per day
                    first_day, last_day = event["starts_at"].date(), event["ends_at"].date()
                    for offset in range((last_day - first_day).days + 1 if last_day > first_day else 0):
                        attendance_days.append({
                            "id": len(attendance_days) + 1, "registration_id": registration_id,
                            "day_on": first_day + timedelta(days=offset),
                            "checked_in_at": event["starts_at"] + timedelta(days=offset),
                            "checked_in_by_id": event["created_by_id"],
                        })
                if checked_in and rng.random() < 0.25:
                    feedback.append({
                        "id": len(feedback) + 1, "event_id": event_id, "registration_id": registration_id,
                        "is_anonymous": rng.random() < 0.3, "overall": rng.randint(2, 5),
                        "relevance": rng.randint(1, 5), "organisation": rng.randint(2, 5),
                        "what_worked": rng.choice(SENTENCES), "what_to_improve": rng.choice(SENTENCES),
                        "created_at": event["ends_at"], "updated_at": event["ends_at"],
                    })
        by_id[3]["capacity"] = counts.target_capacity

        _insert(connection, "events", events, timings, verbose)
        _insert(connection, "event_projects", event_projects, timings, verbose)
        _insert(connection, "event_themes", event_themes, timings, verbose)
        _insert(connection, "event_organisers", event_organisers, timings, verbose)

        # --- sessions and speakers ------------------------------------------------------------
        sessions, speakers, signups = [], [], []
        session_ids_by_event: dict[int, list[int]] = {}
        for event in events:
            span = (event["ends_at"] - event["starts_at"]).total_seconds() / 60
            slot = span / counts.sessions_per_event
            for position in range(counts.sessions_per_event):
                session_id = len(sessions) + 1
                session_ids_by_event.setdefault(event["id"], []).append(session_id)
                kind = rng.choice(list(SessionKind))
                if event["id"] in (1, 2):  # named events: every kind of session, whatever the seed,
                    # a training (with sign-up) first so that even the tiniest scale has one
                    kinds = [SessionKind.TRAINING, *(k for k in SessionKind if k != SessionKind.TRAINING)]
                    kind = kinds[position % len(kinds)]
                starts_at = event["starts_at"] + timedelta(minutes=round(position * slot))
                sessions.append({
                    "id": session_id, "event_id": event["id"], "uid": _hex(rng), "sequence": 0,
                    "title": f"{kind.label}: {rng.choice(TOPICS)}", "kind": kind.value,
                    "starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=max(1, round(slot * 0.8))),
                    "position": position, "room": f"Room {rng.randint(1, 12)}",
                    "description": rng.choice(SENTENCES), "learning_objectives": None,
                    "capacity": 30 if kind == SessionKind.TRAINING else None,
                    "has_signup": kind == SessionKind.TRAINING,
                    "created_at": event["created_at"], "updated_at": event["created_at"],
                })
                attendees = confirmed_by_event.get(event["id"], [])
                if kind == SessionKind.TRAINING and attendees:
                    for user_id in rng.sample(attendees, min(len(attendees), rng.randint(5, 30))):
                        signups.append({
                            "id": len(signups) + 1, "session_id": session_id, "user_id": user_id,
                            "status": SessionSignupStatus.CONFIRMED.value, "waitlisted_at": None,
                            "confirmed_at": event["registration_opens_at"], "cancelled_at": None,
                            "sequence_sent": 0, "created_at": event["registration_opens_at"],
                            "updated_at": event["registration_opens_at"],
                        })
                if kind != SessionKind.BREAK and rng.random() < 0.5:
                    is_user = rng.random() < 0.7
                    speakers.append({
                        "id": len(speakers) + 1, "session_id": session_id,
                        "user_id": rng.choice(plain_user_ids) if is_user else None,
                        "external_name": None if is_user else f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        "external_organisation": None if is_user else "Europol",
                        "role": rng.choice(["speaker", "trainer", "moderator"]), "position": 0,
                    })
        _insert(connection, "sessions", sessions, timings, verbose)
        _insert(connection, "session_speakers", speakers, timings, verbose)
        _insert(connection, "registrations", registrations, timings, verbose)
        _insert(connection, "session_signups", signups, timings, verbose)
        _insert(connection, "attendance_days", attendance_days, timings, verbose)
        _insert(connection, "feedback", feedback, timings, verbose)

        # --- lessons, their history and follow-up actions -------------------------------------
        past_event_ids = [e["id"] for e in events if e["status"] == EventStatus.PUBLISHED.value
                          and e["ends_at"] < anchor_at] or published_ids
        lessons, lesson_themes, transitions, actions = [], [], [], []
        actionable = []
        for i in range(1, counts.lessons + 1):
            event_id = rng.choice(past_event_ids)
            event = by_id[event_id]
            status = _weighted(rng, [
                (LessonStatus.DRAFT, 0.10), (LessonStatus.SUBMITTED, 0.15), (LessonStatus.VALIDATED, 0.40),
                (LessonStatus.ACTIONED, 0.15), (LessonStatus.LEARNED, 0.10), (LessonStatus.REJECTED, 0.10),
            ])
            tlp = _weighted(rng, [(TLP.CLEAR, 0.3), (TLP.GREEN, 0.4), (TLP.AMBER, 0.2),
                                  (TLP.AMBER_STRICT, 0.07), (TLP.RED, 0.03)])
            kind = _weighted(rng, [(LessonKind.OBSERVATION, 0.3), (LessonKind.LESSON, 0.5),
                                   (LessonKind.GOOD_PRACTICE, 0.2)])
            created = event["ends_at"] + timedelta(days=rng.randint(1, 20))
            submitted = created + timedelta(days=1) if status != LessonStatus.DRAFT else None
            validated_states = (LessonStatus.VALIDATED, LessonStatus.ACTIONED, LessonStatus.LEARNED)
            validated = submitted + timedelta(days=7) if status in validated_states else None
            validator = rng.choice(coordinator_ids or [coordinator_id]) if validated or status == LessonStatus.REJECTED else None
            author = rng.choice(plain_user_ids)
            topic = rng.choice(TOPICS)
            lessons.append({
                "id": i, "event_id": event_id,
                "session_id": rng.choice(session_ids_by_event[event_id]) if rng.random() < 0.3 else None,
                "kind": kind.value, "status": status.value, "tlp": tlp.value,
                "title": f"{kind.label} on {topic}: {rng.choice(['information exchange', 'training needs', 'tools', 'legal basis', 'coordination'])} {i}",
                "observation": _text(rng, 3), "analysis": _text(rng, 2), "recommendation": _text(rng, 2),
                "recommendation_type": rng.choice(list(RecommendationType)).value,
                "addressed_to": rng.choice(list(Addressee)).value,
                "problem_addressed": _text(rng, 1) if kind == LessonKind.GOOD_PRACTICE else None,
                "how_it_works": _text(rng, 2) if kind == LessonKind.GOOD_PRACTICE else None,
                "evidence": None, "replication_needs": None,
                "author_id": author, "validator_id": validator,
                "submitted_at": submitted, "validated_at": validated,
                "rejection_reason": "Duplicate" if status == LessonStatus.REJECTED else None,
                "created_at": created, "updated_at": validated or submitted or created, "marked_at": created,
            })
            for theme_id in rng.sample(range(1, counts.themes + 1), rng.randint(1, min(3, counts.themes))):
                lesson_themes.append({"lesson_id": i, "theme_id": theme_id})
            if submitted:
                transitions.append({"id": len(transitions) + 1, "lesson_id": i, "actor_id": author,
                                    "from_status": "draft", "to_status": "submitted", "comment": None,
                                    "at": submitted})
            if validated or status == LessonStatus.REJECTED:
                transitions.append({"id": len(transitions) + 1, "lesson_id": i, "actor_id": validator,
                                    "from_status": "submitted",
                                    "to_status": "rejected" if status == LessonStatus.REJECTED else "validated",
                                    "comment": None, "at": validated or submitted + timedelta(days=3)})
            if status in validated_states:
                actionable.append((i, event_id))
        _insert(connection, "lessons", lessons, timings, verbose)
        _insert(connection, "lesson_themes", lesson_themes, timings, verbose)
        _insert(connection, "lesson_transitions", transitions, timings, verbose)

        for i in range(1, counts.actions + 1):
            lesson_id, event_id = rng.choice(actionable) if actionable else (None, rng.choice(past_event_ids))
            if rng.random() < 0.1:
                lesson_id = None
            status = _weighted(rng, [(ActionStatus.OPEN, 0.4), (ActionStatus.IN_PROGRESS, 0.25),
                                     (ActionStatus.DONE, 0.3), (ActionStatus.DROPPED, 0.05)])
            owner = member_id if i % 50 == 0 else rng.choice(plain_user_ids)
            actions.append({
                "id": i, "lesson_id": lesson_id, "event_id": event_id,
                "title": f"Follow up: {rng.choice(TOPICS)} ({i})", "description": rng.choice(SENTENCES),
                "owner_user_id": owner, "owner_organisation_id": rng.randint(1, counts.organisations),
                "owner_contact": None, "due_on": (anchor_at + timedelta(days=rng.randint(-180, 180))).date(),
                "status": status.value, "created_by_id": rng.choice(coordinator_ids or [coordinator_id]),
                "completed_at": at(-rng.randint(1, 100)) if status == ActionStatus.DONE else None,
                "created_at": at(-200), "updated_at": at(-10),
            })
        _insert(connection, "follow_up_actions", actions, timings, verbose)

        started = time.perf_counter()
        counted = tallies.backfill(connection, datetime.now(UTC))
        tallies.create_triggers(connection)
        timings.add("participation_tallies", counted, time.perf_counter() - started)
        if verbose:
            print(f"  {'participation_tallies':<22} {counted:>8} rows  {time.perf_counter() - started:6.2f} s",
                  flush=True)
        _fix_sequences(connection)
        from app.cache.stamps import bump_all

        bump_all(connection)  # rows written past the ORM: no cached fragment may outlive them

    _analyze(engine)
    total = time.perf_counter() - total_started
    if verbose:
        print(f"  {'total':<22} {sum(timings.rows.values()):>8} rows  {total:6.2f} s", flush=True)
    return {
        "scale": scale, "seed": seed, "anchor": anchor_day.isoformat(), "counts": dict(timings.rows),
        "seconds": round(total, 2), "target_capacity": counts.target_capacity,
        "member_registrations": len(member_event_ids), "big_event_registrations": counts.big_event_registrations,
    }


def _fix_sequences(connection) -> None:
    """Explicit ids leave PostgreSQL's sequences at 1: move each past the largest id."""
    if connection.dialect.name != "postgresql":
        return
    for table in _tables().values():
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"
            )
        )


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics, as a real database that has lived for years would have."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
            connection.commit()


def _drop_everything(engine: Engine) -> None:
    from app.extensions import db

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            db.metadata.drop_all(connection)
            for name in ("alembic_version", "lessons_fts"):
                connection.execute(text(f"DROP TABLE IF EXISTS {name}"))


def _missing_from_schema(engine: Engine) -> list[str]:
    """Model tables and columns the database does not have (migrations behind the models)."""
    from sqlalchemy import inspect

    from app.extensions import db

    inspector = inspect(engine)
    missing = []
    for table in db.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            missing.append(table.name)
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{column.name}" for column in table.columns if column.name not in present]
    return missing


def build_schema(app, engine: Engine, mode: str = "auto") -> str:
    """Drop everything and build the schema. "migrations" runs `flask db upgrade`; "create_all"
    builds it from the models; "auto" (the default) runs the migrations and falls back to the
    models when the migrations lag them (during development they are regenerated at release)."""
    from app.extensions import db

    _drop_everything(engine)
    if mode in ("auto", "migrations"):
        from flask_migrate import upgrade

        from app.extensions import init_migrations

        init_migrations(app)
        with app.app_context():
            upgrade()
        missing = _missing_from_schema(engine)
        if not missing:
            with engine.begin() as connection:  # rows the migrations seed (EMPACT themes) make way
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
            return "alembic migrations (flask db upgrade)"
        if mode == "migrations":
            raise SystemExit(f"the migrations lack {', '.join(missing[:10])}: use --schema create_all")
        _drop_everything(engine)
        db.metadata.create_all(engine)
        return f"metadata.create_all (the migrations lack {', '.join(missing[:5])})"
    db.metadata.create_all(engine)
    return "metadata.create_all (models)"


def dataset_summary(engine: Engine) -> dict[str, int]:
    """Row counts of the main tables, for the results table."""
    names = ["organisations", "users", "events", "sessions", "registrations", "lessons",
             "follow_up_actions", "feedback"]
    tables = _tables()
    with engine.connect() as connection:
        return {name: connection.scalar(select(func.count()).select_from(tables[name])) for name in names}


def make_app(database_url: str):
    """The application bound to `database_url`, with development settings (no server is started)."""
    from app import create_app
    from config import DevelopmentConfig, normalise_database_url

    # No rate limit: the runner and bench.profile sign several bench users in from one address.
    return create_app(DevelopmentConfig, {"SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
                                          "RATELIMIT_ENABLED": False})


def _is_disposable(url: str) -> bool:
    name = url.rsplit("/", 1)[-1].split("?", 1)[0].lower()
    return "bench" in name or "test" in name or url.startswith("sqlite://") and ":memory:" in url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 2,000 events, 200,000 registrations")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--anchor", type=date.fromisoformat, default=None,
                        help="the 'today' the data is built around (YYYY-MM-DD; default: today, UTC)")
    parser.add_argument("--schema", choices=["auto", "migrations", "create_all"], default="auto",
                        help="auto: the migrations, or the models when the migrations lag them")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL)
    parser.add_argument("--force", action="store_true",
                        help="allow wiping a database whose name contains neither 'bench' nor 'test'")
    args = parser.parse_args(argv)
    if not _is_disposable(args.database_url) and not args.force:
        print(f"refusing to wipe {args.database_url}: its name has no 'bench' or 'test' (use --force)",
              file=sys.stderr)
        return 2
    app = make_app(args.database_url)
    from app.extensions import db

    with app.app_context():
        engine = db.engine
        print(f"Building the schema on {engine.url.render_as_string(hide_password=True)} ...", flush=True)
        started = time.perf_counter()
        how = build_schema(app, engine, args.schema)
        print(f"  schema via {how}: {time.perf_counter() - started:.2f} s", flush=True)
        print(f"Generating scale {args.scale} (seed {args.seed}) ...", flush=True)
        manifest = fill(engine, scale=args.scale, seed=args.seed, anchor=args.anchor)
    print(f"Done in {manifest['seconds']} s. Every bench user signs in with the password {BENCH_PASSWORD!r}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
