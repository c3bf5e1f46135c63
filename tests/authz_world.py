"""The world the route × role authorisation test walks (tests/test_authorisation_matrix.py): two
organisations, an event E with one object of every kind a route takes the id of, a draft D of the
same organiser, another organiser's event F, and one signed-in client per role.

Marker strings sit in the restricted places (the RED entry's title, the AMBER+STRICT entry's title,
a participant's dietary need) so every response body can be searched for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.accounts.api_tokens import SCOPES, create_token
from app.accounts.models import Membership, MembershipStatus, Role
from app.cache import fragments
from app.extensions import db
from app.lessons.models import TLP, LessonStatus
from app.lessons.notices import tell_author
from app.lessons.summaries.store import SummaryDraft, save
from app.notifications.models import OutboxMessage, OutboxStatus
from app.registrations.invitations import invite
from app.registrations.models import Feedback
from app.registrations.question_models import QuestionKind, RegistrationAnswer, RegistrationQuestion
from app.timeutil import set_now
from app.travel.models import TravelSettings
from tests import factories as make
from tests.conftest import AuthActions

# A fixed instant: E runs from yesterday to the day after tomorrow (registration, check-in and
# feedback all have something to answer), whatever the wall clock says.
NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)

RED_TITLE = "Zulu-RED-entry-7731"
STRICT_TITLE = "Yankee-AMBERSTRICT-entry-4412"
DIET = "Xray-dietary-need-9025"
ACTION_TITLE = "Whiskey-action-on-RED-6650"  # a follow-up action of the RED entry
AMBER_TITLE = "Victor-AMBER-entry-5120"
GREEN_TITLE = "Uniform-GREEN-entry-2287"
DRAFT_TITLE = "Tango-draft-event-3309"
ONLINE_URL = "https://meet.example.org/Sierra-online-link-1184"

# The roles of issue 16, then two positive roles that show who IS allowed (so the table can fail).
ROLES = ("anonymous", "unconfirmed", "member_no_org", "member_other_org", "organiser_other_event",
         "coordinator", "org_admin", "admin", "owner", "participant")


@dataclass
class World:
    emails: dict = field(default_factory=dict)  # role -> email to sign in with
    ids: dict = field(default_factory=dict)  # argument name (or override key) -> value


def _member(organisation, **kw):
    user = make.user(organisation=organisation, **kw)
    db.session.add(Membership(user_id=user.id, organisation_id=organisation.id, status=MembershipStatus.APPROVED,
                              via="admin", requested_at=NOW, decided_at=NOW))
    db.session.commit()
    return user


def _people(org_a, org_b) -> dict:
    users = {
        "unconfirmed": make.user(email="unconfirmed@example.org", email_confirmed_at=None),
        "member_no_org": make.user(email="member-no-org@example.org"),
        "member_other_org": _member(org_b, email="member-b@example.org"),
        "organiser_other_event": _member(org_b, email="other-organiser@example.org", role=Role.ORGANISER),
        "coordinator": make.user(email="coordinator@example.org", role=Role.COORDINATOR),
        "org_admin": make.user(email="org-admin@example.org", organisation=org_a),
        "admin": make.user(email="admin@example.org", role=Role.ADMIN),
        "owner": _member(org_a, email="owner@example.org", role=Role.ORGANISER),
        "participant": _member(org_a, email="participant@example.org"),
        "guest": make.user(email="guest@example.org"),  # not a role: holds the dietary marker
    }
    db.session.add(Membership(user_id=users["org_admin"].id, organisation_id=org_a.id, is_admin=True,
                              status=MembershipStatus.APPROVED, via="admin", requested_at=NOW, decided_at=NOW))
    # A request to join A, for A's admin (and the network admins) to decide.
    db.session.add(Membership(user_id=users["member_no_org"].id, organisation_id=org_a.id,
                              status=MembershipStatus.PENDING, via="request", requested_at=NOW))
    db.session.commit()
    return users


def _lessons(event, owner, session) -> dict:
    made = {}
    for tlp, title in ((TLP.CLEAR, "Clear entry"), (TLP.GREEN, GREEN_TITLE), (TLP.AMBER, AMBER_TITLE),
                       (TLP.AMBER_STRICT, STRICT_TITLE), (TLP.RED, RED_TITLE)):
        made[tlp] = make.lesson(event, owner, title=title, tlp=tlp, session=session)
    return made


def _dead_email_naming(lesson, actor) -> OutboxMessage:
    """The author's email about their RED entry (it names it, rightly: the author may see it), which
    could not be delivered: the admins' system pages list it."""
    tell_author(lesson, actor, LessonStatus.VALIDATED, None)
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "lesson_decision")).one()
    message.status, message.attempts, message.last_error = OutboxStatus.DEAD, 8, "SMTPRecipientsRefused"
    db.session.commit()
    return message


