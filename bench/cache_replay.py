"""The mixed benchmark's shape replayed in-process through the Flask test client, caches on against
caches off: what the one cache (app.cache.fragments) finds and builds per entry, and whether it pays.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/liaison_bench python -m bench.cache_replay --requests 3000
    python -m bench.cache_replay --rounds 2 --writes       # with the mix's writes (a copy of the dataset!)
    python -m bench.cache_replay --modes on --memory       # what the caches and per-worker memos hold
    python -m bench.cache_replay --rounds 10 --costs       # CPU on/off by round; each entry's build vs upkeep
    python -m bench.cache_replay --same-output --writes    # every GET asked of both apps, answers compared

The same seeded plan of requests (bench.mixed_traffic.MIX: Zipf event popularity, 2,000 people of the
dataset) is sent to two apps in one process, one with the cache and one with CACHE_TYPE=NullCache, in
alternated runs (on off off on ...): compare their times as ratios. Each lookup is counted by entry
name from the Server-Timing header (app.cache.timing). Times are the process's CPU (time.process_time:
the app's Python, not the database's) and wall time; each round's on/off ratio is reported with its
quartiles. Writes (--writes) post the real forms: never against a dataset others read.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import secrets
import time
import tracemalloc
from collections import Counter
from urllib.parse import urlencode

from bench import generate
from bench.cache_costs import Costs, normalised
from bench.mixed_people import load_population
from bench.mixed_stats import Zipf, parse_server_timing
from bench.mixed_traffic import MIX, SEARCH_TERMS, find_form

WRITES = {"register", "cancel", "agenda_edit", "lesson_record"}


def make_app(database_url: str, caches: bool):
    from app.cache import timing

    app = generate.make_app(database_url)
    app.config.update(SERVER_TIMING=True, REPORTS_CACHE_SECONDS=60 if caches else 0)
    if not caches:
        app.config["CACHE_TYPE"] = "NullCache"
    timing.install(app, force=True)
    return app


def plan(population, count: int, seed: int, writes: bool) -> list[tuple]:
    """`count` actions: (action, person or None, argument), as bench.mixed_traffic chooses them."""
    rng = random.Random(seed)
    mix = [(a, w) for a, w in MIX if writes or a not in WRITES]
    actions, weights = zip(*mix, strict=True)
    events, open_events = Zipf(population.upcoming), Zipf(population.open_events or population.upcoming)
    members = [p for p in population.people if p.role == "member"]
    organisers = [p for p in population.people if p.role == "organiser" and p.organises]
    coordinators = population.by_role("coordinator")
    attendees = [p for p in members if p.attended]
    subscribers = members[: max(1, len(members) * 3 // 10)]
    steps = []
    for _ in range(count):
        action = rng.choices(actions, weights)[0]
        person, arg = None, None
        if action in ("event_page", "event_page_anon", "event_ics"):
            arg = f"/events/{events.choose(rng)}" + (".ics" if action == "event_ics" else "")
        elif action in ("events_list", "events_list_anon"):
            params = {}
            if rng.random() < 0.5:
                params["country"] = rng.choice(population.countries)
            if rng.random() < 0.2:
                params["page"] = str(rng.choice((2, 3)))
            arg = "/events" + (f"?{urlencode(params)}" if params else "")
        elif action == "my_events":
            c = rng.random()
            arg = "/my/events?show=past" if c < 0.2 else "/my/events?page=2" if c < 0.3 else "/my/events"
        elif action == "personal_feed":
            arg = rng.choice(subscribers)
        elif action == "public_feed":
            arg = rng.randrange(200)
        elif action == "lessons_search":
            params = {"q": rng.choice(SEARCH_TERMS)}
            if rng.random() < 0.15:
                params["page"] = "2"
            arg = f"/lessons/?{urlencode(params)}"
        elif action in ("register", "cancel"):
            arg = open_events.choose(rng)
        if action in ("event_page", "events_list", "my_events", "lessons_search", "register", "cancel"):
            person = rng.choice(members)
        elif action in ("participants", "agenda_edit"):
            person = rng.choice(organisers)
            arg = rng.choice(person.organises)
        elif action == "dashboard":
            person = rng.choice(coordinators)
        elif action == "lesson_record":
            person = rng.choice(attendees)
            arg = rng.choice(person.attended)
        steps.append((action, person, arg, rng.getrandbits(32)))
    return steps


class Replay:
    """The plan's requests sent to `apps` in turn (several: as gunicorn's workers, each its own cache)."""

    def __init__(self, apps, population):
        self.apps = apps
        self.app = apps[0]
        self.turn = 0  # which app the step under way goes to
        self.population = population
        self.clients: dict[tuple, object] = {}
        self.etags: dict = {}
        self.entries: Counter = Counter()  # (name, "h" | "m") -> lookups
        self.statuses: Counter = Counter()
        self.twin: Replay | None = None  # --same-output: every GET asked of it too, the answers compared
        self.compared = 0
        self.differences: list[tuple] = []

    def client(self, person):
        key = (getattr(person, "id", None), self.turn)
        client = self.clients.get(key)
        if client is None:
            client = self.clients[key] = self.apps[self.turn].test_client()
            if person is None:
                return client
            with client.session_transaction() as session:
                session["_user_id"] = f"{person.id}:{person.session_version}:{secrets.token_urlsafe(24)}"
                session["_fresh"] = True
        return client

    def get(self, person, path, headers=None, compared=True):
        response = self.client(person).get(path, headers=headers or {})
        # Not compared: the page a post redirects to (its flash message is in the poster's session
        # only) and the dashboard (kept REPORTS_CACHE_SECONDS with the caches on, 0 with them off).
        if self.twin is not None and compared and not path.startswith("/reports/"):
            other = self.twin.client(person).get(path, headers=headers or {})
            mine, theirs = normalised(response), normalised(other)
            self.compared += 1
            if mine != theirs:
                self.differences.append((path, getattr(person, "id", None), mine, theirs))
            other.close()
        self.note(response)
        return response

    def note(self, response):
        self.statuses[response.status_code] += 1
        timing = parse_server_timing(response.headers.get("Server-Timing"))
        for item in (timing or {}).get("cache-entries", {}).get("desc", "").split():
            name, _, outcome = item.rpartition(":")
            self.entries[(name, outcome)] += 1
        response.close()

    def post_form(self, person, html: bytes, path: str, change=None, submit=None):
        form = find_form(html, path)
        if form is None:
            return
        fields = list(form.fields) + list(form.required_boxes)
        fields = change(fields) if change else fields
        fields.append(submit or form.submit) if (submit or (form.submit and form.submit[0])) else None
        response = self.client(person).post(form.action or path, data=urlencode(fields),
                                            content_type="application/x-www-form-urlencoded")
        self.note(response)
        if response.status_code in (302, 303):
            self.get(person, response.headers["Location"], compared=False)

    def step(self, action, person, arg, salt):
        self.turn = salt % len(self.apps)
        if self.twin is not None:
            self.twin.turn = salt % len(self.twin.apps)
        if action in ("event_page", "event_page_anon", "event_ics", "events_list", "events_list_anon",
                      "my_events", "lessons_search"):
            self.get(person, arg)
        elif action in ("personal_feed", "public_feed"):
            path = f"/calendar/feed/{arg.calendar_token}.ics" if action == "personal_feed" else "/calendar/public.ics"
            key = (action, arg if action == "public_feed" else arg.id)
            headers = {"Accept-Encoding": "gzip"}
            if key in self.etags:
                headers["If-None-Match"] = self.etags[key]
            response = self.get(None, path, headers)
            if response.status_code == 200 and response.headers.get("ETag"):
                self.etags[key] = response.headers["ETag"]
        elif action == "participants":
            self.get(person, f"/events/{arg}/participants")
        elif action == "dashboard":
            self.get(person, "/reports/")
        elif action in ("register", "cancel"):
            html = self.get(person, f"/events/{arg}").data
            suffix = "/register" if b"/register" in html else "/registration/cancel"
            self.post_form(person, html, f"/events/{arg}{suffix}")
        elif action == "agenda_edit":
            sessions = self.population.sessions_of.get(arg)
            if sessions:
                path = f"/events/{arg}/sessions/{sessions[salt % len(sessions)]}/edit"
                room = f"Room {salt % 40}"
                self.post_form(person, self.get(person, path).data, path,
                               lambda fields: [(n, room if n == "room" else v) for n, v in fields])
        elif action == "lesson_record":
            path = f"/events/{arg}/lessons/new"
            filled = {"title": f"Observation from the cache replay ({salt:x})",
                      "observation": "Participants compared how their units exchange information."}
            self.post_form(person, self.get(person, path).data, path,
                           lambda fields: [(n, filled.get(n, v)) for n, v in fields if n not in ("submit", "save_draft")],
                           submit=("save_draft", "Save draft"))

    def run(self, steps) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this process) to replay `steps`."""
        started, cpu = time.perf_counter(), time.process_time()
        for step in steps:
            self.step(*step)
        return time.perf_counter() - started, time.process_time() - cpu


