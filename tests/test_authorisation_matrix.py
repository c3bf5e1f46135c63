"""Every route × every role (issue 16): the walk takes each rule of the URL map (tests/authz_world.py,
so a new route is covered the day it is added), fills its arguments from one shared world, requests it
with every method it allows as each role, and compares the answer with the table below (a route
missing from it fails the test with its observed row, ready to check and paste). Every response body
is also searched for marker strings put in restricted places (entries' titles at each marking, a
participant's needs, a draft's title, the online link, an action of a RED entry): only the roles
entitled to them (ENTITLED) may get them back.

Outcomes: "ok" (200/201/204), "login" (sent to the sign-in page), "redirect" (sent elsewhere: for a
POST, usually done and back to a page; for a GET, turned away to another page), "422" (let in, the
empty form refused: authorisation passed), or another status code ("403", "404", "405"...).

POSTs are sent with an empty body (this tests who may, not what is valid). Any POST that may have
changed something (ok or redirect) makes the walk restore every table from the copy taken when the
world was built, before the next request: every request meets the same world, and the run stays
fast on SQLite and PostgreSQL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from app.accounts.models import Role
from app.timeutil import set_now
from tests.authz_world import (
    ACTION_TITLE,
    AMBER_TITLE,
    DIET,
    DRAFT_TITLE,
    FACILITY_CONTACT,
    FREE_TEXT,
    GREEN_TITLE,
    ONLINE_URL,
    PROPOSAL_TITLE,
    RED_TITLE,
    ROLES,
    STRICT_TITLE,
    Clients,
    build_once,
    cases,
    outcome,
    restore,
    url,
)
from tests.conftest import _clean

# An unconfirmed account sees only what anonymous visitors see (issue 16, identity; row() and
# may_read()): where a visitor is sent to sign in, it is sent to confirm its email address.
# set this to "anonymous" and correct the rows where a signed-in page answers them differently.
UNCONFIRMED_AS = "anonymous"

SIGNED_IN_ROLES = set(ROLES) - {"anonymous"}
# Who may read each marker string (app/lessons/visibility.py, app/registrations/rules.py).
ENTITLED = {
    # GREEN: every signed-in member of the network.
    GREEN_TITLE: SIGNED_IN_ROLES,
    # AMBER: members of the organisations that attended (A: owner, participant, org_admin), the
    # event's organisers and the coordinators (admins included).
    AMBER_TITLE: {"owner", "participant", "org_admin", "coordinator", "admin"},
    # AMBER+STRICT: members of an organisation that attended and the organisers: no coordinator.
    STRICT_TITLE: {"owner", "participant", "org_admin"},
    # RED: who attended, the event's organisers and the author (the owner).
    RED_TITLE: {"owner", "participant"},
    # Follow-up actions inherit their entry's visibility (and its owner, here the owner, sees it).
    ACTION_TITLE: {"owner", "participant"},
    # Needs: the event's own organisers, not coordinators nor admins, who manage every event.
    DIET: {"owner"},
    # A draft: its organisers and admins.
    DRAFT_TITLE: {"owner", "admin"},
    # The online link: confirmed participants and those who run the event.
    ONLINE_URL: {"owner", "participant", "coordinator", "admin"},
    # A facility's contact (issue 22): signed-in confirmed members, never visitors.
    FACILITY_CONTACT: SIGNED_IN_ROLES,
    # Proposals to a call for contributions: those who run the event and those who may propose
    # (confirmed or invited participants).
    PROPOSAL_TITLE: {"owner", "participant", "coordinator", "admin"},
    # A needs assessment's free-text answers: its owners (creator, coordinators, admins) and the
    # respondent who wrote it (their own questionnaire).
    FREE_TEXT: {"owner", "coordinator", "admin", "participant"},
}


# Routes whose secret token in the URL stands for a person: whoever holds the link reads as them.
READS_AS = {"calendar.personal_feed GET": "owner", "calendar.organiser_feed GET": "owner"}


def may_read(role: str, marker: str, key: str = "") -> bool:
    role = READS_AS.get(key, role)
    return (UNCONFIRMED_AS if role == "unconfirmed" else role) in ENTITLED[marker]


def row(default: str, **roles: str) -> dict[str, str]:
    """One expected row: `default` for every role not named. "unconfirmed" follows UNCONFIRMED_AS."""
    expected = {role: roles.get(role, default) for role in ROLES}
    if "unconfirmed" not in roles:
        # Where a visitor is sent to sign in, an unconfirmed account is sent to confirm its email.
        like = expected[UNCONFIRMED_AS]
        expected["unconfirmed"] = "confirm" if like == "login" else like
    return expected


PUBLIC = row("ok")
SIGNED_IN = row("ok", anonymous="login")
# One's own account and data: an unconfirmed account reaches them too (to confirm, change its address,
# download or delete what it holds).
OWN_ACCOUNT = row("ok", anonymous="login", unconfirmed="ok")
ADMINS = row("403", anonymous="login", admin="ok")
COORDINATORS = row("403", anonymous="login", coordinator="ok", admin="ok")
# Coordinators and admins manage every event (app.events.access.is_organiser_of); need-to-know
# content on these pages (needs, RED entries) is checked by the marker search, not by the status.
MANAGERS_OF_E = row("403", anonymous="login", coordinator="ok", admin="ok", owner="ok")
# A draft is seen by its own organisers and admins only; everyone else is told it does not exist.
DRAFT_ORGANISERS = row("404", anonymous="login", admin="ok", owner="ok")
ORGANISERS = row("403", anonymous="login", organiser_other_event="ok", coordinator="ok", admin="ok", owner="ok")
# POSTs: an anonymous POST is refused (403), not sent to the sign-in page.
MANAGE_E_FORM = row("403", coordinator="422", admin="422", owner="422")  # let in; the empty form refused
MANAGE_E_ACTION = row("403", coordinator="redirect", admin="redirect", owner="redirect")  # done, or told why
COORDINATOR_FORM = row("403", coordinator="422", admin="422")
SIGNED_IN_ACTION = row("redirect", anonymous="403")
API_BY_COOKIE = row("401")  # an API request that only carries a session cookie: not authenticated

EXPECTED: dict[str, dict[str, str]] = {
    # Open to everyone: public pages, health, the public calendar; a feed's secret token is its credential.
    "main.home GET": PUBLIC,
    "certificates.verify GET": PUBLIC,  # a certificate's public verification page (its number in the URL)
    "main.health GET": PUBLIC,
    "main.choose_language POST": row('redirect'),
    "registrations.privacy GET": PUBLIC,
    "events.index GET": PUBLIC,
    "events.calendar_month GET": PUBLIC,
    "events.detail GET": PUBLIC,
    "calendar.event_ics GET": PUBLIC,
    "calendar.session_ics GET": PUBLIC,
    "registrations.status GET": PUBLIC,
    "lessons.library GET": PUBLIC,  # lists only what each viewer may see (marker search)
    "calendar.public_feed GET": PUBLIC,
    "calendar.personal_feed GET": PUBLIC,  # the owner's secret token
    "calendar.organiser_feed GET": PUBLIC,  # the owner's secret token
    "registrations.invitation GET": PUBLIC,  # the invitation's secret token
    "accounts.login GET": row("redirect", anonymous="ok", unconfirmed="redirect"),  # already signed in
    "accounts.signup GET": row("redirect", anonymous="ok", unconfirmed="redirect"),
    "registrations.invitation_signup GET": row("redirect", anonymous="ok", unconfirmed="redirect"),
    # Any signed-in person, about themselves.
    "accounts.profile GET": OWN_ACCOUNT,
    "calendar.subscribe GET": SIGNED_IN,
    "registrations.my_events GET": SIGNED_IN,
    "lessons.my_actions GET": SIGNED_IN,
    "registrations.feedback GET": SIGNED_IN,  # the form says who may answer; answering is checked on POST
    # Network administration.
    "accounts.users GET": ADMINS,
    "accounts.edit_user GET": ADMINS,
    # The people pickers' search (issue 23): those who appoint co-organisers and speakers.
    "accounts.people_search GET": row("403", anonymous="login", organiser_other_event="ok", coordinator="ok",
                                      admin="ok", owner="ok"),
    # The directory pickers' search (issue 23): names any member sees on event and facility pages.
    "lookup.organisations GET": SIGNED_IN,
    "lookup.projects GET": SIGNED_IN,
    "lookup.themes GET": SIGNED_IN,
    # The roster of facilities (issue 22): open to all (the contact only to members: marker search);
    # the hosting organisation's contact persons (A's org_admin) and coordinators keep them.
    "facilities.index GET": PUBLIC,
    "facilities.countries GET": PUBLIC,
    "facilities.detail GET": PUBLIC,
    "facilities.new GET": row("403", anonymous="login", coordinator="ok", org_admin="ok", admin="ok"),
    "facilities.edit GET": row("403", anonymous="login", coordinator="ok", org_admin="ok", admin="ok"),
    "scheduler.status GET": ADMINS,
    "scheduler.outbox_message GET": ADMINS,
    # The directory, summaries and the actions overview: coordinators (and admins).
    "directory.index GET": COORDINATORS,
    "directory.organisations GET": COORDINATORS,
    "directory.organisation_edit GET": COORDINATORS,
    "directory.organisation_new GET": COORDINATORS,
    "directory.projects GET": COORDINATORS,
    "directory.project_edit GET": COORDINATORS,
    "directory.project_new GET": COORDINATORS,
    "directory.themes GET": COORDINATORS,
    "directory.theme_edit GET": COORDINATORS,
    "directory.theme_new GET": COORDINATORS,
    "lessons.summaries GET": COORDINATORS,
    "lessons.summary_detail GET": COORDINATORS,
    "lessons.summary_edit GET": COORDINATORS,
    "lessons.summary_export GET": COORDINATORS,
    "lessons.summary_new GET": COORDINATORS,
    "lessons.actions_overview GET": COORDINATORS,
    # Organisers (of any event), coordinators and admins.
    "events.new GET": ORGANISERS,
    "reports.dashboard GET": ORGANISERS,
    "reports.export GET": ORGANISERS,
    "reports.participation GET": ORGANISERS,
    # Managing event E.
    "events.edit GET": MANAGERS_OF_E,
    "events.cancel GET": MANAGERS_OF_E,
    "events.clone GET": MANAGERS_OF_E,
    "events.series GET": MANAGERS_OF_E,
    "events.session_new GET": MANAGERS_OF_E,
    "events.session_edit GET": MANAGERS_OF_E,
    "registrations.attendance GET": MANAGERS_OF_E,
    "registrations.attendance_sheet GET": MANAGERS_OF_E,
    "registrations.checkin GET": MANAGERS_OF_E,
    "registrations.checkin_counts GET": MANAGERS_OF_E,
    "registrations.badge_sheet GET": MANAGERS_OF_E,
    "registrations.badge GET": MANAGERS_OF_E,
    # A badge's QR address: those who manage its event land on the desk; nobody else learns anything.
    "registrations.badge_link GET": row("404", anonymous="login", coordinator="redirect", admin="redirect",
                                        owner="redirect"),
    "registrations.feedback_results GET": MANAGERS_OF_E,
    "registrations.invitations GET": MANAGERS_OF_E,
    "registrations.participants GET": MANAGERS_OF_E,
    "registrations.participant GET": MANAGERS_OF_E,
    "registrations.export GET": MANAGERS_OF_E,
    "registrations.import_participants GET": MANAGERS_OF_E,
    "registrations.message GET": MANAGERS_OF_E,
    "lessons.new GET": MANAGERS_OF_E,
    "lessons.new_event_action GET": MANAGERS_OF_E,
    "lessons.wrap_up GET": MANAGERS_OF_E,
    "lessons.wrap_up_export GET": MANAGERS_OF_E,
    # The participant's own registration; the certificate exists once the event has ended (E runs).
    "registrations.needs GET": row("404", anonymous="login", participant="ok"),
    # Certificates (issue 22): the holder's page and PDFs, for the holder and those who manage E (the
    # world's participant holds an issued certificate of E; E's only session is no training: 404).
    "certificates.mine GET": row("403", anonymous="login", coordinator="ok", admin="ok", owner="ok", participant="ok"),
    "certificates.event_pdf GET": row("403", anonymous="login", coordinator="ok", admin="ok", owner="ok",
                                      participant="ok"),
    "certificates.session_pdf GET": row("404", anonymous="login", member_no_org="403", member_other_org="403",
                                        organiser_other_event="403", org_admin="403"),
    # The certificates issued for E, their settings and revocation: those who manage E.
    "certificates.issued GET": MANAGERS_OF_E,
    "certificates.settings GET": MANAGERS_OF_E,
    "certificates.revoke GET": MANAGERS_OF_E,
    # The same pages on the draft D: nobody but its organisers and admins learns it exists.
    "events.detail[D] GET": row("404", admin="ok", owner="ok"),
    "calendar.event_ics[D] GET": row("404", admin="ok", owner="ok"),
    "registrations.status[D] GET": row("404", admin="ok", owner="ok"),
    "events.edit[D] GET": DRAFT_ORGANISERS,
    "events.cancel[D] GET": DRAFT_ORGANISERS,
    "events.clone[D] GET": DRAFT_ORGANISERS,
    "events.series[D] GET": DRAFT_ORGANISERS,
    "events.session_new[D] GET": DRAFT_ORGANISERS,
    "registrations.attendance[D] GET": DRAFT_ORGANISERS,
    "registrations.attendance_sheet[D] GET": DRAFT_ORGANISERS,
    "registrations.checkin[D] GET": DRAFT_ORGANISERS,
    "registrations.checkin_counts[D] GET": DRAFT_ORGANISERS,
    "registrations.badge_sheet[D] GET": DRAFT_ORGANISERS,
    "registrations.feedback[D] GET": DRAFT_ORGANISERS,
    "registrations.feedback_results[D] GET": DRAFT_ORGANISERS,
    "registrations.invitations[D] GET": DRAFT_ORGANISERS,
    "registrations.participants[D] GET": DRAFT_ORGANISERS,
    "registrations.export[D] GET": DRAFT_ORGANISERS,
    "registrations.import_participants[D] GET": DRAFT_ORGANISERS,
    "registrations.message[D] GET": DRAFT_ORGANISERS,
    "lessons.new[D] GET": DRAFT_ORGANISERS,
    "lessons.new_event_action[D] GET": DRAFT_ORGANISERS,
    "lessons.wrap_up[D] GET": DRAFT_ORGANISERS,
    "lessons.wrap_up_export[D] GET": DRAFT_ORGANISERS,
    # E's registration and session ids under D's id: not found, for everyone.
    "registrations.participant[D] GET": row("404", anonymous="login"),
    "registrations.needs[D] GET": row("404", anonymous="login"),
    "registrations.badge[D] GET": row("404", anonymous="login"),
    "certificates.mine[D] GET": row("404", anonymous="login"),
    "certificates.event_pdf[D] GET": row("404", anonymous="login"),
    "certificates.session_pdf[D] GET": row("404", anonymous="login"),
    "certificates.revoke[D] GET": row("404", anonymous="login"),
    "certificates.issued[D] GET": DRAFT_ORGANISERS,
    "certificates.settings[D] GET": DRAFT_ORGANISERS,
    "events.session_edit[D] GET": row("404", anonymous="login"),
    # The RED entry: its author (the owner) and who attended; nobody else learns it exists — not
    # coordinators, admins nor the attending organisation's admin.
    "lessons.detail GET": row("404", owner="ok", participant="ok"),
    "lessons.new_action GET": row("404", anonymous="login", owner="ok", participant="403"),
    "lessons.edit GET": row("404", anonymous="login", owner="403", participant="403"),  # validated: not editable
    "lessons.new_action POST": row("404", anonymous="403", owner="422", participant="403"),
    "lessons.edit POST": row("404", anonymous="403", owner="403", participant="403"),
    # The empty form is refused before the workflow's rule is asked (tests/lessons cover who may).
    "lessons.marking POST": row("404", anonymous="403", owner="422", participant="422"),
    "lessons.transition POST": row("404", anonymous="403", owner="422", participant="422"),
    # Only drafts are deleted: both are sent back to the entry with the reason.
    "lessons.delete POST": row("404", anonymous="403", owner="redirect", participant="redirect"),
    # The follow-up action of the RED entry: its owner (the owner) and those who see the entry.
    "lessons.action_detail GET": row("404", anonymous="login", owner="ok", participant="ok"),
    "lessons.update_action POST": row("404", anonymous="403", owner="422", participant="403"),
    # POSTs managing E.
    "certificates.issue_all POST": MANAGE_E_ACTION,
    "certificates.revoke POST": MANAGE_E_FORM,
    "certificates.settings POST": MANAGE_E_FORM,
    "events.edit POST": MANAGE_E_FORM,
    "events.cancel POST": MANAGE_E_FORM,
    "events.clone POST": MANAGE_E_FORM,
    "events.series POST": MANAGE_E_FORM,
    "events.session_new POST": MANAGE_E_FORM,
    "events.session_edit POST": MANAGE_E_FORM,
    "lessons.new POST": MANAGE_E_FORM,
    "lessons.new_event_action POST": MANAGE_E_FORM,
    "registrations.invitations POST": MANAGE_E_FORM,
    "registrations.import_participants POST": MANAGE_E_FORM,
    "registrations.message POST": MANAGE_E_FORM,
    "events.publish POST": MANAGE_E_ACTION,
    "events.delete POST": MANAGE_E_ACTION,
    "events.session_delete POST": MANAGE_E_ACTION,
    "events.session_move POST": MANAGE_E_ACTION,
    "registrations.checkin_toggle POST": MANAGE_E_ACTION,
    "registrations.checkin_scan POST": MANAGE_E_ACTION,
    "registrations.revoke_invitation POST": MANAGE_E_ACTION,
    "registrations.bulk POST": MANAGE_E_ACTION,
    "registrations.confirm_import POST": MANAGE_E_ACTION,
    "events.new POST": row("403", organiser_other_event="422", coordinator="422", admin="422", owner="422"),
    "reports.refresh POST": row("403", organiser_other_event="redirect", coordinator="redirect", admin="redirect",
                                owner="redirect"),
    # Coordinators' and admins' forms.
    "directory.organisation_new POST": COORDINATOR_FORM,
    "directory.project_new POST": COORDINATOR_FORM,
    "directory.project_edit POST": COORDINATOR_FORM,
    "directory.theme_new POST": COORDINATOR_FORM,
    "directory.organisation_edit POST": row("403", coordinator="redirect", admin="redirect"),
    "directory.theme_edit POST": row("403", coordinator="redirect", admin="redirect"),
    "facilities.new POST": row("403", coordinator="422", org_admin="422", admin="422"),
    # An empty POST keeps the facility as it is (saved unchanged), like the directory's edit forms.
    "facilities.edit POST": row("403", coordinator="redirect", org_admin="redirect", admin="redirect"),
    "facilities.archive POST": row("403", coordinator="redirect", org_admin="redirect", admin="redirect"),
    "facilities.restore POST": row("403", coordinator="redirect", org_admin="redirect", admin="redirect"),
    "lessons.summary_new POST": COORDINATOR_FORM,
    "lessons.summary_edit POST": COORDINATOR_FORM,
    "accounts.edit_user POST": row("403", admin="ok"),  # the form shown again (200, not 422)
    "scheduler.retry_dead_messages POST": row("403", admin="redirect"),
    # A person's own registration, sign-ups, calendar and account.
    "registrations.register POST": row("422", anonymous="403"),  # consent missing: let in, refused
    "registrations.cancel POST": SIGNED_IN_ACTION,
    "registrations.needs POST": row("404", anonymous="403", participant="redirect"),
    "registrations.session_signup POST": SIGNED_IN_ACTION,
    "registrations.session_signup_cancel POST": SIGNED_IN_ACTION,
    "registrations.feedback POST": row("403"),  # E has not ended: nobody answers yet
    "calendar.preferences POST": SIGNED_IN_ACTION,
    "calendar.regenerate_token POST": row("422", anonymous="403"),  # not confirmed: let in, refused
    "accounts.change_email POST": row("422", anonymous="403", unconfirmed="422"),
    "accounts.change_password POST": row("422", anonymous="403", unconfirmed="422"),
    # An empty profile form keeps the stored values (the form is filled from the account).
    "accounts.profile POST": row("redirect", anonymous="403", unconfirmed="redirect"),
    # The invitation's token: it is for invitee@example.org, so nobody here may accept it; declining
    # needs only the link.
    "registrations.accept_invitation POST": row("422", anonymous="403"),
    "registrations.decline_invitation POST": row("redirect"),
    "registrations.invitation_signup POST": row("redirect", anonymous="422", unconfirmed="redirect"),
    "accounts.login POST": row("redirect", anonymous="ok", unconfirmed="redirect"),
    "accounts.signup POST": row("redirect", anonymous="ok", unconfirmed="redirect"),
    "accounts.logout POST": row("redirect"),
    # Memberships are decided by the organisation's admins (A's here) and the network admins; the
    # pending request in the world is member_no_org's own, which they may withdraw.
    "membership.requests GET": row("403", anonymous="login", org_admin="ok", admin="ok"),
    "membership.reject GET": row("403", anonymous="login", org_admin="ok", admin="ok"),
    "membership.request_membership GET": SIGNED_IN,
    "membership.approve POST": row("403", org_admin="redirect", admin="redirect"),
    "membership.reject POST": row("403", org_admin="422", admin="422"),
    "membership.end POST": row("403", member_no_org="redirect", org_admin="redirect", admin="redirect",
                               unconfirmed="403"),
    "membership.toggle_admin POST": row("403", admin="redirect"),  # appointing organisation admins
    "membership.request_membership POST": row("422", anonymous="403"),
    # A person's own data; the same on request, and the audit log, for admins.
    "privacy.my_data GET": OWN_ACCOUNT,
    "privacy.my_data_json GET": OWN_ACCOUNT,
    "privacy.delete_account GET": OWN_ACCOUNT,
    "privacy.delete_account POST": row("422", anonymous="403", unconfirmed="422"),
    # Confirming one's email, and resetting a password: open to all (a link's token is the credential;
    # the world's token is no such link, so it is refused with a page that offers a new one).
    "identity.check_email GET": PUBLIC,
    "identity.confirm_needed GET": row("redirect", anonymous="ok"),  # confirmed accounts have nothing to do
    "identity.confirm GET": row("400"),
    "identity.resend POST": row("confirm"),  # back to the "confirm your email" page, whoever asks
    "identity.forgot_password GET": PUBLIC,
    "identity.forgot_password POST": row("422"),
    "identity.reset_sent GET": PUBLIC,
    "identity.reset_password GET": row("400"),
    "identity.reset_password POST": row("400"),
    # Confirming a decline made in a calendar program: the emailed link's token is the credential
    # (whoever can read the participant's mail); the world's token is no such link: refused.
    "calendar_replies.confirm_decline_page GET": row("400"),
    "calendar_replies.confirm_decline POST": row("400"),
    "privacy.consent GET": row("redirect", anonymous="login"),  # nothing awaits their consent here
    "privacy.consent_agree POST": row("redirect", anonymous="403"),
    "privacy.consent_remove POST": row("redirect", anonymous="403"),
    # Needs assessments (issue 22): the owner's assessment of E, sent to the participant. Its owners
    # (creator, coordinators, admins) run it and read its results; only the participant answers; the
    # planning staff (organisers, coordinators, admins) read its needs; anyone else is told nothing exists.
    # An empty need form keeps the stored values (the form is filled from the need); the open
    # assessment's empty form is refused (its deadline is missing).
    "assessments.index GET": SIGNED_IN,
    "assessments.new GET": row("403", anonymous="login", organiser_other_event="ok", coordinator="ok", admin="ok",
                               owner="ok"),
    "assessments.new POST": row("403", organiser_other_event="422", coordinator="422", admin="422", owner="422"),
    "assessments.detail GET": row("404", anonymous="login", coordinator="ok", admin="ok", owner="ok"),
    "assessments.edit GET": row("404", anonymous="login", coordinator="ok", admin="ok", owner="ok"),
    "assessments.new_need GET": row("404", anonymous="login", coordinator="ok", admin="ok", owner="ok"),
    "assessments.edit_need GET": row("404", anonymous="login", coordinator="ok", admin="ok", owner="ok"),
    "assessment_results.results GET": row("404", anonymous="login", coordinator="ok", admin="ok", owner="ok"),
    "assessment_results.export GET": row("404", anonymous="login", coordinator="ok", admin="ok", owner="ok"),
    "assessments.answer GET": row("404", anonymous="login", participant="ok"),
    "assessments.needs_index GET": row("403", anonymous="login", organiser_other_event="ok", coordinator="ok",
                                       admin="ok", owner="ok"),
    "assessments.need GET": row("ok", anonymous="login", member_no_org="404", member_other_org="404",
                                org_admin="404", participant="404"),
    "assessments.save_answer POST": row("404", anonymous="403", participant="redirect"),  # already submitted
    "assessments.edit POST": row("404", anonymous="403", coordinator="422", admin="422", owner="422"),  # no deadline
    "assessments.edit_need POST": row("404", anonymous="403", coordinator="redirect", admin="redirect",
                                      owner="redirect"),
    "assessments.open_assessment POST": row("404", anonymous="403", coordinator="redirect", admin="redirect",
                                            owner="redirect"),
    "assessments.close_assessment POST": row("404", anonymous="403", coordinator="redirect", admin="redirect",
                                             owner="redirect"),
    "assessments.delete_question POST": row("404", anonymous="403", coordinator="redirect", admin="redirect",
                                            owner="redirect"),
    "assessments.unlink_event POST": row("404", anonymous="403", coordinator="redirect", admin="redirect",
                                         owner="redirect"),
    "assessments.plan_event POST": row("404", anonymous="403", coordinator="redirect", admin="redirect",
                                       owner="redirect"),
    "assessments.new_need POST": row("404", anonymous="403", coordinator="422", admin="422", owner="422"),
    "assessments.add_question POST": row("404", anonymous="403", coordinator="422", admin="422", owner="422"),
    "assessments.copy_questions POST": row("404", anonymous="403", coordinator="422", admin="422", owner="422"),
    "assessments.add_recipients POST": row("404", anonymous="403", coordinator="422", admin="422", owner="422"),
    "assessments.link_event POST": row("404", anonymous="403", coordinator="422", admin="422", owner="422"),
    "privacy.audit GET": ADMINS,
    "privacy.delete_user GET": ADMINS,
    "privacy.delete_user POST": row("403", admin="422"),
    "privacy.user_data POST": row("403", admin="redirect"),
    # API tokens (issue 21): one's own (the owner holds the world's token; nobody else learns it
    # exists), every live token for the admins.
    "api_tokens.index GET": SIGNED_IN,
    "api_tokens.create POST": row("422", anonymous="403"),  # the empty form refused
    "api_tokens.revoke POST": row("404", anonymous="403", owner="redirect"),
    "api_tokens.admin_index GET": ADMINS,
    "api_tokens.admin_revoke POST": row("403", admin="redirect"),
    "api_docs_page.docs GET": PUBLIC,
    # The organisers' own paragraph in the event's emails (issue 23): those who manage E; an empty
    # form is valid (it leaves no paragraph), so the POST saves and returns to the page.
    "registrations.email_texts_page GET": MANAGERS_OF_E,
    "registrations.email_texts_page[D] GET": DRAFT_ORGANISERS,
    "registrations.email_texts_page POST": MANAGE_E_ACTION,
    # The call for contributions (issue 22): run by those who manage E; its proposals are seen by
    # them and by those who may propose (confirmed or invited participants: here the participant),
    # nobody else. The participant's proposal is theirs to edit; organisers review it.
    "contributions.call_edit GET": MANAGERS_OF_E,
    "contributions.call_edit[D] GET": DRAFT_ORGANISERS,
    "contributions.call_edit POST": MANAGE_E_FORM,
    "contributions.proposals GET": row("ok", anonymous="login", member_no_org="403", member_other_org="403",
                                       organiser_other_event="403", org_admin="403"),
    "contributions.proposals[D] GET": DRAFT_ORGANISERS,
    "contributions.propose GET": row("403", anonymous="login", participant="ok"),
    "contributions.propose[D] GET": row("404", anonymous="login", admin="403", owner="403"),  # D has no call
    "contributions.propose POST": row("403", participant="422"),
    "contributions.edit GET": row("403", anonymous="login", participant="ok"),
    "contributions.edit[D] GET": row("404", anonymous="login"),
    "contributions.edit POST": row("403", participant="422"),
    "contributions.review_page GET": MANAGERS_OF_E,
    "contributions.review_page[D] GET": row("404", anonymous="login"),
    "contributions.schedule GET": MANAGERS_OF_E,
    "contributions.schedule[D] GET": row("404", anonymous="login"),
    "contributions.accept POST": MANAGE_E_ACTION,
    "contributions.decline POST": MANAGE_E_FORM,
    "contributions.merge POST": MANAGE_E_FORM,
    "contributions.schedule POST": MANAGE_E_FORM,
    # Supporting and withdrawing: let in for those who see the proposals; the rule then answers
    # (organisers do not propose, nobody supports their own proposal) and sends them back, told why.
    "contributions.support POST": row("403", coordinator="redirect", admin="redirect", owner="redirect",
                                      participant="redirect"),
    "contributions.unsupport POST": row("403", coordinator="redirect", admin="redirect", owner="redirect",
                                        participant="redirect"),
    "contributions.withdraw POST": row("403", coordinator="redirect", admin="redirect", owner="redirect",
                                       participant="redirect"),
    # The JSON API under /api/v1 with the browsers' session cookies: a cookie authenticates no API
    # request, so every role answers as a visitor (public reads; 401 elsewhere; the draft: 404).
    # The API's own matrix, with tokens, is tests/api/test_api_authorisation_matrix.py.
    "api-docs.openapi_json GET": PUBLIC,
    "api_events.list_events GET": PUBLIC,
    "api_events.get_event GET": PUBLIC,
    "api_events.get_event[D] GET": row("404"),
    "api_events.list_sessions GET": PUBLIC,
    "api_events.list_sessions[D] GET": row("404"),
    "api_events.get_session GET": PUBLIC,
    "api_registrations.list_my_registrations GET": API_BY_COOKIE,
    "api_registrations.get_my_registration GET": API_BY_COOKIE,
    "api_registrations.get_my_registration[D] GET": API_BY_COOKIE,
    "api_registrations.register POST": API_BY_COOKIE,
    "api_registrations.cancel DELETE": API_BY_COOKIE,
    "api_registrations.session_signup POST": API_BY_COOKIE,
    "api_registrations.session_signup_cancel DELETE": API_BY_COOKIE,
    "api_participants.list_participants GET": API_BY_COOKIE,
    "api_participants.list_participants[D] GET": API_BY_COOKIE,
    "api_participants.get_participant GET": API_BY_COOKIE,
    "api_participants.get_participant[D] GET": API_BY_COOKIE,
    "api_participants.add_participant POST": API_BY_COOKIE,
    "api_participants.approve_participant POST": API_BY_COOKIE,
    "api_participants.reject_participant POST": API_BY_COOKIE,
    "api_participants.check_in POST": API_BY_COOKIE,
    "api_lessons.search_lessons GET": API_BY_COOKIE,
    "api_lessons.get_lesson GET": API_BY_COOKIE,
    "api_lessons.create_lesson POST": API_BY_COOKIE,
    "api_lessons.submit_lesson POST": API_BY_COOKIE,
    "api_actions.list_my_actions GET": API_BY_COOKIE,
    "api_actions.get_action GET": API_BY_COOKIE,
    "api_actions.update_action PATCH": API_BY_COOKIE,
    "api_summaries.list_summaries GET": API_BY_COOKIE,
    "api_summaries.export_summary GET": API_BY_COOKIE,
    "api_reports.get_report GET": API_BY_COOKIE,
    # Knowledge checks (issue 22): the organisers' pages are the event's managers'; a participant's
    # pages say who may take or answer (the questions show only to who may take the test; E's pre-test
    # closed when E began, so nobody sends answers; E has no follow-up survey).
    "learning.manage GET": MANAGERS_OF_E,
    "learning.manage[D] GET": DRAFT_ORGANISERS,
    "learning.edit_check GET": MANAGERS_OF_E,
    "learning.edit_check[D] GET": row("404", anonymous="login"),  # the test is E's, not D's
    "learning.results GET": MANAGERS_OF_E,
    "learning.results[D] GET": DRAFT_ORGANISERS,
    "learning.take GET": SIGNED_IN,
    "learning.take[D] GET": row("404", anonymous="login"),
    "learning.my_result GET": SIGNED_IN,  # one's own answers only, and only once the post-test closed
    "learning.my_result[D] GET": row("404", anonymous="login"),
    "learning.follow_up GET": SIGNED_IN,
    "learning.follow_up[D] GET": DRAFT_ORGANISERS,
    "learning.create_check POST": MANAGE_E_ACTION,
    "learning.edit_check POST": MANAGE_E_FORM,
    "learning.add_question POST": MANAGE_E_FORM,
    "learning.schedule_follow_up POST": MANAGE_E_FORM,
    "learning.copy_bank POST": MANAGE_E_ACTION,
    "learning.delete_check POST": MANAGE_E_ACTION,
    "learning.delete_question POST": MANAGE_E_ACTION,
    "learning.take POST": row("403"),
    "learning.follow_up POST": row("403"),
    # Registration questions (issue 23): the event's managers set them up; sensitive answers (the DIET
    # marker in the world) reach only the event's own organisers (marker search).
    "registrations.questions GET": MANAGERS_OF_E,
    "registrations.questions[D] GET": DRAFT_ORGANISERS,
    "registrations.question GET": MANAGERS_OF_E,
    "registrations.question[D] GET": row("404", anonymous="login"),  # the question is E's, not the draft's
    "registrations.questions POST": MANAGE_E_FORM,
    "registrations.question POST": MANAGE_E_ACTION,  # an empty POST saves the question unchanged
    "registrations.delete_question POST": MANAGE_E_ACTION,
    "registrations.copy_questions POST": MANAGE_E_FORM,
    # Travel (issue 23): the overview, its export, the settings and anyone's plan for the event's managers;
    # a participant's own plan (logistics on) for themselves; a visa letter for the person who asked for one
    # (the participant role did not: 404) and for the event's own organisers (it holds sensitive answers).
    "travel.overview GET": MANAGERS_OF_E,
    "travel.overview[D] GET": DRAFT_ORGANISERS,
    "travel.export GET": MANAGERS_OF_E,
    "travel.export[D] GET": DRAFT_ORGANISERS,
    "travel.settings GET": MANAGERS_OF_E,
    "travel.settings[D] GET": DRAFT_ORGANISERS,
    "travel.edit_plan GET": MANAGERS_OF_E,
    "travel.edit_plan[D] GET": row("404", anonymous="login"),  # the registration is E's, not the draft's
    "travel.my_plan GET": row("404", anonymous="login", participant="ok"),
    "travel.my_plan[D] GET": row("404", anonymous="login"),
    "travel.my_letter GET": row("404", anonymous="login"),
    "travel.my_letter[D] GET": row("404", anonymous="login"),
    "travel.letter GET": row("403", anonymous="login", owner="ok"),
    "travel.letter[D] GET": row("404", anonymous="login", admin="403"),  # admins see drafts, are not its organisers
    "travel.edit_plan POST": MANAGE_E_ACTION,
    "travel.my_plan POST": row("404", anonymous="403", participant="redirect"),
    "travel.settings POST": MANAGE_E_ACTION,
}

# Rows where the application answers wrongly today: key -> reason. The comparison skips them and
# test_known_wrong_answers_are_still_wrong xfails each (and fails once it is fixed: remove it here).
KNOWN_WRONG: dict[str, str] = {}
# Marker strings known to leak today: marker -> reason (xfailed like KNOWN_WRONG).
KNOWN_LEAKS: dict[str, str] = {}


@dataclass
class Observed:
    rows: dict = field(default_factory=dict)  # case key -> {role: outcome}
    leaks: list = field(default_factory=list)  # (case key, role, marker)
    seen: set = field(default_factory=set)  # (marker, role): the marker reached this role somewhere
    seconds: float = 0.0
    restores: int = 0


def _walk(app) -> Observed:
    started = time.monotonic()
    observed = Observed()
    world, saved = build_once(app, _clean)
    clients, dirty = Clients(app, world), False
    for case in cases(app):
        for role in ROLES:
            if dirty:
                restore(app, saved)
                dirty, observed.restores = False, observed.restores + 1
            response = clients(role).open(url(app, case, world), method=case.method)
            result = outcome(response)
            observed.rows.setdefault(case.key, {})[role] = result
            body = response.get_data(as_text=True) if response.mimetype.startswith("text") else ""
            found = {marker for marker in ENTITLED if marker in body}
            observed.seen |= {(marker, role) for marker in found}
            observed.leaks += [(case.key, role, marker) for marker in found if not may_read(role, marker, case.key)]
            if case.method != "GET" and result in ("ok", "redirect"):
                dirty = True
                clients.forget(role)
    observed.seconds = time.monotonic() - started
    return observed


def _as_row(found: dict[str, str]) -> str:
    """The observed answers in the table's notation, to paste (after reading them)."""
    values = [found[role] for role in ROLES if role != "unconfirmed"]
    default = max(set(values), key=values.count)
    named = {role: value for role, value in found.items() if value != default and role != "unconfirmed"}
    if found["unconfirmed"] != row(default, **named)["unconfirmed"]:
        named["unconfirmed"] = found["unconfirmed"]
    return f"row({default!r}" + "".join(f", {role}={value!r}" for role, value in named.items()) + ")"


