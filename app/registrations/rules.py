"""Rules every registration module shares: which statuses are live, which roles take a seat, which
roles people may choose themselves, and the error whose message is fit to show to the user."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import RuleError
from app.events.access import is_own_organiser
from app.registrations.models import ParticipantRole, Registration, RegistrationStatus

ACTIVE = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
SEAT_ROLES = tuple(role for role in ParticipantRole if role.takes_seat)
SELF_ROLES = (
    ParticipantRole.PARTICIPANT,
    ParticipantRole.SPEAKER,
    ParticipantRole.TRAINER,
    ParticipantRole.OBSERVER,
)


# A participant's needs (diet, accessibility, visa letter) are for the event's own organisers — its
# creator and co-organisers — as the registration form's privacy notice says: not for coordinators
# or admins, who manage every event but did not organise this one. Pages, exports and imports ask here.
NEEDS_COLUMNS = ("dietary_needs", "accessibility_needs", "needs_visa_letter")


def may_see_needs(user, event) -> bool:
    return is_own_organiser(user, event)


class RegistrationError(RuleError):
    """A rule was broken; the message is fit to show to the user."""


def awaits_consent(registration) -> bool:
    """Added by an organiser (import, manual add) and not yet confirmed by the person: until then
    Liaison holds only their name and organisation, so nobody may fill their needs."""
    return registration.added_by_id is not None and registration.consented_at is None


@dataclass
class Outcome:
    """What became of a registration request or a cancellation: the message to show the person."""
    registration: Registration | None
    status: RegistrationStatus | None
    message: str
    waitlist_position: int | None = None
    ok: bool = True

    @property
    def category(self) -> str:
        if not self.ok:
            return "danger"
        return {RegistrationStatus.CONFIRMED: "success", RegistrationStatus.WAITLISTED: "warning",
                RegistrationStatus.PENDING: "info"}.get(self.status, "info")