def _questions_and_travel(event, guest) -> int:
    """A sensitive question of E with the guest's answer (the DIET marker: the event's own organisers
    only), and E's travel settings with a letter template. Returns the question's id."""
    question = RegistrationQuestion(event_id=event.id, label="Passport number", position=1, is_sensitive=True,
                                    kind=QuestionKind.DOCUMENT_NUMBER, retention_days=30)
    db.session.add(question)
    db.session.flush()
    db.session.add(RegistrationAnswer(registration_id=guest.id, question_id=question.id, value=DIET))
    db.session.add(TravelSettings(event_id=event.id, logistics_enabled=True, letter_template="For {name}"))
    return question.id


def build() -> World:
    """Every object, committed. Ids come out the same each time on a freshly emptied database."""
    set_now(NOW)
    org_a = make.organisation("Organisation A")
    org_b = make.organisation("Organisation B")
    users = _people(org_a, org_b)
    owner = users["owner"]
    event = make.event("Event E", starts_at=NOW - timedelta(days=1), days=3, organisers=[owner], created_by=owner,
                       online_url=ONLINE_URL)
    draft = make.event(DRAFT_TITLE, status="draft", organisers=[owner], created_by=owner)
    other = make.event("Event F", organisers=[users["organiser_other_event"]],
                       created_by=users["organiser_other_event"])
    session = make.session(event, "Session of E", starts_at=NOW + timedelta(hours=2))
    attended = make.registration(event, users["participant"], checked_in=NOW - timedelta(hours=20),
                                 dietary_needs="own diet", consented_at=NOW)
    guest = make.registration(event, users["guest"], dietary_needs=DIET, accessibility_needs=DIET,
                              needs_visa_letter=True, consented_at=NOW)
    make.signup(session, users["participant"])
    lessons = _lessons(event, owner, session)
    action = make.action(owner, NOW.date() + timedelta(days=7), ACTION_TITLE,
                         lesson=lessons[TLP.RED], event=event)
    invitation = invite(event, [("invitee@example.org", "Invited Person")], owner).invited[0]
    question_id = _questions_and_travel(event, guest)
    db.session.add(Feedback(event_id=event.id, registration_id=attended.id, overall=4, relevance=4, organisation=4,
                            what_worked="The exercises"))
    db.session.commit()
    summary = save(users["coordinator"], SummaryDraft("Network summary", {}, "theme", [lessons[TLP.GREEN].id],
                                                      "Introduction", "Conclusions")).summary
    project, theme = make.project("PRJX"), make.theme("Theme X")
    message = _dead_email_naming(lessons[TLP.RED], users["participant"])
    token, _secret = create_token(owner, "Owner's script", SCOPES)  # an API token, for its pages
    ids = {
        "event_id": event.id, "draft_event_id": draft.id, "other_event_id": other.id,
        "session_id": session.id, "lesson_id": lessons[TLP.RED].id, "action_id": action.id,
        "registration_id": guest.id, "attended_registration_id": attended.id,
        "invitation_id": invitation.id, "invitation_token": invitation.token, "question_id": question_id,
        "calendar_token": owner.calendar_token, "summary_id": summary.id, "message_id": message.id,
        "organisation_id": org_a.id, "project_id": project.id, "theme_id": theme.id,
        "user_id": users["guest"].id, "token_id": token.id,
        "membership_id": db.session.scalars(select(Membership.id).where(
            Membership.status == MembershipStatus.PENDING)).one(),
    }
    return World(emails={name: users[name].email for name in ROLES if name != "anonymous"}, ids=ids)


