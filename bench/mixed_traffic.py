"""The mix: what each simulated request does, chosen by weight, and the threads that send them.

Every action is what a person (or their calendar client) does: read a page, or fill a form that a
page showed them (the CSRF token and the fields come from that page) and follow the redirect. Each
response's status is recorded under the kind of request it was; the Server-Timing header (SERVER_TIMING=1,
app/cache/timing.py) gives the server's own time, the database's and whether the cache answered.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import deque
from urllib.parse import urlencode, urlsplit

from bench import loadgen
from bench.mixed_people import Person, Population
from bench.mixed_stats import KindStats, Recorder, Zipf, parse_server_timing

SEARCH_TERMS = [
    "cybercrime", "money laundering", "human trafficking", "migrant smuggling", "firearms", "drug trafficking",
    "terrorism financing", "border management", "digital forensics", "open-source intelligence",
    "cryptocurrency", "environmental crime", "property crime", "criminal networks", "document fraud",
    "community policing", "crisis management", "joint investigation", "coordination", "training needs",
    "information exchange", "legal basis", "tools", "evidence", "surveillance",
]
# (action, weight): about 5% of the requests are writes (each write is a form page, the POST and the
# page it redirects to); calendar clients poll feeds with conditional requests.
MIX = [
    ("event_page", 22), ("event_page_anon", 8), ("events_list", 8), ("events_list_anon", 4),
    ("my_events", 8), ("personal_feed", 14), ("public_feed", 3), ("event_ics", 3),
    ("participants", 4), ("lessons_search", 8), ("dashboard", 2),
    ("register", 2.5), ("cancel", 1), ("agenda_edit", 1), ("lesson_record", 1),
]


def find_form(page_html: bytes, path: str):
    """The POST form of a page that goes to `path` (its action, or no action on the page `path`)."""
    for form in loadgen.parse_forms(page_html.decode("utf-8", "replace")):
        if form.method == "post" and (form.action.split("?")[0].endswith(path) or
                                      (not form.action and ("/edit" in path or path.endswith("/new")))):
            return form
    return None


class Traffic:
    def __init__(self, port: int, population: Population, *, seed: int = 19, zipf_s: float = 1.0,
                 list_filters: dict[str, list[str]] | None = None, mix=MIX):
        self.port = port
        self.population = population
        self.seed = seed
        self.recorder = Recorder()
        self.events = Zipf(population.upcoming, zipf_s)
        self.open_events = Zipf(population.open_events or population.upcoming, zipf_s)
        self.members = [p for p in population.people if p.role == "member"]
        self.attendees = [p for p in self.members if p.attended]
        self.organisers = [p for p in population.people if p.role == "organiser" and p.organises]
        self.coordinators = population.by_role("coordinator")
        self.subscribers = self.members[: max(1, len(self.members) * 3 // 10)]  # 30% poll their feed
        self.feed_etags: dict[str, str] = {}
        self.public_etags: dict[int, str] = {}
        self.anonymous_jars = [dict() for _ in range(500)]
        self.list_filters = list_filters or {}
        self.registrations: deque[tuple[Person, int]] = deque(maxlen=5000)
        self.busy: set[int] = set()
        self.seen: set[int] = set()  # signed-in people who acted while recording
        # Writes answered with a redirect in a slice: its warm-up, its recording and the actions still
        # under way when recording stops (the threads finish them before run() returns, and they are
        # in the database as much as the others: bench.mixed_db.verify_writes reads it after run()).
        self.intents: list[tuple] = []
        self._lock = threading.Lock()
        names, weights = zip(*mix, strict=True)
        self.actions, self.weights = list(names), list(weights)
        self.recording = False
        self.phase = "warm-up"  # then "recording", then "done"
        self.runs = 0
        self.stopping = threading.Event()
        self.errors: list[str] = []

    # --- one request, recorded ------------------------------------------------------------------
    def call(self, client: loadgen.Client, local: dict[str, KindStats], kind: str, method: str, path: str,
             jar: dict | None, headers: dict | None = None, fields=None):
        client.cookies = jar if jar is not None else {}
        body = urlencode(fields).encode() if fields is not None else None
        recording = self.recording
        started = time.perf_counter()
        try:
            status, response_headers, data = client.request(method, path, body=body, headers=headers)
        except (OSError, http.client.HTTPException) as exc:
            client.close()
            if recording:
                local.setdefault(kind, KindStats()).add(time.perf_counter() - started, type(exc).__name__, None)
            return None, {}, b""
        if recording:
            timing = parse_server_timing(response_headers.get("server-timing"))
            shown = status
            if status in (302, 303) and urlsplit(response_headers.get("location", "")).path == "/login":
                shown = f"{status} to /login"  # not signed in (any more): a failure, though a redirect
            local.setdefault(kind, KindStats()).add(time.perf_counter() - started, shown, timing)
            if (status >= 400 or shown != status) and len(self.errors) < 50:
                self.errors.append(f"{kind} {method} {path} -> {status}")
        return status, response_headers, data

    def follow(self, client, local, jar, status, headers):
        """After a POST, the browser follows the redirect."""
        if status in (302, 303) and headers.get("location"):
            location = urlsplit(headers["location"])
            self.call(client, local, "after_write", "GET",
                      location.path + (f"?{location.query}" if location.query else ""), jar)

    # --- people ------------------------------------------------------------------------------------
    def take(self, people: list[Person], rng: random.Random) -> Person | None:
        """Someone not in the middle of another action (a person does one thing at a time)."""
        for _ in range(8):
            person = rng.choice(people)
            with self._lock:
                if person.id not in self.busy:
                    self.busy.add(person.id)
                    if self.recording:
                        self.seen.add(person.id)
                    return person
        return None

    def release(self, person: Person | None) -> None:
        if person is not None:
            with self._lock:
                self.busy.discard(person.id)

    # --- reads ---------------------------------------------------------------------------------------
    def a_event_page(self, client, rng, local, person):
        self.call(client, local, "event_page", "GET", f"/events/{self.events.choose(rng)}", person.cookies)

    def a_event_page_anon(self, client, rng, local, _person):
        self.call(client, local, "event_page_anon", "GET", f"/events/{self.events.choose(rng)}",
                  rng.choice(self.anonymous_jars))

    def _list_query(self, rng) -> str:
        params = {}
        for name in rng.sample(sorted(self.list_filters), min(len(self.list_filters), rng.choice((0, 1, 1, 2)))):
            values = [v for v in self.list_filters[name] if v]
            if values:
                params[name] = rng.choice(values)
        if rng.random() < 0.2:
            params["page"] = str(rng.choice((2, 3)))
        return "/events" + (f"?{urlencode(params)}" if params else "")

    def a_events_list(self, client, rng, local, person):
        self.call(client, local, "events_list", "GET", self._list_query(rng), person.cookies)

    def a_events_list_anon(self, client, rng, local, _person):
        self.call(client, local, "events_list_anon", "GET", self._list_query(rng), rng.choice(self.anonymous_jars))

    def a_my_events(self, client, rng, local, person):
        choice = rng.random()
        path = "/my/events?show=past" if choice < 0.2 else "/my/events?page=2" if choice < 0.3 else "/my/events"
        self.call(client, local, "my_events", "GET", path, person.cookies)

    def a_personal_feed(self, client, rng, local, _person):
        token = rng.choice(self.subscribers).calendar_token
        headers = {"Accept-Encoding": "gzip"}
        if token in self.feed_etags:
            headers["If-None-Match"] = self.feed_etags[token]
        status, response_headers, _ = self.call(client, local, "personal_feed", "GET",
                                                f"/calendar/feed/{token}.ics", None, headers)
        if status == 200 and response_headers.get("etag"):
            self.feed_etags[token] = response_headers["etag"]

    def a_public_feed(self, client, rng, local, _person):
        subscriber = rng.randrange(200)
        headers = {"Accept-Encoding": "gzip"}
        if subscriber in self.public_etags:
            headers["If-None-Match"] = self.public_etags[subscriber]
        status, response_headers, _ = self.call(client, local, "public_feed", "GET", "/calendar/public.ics",
                                                None, headers)
        if status == 200 and response_headers.get("etag"):
            self.public_etags[subscriber] = response_headers["etag"]

    def a_event_ics(self, client, rng, local, _person):
        self.call(client, local, "event_ics", "GET", f"/events/{self.events.choose(rng)}.ics", None)

    def a_participants(self, client, rng, local, person):
        self.call(client, local, "participants", "GET", f"/events/{rng.choice(person.organises)}/participants",
                  person.cookies)

    def a_lessons_search(self, client, rng, local, person):
        params = {"q": rng.choice(SEARCH_TERMS)}
        if rng.random() < 0.15:
            params["page"] = "2"
        self.call(client, local, "lessons_search", "GET", f"/lessons/?{urlencode(params)}", person.cookies)

    def a_dashboard(self, client, rng, local, person):
        self.call(client, local, "dashboard", "GET", "/reports/", person.cookies)

    # --- writes --------------------------------------------------------------------------------------
    def _post_form(self, client, local, kind, person, page_html: bytes, action_suffix: str, change=None,
                   submit=None):
        """Submit the form of `page_html` whose action ends with `action_suffix` (a form without an
        action posts to its page: pass the page's path); False when there is none."""
        form = find_form(page_html, action_suffix)
        if form is None:
            return False
        fields = list(form.fields) + list(form.required_boxes)
        if change:
            fields = change(fields)
        if submit:
            fields.append(submit)
        elif form.submit and form.submit[0]:
            fields.append(form.submit)
        status, headers, _ = self.call(client, local, kind, "POST", form.action or action_suffix, person.cookies,
                                       fields=fields)
        self.follow(client, local, person.cookies, status, headers)
        if status in (302, 303) and urlsplit(headers.get("location", "")).path != "/login":
            return "done"
        return "failed"

    def intend(self, *intent) -> None:
        """A write answered with a redirect, to be found in the database afterwards (mixed_db.verify_writes)."""
        self.intents.append(intent)

    def a_register(self, client, rng, local, person):
        event_id = self.open_events.choose(rng)
        status, _, html = self.call(client, local, "event_page", "GET", f"/events/{event_id}", person.cookies)
        if status != 200:
            return
        outcome = self._post_form(client, local, "register", person, html, f"/events/{event_id}/register")
        if outcome:
            self.registrations.append((person, event_id))
            if outcome == "done":
                self.intend("registration", person.id, event_id, "registered")
        elif self._post_form(client, local, "cancel", person, html,
                             f"/events/{event_id}/registration/cancel") == "done":
            self.intend("registration", person.id, event_id, "cancelled")

    def a_cancel(self, client, rng, local, _person):
        """Someone who registered earlier in the run cancels (else someone registers)."""
        with self._lock:
            found = self.registrations.popleft() if self.registrations else None
            if found is not None and found[0].id in self.busy:
                self.registrations.append(found)
                found = None
            elif found is not None:
                self.busy.add(found[0].id)
        if found is None:
            person = self.take(self.members, rng)
            if person is not None:
                try:
                    self.a_register(client, rng, local, person)
                finally:
                    self.release(person)
            return
        person, event_id = found
        try:
            status, _, html = self.call(client, local, "event_page", "GET", f"/events/{event_id}", person.cookies)
            if status == 200 and self._post_form(client, local, "cancel", person, html,
                                                 f"/events/{event_id}/registration/cancel") == "done":
                self.intend("registration", person.id, event_id, "cancelled")
        finally:
            self.release(person)

    def a_agenda_edit(self, client, rng, local, person):
        event_id = rng.choice(person.organises)
        sessions = self.population.sessions_of.get(event_id)
        if not sessions:
            return
        session_id = rng.choice(sessions)
        path = f"/events/{event_id}/sessions/{session_id}/edit"
        status, _, html = self.call(client, local, "agenda_form", "GET", path, person.cookies)
        if status != 200:
            return
        stamp = f"Room {rng.randrange(1, 40)}"

        def change(fields):
            return [(name, stamp if name == "room" else value) for name, value in fields]

        if self._post_form(client, local, "agenda_edit", person, html, path, change) == "done":
            self.intend("session", session_id, stamp)

    def a_lesson_record(self, client, rng, local, person):
        event_id = rng.choice(person.attended)
        path = f"/events/{event_id}/lessons/new"
        status, _, html = self.call(client, local, "lesson_form", "GET", path, person.cookies)
        if status != 200:
            return
        topic = rng.choice(SEARCH_TERMS)
        title = f"Observation on {topic}: what the mixed benchmark saw ({rng.getrandbits(40):x})"

        def change(fields):
            filled = {"title": title,
                      "observation": "Participants compared how their units exchange information across borders."}
            return [(name, filled.get(name, value)) for name, value in fields if name not in ("submit", "save_draft")]

        if self._post_form(client, local, "lesson_record", person, html, path, change,
                           submit=("save_draft", "Save draft")) == "done":
            self.intend("lesson", title)

    # --- the threads -----------------------------------------------------------------------------------
    def who(self, action: str) -> list[Person] | None:
        if action in ("participants", "agenda_edit"):
            return self.organisers
        if action == "dashboard":
            return self.coordinators
        if action == "lesson_record":
            return self.attendees
        if action in ("event_page", "events_list", "my_events", "lessons_search", "register"):
            return self.members
        return None  # anonymous visitors and calendar clients

    def worker(self, index: int) -> None:
        rng = random.Random(self.seed * 100_000 + self.runs * 1000 + index)
        client = loadgen.Client(self.port)
        local: dict[str, KindStats] = {}
        while not self.stopping.is_set():
            action = rng.choices(self.actions, self.weights)[0]
            people = self.who(action)
            person = self.take(people, rng) if people else None
            if people and person is None:
                continue
            try:
                getattr(self, f"a_{action}")(client, rng, local, person)
            finally:
                self.release(person)
            if self.phase == "warm-up" and local:
                local.clear()  # warm-up requests are not counted
        client.close()
        self.recorder.merge(local)

    def run(self, concurrency: int, seconds: float, warmup: float, on_start=None) -> float:
        """Send the mix from `concurrency` threads: `warmup` seconds unrecorded, then `seconds` recorded.
        Returns the recorded duration. May be called again (interleaved slices): the figures add up."""
        self.runs += 1
        self.stopping = threading.Event()
        self.phase, self.recording = "warm-up", False
        threads = [threading.Thread(target=self.worker, args=(i,), daemon=True) for i in range(concurrency)]
        for thread in threads:
            thread.start()
        time.sleep(warmup)
        self.phase, self.recording = "recording", True
        started = time.perf_counter()
        if on_start:
            on_start()
        time.sleep(seconds)
        self.phase, self.recording = "done", False
        elapsed = time.perf_counter() - started
        self.stopping.set()
        for thread in threads:
            thread.join(60)
        return elapsed
