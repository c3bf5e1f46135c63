"""Who earns a certificate, and what it certifies: the per-event rule (attendance of every day or at
least once, an optional minimum post-test score), which events and sessions offer one, their hours
and their issuer. Pure rules over loaded objects; what they need from the database comes from
app.certificates.queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.certificates.models import AttendanceRule, CertificateSettings
from app.events.models import Event, EventKind, Session, SessionKind
from app.learning.results import post_test_score
from app.registrations.attendance import attended, event_days
from app.registrations.models import Registration, RegistrationStatus
from app.timeutil import now, to_local


@dataclass(frozen=True)
class Verdict:
    earned: bool
    reason: str = ""  # why not, in words the participant can act on


EARNED = Verdict(True)


DEFAULT_ATTENDANCE_RULE = AttendanceRule.ANY_DAY


def settings_or_defaults(settings: CertificateSettings | None) -> CertificateSettings:
    """The event's settings, or (unsaved) the defaults."""
    return settings if settings is not None else CertificateSettings(attendance_rule=DEFAULT_ATTENDANCE_RULE)


def event_offers(event: Event, settings: CertificateSettings | None) -> bool:
    """A certificate for the event as a whole: trainings, and any event given training hours."""
    return event.kind == EventKind.TRAINING or bool(settings is not None and settings.training_hours)


def session_offers(session: Session) -> bool:
    return session.kind == SessionKind.TRAINING


def scope_key(event: Event, session: Session | None) -> str:
    return f"s{session.id}" if session is not None else f"e{event.id}"


def session_hours(session: Session) -> Decimal:
    minutes = Decimal((session.ends_at - session.starts_at).total_seconds()) / 60
    return (minutes / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def event_hours(settings: CertificateSettings | None) -> Decimal | None:
    return settings.training_hours if settings is not None and settings.training_hours else None


def issuer_name(event: Event, settings: CertificateSettings | None) -> str:
    if settings is not None and settings.issuer_name:
        return settings.issuer_name
    if event.host_organisation is not None:
        return event.host_organisation.name
    return current_app.config["SITE_NAME"]


def signatory_name(event: Event, settings: CertificateSettings | None) -> str:
    if settings is not None and settings.signatory_name:
        return settings.signatory_name
    return event.created_by.name if event.created_by is not None else ""


def attended_every_day(event: Event, registration: Registration, days: set[date],
                       session_starts: list) -> bool:
    """Every local day of the event has a check-in: at the door of that day, or at a session
    held that day; a one-day event also counts the registration's own check-in."""
    wanted = set(event_days(event))
    seen = set(days) | {to_local(starts_at, event.timezone).date() for starts_at in session_starts}
    if len(wanted) == 1 and registration.checked_in_at is not None:
        seen |= wanted
    return wanted <= seen


def _score_verdict(settings: CertificateSettings, registration: Registration,
                   session: Session | None) -> Verdict:
    if settings.minimum_score is None:
        return EARNED
    score = post_test_score(registration.event_id, registration.user_id, session.id if session else None)
    if score is None:
        return Verdict(False, str(_l("A post-test score of at least %(score)d%% is needed; no result yet.",
                                     score=settings.minimum_score)))
    if score < settings.minimum_score:
        return Verdict(False, str(_l("A post-test score of at least %(score)d%% is needed.",
                                     score=settings.minimum_score)))
    return EARNED


def event_verdict(registration: Registration, settings: CertificateSettings | None, days: set[date],
                  session_starts: list) -> Verdict:
    """Does the person earn the event's certificate? `days`: their day check-ins; `session_starts`:
    the start of each session they were checked in at."""
    event, settings = registration.event, settings_or_defaults(settings)
    if not event_offers(event, settings):
        return Verdict(False, str(_l("This event gives no certificate for the event as a whole.")))
    if event.ends_at > now():
        return Verdict(False, str(_l("The certificate is available once the event has ended.")))
    if not attended(registration):
        return Verdict(False, str(_l("You were not checked in at this event.")))
    if settings.attendance_rule == AttendanceRule.ALL_DAYS and not attended_every_day(
            event, registration, days, session_starts):
        return Verdict(False, str(_l("The certificate needs a check-in on every day of the event.")))
    return _score_verdict(settings, registration, None)


def session_verdict(registration: Registration, session: Session, settings: CertificateSettings | None,
                    checked_in: bool) -> Verdict:
    """Does the person earn the training session's certificate? (`checked_in`: at that session.)"""
    settings = settings_or_defaults(settings)
    if not session_offers(session) or session.event_id != registration.event_id:
        return Verdict(False, str(_l("Only training sessions give certificates.")))
    if session.ends_at > now():
        return Verdict(False, str(_l("The certificate is available once the session has ended.")))
    if registration.status != RegistrationStatus.CONFIRMED or not checked_in:
        return Verdict(False, str(_l("You were not checked in at this session.")))
    return _score_verdict(settings, registration, session)


def rule_lines(event: Event, settings: CertificateSettings | None, has_training_sessions: bool) -> list[str]:
    """The rule as participants read it."""
    lines = []
    # The defaults' values without making their unsaved row (settings_or_defaults): every event page asks.
    attendance_rule = settings.attendance_rule if settings is not None else DEFAULT_ATTENDANCE_RULE
    minimum_score = settings.minimum_score if settings is not None else None
    if event_offers(event, settings):
        if attendance_rule == AttendanceRule.ALL_DAYS:
            lines.append(str(_l("A certificate for the event: check in on every day of the event.")))
        else:
            lines.append(str(_l("A certificate for the event: check in at the event at least once.")))
    if has_training_sessions:
        lines.append(str(_l("A certificate for each training session: check in at that session.")))
    if lines and minimum_score is not None:
        lines.append(str(_l("And a post-test score of at least %(score)d%%.", score=minimum_score)))
    return lines