def _problems(observed: Observed) -> list[str]:
    problems = [f"unclassified route (check, then paste): {key!r}: {_as_row(found)},"
                for key, found in observed.rows.items() if key not in EXPECTED]
    problems += [f"table names a route that is gone: {key}" for key in set(EXPECTED) - set(observed.rows)]
    for key, found in observed.rows.items():
        expected = EXPECTED.get(key)
        if expected is None:
            continue
        wrong = [f"{key} as {role}: expected {expected[role]}, got {found[role]}"
                 for role in ROLES if found[role] != expected[role]]
        if key not in KNOWN_WRONG:
            problems += wrong
        elif not wrong:
            problems.append(f"{key} now answers as it should: remove it from KNOWN_WRONG")
    problems += [f"{key} as {role}: 500" for key, found in observed.rows.items()
                 for role, value in found.items() if value.startswith("5")]
    problems += [f"{key} as {role} shows {marker}" for key, role, marker in observed.leaks
                 if marker not in KNOWN_LEAKS]
    problems += [f"{marker} no longer leaks: remove it from KNOWN_LEAKS" for marker in KNOWN_LEAKS
                 if not any(leak[2] == marker for leak in observed.leaks)]
    # The search can fail: every marker is on some page of a role entitled to it.
    problems += [f"{marker} reached no role entitled to it: the search proves nothing" for marker in ENTITLED
                 if not any(seen == marker and may_read(role, marker) for seen, role in observed.seen)]
    return problems


