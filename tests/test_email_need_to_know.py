"""No restricted text leaves by email: every kind of email the application can send, sent to someone
outside the audience of a TLP:RED entry whose title and text carry unique markers, carries neither
(app.lessons.notices.entry_reference decides, for the recipient). Emails that can name an entry are
sent through their real code paths (submit for validation, decision, action assignment, the weekly
digests); the others, which have no entry in their context, are rendered with realistic context (and
the RED entry slipped in, so a template that started printing it would fail). A positive control
proves a recipient inside the audience does read the title.

Every template under templates/email/ must be listed below: a new kind of email fails this test
until it is covered."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.assessments import building
from app.assessments.models import AssessmentScope
from app.contributions.models import ContributionCall, Proposal
from app.extensions import db
from app.lessons import actions, workflow
from app.lessons.models import TLP, LessonStatus
from app.notifications.models import OutboxMessage
from app.notifications.rendering import render_email
from app.registrations.email_texts import paragraph_of
from app.registrations.models import Invitation
from app.scheduler.jobs.digests import run_action_digest, run_coordinator_digest
from app.timeutil import set_now
from tests.factories import lesson as make_lesson

TITLE = "Operation NIGHTJAR-4471 informant"
BODY = "Safe house at quay ZK-0093"
MARKERS = (TITLE, BODY, "NIGHTJAR", "ZK-0093")
MONDAY_7 = datetime(2026, 5, 18, 5, 0, tzinfo=UTC)  # 07:00 in Brussels (summer time)

# Every email template: those that can name an entry (sent by their real code path) and those that
# cannot (rendered with realistic context). base.html is the layout the others extend.
NAMES_ENTRIES = {"lessons/submitted", "lessons/decision", "lessons/action_assigned",
                 "scheduler/action_digest", "scheduler/coordinator_digest"}
NO_ENTRY = {"assessments/invitation", "assessments/reminder", "accounts/confirm_email", "accounts/email_change", "accounts/email_change_notice",
            "accounts/password_reset", "accounts/signup_exists", "accounts/membership_admin", "accounts/membership_decided", "accounts/membership_ended",
            "accounts/membership_granted", "accounts/membership_lapsed", "accounts/membership_requested",
            "calendar/itip", "calendar/confirm_decline", "events/organiser_added", "registrations/account_invitation",
            "registrations/cancelled", "registrations/invitation", "registrations/message",
            "registrations/pending", "registrations/promoted", "registrations/rejected",
            "registrations/session_promoted", "registrations/waitlisted", "scheduler/feedback_request",
            "scheduler/record_lessons", "scheduler/registration_closed", "scheduler/reminder",
            "contributions/accepted", "contributions/declined", "contributions/scheduled",
            "contributions/call_closed", "learning/follow_up"}
LAYOUTS = {"base"}


def _template_kinds() -> set[str]:
    root = Path(__file__).resolve().parent.parent / "templates" / "email"
    kinds = set()
    for path in root.rglob("*"):
        if path.is_file():
            name = path.relative_to(root).as_posix()
            kinds.add(name.split(".")[0])  # "scheduler/reminder.uk.txt" -> "scheduler/reminder"
    return kinds


def test_every_email_template_is_covered():
    assert _template_kinds() == NAMES_ENTRIES | NO_ENTRY | LAYOUTS


def _leaks(*texts) -> list[str]:
    joined = "\n".join(text or "" for text in texts)
    return [marker for marker in MARKERS if marker in joined]


@pytest.fixture
def world(app, make):
    set_now(MONDAY_7 - timedelta(days=30))
    creator = make.user(Role.ORGANISER, name="Creator", language="en")
    author = make.user(name="Author")
    outsider = make.user(Role.COORDINATOR, name="Outsider")
    event = make.event("Joint action day", starts_at=MONDAY_7 - timedelta(days=20), created_by=creator)
    make.attendee(event, author)
    red = make_lesson(event, author, tlp=TLP.RED, title=TITLE, observation=BODY, status=LessonStatus.DRAFT)
    # A second RED entry waits for validation over the weekly digest.
    make_lesson(event, author, tlp=TLP.RED, title=f"{TITLE} (second)", status=LessonStatus.SUBMITTED)
    # The outsider is appointed co-organiser after the entry was marked: an organiser outside its
    # audience (app.lessons.visibility).
    set_now(MONDAY_7 - timedelta(days=29))
    event.organisers.append(outsider)
    db.session.commit()
    return {"creator": creator, "author": author, "outsider": outsider, "event": event, "red": red}


def _messages_to(user) -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_user_id == user.id).order_by(OutboxMessage.id)))


def test_emails_naming_an_entry_never_give_an_outsider_its_title_or_text(world):
    creator, author, outsider, red = world["creator"], world["author"], world["outsider"], world["red"]
    # Submitted for validation: the validators who may see it are told (the creator), not the outsider.
    workflow.transition(red, author, "submit")
    # Decision, to the author.
    workflow.transition(red, creator, "validate")
    # The creator assigns the outsider an action on the RED entry (overdue by Monday).
    actions.add_action(creator, actions.ActionData(title="Check the radios", owner_user_id=outsider.id,
                                                   due_on=date(2026, 5, 11)), lesson=red)
    assert run_action_digest(MONDAY_7).sent == 1
    assert run_coordinator_digest(MONDAY_7).sent == 1

    kinds = {}
    for message in _messages_to(outsider):
        kinds[message.kind] = message
        assert _leaks(message.subject, message.text_body, message.html_body) == [], message.kind
    assert set(kinds) == {"action_assigned", "action_digest", "coordinator_digest"}
    # The outsider reads their action, and the entry only as a neutral reference.
    assert "Check the radios" in kinds["action_assigned"].text_body
    assert "an entry marked TLP:RED from Joint action day" in kinds["action_assigned"].text_body
    assert "an entry marked TLP:RED from Joint action day" in kinds["action_digest"].text_body
    assert "Check the radios" in kinds["action_digest"].text_body
    # The coordinator digest neither names nor counts the RED entry waiting; it counts the action
    # the outsider owns.
    assert "0 lessons to validate" in kinds["coordinator_digest"].subject
    assert "Open follow-up actions: 1 (1 overdue)" in kinds["coordinator_digest"].text_body

    # Positive control: those inside the audience read the title (so this test can fail).
    to_creator = {m.kind: m for m in _messages_to(creator)}
    assert TITLE in to_creator["lesson_submitted"].subject
    to_author = {m.kind: m for m in _messages_to(author)}
    assert TITLE in to_author["lesson_decision"].text_body


def test_an_owner_inside_the_audience_reads_the_entry_title_in_the_action_email(world, make):
    creator, author, red = world["creator"], world["author"], world["red"]
    red.status = LessonStatus.VALIDATED
    db.session.commit()
    actions.add_action(creator, actions.ActionData(title="Brief the team", owner_user_id=author.id), lesson=red)
    message = [m for m in _messages_to(author) if m.kind == "action_assigned"][0]
    assert f"It follows up {TITLE}." in message.text_body and TITLE in message.html_body


def _no_entry_context(world, make) -> dict:
    event, outsider = world["event"], world["outsider"]
    registration = make.registration(event, outsider, rejection_reason="Full")
    session = make.session(event, "Breakout on radios")
    invitation = Invitation(event_id=event.id, email="guest@example.org", name="Guest", token="t0ken")
    db.session.add(invitation)
    db.session.commit()
    organisation = make.organisation("Border Police Service")
    membership = make.membership(outsider, organisation, reason="Not our staff")
    link = "https://liaison.example.org/x"
    return dict(
        # The RED entry is in the context: a template that printed it would leak.
        lesson=world["red"], entry=world["red"], event=event, user=outsider, recipient=outsider,
        registration=registration, session=session, invitation=invitation, actor=world["creator"],
        sender=world["creator"], position=2, reason="Full", subject="Practical details",
        body="Bring your badge.", kind="invitation", method="REQUEST", when_event_zone="Mon 10:00",
        when_user_zone=None, event_zone=event.timezone, user_zone=None, place="Kyiv", online_url=None,
        event_url=link, sequence=0, days=1, has_calendar=True, confirmed=3, waitlisted=1, pending=0,
        feedback_url=link, lesson_url=link, url=link, invitation_link=link, signup_link=link,
        event_link=link, my_events_link=link, organisation=organisation, membership=membership, person=outsider,
        address="new@example.org", hours=48, login_url=link, reset_url=link, survey_url=link,
        # The call for contributions (issue 22) and the organisers' own paragraph (issue 23).
        proposal=Proposal(title="Radio interoperability at the border", event_id=event.id), note="Covered already.",
        call=ContributionCall(event_id=event.id, deadline_at=event.starts_at), total=3, supports=5,
        proposals_link=link, own_paragraph=paragraph_of("Bring your **badge**.", True),
        assessment=_assessment(world), answer_url=link, has_draft=True, owner=world["creator"],
    )


def _assessment(world):
    """A needs assessment of the event, as its invitation and reminders name it."""
    return building.create_assessment(world["creator"], building.AssessmentData(
        title="Training needs of the partner units", scope=AssessmentScope.EVENT, event_id=world["event"].id,
        closes_at=MONDAY_7 + timedelta(days=14)))


@pytest.mark.parametrize("name", sorted(NO_ENTRY))
def test_emails_without_an_entry_render_without_restricted_text(world, make, name):
    context = _no_entry_context(world, make)
    for language in ("en", "uk"):
        subject, text, html = render_email(name, language=language, **context)
        assert subject and text, (name, language)
        assert _leaks(subject, text, html) == [], (name, language)
