"""The scheduler's jobs: pure functions `run_<job>(at) -> JobResult` that look for what is due, and
the table of jobs (id, function, interval, description) the scheduler process and the CLI run.

Each job reads what is due from the data at the instant `at`, so editing or cancelling an event never
leaves a stale job behind, and tests call a job at any chosen instant. Each job is idempotent:
a unit of work is claimed with a conditional UPDATE of its marker (Event.registration_closed_notified_at,
Event.post_event_notified_at, Registration.last_reminder_days, Registration.feedback_requested_at)
and its emails are enqueued in the same transaction with a dedupe_key, so running a job twice, or
two processes running it at once, sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.scheduler.jobs.assessment_reminders import run_assessment_reminders
from app.scheduler.jobs.closing import run_registration_closing
from app.scheduler.jobs.contributions import run_call_closing
from app.scheduler.jobs.delivery import run_deliver_outbox
from app.scheduler.jobs.digests import run_action_digest, run_coordinator_digest
from app.scheduler.jobs.follow_up import run_follow_up_surveys
from app.scheduler.jobs.post_event import run_post_event
from app.scheduler.jobs.reminders import run_reminders
from app.scheduler.jobs.replies import run_calendar_replies
from app.scheduler.jobs.retention import run_answers_retention, run_needs_retention
from app.scheduler.jobs.snapshots import run_report_snapshots
from app.scheduler.jobs.tallies import run_participation_tallies
from app.scheduler.jobs.work import JobResult


@dataclass(frozen=True)
class JobSpec:
    id: str
    run: Callable[[datetime], JobResult]
    every_seconds: int
    description: str  # shown on the admin's System page (lazy: in the viewer's language)


JOBS: list[JobSpec] = [
    JobSpec("deliver_outbox", run_deliver_outbox, 60,
            _l("Send pending emails over SMTP (or to .eml files); retries failures with growing delays.")),
    JobSpec("reminders", run_reminders, 300,
            _l("Remind confirmed participants before each event (Event.reminder_days, default 7 and 1 days) "
            "with the event's .ics.")),
    JobSpec("registration_closing", run_registration_closing, 300,
            _l("When registration closes, send organisers the final participant list (CSV).")),
    JobSpec("contribution_calls", run_call_closing, 300,
            _l("When a call for contributions closes, tell the organisers how many proposals came in.")),
    JobSpec("post_event", run_post_event, 900,
            _l("After an event ends, ask attendees for feedback and lessons; remind organisers to record lessons.")),
    JobSpec("action_digest", run_action_digest, 3600,
            _l("Weekly: remind owners of follow-up actions due within 14 days or overdue.")),
    JobSpec("coordinator_digest", run_coordinator_digest, 3600,
            _l("Weekly: lessons waiting for validation, upcoming events and open actions, for coordinators.")),
    JobSpec("report_snapshots", run_report_snapshots, 30,
            _l("Rebuild the network's dashboard and participation report before they are REPORTS_CACHE_SECONDS old.")),
    JobSpec("needs_retention", run_needs_retention, 86400,
            _l("Daily: erase participants' needs NEEDS_RETENTION_DAYS after their event ends (attendance stays).")),
    JobSpec("answers_retention", run_answers_retention, 3600,
            _l("Hourly: delete answers to sensitive registration questions once their retention after the event has passed.")),
    JobSpec("calendar_replies", run_calendar_replies, 60,
            _l("Read Accept / Decline replies from calendar programs in the IMAP mailbox (IMAP_HOST) and apply them.")),
    JobSpec("follow_up_surveys", run_follow_up_surveys, 3600,
            _l("Ask confirmed participants whether they applied what they learned, when an event's follow-up survey is due.")),
]
JOBS.append(JobSpec("assessment_reminders", run_assessment_reminders, 900,
                    _l("Remind people who have not answered an open needs assessment, 7 and 2 days before its deadline.")))
JOBS.append(JobSpec("participation_tallies", run_participation_tallies, 300,
                    _l("Count the registrations of events that have ended as held in the participation tallies "
                       "the network-wide reports read.")))
JOBS_BY_ID = {spec.id: spec for spec in JOBS}
