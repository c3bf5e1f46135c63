"""Issuing and revoking certificates: a numbered record, made the first time a certificate is
downloaded (or when the organiser issues them all), keeping what it certifies; revocation with a
reason. Each function owns its transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app import audit
from app.accounts.models import User
from app.certificates import queries, rules
from app.certificates.models import Certificate, CertificateSettings
from app.db import begin_write
from app.events.models import Session
from app.extensions import db
from app.registrations.models import Registration
from app.timeutil import now

# No 0/O, 1/I/L: a number read aloud or typed from paper is not mistaken. 32 symbols, 8 of them:
# 2^40 numbers a year, so guessing one that exists is hopeless (and the verify page is rate-limited).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class CertificateError(Exception):
    """A certificate that cannot be issued or revoked, with the reason in the user's words."""


def new_number(year: int) -> str:
    for _attempt in range(10):
        body = "".join(secrets.choice(ALPHABET) for _ in range(8))
        number = f"LIA-{year}-{body[:4]}-{body[4:]}"
        if not queries.number_taken(number):
            return number
    raise RuntimeError("no free certificate number after 10 attempts")  # pragma: no cover


def normalise_number(value: str) -> str:
    return (value or "").strip().upper()[:32]


def verdict(registration: Registration, session: Session | None,
            settings: CertificateSettings | None) -> rules.Verdict:
    attendance = queries.attendance(registration.event_id, [registration.id]).get(registration.id,
                                                                               queries.Attendance())
    if session is None:
        return rules.event_verdict(registration, settings, attendance.days, list(attendance.sessions.values()))
    return rules.session_verdict(registration, session, settings, session.id in attendance.sessions)


def _record(registration: Registration, session: Session | None, settings: CertificateSettings | None,
            actor: User | None) -> Certificate:
    event, user, at = registration.event, registration.user, now()
    item = session if session is not None else event
    return Certificate(
        number=new_number(at.year), scope_key=rules.scope_key(event, session), user_id=user.id,
        registration_id=registration.id, event_id=event.id, session_id=session.id if session else None,
        holder_name=user.name, holder_organisation=user.organisation.name if user.organisation else None,
        title=item.title, starts_at=item.starts_at, ends_at=item.ends_at, timezone=event.timezone,
        hours=rules.session_hours(session) if session is not None else rules.event_hours(settings),
        issuer_name=rules.issuer_name(event, settings), issued_at=at,
        issued_by_id=actor.id if actor is not None else None,
    )


def _add(registration, session, settings, actor) -> Certificate:
    """Insert the record, or return the one a concurrent request made first (same person, scope).
    Inside a transaction already (a POST): the savepoint keeps the others' work."""
    certificate = _record(registration, session, settings, actor)
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        existing = queries.held_by(registration.user_id, certificate.scope_key)
        if existing is None:
            raise
        return existing
    audit.record(actor, "certificate.issue", certificate, {"number": certificate.number})
    return certificate


def issue(registration: Registration, session: Session | None, actor: User) -> Certificate:
    """The person's certificate for the event (or the training session): the existing record, else
    a new one when the rule says they earned it. Raises CertificateError (revoked, not earned)."""
    key = rules.scope_key(registration.event, session)
    existing = queries.held_by(registration.user_id, key)
    if existing is not None:
        if existing.is_revoked:
            raise CertificateError(_l("This certificate was revoked by the organisers."))
        return existing
    settings = queries.settings_for(registration.event_id)
    outcome = verdict(registration, session, settings)
    if not outcome.earned:
        raise CertificateError(outcome.reason)
    begin_write(db.session)
    certificate = _record(registration, session, settings, actor)
    db.session.add(certificate)
    try:
        db.session.flush()
        audit.record(actor, "certificate.issue", certificate, {"number": certificate.number})
        db.session.commit()
    except IntegrityError:  # a concurrent first download made it: that one counts
        db.session.rollback()
        existing = queries.held_by(registration.user_id, key)
        if existing is None:
            raise
        return existing
    return certificate


@dataclass
class IssueAllResult:
    issued: int
    already: int


def issue_all(event, actor: User) -> IssueAllResult:
    """Issue every certificate the event's confirmed participants have earned (event and training
    sessions); those already issued (or revoked) stay as they are."""
    settings = queries.settings_for(event.id)
    sessions = queries.training_sessions(event.id)
    attendance = queries.attendance(event.id)
    issued = already = 0
    for registration in queries.confirmed_registrations(event.id):
        held = queries.held_for_registration(registration.user_id, event.id)
        seen = attendance.get(registration.id, queries.Attendance())
        candidates = [(None, rules.event_verdict(registration, settings, seen.days, list(seen.sessions.values())))]
        candidates += [(s, rules.session_verdict(registration, s, settings, s.id in seen.sessions)) for s in sessions]
        for session, outcome in candidates:
            if not outcome.earned:
                continue
            if rules.scope_key(event, session) in held:
                already += 1
                continue
            _add(registration, session, settings, actor)
            issued += 1
    db.session.commit()
    return IssueAllResult(issued, already)


def revoke(certificate: Certificate, actor: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_l("Give the reason for revoking the certificate."))
    if certificate.is_revoked:
        raise CertificateError(_l("This certificate is already revoked."))
    certificate.revoked_at, certificate.revoked_by_id = now(), actor.id
    certificate.revocation_reason = reason[:2000]
    audit.record(actor, "certificate.revoke", certificate, {"number": certificate.number, "reason": reason[:500]})
    db.session.commit()
