"""Saving an event's certificate settings: the rule, hours, issuer and signatory, and the images."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app import audit
from app.accounts.models import User
from app.certificates import queries
from app.certificates.models import AttendanceRule, CertificateSettings
from app.extensions import db
from app.timeutil import now


@dataclass
class SettingsChange:
    attendance_rule: AttendanceRule
    minimum_score: int | None
    training_hours: Decimal | None
    issuer_name: str | None
    signatory_name: str | None
    logo_png: bytes | None = None  # a new image (already cleaned), or None to keep the current one
    signature_png: bytes | None = None
    remove_logo: bool = False
    remove_signature: bool = False


def save(event, change: SettingsChange, actor: User) -> CertificateSettings:
    settings = queries.settings_for(event.id)
    if settings is None:
        settings = CertificateSettings(event_id=event.id)
        db.session.add(settings)
    settings.attendance_rule = change.attendance_rule
    settings.minimum_score = change.minimum_score
    settings.training_hours = change.training_hours
    settings.issuer_name = change.issuer_name
    settings.signatory_name = change.signatory_name
    if change.remove_logo:
        settings.logo_png = None
    if change.logo_png:
        settings.logo_png = change.logo_png
    if change.remove_signature:
        settings.signature_png = None
    if change.signature_png:
        settings.signature_png = change.signature_png
    settings.updated_at, settings.updated_by_id = now(), actor.id
    audit.record(actor, "certificate.settings", event, {
        "attendance_rule": change.attendance_rule.value, "minimum_score": change.minimum_score,
        "training_hours": str(change.training_hours) if change.training_hours is not None else None,
    })
    db.session.commit()
    return settings
