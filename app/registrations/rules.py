"""Rules every registration module shares: which statuses are live, which roles take a seat, which
roles people may choose themselves, and the error whose message is fit to show to the user."""

from __future__ import annotations

from app.errors import RuleError
from app.registrations.models import ParticipantRole, RegistrationStatus

ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
SEAT_ROLES = tuple(role for role in ParticipantRole if role.takes_seat)
SELF_ROLES = (
    ParticipantRole.PARTICIPANT,
    ParticipantRole.SPEAKER,
    ParticipantRole.TRAINER,
    ParticipantRole.OBSERVER,
)


class RegistrationError(RuleError):
    """A rule was broken; the message is fit to show to the user."""