def test_every_route_answers_every_role_as_the_table_says(_app, capsys):
    """One walk (sharing one world), then every check; KNOWN_WRONG and KNOWN_LEAKS are reproduced on
    their own below as expected failures."""
    try:
        observed = _walk(_app)
    finally:
        _clean(_app)
        set_now(None)
    with capsys.disabled():
        print(f"\nauthorisation walk: {len(observed.rows)} rows × {len(ROLES)} roles, "
              f"{observed.restores} restores, {observed.seconds:.1f} s")
    problems = _problems(observed)
    assert not problems, "\n".join(problems)


def test_unclassified_routes_are_printed_ready_to_paste():
    found = dict.fromkeys(ROLES, "ok") | {"anonymous": "login", "admin": "403", "unconfirmed": "confirm"}
    assert _as_row(found) == "row('ok', anonymous='login', admin='403')"
    assert row("403", anonymous="ok")["unconfirmed"] == "ok"  # unconfirmed follows UNCONFIRMED_AS
    assert row("403", anonymous="login")["unconfirmed"] == "confirm"


# ---- a row the walk once found wrong, kept as its own test ------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinator_or_admin_does_not_open_the_action_of_a_red_entry_they_may_not_see(db, make, login, who):
    owner = make.user(role=Role.ORGANISER)
    event = make.event(organisers=[owner], created_by=owner)
    red = make.lesson(event, owner, title=RED_TITLE, tlp="red")
    action = make.action(owner, title=ACTION_TITLE, lesson=red, event=event)
    browser = login(make.user(role=Role(who)))
    assert browser.get(f"/lessons/{red.id}").status_code == 404  # the entry is closed to them
    overview = browser.get("/lessons/actions").get_data(as_text=True)
    assert browser.get(f"/lessons/actions/{action.id}").status_code == 404 and ACTION_TITLE not in overview
