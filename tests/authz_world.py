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
from app.assessments import answering, building, needs
from app.assessments.models import AssessmentScope
from app.assessments.models import QuestionKind as AssessmentQuestionKind
from app.cache import fragments
from app.certificates.models import Certificate
from app.contributions.calls import save_call
from app.contributions.proposing import ProposalData, propose
from app.extensions import db
from app.learning import banks as learning_banks
from app.learning.models import CheckKind, QuestionKind
from app.lessons.models import TLP, LessonStatus
from app.lessons.notices import tell_author
from app.lessons.summaries.store import SummaryDraft, save
from app.notifications.models import OutboxMessage, OutboxStatus
from app.registrations.invitations import invite
from app.registrations.models import Feedback
from app.timeutil import set_now
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
FACILITY_CONTACT = "Romeo-facility-contact-8841"  # a facility's contact: signed-in members only
PROPOSAL_TITLE = "Romeo-proposal-for-E-6021"  # a participant's proposal to E's call for contributions
FREE_TEXT = "Romeo-free-text-answer-7702"  # a respondent's free-text answer to a needs assessment

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


BADGE_TOKEN = "WorldBadgeToken-0000000001"


def _certificate(event, registration) -> Certificate:
    """A certificate of E held by the participant (as an earlier training would have left it)."""
    certificate = Certificate(
        number="LIA-2026-WRLD-7Q4K", scope_key=f"e{event.id}", user_id=registration.user_id,
        registration_id=registration.id, event_id=event.id, holder_name="Participant", title=event.title,
        starts_at=event.starts_at, ends_at=event.ends_at, timezone=event.timezone, issuer_name="Organisation A",
        issued_at=NOW,
    )
    db.session.add(certificate)
    db.session.commit()
    return certificate


def _assessment(owner, participant, event, theme):
    """The owner's open needs assessment, sent to the participant, who answered it in free text; a
    need identified from it, addressed by E."""
    assessment = building.create_assessment(owner, building.AssessmentData(
        title="Assessment of A", scope=AssessmentScope.EVENT, event_id=event.id, closes_at=NOW + timedelta(days=10)))
    question = building.add_question(owner, assessment, AssessmentQuestionKind.TEXT, "What do you need?")
    building.add_recipients(owner, assessment, user_ids=[participant.id])
    building.open_assessment(owner, assessment)
    respondent = answering.respondent_for(assessment, participant)
    answering.save_answers(respondent, assessment, {f"q{question.id}": [FREE_TEXT]}, submit=True)
    need = needs.record_need(owner, assessment, needs.NeedData(title="Need of A", theme_id=theme.id))
    needs.link_event(owner, need, event.id)
    return assessment, question, need


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
    guest.badge_token = BADGE_TOKEN  # the guest's printed badge (its QR code's address)
    lessons = _lessons(event, owner, session)
    action = make.action(owner, NOW.date() + timedelta(days=7), ACTION_TITLE,
                         lesson=lessons[TLP.RED], event=event)
    invitation = invite(event, [("invitee@example.org", "Invited Person")], owner).invited[0]
    db.session.add(Feedback(event_id=event.id, registration_id=attended.id, overall=4, relevance=4, organisation=4,
                            what_worked="The exercises"))
    db.session.commit()
    summary = save(users["coordinator"], SummaryDraft("Network summary", {}, "theme", [lessons[TLP.GREEN].id],
                                                      "Introduction", "Conclusions")).summary
    save_call(owner, event, NOW + timedelta(days=1), "Cases welcome")
    proposal = propose(event, users["participant"], ProposalData("case", "panel", PROPOSAL_TITLE, "A case"))
    project, theme = make.project("PRJX"), make.theme("Theme X")
    message = _dead_email_naming(lessons[TLP.RED], users["participant"])
    token, _secret = create_token(owner, "Owner's script", SCOPES)  # an API token, for its pages
    facility = make.facility("Facility of A", org_a, contact_name=FACILITY_CONTACT, themes=[theme])
    event.facility_id = facility.id  # E is held there: the facility's page lists it
    db.session.commit()
    certificate = _certificate(event, attended)
    check = learning_banks.create_check(event, None, CheckKind.PRE, owner)  # E's pre-test (closed: E has begun)
    check_question = learning_banks.add_question(check, QuestionKind.SINGLE, "Which channel?", 1, "*SIENA\nFax", owner)
    assessment, assessment_question, need = _assessment(owner, users["participant"], event, theme)
    ids = {
        "event_id": event.id, "draft_event_id": draft.id, "other_event_id": other.id,
        "session_id": session.id, "lesson_id": lessons[TLP.RED].id, "action_id": action.id,
        "registration_id": guest.id, "attended_registration_id": attended.id,
        "invitation_id": invitation.id, "invitation_token": invitation.token,
        "calendar_token": owner.calendar_token, "summary_id": summary.id, "message_id": message.id,
        "organisation_id": org_a.id, "project_id": project.id, "theme_id": theme.id,
        "user_id": users["guest"].id, "token_id": token.id, "badge_token": BADGE_TOKEN, "facility_id": facility.id,
        "certificate_id": certificate.id, "certificate_number": certificate.number, "proposal_id": proposal.id,
        "check_id": check.id, "check_question_id": check_question.id,
        "assessment_id": assessment.id, "assessment_question_id": assessment_question.id, "need_id": need.id,
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
    "token_id": "token_id", "facility_id": "facility_id", "fmt": ("html",), "name": ("participation",),
    "certificate_id": "certificate_id", "number": "certificate_number", "proposal_id": "proposal_id",
    "check_id": "check_id", "assessment_id": "assessment_id", "question_id": "assessment_question_id",
    "need_id": "need_id",
}
# Where an argument name means something else on one endpoint.
OVERRIDES = {
    "certificates.mine": {"registration_id": "attended_registration_id"},
    "certificates.event_pdf": {"registration_id": "attended_registration_id"},
    "certificates.session_pdf": {"registration_id": "attended_registration_id"},
    "calendar.personal_feed": {"token": "calendar_token"},
    "registrations.badge_link": {"token": "badge_token"},
    "learning.delete_question": {"question_id": "check_question_id"},
    "calendar.organiser_feed": {"token": "calendar_token"},
    "reports.export": {"fmt": ("csv",)},
    "assessment_results.export": {"fmt": ("csv",)},
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