class Clients:
    """One test client per role, signed in through the login form on first use."""

    def __init__(self, app, world: World):
        self.app, self.world, self._clients = app, world, {}

    def __call__(self, role: str):
        if role not in self._clients:
            client = self.app.test_client()
            if role != "anonymous":
                response = AuthActions(client).login(self.world.emails[role])
                # An unconfirmed account may be refused at the door (issue 16, identity): then it
                # walks as what it is, someone not signed in; the table says how that answers.
                assert response.status_code == 302 or role == "unconfirmed", f"{role} could not sign in"
            self._clients[role] = client
        return self._clients[role]

    def forget(self, role: str) -> None:
        """Sign in afresh next time (the request may have signed this client out)."""
        self._clients.pop(role, None)


def build_once(app, clean) -> tuple[World, dict]:
    """Empty the database, build the world, and keep a copy of every row to restore it from."""
    clean(app)
    fragments.clear(app)
    with app.app_context():
        world = build()
        db.session.remove()
        with db.engine.connect() as connection:
            rows = {table: [dict(row._mapping) for row in connection.execute(table.select())]
                    for table in db.metadata.sorted_tables}
    return world, rows


def restore(app, rows: dict) -> None:
    """Put every table back as the world left it (after a request that may have changed something):
    one transaction, much cheaper than building again. Sequences only move on, so new rows still
    get fresh ids; signed-in clients stay valid (their users' rows are back as they were)."""
    with app.app_context():
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
            for table, saved in rows.items():
                if saved:
                    connection.execute(table.insert(), saved)
        db.session.remove()
    fragments.clear(app)


# ---- the walk --------------------------------------------------------------------------------------

# Rules the walk leaves out, and why.
SKIPPED = {
    "static": "files under app/static, the same for everyone",
}

# Each argument name resolves to one object of the world (a key of World.ids) or to a literal.
ARGUMENTS = {
    "event_id": "event_id", "session_id": "session_id", "lesson_id": "lesson_id", "action_id": "action_id",
    "registration_id": "registration_id", "invitation_id": "invitation_id", "token": "invitation_token",
    "summary_id": "summary_id", "message_id": "message_id", "organisation_id": "organisation_id",
    "project_id": "project_id", "theme_id": "theme_id", "user_id": "user_id", "membership_id": "membership_id",
    "token_id": "token_id", "question_id": "question_id", "fmt": ("html",), "name": ("participation",),
}
# Where an argument name means something else on one endpoint.
OVERRIDES = {
    "registrations.certificate": {"registration_id": "attended_registration_id"},
    "calendar.personal_feed": {"token": "calendar_token"},
    "calendar.organiser_feed": {"token": "calendar_token"},
    "reports.export": {"fmt": ("csv",)},
}

# A query string where the route's answer depends on it (the export asks for the needs columns).
QUERIES = {
    "registrations.export": "format=csv&columns=name&columns=dietary_needs&columns=accessibility_needs",
}


@dataclass(frozen=True)
class Case:
    key: str  # "endpoint METHOD", or "endpoint[D] METHOD" for the draft event
    endpoint: str
    method: str
    arguments: tuple  # (argument name, key of World.ids or a literal tuple)


def cases(app) -> list[Case]:
    """Every (rule, method) of the URL map, GETs first; GET routes of an event also on the draft D."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED:
            continue
        names = {**ARGUMENTS, **OVERRIDES.get(rule.endpoint, {})}
        arguments = tuple((name, names[name]) for name in sorted(rule.arguments))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}, key=lambda m: (m != "GET", m)):
            found.append(Case(f"{rule.endpoint} {method}", rule.endpoint, method, arguments))
            if method == "GET" and "event_id" in rule.arguments:
                draft = tuple((n, "draft_event_id" if n == "event_id" else v) for n, v in arguments)
                found.append(Case(f"{rule.endpoint}[D] {method}", rule.endpoint, method, draft))
    return sorted(found, key=lambda case: case.method != "GET")


def url(app, case: Case, world: World) -> str:
    values = {name: value[0] if isinstance(value, tuple) else world.ids[value] for name, value in case.arguments}
    path = app.url_map.bind("localhost").build(case.endpoint, values, method=case.method)
    return f"{path}?{QUERIES[case.endpoint]}" if case.endpoint in QUERIES else path


def outcome(response) -> str:
    """ok, login (sent to sign in), confirm (sent to confirm one's email first), redirect (elsewhere),
    or the status code."""
    if response.status_code in (200, 201, 204):
        return "ok"
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location", "")
        target = location.split("?")[0]
        if target.endswith("/login"):
            return "login"
        return "confirm" if target.endswith("/confirm") else "redirect"
    return str(response.status_code)
