"""Benchmark: compile and export a lessons-learned summary of 5,000 entries.

    python -m bench.bench_summary                     # SQLite file under /tmp
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.bench_summary

It fills a disposable database with 250 past events, 5,000 registrations, 5,000 validated entries
(themes, recommendations, good practices) and 1,000 follow-up actions, then times, as a coordinator:
the preview page (HTTP, rendered), compiling (query + snapshot), saving a version, and the PDF, DOCX,
Markdown and HTML exports of the saved version. For each step it prints the wall time, this process's
CPU time, the number of SQL statements and the export size; `--json` writes the figures to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta

from sqlalchemy import event as sa_event
from sqlalchemy import insert, text

DEFAULT_URL = "sqlite:///" + os.path.join(tempfile.gettempdir(), "liaison_bench_summary.db")


class Counter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _tick(self, *_args):
        self.count += 1

    def __enter__(self):
        sa_event.listen(self.engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *_exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._tick)


def fill(db, entries: int, seed: int = 7):
    from app.accounts.models import Role, User
    from app.directory.models import Organisation, Theme
    from app.events.models import Event, EventKind, EventStatus
    from app.lessons.models import (
        TLP,
        ActionStatus,
        Addressee,
        FollowUpAction,
        Lesson,
        LessonKind,
        LessonStatus,
        RecommendationType,
        lesson_themes,
    )
    from app.registrations.models import Registration, RegistrationStatus
    from app.timeutil import now

    rng = random.Random(seed)
    start = now() - timedelta(days=400)
    countries = ["UA", "MD", "GE", "RO", "PL", "NL", "BE", "DE", "FR", "IT", "ES", "HU", "RS", "MK"]
    organisations = [Organisation(name=f"Police unit {i}", country=countries[i % len(countries)]) for i in range(60)]
    db.session.add_all(organisations)
    # Confirmed: an unconfirmed account sees only what visitors see (app.roles.is_signed_in).
    coordinator = User(email="coordinator@bench.example", name="Bench Coordinator", role=Role.COORDINATOR,
                       email_confirmed_at=now())
    db.session.add(coordinator)
    themes = [Theme(name=f"Theme {i}", empact_cycle="2022-2025" if i < 6 else None) for i in range(12)]
    db.session.add_all(themes)
    db.session.flush()
    n_events = max(1, entries // 20)
    users = [{"email": f"member{i}@bench.example", "name": f"Member {i}", "role": "member",
              "organisation_id": organisations[i % len(organisations)].id, "calendar_token": f"tok{i}",
              "timezone": "Europe/Brussels", "language": "en", "is_active": True, "session_version": 1}
             for i in range(entries)]
    db.session.execute(insert(User), users)
    user_ids = [row[0] for row in db.session.execute(text("SELECT id FROM users WHERE email LIKE 'member%'"))]
    events = []
    for i in range(n_events):
        begins = start + timedelta(days=i % 380, hours=8)
        events.append({"uid": f"bench-summary-{i}", "sequence": 0, "kind": list(EventKind)[i % 6].value,
                       "format": "in_person", "status": EventStatus.PUBLISHED.value, "title": f"Meeting {i}",
                       "starts_at": begins, "ends_at": begins + timedelta(days=1), "timezone": "Europe/Brussels",
                       "country": countries[i % len(countries)], "registration_mode": "open", "reminder_days": "7,1"})
    db.session.execute(insert(Event), events)
    event_ids = [row[0] for row in db.session.execute(text("SELECT id FROM events ORDER BY id"))]
    registrations = [{"event_id": event_ids[i % len(event_ids)], "user_id": uid,
                      "status": RegistrationStatus.CONFIRMED.value, "role": "participant",
                      "needs_visa_letter": False, "checked_in_at": now() - timedelta(days=30)}
                     for i, uid in enumerate(user_ids)]
    db.session.execute(insert(Registration), registrations)
    words = ("radio interoperability border patrol evidence sharing cybercrime drones interpreters "
             "training procurement standard joint team liaison officer data protection").split()
    lessons = []
    for i in range(entries):
        kind = [LessonKind.OBSERVATION, LessonKind.LESSON, LessonKind.GOOD_PRACTICE][i % 3]
        text_of = lambda n: " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."  # noqa: E731
        lessons.append({
            "event_id": event_ids[i % len(event_ids)], "author_id": user_ids[i], "kind": kind.value,
            "status": [LessonStatus.VALIDATED, LessonStatus.ACTIONED, LessonStatus.LEARNED][i % 3].value,
            "tlp": [TLP.CLEAR, TLP.GREEN, TLP.AMBER][i % 3].value, "title": f"Entry {i}: {text_of(5)}",
            "observation": text_of(60), "analysis": text_of(40), "recommendation": text_of(25),
            "recommendation_type": list(RecommendationType)[i % 6].value,
            "addressed_to": list(Addressee)[i % 4].value,
            "problem_addressed": text_of(20) if kind == LessonKind.GOOD_PRACTICE else None,
            "how_it_works": text_of(20) if kind == LessonKind.GOOD_PRACTICE else None,
            "evidence": text_of(15) if kind == LessonKind.GOOD_PRACTICE else None,
            "replication_needs": text_of(15) if kind == LessonKind.GOOD_PRACTICE else None,
        })
    db.session.execute(insert(Lesson), lessons)
    lesson_ids = [row[0] for row in db.session.execute(text("SELECT id FROM lessons ORDER BY id"))]
    db.session.execute(insert(lesson_themes), [
        {"lesson_id": lid, "theme_id": themes[(i + k) % len(themes)].id}
        for i, lid in enumerate(lesson_ids) for k in range(1 + i % 2)
    ])
    db.session.execute(insert(FollowUpAction), [
        {"lesson_id": lesson_ids[i * 5], "title": f"Action {i}", "owner_user_id": user_ids[i],
         "status": list(ActionStatus)[i % 4].value} for i in range(entries // 5)
    ])
    db.session.commit()
    return coordinator.id


def run(database_url: str, entries: int) -> list[dict]:
    from bench.generate import _is_disposable, make_app

    if not _is_disposable(database_url):
        raise SystemExit(f"refusing to wipe {database_url}: its name has no 'bench' or 'test'")
    app = make_app(database_url)
    app.config["WTF_CSRF_ENABLED"] = False
    from flask_login import login_user

    from app.accounts.models import User
    from app.extensions import db
    from app.lessons import export
    from app.lessons.search import LibraryFilter
    from app.lessons.summaries.compile import build_snapshot, matching_entries
    from app.lessons.summaries.document import summary_document
    from app.lessons.summaries.store import SummaryDraft, can_open, save, version_as_dict

    results: list[dict] = []

    def step(label, function):
        with Counter(db.engine) as counter:
            started, cpu_started = time.perf_counter(), time.process_time()
            value = function()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size = len(value) if isinstance(value, (bytes, str)) else None
        results.append({"step": label, "seconds": round(elapsed, 3), "cpu_seconds": round(cpu, 3),
                        "queries": counter.count, "bytes": size})
        extra = f"   {size / 1024:>8.0f} KiB" if size is not None else ""
        # CPU time too: on a shared machine the wall time also counts other processes' turns.
        print(f"  {label:<36} {elapsed:>8.2f} s  {cpu:>6.2f} s CPU  {counter.count:>4} queries{extra}", flush=True)
        return value

    with app.app_context():
        engine = db.engine
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            else:
                db.metadata.drop_all(connection)
        db.metadata.create_all(engine)
        started = time.perf_counter()
        coordinator_id = fill(db, entries)
        print(f"{engine.dialect.name}: filled {entries} entries in {time.perf_counter() - started:.1f} s", flush=True)
        db.session.remove()

    with app.test_request_context("/lessons/summaries/new"):
        coordinator = db.session.get(User, coordinator_id)
        login_user(coordinator)

        def preview():
            response = app.full_dispatch_request()
            assert response.status_code == 200, response.status_code
            return response.get_data()

        step("preview page (HTTP, 5,000 shown)", preview)
        lessons = step("compile: query entries", lambda: matching_entries(coordinator, LibraryFilter()))
        assert len(lessons) == entries, len(lessons)
        step("compile: snapshot + key figures", lambda: build_snapshot(lessons))
        draft = SummaryDraft(title="Bench summary", filters={}, group_by="theme",
                             lesson_ids=[entry["id"] for entry in lessons],
                             introduction="Benchmark.", conclusions="Done.")
        version = step("save version (re-check + snapshot)", lambda: save(coordinator, draft))
        assert can_open(coordinator, version)
        document = step("build document", lambda: summary_document(
            "Bench summary", version_as_dict(version)))
        for fmt in ("md", "html", "docx", "pdf"):
            step(f"export {fmt}", lambda fmt=fmt: export.render(document, fmt))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    results = run(args.database_url, args.entries)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
