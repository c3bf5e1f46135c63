"""Same-output check of the registration and cancellation posts (issue 19): run in a checkout on
its own copy of the `make bench-data` dataset (PostgreSQL); it writes every response (status,
Location, the flashed messages, the body of a refused form), and the rows the posts wrote
(registrations, answers, outbox messages and audit entries, every column) to a JSON file. Run it in
the old and the new checkout on identical copies and compare the files byte for byte:

    createdb -T liaison_bench copy_a && createdb -T liaison_bench copy_b
    cd <old checkout> && DATABASE_URL=postgresql://.../copy_a python -m bench.registration_samecheck --out a.json
    cd <new checkout> && DATABASE_URL=postgresql://.../copy_b python -m bench.registration_samecheck --out b.json
    cmp a.json b.json

The plan: 15 upcoming events (open with a few seats left, unlimited, closed, not open yet, with
questions, with the organisers' paragraphs, on approval, by invitation), 42 members in seven
languages and zones (some with names that need escaping), 504 posts in a fixed shuffled order:
registrations as participant, speaker or observer, without consent, with a `next`, cancellations
and registrations again. The clock is frozen per post (app.timeutil), uuids and tokens are counted,
so both runs write the same values. The app runs in production mode (as bench.run serves it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

os.environ.setdefault("LIAISON_ENV", "production")
os.environ.setdefault("SECRET_KEY", "h-reg-secret-key-0123456789abcdef0123456789abcdef")
os.environ.setdefault("RATELIMIT_ENABLED", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("BASE_URL", "http://localhost")

LANGUAGES = ["en", "uk", "ro", "ka", "mk", "sr", "sr_Latn"]
ZONES = ["Europe/Berlin", "Europe/Kyiv", "America/New_York", "Asia/Tbilisi", "UTC", "Europe/Belgrade", "Europe/Skopje"]



def _pin_randomness() -> None:
    """uuids and tokens counted, not random: both runs write the same message ids and nonces."""
    uuid_counter, token_counter = itertools.count(1), itertools.count(1)
    uuid.uuid4 = lambda: uuid.UUID(int=next(uuid_counter))
    secrets.token_urlsafe = lambda n=None: f"tok{next(token_counter):06d}"
    secrets.token_hex = lambda n=None: f"{next(token_counter):024x}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--clock", default="")
    args = parser.parse_args()
    _pin_randomness()
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import func, select, text, update

    from app import create_app, timeutil
    from app.accounts.models import User
    from app.audit.models import AuditEntry
    from app.events.models import Event, EventStatus, RegistrationMode
    from app.extensions import db
    from app.notifications.models import OutboxMessage
    from app.registrations.email_texts import EventEmailText
    from app.registrations.models import Registration
    from app.registrations.question_models import RegistrationQuestion
    from app.registrations.waitlist import seats_taken
    from bench import loadgen, run

    app = create_app()
    app.config["PREFERRED_URL_SCHEME"] = "http"
    clock = datetime.fromisoformat(args.clock) if args.clock else datetime(2026, 12, 7, 17, 30, tzinfo=UTC)
    timeutil._frozen = clock
    ctx = run.load_context(app)
    emails = run.registration_pool(app, ctx, 42)
    with app.app_context():
        at = clock

        def pick(mode, count, offset=0):
            return list(db.session.scalars(
                select(Event.id).where(Event.status == EventStatus.PUBLISHED, Event.registration_mode == mode,
                                       Event.starts_at > at + timedelta(days=2), Event.id != ctx.target_event_id)
                .order_by(Event.id).offset(offset).limit(count)))
        open_ids = pick(RegistrationMode.OPEN, 12)
        approval_ids = pick(RegistrationMode.APPROVAL, 2)
        invitation_ids = pick(RegistrationMode.INVITATION, 1)
        ids = open_ids + approval_ids + invitation_ids
        pool_ids = list(db.session.scalars(select(User.id).where(User.email.in_(emails)).order_by(User.id)))
        db.session.execute(text("DELETE FROM registrations WHERE event_id = ANY(:e) AND user_id = ANY(:u)"),
                           {"e": ids, "u": pool_ids})
        for index, event_id in enumerate(ids):
            values = {"registration_opens_at": None, "registration_closes_at": None}
            if index < 4:
                values["capacity"] = seats_taken(event_id) + 3  # small: a waiting list forms
            elif index < 6:
                values["capacity"] = None
            elif index == 6:
                values["registration_closes_at"] = at - timedelta(hours=1)
            elif index == 7:
                values["registration_opens_at"] = at + timedelta(days=1)
            else:
                values["capacity"] = seats_taken(event_id) + 10
            db.session.execute(update(Event).where(Event.id == event_id).values(**values))
        # Questions on two events, organisers' paragraphs on two (one of them with questions too).
        for event_id in (open_ids[8], open_ids[9]):
            db.session.add(RegistrationQuestion(event_id=event_id, position=0, label="Your institution?",
                                                is_required=True))
            db.session.add(RegistrationQuestion(event_id=event_id, position=1, label="Anything else?"))
        for event_id, kind in ((open_ids[9], "confirmation"), (open_ids[10], "confirmation"), (open_ids[0], "waitlist")):
            db.session.add(EventEmailText(event_id=event_id, kind=kind, body=f"Bring your badge (event {event_id}) & *smile*.",
                                          is_markdown=kind == "waitlist", updated_at=at))
        for index, user_id in enumerate(pool_ids):
            names = {0: "O'Brien & <Sons> \"Q\"", 1: "Ñandú %(name)s 50% {x}", 2: "__liaison_x__ <i>"}
            values = {"language": LANGUAGES[index % len(LANGUAGES)], "timezone": ZONES[index % len(ZONES)]}
            if index % 5 in names:
                values["name"] = names[index % 5] + f" {index}"
            db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()
        first_outbox = db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
        first_audit = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))

    # Sign in and read each event's form (as the user sees it).
    clients = []
    for email in emails:
        client = run.test_client_for(app, email)
        client.get(f"/events/{ids[0]}")  # the page a person registers from: its form's token
        clients.append(client)
    forms = {}
    for event_id in ids:
        html = clients[0].get(f"/events/{event_id}").get_data(as_text=True)
        form = next((f for f in loadgen.parse_forms(html) if f.method == "post" and f.action.endswith("/register")),
                    None)
        forms[event_id] = form
    rng = random.Random(7)
    steps = []
    for _round in range(3):
        for user_index in range(len(emails)):
            for event_id in rng.sample(ids, 4):
                kind = rng.choices(["register", "register", "register", "cancel", "noconsent", "speaker",
                                    "observer", "next"], k=1)[0]
                steps.append((user_index, event_id, kind))
    rng.shuffle(steps)
    serializer = app.session_interface.get_signing_serializer(app)
    out = {"responses": []}
    for number, (user_index, event_id, kind) in enumerate(steps):
        timeutil._frozen = clock + timedelta(seconds=number, microseconds=number % 7)
        client = clients[user_index]
        token = client.get_cookie("session")
        with app.test_request_context(headers={"Cookie": f"session={token.value}"} if token else {}):
            app.preprocess_request()
            signed_token = generate_csrf()
        if kind == "cancel":
            path, fields = f"/events/{event_id}/registration/cancel", [("csrf_token", signed_token)]
        else:
            path = f"/events/{event_id}/register"
            form = forms[event_id]
            fields = [(n, v) for n, v in (form.fields if form else []) if n != "csrf_token"]
            fields.append(("csrf_token", signed_token))
            for name in (form.text_inputs if form else []):
                fields = [(n, v) for n, v in fields if n != name] + [(name, f"answer {user_index} ✓ <b>")]
            if kind != "noconsent":
                fields += list(form.required_boxes) if form else [("consent", "y")]
            if kind in ("speaker", "observer"):
                fields = [(n, v) for n, v in fields if n != "role"] + [("role", kind)]
            if kind == "next":
                fields.append(("next", "/my-events"))
        response = client.post(path, data=urlencode(fields), content_type="application/x-www-form-urlencoded")
        cookie = client.get_cookie("session")
        flashes = serializer.loads(cookie.value).get("_flashes") if cookie else None
        body = response.get_data(as_text=True) if response.status_code != 302 else ""
        body = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"|value="[A-Za-z0-9._-]{40,}"', "CSRF", body)
        out["responses"].append([number, user_index, event_id, kind, response.status_code,
                                 response.headers.get("Location"), flashes, body])
        # The next request starts without these flashes (as a browser's redirect would show them).
        if cookie and flashes:
            with client.session_transaction() as session:
                session.pop("_flashes", None)

    with app.app_context():
        def rows(model, where, order):
            table = model.__table__
            result = db.session.execute(select(table).where(where).order_by(order)).mappings().all()
            return [{k: (v.isoformat() if isinstance(v, datetime) else v if isinstance(v, (int, float, str, bool, type(None), list, dict)) else str(v))
                     for k, v in row.items()} for row in result]
        out["registrations"] = rows(Registration, Registration.event_id.in_(ids), Registration.id)
        out["outbox"] = rows(OutboxMessage, OutboxMessage.id > first_outbox, OutboxMessage.id)
        out["audit"] = rows(AuditEntry, AuditEntry.id > first_audit, AuditEntry.id)
        answers = db.session.execute(text(
            "SELECT a.* FROM registration_answers a JOIN registrations r ON r.id = a.registration_id "
            "WHERE r.event_id = ANY(:e) ORDER BY a.registration_id, a.question_id"), {"e": ids}).mappings().all()
        out["answers"] = [{k: str(v) for k, v in row.items()} for row in answers]
    with open(args.out, "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=0, default=str)
    statuses = {}
    for r in out["responses"]:
        statuses[r[4]] = statuses.get(r[4], 0) + 1
    print(f"{len(steps)} posts {statuses}; {len(out['registrations'])} registrations, {len(out['outbox'])} outbox, "
          f"{len(out['audit'])} audit, {len(out['answers'])} answers")


if __name__ == "__main__":
    main()
