"""Malformed and hostile input to EVERY route of the app must never answer 500.

The routes are discovered from app.url_map, so routes added later are covered without editing this
file. URL parameters are filled with the ids of a small seeded dataset (and with ids that do not
exist); form field names come from the <form>s the GET pages render, plus a generic list.
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.routing import BuildError

from tests.factories import PASSWORD

# ------------------------------------------------------------------------------ a tiny dataset


def seed_small(make) -> dict:
    """A user per role, an organisation, a project, themes, a published and a draft event with a
    session, registrations, feedback, a lesson, a follow-up action and an invitation."""
    from app.extensions import db
    from app.lessons.models import TLP, FollowUpAction, Lesson, LessonKind, LessonStatus
    from app.registrations.models import Feedback, Invitation, Registration, RegistrationStatus
    from app.timeutil import now

    org = make.organisation(name="General Police Inspectorate", country="MD")
    users = {role: make.user(role=role, organisation=org, email=f"{role}@hostile.example")
             for role in ("admin", "coordinator", "organiser", "member")}
    project = make.project(acronym="CROSSLINK", coordinator_organisation_id=org.id)
    theme = make.theme(name="Migrant smuggling", empact_cycle="2022-2025")
    past = make.event(title="Past workshop", starts_at=now() - timedelta(days=10), created_by=users["organiser"],
                      organisers=[users["organiser"]], capacity=10, timezone="Europe/Chisinau")
    event = make.event(title="Upcoming workshop", created_by=users["organiser"], organisers=[users["organiser"]],
                       capacity=10, timezone="Europe/Chisinau")
    draft = make.event(title="Draft meeting", status="draft", created_by=users["organiser"])
    event.projects, event.themes = [project], [theme]
    session = make.session(event, "Tracing firearms", capacity=5, has_signup=True)
    registration = Registration(event_id=event.id, user_id=users["member"].id, status=RegistrationStatus.CONFIRMED,
                                registered_at=now(), confirmed_at=now())
    past_registration = Registration(event_id=past.id, user_id=users["member"].id,
                                     status=RegistrationStatus.CONFIRMED, registered_at=now(),
                                     checked_in_at=past.starts_at)
    db.session.add_all([registration, past_registration])
    db.session.flush()
    feedback = Feedback(event_id=past.id, registration_id=past_registration.id, overall=4, relevance=4,
                        organisation=4)
    lesson = Lesson(event_id=past.id, kind=LessonKind.LESSON, status=LessonStatus.SUBMITTED, tlp=TLP.GREEN,
                    title="Requests took too long", observation="Slow answers.", author_id=users["member"].id)
    db.session.add_all([feedback, lesson])
    db.session.flush()
    action = FollowUpAction(lesson_id=lesson.id, event_id=past.id, title="Share contact points",
                            owner_user_id=users["member"].id)
    invitation = Invitation(event_id=event.id, email="guest@hostile.example", token="hostile-invitation-token",
                            invited_by_id=users["organiser"].id)
    db.session.add_all([action, invitation])
    db.session.commit()
    from app.learning import banks
    from app.learning.models import CheckKind, QuestionKind

    check = banks.create_check(event, None, CheckKind.PRE, users["organiser"])
    question = banks.add_question(check, QuestionKind.MULTIPLE, "Which records?", 2, "*Customs\n*Border\nWeather",
                                  users["organiser"])
    return {
        "check": check, "question": question,
        "users": users, "organisation": org, "project": project, "theme": theme, "event": event, "past": past,
        "draft": draft, "session": session, "registration": registration, "lesson": lesson, "action": action,
        "feedback": feedback, "invitation": invitation,
    }


def id_values(data: dict) -> dict[str, list]:
    """Values to try for URL parameters, by parameter name."""
    users = data["users"]
    known = {
        "event_id": data["event"].id, "session_id": data["session"].id, "user_id": users["member"].id,
        "registration_id": data["registration"].id, "lesson_id": data["lesson"].id,
        "organisation_id": data["organisation"].id, "project_id": data["project"].id, "theme_id": data["theme"].id,
        "action_id": data["action"].id, "feedback_id": data["feedback"].id, "invitation_id": data["invitation"].id,
        "check_id": data["check"].id, "question_id": data["question"].id,
    }
    values = {name: [value] for name, value in known.items()}
    values["event_id"].append(data["past"].id)
    values["event_id"].append(data["draft"].id)
    values["token"] = [users["member"].calendar_token, data["invitation"].token, "not-a-token"]
    values["uid"] = [data["event"].uid, "nope"]
    values["year"] = [2026, 99999]
    values["month"] = [2, 13]
    values["day"] = [30]
    return values


# ------------------------------------------------------------------------------ route discovery


def url_candidates(app, rule, values: dict[str, list], missing: bool = True, first_only: bool = False) -> list[str]:
    """URLs for a rule: its parameters filled with seeded ids (then with ids that do not exist)."""
    arguments = sorted(rule.arguments)
    adapter = app.url_map.bind("localhost")
    options = []
    for name in arguments:
        converter = type(rule._converters[name]).__name__.lower()
        if name in values:
            choices = list(values[name])[:1] if first_only else list(values[name])
        elif "integer" in converter or "int" in converter:
            choices = [1]
        else:
            choices = ["x"]
        if missing and ("int" in converter) and 999999 not in choices:
            choices.append(999999)
        options.append(choices)
    urls = []
    combos = list(itertools.product(*options)) if options else [()]
    for combo in combos[:6]:
        try:
            urls.append(adapter.build(rule.endpoint, dict(zip(arguments, combo, strict=True)), method=None))
        except (BuildError, ValueError, TypeError):
            continue
    return list(dict.fromkeys(urls))


def routes(app, method: str):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or method not in (rule.methods or ()):
            continue
        yield rule


# ------------------------------------------------------------------------------ form parsing


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select", "select-multiple", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, FormField] = field(default_factory=dict)


class FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("action") or self.page_url
            self._form = Form(action=urlsplit(action).path or urlsplit(self.page_url).path,
                              method=(attrs.get("method") or "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs and name in self._form.fields:
                return
            self._form.fields[name] = FormField(name, kind, attrs.get("value") or ("y" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = FormField(name, "select-multiple" if "multiple" in attrs else "select")
            self._form.fields[name] = self._select
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select.options.append(value)
            if "selected" in attrs or len(self._select.options) == 1:
                self._select.value = value
        elif tag == "textarea" and name:
            self._textarea = FormField(name, "textarea")
            self._form.fields[name] = self._textarea

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_forms(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


# ------------------------------------------------------------------------------ hostile values

GENERIC_NAMES = [
    "name", "title", "email", "password", "current_password", "q", "page", "next", "status", "role", "kind",
    "format", "timezone", "starts_at", "ends_at", "starts_on", "ends_on", "start", "end", "date", "day_on",
    "due_on", "capacity", "country", "organisation_id", "event_id", "user_id", "session_id", "registration_id",
    "lesson_id", "theme_ids", "project_ids", "ids", "id", "comment", "reason", "body", "description", "summary",
    "tlp", "overall", "relevance", "organisation", "what_worked", "what_to_improve", "language", "subject",
    "message", "position", "acronym", "empact_cycle", "registration_mode", "online_url", "venue", "city",
    "recommendation", "observation", "analysis", "owner_user_id", "group_by", "introduction", "conclusions",
]

HUGE = "A" * 100_000
HOSTILE = {
    "empty": "",
    "huge": HUGE,
    "nul": "abc\x00def",
    "unicode-sql": "\u202eRTL\u202c 🚓 Олена ნინო Ђорђе' OR '1'='1'; DROP TABLE users; --",
    "script": '"><script>alert(1)</script><img src=x onerror=alert(1)>',
    "negative": "-1",
    "huge-number": "99999999999999999999999999999",
    "bad-date": "2026-02-30",
}


def typed_bad(form_field: FormField) -> str:
    name, kind = form_field.name.lower(), form_field.kind
    if kind == "date" or name.endswith("_on") or name == "date":
        return "2026-02-30"
    if kind == "datetime-local" or name.endswith("_at"):
        return "2026-02-30T25:61"
    if kind == "time":
        return "25:61"
    if kind == "number":
        return "-99999999999999999999"
    if kind == "email":
        return "not-an-email@"
    if "timezone" in name or name in ("tz", "zone"):
        return "Mars/Olympus_Mons"
    if kind.startswith("select") or kind == "radio":
        return "zzz-not-a-choice"
    return form_field.value


def payloads(fields: dict[str, FormField], full: bool = True):
    """(label, form data, files) variants for one form."""
    names = [n for n in dict.fromkeys(list(fields) + GENERIC_NAMES) if n != "csrf_token"]
    files = [n for n, f in fields.items() if f.kind == "file"]
    names = [n for n in names if n not in files]
    base = {n: f.value for n, f in fields.items() if n in names}
    labels = list(HOSTILE) if full else ["empty", "script"]
    for label in labels:
        yield label, MultiDict({n: HOSTILE[label] for n in names}), None
    # Lists where scalars are expected.
    yield "lists", MultiDict([(n, v) for n in names for v in (base.get(n) or "1", "abc")]), None
    if not full:
        return
    # Valid-looking defaults with every typed field wrong, then one typed field wrong at a time.
    typed = {n: typed_bad(f) for n, f in fields.items() if n in names}
    yield "typed", MultiDict({**base, **typed}), None
    special = [n for n in typed if typed[n] != base.get(n)][:5]
    for n in special:
        yield f"typed:{n}", MultiDict({**base, n: typed[n]}), None
    for n in files:
        garbage = {n: (io.BytesIO(b"\x00\xff\xfe,\"unclosed\n" + b"x" * 2000), "evil.csv")}
        yield f"file:{n}", MultiDict(base), garbage


GET_QUERIES = [
    "page=-1&per_page=-5&q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&date=2026-02-30&from=2026-13-01&to=x"
    "&month=13&year=-5&start=bad&end=2026-02-30T25:61&day=0&week=99&tz=Mars%2FOlympus&timezone=Mars",
    "page=abc&per_page=abc&status=zzz&kind=zzz&format=zzz&role=zzz&tlp=zzz&theme=abc&project=abc"
    "&country=zz&sort=zzz&order=zzz&event_id=abc&user_id=-1&cycle=zzz&type=zzz&month=abc&year=abc&date=abc",
    "page=99999999999999999999999&q=" + "Ж" * 3000 + "%E2%80%AE%F0%9F%9A%93%27%20OR%201%3D1--"
    "&page=1&status=a&status=b&next=//evil.com&year=99999999999999999999&month=0&date=0001-01-01",
]


# ------------------------------------------------------------------------------ the tests


def _signed_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _order(rule) -> tuple:
    # Destructive routes last, so the others still find their rows.
    destructive = re.search(r"delete|remove|cancel|logout|withdraw|revoke|reject|close", rule.endpoint)
    return (bool(destructive), rule.rule)


@pytest.fixture
def dataset(app, make, db):
    data = seed_small(make)
    db.session.rollback()
    return data


def test_every_get_route_survives_hostile_query_strings(app, dataset):
    values = id_values(dataset)
    admin = _signed_in(app, dataset["users"]["admin"])
    member = _signed_in(app, dataset["users"]["member"])
    anonymous = app.test_client()
    failures = []
    for rule in sorted(routes(app, "GET"), key=_order):
        for url in url_candidates(app, rule, values, first_only=True):
            for who, client in (("admin", admin), ("member", member), ("anonymous", anonymous)):
                queries = GET_QUERIES if who == "admin" else GET_QUERIES[:1]
                for query in queries:
                    response = client.get(f"{url}?{query}")
                    if response.status_code >= 500:
                        failures.append(f"{who} GET {url}?{query[:60]} -> {response.status_code}")
    assert not failures, "\n".join(failures[:40])


def test_every_post_route_survives_hostile_form_values(app, dataset):
    values = id_values(dataset)
    admin_user = dataset["users"]["admin"]

    # Collect every form the GET pages render (as admin, who sees the most), keyed by target endpoint.
    crawler = _signed_in(app, admin_user)
    adapter = app.url_map.bind("localhost")
    forms_by_endpoint: dict[str, dict[str, FormField]] = {}
    for rule in routes(app, "GET"):
        for url in url_candidates(app, rule, values, missing=False):
            response = crawler.get(url)
            if response.status_code != 200 or "html" not in (response.content_type or ""):
                continue
            for form in parse_forms(response.get_data(as_text=True), url):
                if form.method != "post":
                    continue
                try:
                    endpoint, _ = adapter.match(form.action, method="POST")
                except Exception:
                    continue
                forms_by_endpoint.setdefault(endpoint, {}).update(form.fields)

    failures = []
    post_rules = sorted(routes(app, "POST"), key=_order)
    assert post_rules, "no POST routes found"
    for rule in post_rules:
        fields = forms_by_endpoint.get(rule.endpoint, {})
        for index, url in enumerate(url_candidates(app, rule, values, first_only=True)):
            exists = index == 0
            admin = _signed_in(app, admin_user)
            anonymous = app.test_client()
            for who, client, full in (("admin", admin, exists), ("anonymous", anonymous, False)):
                for label, data, files in payloads(fields, full=full):
                    body = MultiDict(data)
                    if files:
                        for name, value in files.items():
                            body.add(name, value)
                    response = client.post(url, data=body)
                    if response.status_code >= 500:
                        failures.append(f"{who} POST {url} [{label}] -> {response.status_code}")
    assert not failures, f"{len(failures)} answers were 5xx:\n" + "\n".join(failures[:60])


def test_form_parser_reads_fields_defaults_and_actions():
    html = """<form method="post" action="/events/3/register"><input type="hidden" name="csrf_token" value="t">
    <input name="title" value="Old"><input type="date" name="starts_on"><select name="kind">
    <option value="a">A</option><option value="b" selected>B</option></select><textarea name="body">Hi</textarea>
    <input type="checkbox" name="agree" value="y" checked><button type="submit">Go</button></form>
    <form method="get"><input name="q"></form>"""
    forms = parse_forms(html, "/events/3")
    assert [f.method for f in forms] == ["post", "get"]
    post = forms[0]
    assert post.action == "/events/3/register" and forms[1].action == "/events/3"
    assert {n: f.value for n, f in post.fields.items()} == {
        "csrf_token": "t", "title": "Old", "starts_on": "", "kind": "b", "body": "Hi", "agree": "y"}
    variants = dict((label, data) for label, data, _ in payloads(post.fields))
    assert variants["typed:starts_on"]["starts_on"] == "2026-02-30"
    assert variants["typed"]["kind"] == "zzz-not-a-choice"
    assert variants["lists"].getlist("title") == ["Old", "abc"]
    assert len(variants["huge"]["title"]) == 100_000