def memo_sizes(app) -> dict[str, int]:
    """Bytes each per-worker store holds (tracemalloc: traced memory freed by clearing it)."""
    from app import markdown, urls
    from app.cache import fragments
    from app.calendar import feed_entries, ics, personal_reads, public_reads

    stores = {
        "fragments": lambda: fragments.cache_for(app).clear(),
        "calendar.feed_entries": feed_entries.forget,
        # The feeds' rows kept by row version (events: public_reads; sessions: personal_reads).
        "calendar.kept_rows": lambda: (public_reads.forget(), personal_reads.forget()),
        "ics._vevent_bytes": ics._vevent_bytes.cache_clear,
        "markdown": lambda: (markdown._render_kept.cache_clear(), markdown.plain_text.cache_clear()),
        "urls._absolute": urls._absolute.cache_clear,
    }
    sizes = {}
    with app.app_context():
        for name, clear in stores.items():
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            clear()
            gc.collect()
            sizes[name] = before - tracemalloc.get_traced_memory()[0]
    return sizes


def _ratios(times: dict, modes: list[str], count: int) -> str:
    """Each round's CPU and wall ratio, first mode over second (the two runs of a mode in a round
    averaged: on off off on), with their quartiles."""
    def quartiles(values):
        values = sorted(values)
        at = lambda q: values[min(len(values) - 1, round(q * (len(values) - 1)))]  # noqa: E731
        return f"median {at(0.5):.3f} (quartiles {at(0.25):.3f}-{at(0.75):.3f}, {len(values)} rounds)"

    first, second = times[modes[0]], times[modes[1]]
    pairs = range(0, len(first) - 1, 2) if len(first) > 1 else range(0)
    cpu = [(first[i][1] + first[i + 1][1]) / (second[i][1] + second[i + 1][1]) for i in pairs]
    wall = [(first[i][0] + first[i + 1][0]) / (second[i][0] + second[i + 1][0]) for i in pairs]
    mean = {mode: sum(c for _, c in times[mode]) / len(times[mode]) / count * 1000 for mode in modes}
    if not cpu:
        return f"CPU {modes[0]} {mean[modes[0]]:.2f} ms, {modes[1]} {mean[modes[1]]:.2f} ms a request"
    return (f"CPU a request {modes[0]} {mean[modes[0]]:.2f} ms, {modes[1]} {mean[modes[1]]:.2f} ms; "
            f"{modes[0]}/{modes[1]} CPU {quartiles(cpu)}; wall {quartiles(wall)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or generate.DEFAULT_SQLITE_URL)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=1, help="alternations: on off off on per round")
    parser.add_argument("--modes", default="on,off")
    parser.add_argument("--writes", action="store_true", help="the mix's writes too (a copy of the dataset!)")
    parser.add_argument("--memory", action="store_true", help="tracemalloc: what each store holds at the end")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--workers", type=int, default=1, help="apps per mode, each its own cache, steps dealt out")
    parser.add_argument("--costs", action="store_true", help="each entry's build CPU vs its upkeep (one more run)")
    parser.add_argument("--same-output", action="store_true",
                        help="one more run asking every GET of the first two modes' apps, answers compared")
    args = parser.parse_args(argv)
    if args.memory:
        tracemalloc.start()
    population = load_population(args.database_url)
    modes = args.modes.split(",")
    replays = {mode: Replay([make_app(args.database_url, mode == "on") for _ in range(args.workers)], population)
               for mode in modes}
    # Each run replays new steps (a replayed plan finds what its previous run kept): the same steps
    # for every mode, each mode once (on off off on: the first two runs one plan, the last two another).
    seeds = iter(range(args.seed + 1, args.seed + 1000))
    steps = plan(population, args.requests, args.seed, args.writes)
    for replay in replays.values():  # warm-up: the imports, templates and pools, and the plan's first tenth
        replay.run(steps[: len(steps) // 10])
        replay.entries.clear()
    times = {mode: [] for mode in modes}
    order = modes + modes[::-1]
    for _ in range(args.rounds):
        for index, mode in enumerate(order):
            if index % len(modes) == 0:
                steps = plan(population, args.requests, next(seeds), args.writes)
            times[mode].append(replays[mode].run(steps))
            wall, cpu = times[mode][-1]
            print(f"  {mode}: {wall / len(steps) * 1000:.2f} ms a request, CPU {cpu / len(steps) * 1000:.2f} ms",
                  flush=True)
    for mode in modes:
        cpu = " ".join(f"{c / len(steps) * 1000:.2f}" for _, c in times[mode])
        print(f"{mode}: CPU {cpu} ms a request; statuses {dict(replays[mode].statuses)}")
    if len(modes) == 2 and args.rounds:
        print(_ratios(times, modes, len(steps)))
    steps = plan(population, args.requests, next(seeds), args.writes)
    if args.costs:
        costs = Costs()
        with costs.watching():
            replays[modes[0]].run(steps)
        print(f"\n{modes[0]}: each entry's CPU over one more run (saved: hits × mean build − the rest of its calls)")
        print("\n".join(costs.report()))
    if args.same_output and len(modes) == 2:
        first, second = replays[modes[0]], replays[modes[1]]
        first.twin = second
        first.run(steps)
        first.twin = None
        print(f"\nsame output: {first.compared} GETs asked of both, {len(first.differences)} different")
        for path, person, mine, theirs in first.differences[:5]:
            lines = [(a, b) for a, b in zip(mine[3].splitlines(), theirs[3].splitlines(), strict=False) if a != b]
            print(f"  {path} (person {person}): {mine[:3]} vs {theirs[:3]}; first differing line: {lines[:1]}")
    entries = replays[modes[0]].entries
    names = sorted({n for n, _ in entries}, key=lambda n: -(entries[(n, 'm')]))
    hits, misses = sum(v for (n, o), v in entries.items() if o == "h"), sum(v for (n, o), v in entries.items() if o == "m")
    print(f"\n{modes[0]}: lookups {hits + misses}, found {hits / max(1, hits + misses):.0%}")
    print(f"{'entry':40} {'built':>7} {'found':>7}")
    for name in names:
        print(f"{name:40} {entries[(name, 'm')]:7} {entries[(name, 'h')]:7}")
    store = replays[modes[0]].app.extensions.get("liaison_cache")
    if store is not None and hasattr(store.cache, "_sizes"):
        held: Counter = Counter()
        for key, size in store.cache._sizes.items():
            held[key.rsplit(":", 1)[0].removeprefix("liaison:")] += size
        print(f"\nkept at the end: {len(store.cache._sizes)} entries, {store.cache.bytes / 1e6:.2f} MB as measured")
        for name, size in held.most_common(12):
            print(f"  {name:38} {size / 1e6:8.2f} MB")
    with open("/proc/self/statm") as statm:
        rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    print(f"\nthis process ({'+'.join(modes)}, {args.workers} app(s) a mode): RSS {rss / 2**20:.1f} MB at the end, "
          f"max {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
    if args.memory:
        print("\nheld at the end (bytes):")
        for name, size in memo_sizes(replays[modes[0]].app).items():
            print(f"  {name:24} {size / 1e6:8.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
