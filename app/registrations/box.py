"""What the event page's registration box shows, in a bounded number of queries: the viewer's
registration and place on the waiting list, an open invitation, the seats, the organisers' counts,
and the sessions with sign-up (with the viewer's sign-ups)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import String, and_, bindparam, case, cast, func, or_, select
from sqlalchemy.orm import aliased

from app.cache import fragments
from app.events import page_facts, page_main
from app.events.access import is_organiser_of
from app.events.models import Event, Session, agenda_order
from app.extensions import db
from app.registrations.attendance import attended
from app.registrations.models import (
    Invitation,
    InvitationStatus,
    Registration,
    RegistrationStatus,
    SessionSignup,
    SessionSignupStatus,
)
from app.registrations.queries import own_registration
from app.registrations.register import registration_closed_reason
from app.registrations.rules import ACTIVE
from app.registrations.waitlist import seats_taken, signup_waitlist_positions, waitlist_position
from app.request_store import request_dict
from app.roles import is_signed_in
from app.timeutil import now

# The confirmed sign-ups of each session with sign-up, read with the event by the event page
# (events.page_facts) as "session id:count" pairs; the viewer's own sign-ups ride on the viewer's
# statement (viewer_signups_column): the box asks nothing more for its sessions.
SIGNUP_COUNTS = "registrations.signup_counts"


def _confirmed_count():
    return (select(func.count(SessionSignup.id))
            .where(SessionSignup.session_id == Session.id, SessionSignup.status == SessionSignupStatus.CONFIRMED)
            .correlate(Session).scalar_subquery())


page_facts.register(SIGNUP_COUNTS, lambda event_id: select(func.aggregate_strings(
    cast(Session.id, String) + ":" + cast(_confirmed_count(), String), ",")).where(
    Session.event_id == event_id, Session.has_signup.is_(True)).scalar_subquery())


def viewer_signups_column(event_id, user_id):
    """The user's live sign-ups to the event's sessions with sign-up as "session id:sign-up id:status"
    items (values or bind parameters), to ride on a statement the event page asks anyway."""
    return select(func.aggregate_strings(
        cast(SessionSignup.session_id, String) + ":" + cast(SessionSignup.id, String) + ":"
        + cast(SessionSignup.status, String), ",")).join(Session, Session.id == SessionSignup.session_id).where(
        Session.event_id == event_id, Session.has_signup.is_(True), SessionSignup.user_id == user_id,
        SessionSignup.status != SessionSignupStatus.CANCELLED).scalar_subquery()


def note_viewer_signups(event_id: int, packed: str | None) -> None:
    """Keep, for this request, the viewer's sign-ups read by viewer_signups_column."""
    store = request_dict("_event_page_signups")
    if store is not None:
        store[event_id] = {int(session_id): OwnSignup(int(signup_id), SessionSignupStatus(status))
                           for session_id, signup_id, status in _items(packed)}


def _items(packed: str | None) -> list[list[str]]:
    return [item.split(":") for item in packed.split(",")] if packed else []


@dataclass(frozen=True)
class SignupSession:
    """What the registration box shows of a session with sign-up (remembered across requests)."""

    id: int
    title: str
    starts_at: datetime
    capacity: int | None


def _signup_sessions(event: Event) -> tuple[SignupSession, ...]:
    """The event's sessions with sign-up, in agenda order: from the agenda when the event page has it
    (on every view: it is kept with the cached main column), else remembered until a session of the
    event changes (app.cache)."""
    read = page_main.signup_sessions(event.id)  # the event page's agenda, on this request
    if read is not None:
        return tuple(SignupSession(s.id, s.title, s.starts_at, s.capacity) for s in read)
    if "sessions" in event.__dict__:
        return tuple(SignupSession(s.id, s.title, s.starts_at, s.capacity) for s in sorted(
            (s for s in event.sessions if s.has_signup), key=lambda s: (s.starts_at, s.position, s.id)))

    def load() -> tuple[SignupSession, ...]:
        return tuple(SignupSession(*row) for row in db.session.execute(
            select(Session.id, Session.title, Session.starts_at, Session.capacity)
            .where(Session.event_id == event.id, Session.has_signup.is_(True))
            .order_by(*agenda_order())
        ))

    return fragments.remember("registrations.signup_sessions", (event.id,), ("sessions",), load, scope=event.id)


class OwnSignup(NamedTuple):
    """What the box shows of the viewer's own sign-up (read as columns, not as an ORM object)."""
    id: int
    status: SessionSignupStatus


@dataclass
class SessionChoice:
    session: SignupSession
    confirmed: int
    signup: OwnSignup | None
    position: int | None

    @property
    def is_full(self) -> bool:
        return self.session.capacity is not None and self.confirmed >= self.session.capacity


@dataclass
class RegistrationBox:
    event: Event
    registration: Registration | None
    position: int | None
    seats_taken: int
    closed_reason: str | None
    is_organiser: bool
    invitation: Invitation | None
    form: object | None  # a RegistrationForm
    sessions: list[SessionChoice] = field(default_factory=list)
    status_counts: dict = field(default_factory=dict)
    attended: int = 0
    can_cancel: bool = False

    @property
    def has_ended(self) -> bool:
        return self.event.ends_at <= now()

    @property
    def attended_by_me(self) -> bool:
        return attended(self.registration)

    @property
    def is_active(self) -> bool:
        return self.registration is not None and self.registration.status in ACTIVE

    @property
    def is_full(self) -> bool:
        return self.event.capacity is not None and self.seats_taken >= self.event.capacity

    @property
    def free_seats(self) -> int | None:
        return None if self.event.capacity is None else max(0, self.event.capacity - self.seats_taken)

    @property
    def invitation_only(self) -> bool:
        return self.event.registration_mode.value == "invitation"


UNSET = object()


def open_invitation_clause(event_id, user_id, email):
    """What makes an invitation an open one of a (signed-in) user to the event (values or bindparams)."""
    return and_(
        Invitation.event_id == event_id,
        Invitation.status == InvitationStatus.SENT,
        or_(Invitation.user_id == user_id, Invitation.email == email),
    )


def _open_invitation(event: Event, user, invitation_id=UNSET) -> Invitation | None:
    """`invitation_id`: the id of the open invitation when the caller read it already (None: none)."""
    if not is_signed_in(user):
        return None  # an unconfirmed account owns nothing sent to its address
    if invitation_id is not UNSET:
        return db.session.get(Invitation, invitation_id) if invitation_id is not None else None
    return db.session.scalar(select(Invitation).where(open_invitation_clause(event.id, user.id, user.email)))


def status_tally(event_id):
    """A one-row subquery for the organisers' line: the event's registrations per status (columns
    named by the statuses' values) and how many confirmed ones checked in ("attended")."""
    return select(
        *(func.coalesce(func.sum(case((Registration.status == status, 1), else_=0)), 0).label(status.value)
          for status in RegistrationStatus),
        func.count(case((Registration.status == RegistrationStatus.CONFIRMED, Registration.checked_in_at)))
        .label("attended"),
    ).where(Registration.event_id == event_id).subquery("status_tally")


def tally_values(mapping) -> tuple[dict, int]:
    """(counts per status value, attended) from a row's mapping ({label: value}) holding
    status_tally's columns."""
    return {status.value: int(mapping[status.value]) for status in RegistrationStatus}, int(mapping["attended"])


def _count_statuses(box: RegistrationBox, known=UNSET) -> None:
    """Counts per status, and (for confirmed ones) how many checked in: `known` when the caller
    read them already (status_tally's values), else one statement."""
    if known is UNSET:
        known = tally_values(db.session.execute(select(status_tally(box.event.id))).one()._mapping)
    box.status_counts, box.attended = known


def _signup_counts(ids: tuple[int, ...]) -> dict[int, int]:
    """{session id: confirmed sign-ups}, remembered across requests until a sign-up changes
    anywhere (app.cache)."""
    return fragments.remember("registrations.signup_counts", ids, ("session_signups",), lambda: dict(
        db.session.execute(
            select(SessionSignup.session_id, func.count(SessionSignup.id))
            .where(SessionSignup.session_id.in_(ids), SessionSignup.status == SessionSignupStatus.CONFIRMED)
            .group_by(SessionSignup.session_id)
        ).all()
    ))


def _counts_and_mine(ids: tuple[int, ...], user_id: int) -> tuple[dict[int, int], dict[int, OwnSignup]]:
    """({session id: confirmed sign-ups}, {session id: the user's live sign-up}) in one statement
    (a signed-in viewer's box: the counts ride along the viewer's sign-ups)."""
    rows = db.session.execute(_counts_and_mine_statement(), {"ids": list(ids), "user_id": user_id}).all()
    return ({session_id: count for session_id, count, _, _ in rows if count},
            {session_id: OwnSignup(signup_id, status) for session_id, _, signup_id, status in rows
             if signup_id is not None})


@functools.cache
def _counts_and_mine_statement():
    """Built once (bound: ids, user_id)."""
    confirmed = (select(func.count(SessionSignup.id))
                 .where(SessionSignup.session_id == Session.id, SessionSignup.status == SessionSignupStatus.CONFIRMED)
                 .correlate(Session).scalar_subquery())
    mine = aliased(SessionSignup)
    return (select(Session.id, confirmed, mine.id, mine.status)
            .outerjoin(mine, and_(mine.session_id == Session.id, mine.user_id == bindparam("user_id"),
                                  mine.status != SessionSignupStatus.CANCELLED))
            .where(Session.id.in_(bindparam("ids", expanding=True))))


def _read_on_this_page(event_id: int, signed_in: bool) -> tuple[dict | None, dict | None]:
    """(confirmed sign-ups, the viewer's sign-ups) as the event page read them on this request (with
    the event and with the viewer's registration), each None when not read (another page)."""
    packed = page_facts.known(event_id, SIGNUP_COUNTS)
    confirmed = None if packed is page_facts.UNKNOWN else {int(session_id): int(count)
                                                           for session_id, count in _items(packed)}
    store = request_dict("_event_page_signups") if signed_in else None
    return confirmed, (store.get(event_id) if store is not None else None)


def _session_choices(event: Event, user, signed_in: bool) -> list[SessionChoice]:
    sessions = _signup_sessions(event)
    if not sessions:
        return []
    ids = tuple(s.id for s in sessions)
    mine = {}
    positions = {}
    confirmed, read_mine = _read_on_this_page(event.id, signed_in)
    if signed_in:
        if confirmed is None or read_mine is None:
            confirmed, read_mine = _counts_and_mine(ids, user.id)
        mine = read_mine
        positions = signup_waitlist_positions([sid for sid, s in mine.items()
                                               if s.status == SessionSignupStatus.WAITLISTED])
    elif confirmed is None:
        confirmed = _signup_counts(ids)
    return [
        SessionChoice(s, confirmed.get(s.id, 0), mine.get(s.id),
                      positions.get(mine[s.id].id) if s.id in mine else None)
        for s in sessions
    ]


def registration_box(event: Event, user, form, *, seats_taken_now: int | None = None,
                     registration=UNSET, invitation_id=UNSET, organiser_tally=UNSET) -> RegistrationBox:
    """Everything the registration box shows `user` (maybe anonymous), in a bounded number of queries.

    The event page already counts the seats and loads the viewer's registration with the id of an
    open invitation (and, for an organiser, the counts per status): it passes them in
    (`seats_taken_now`, `registration`, `invitation_id`, None meaning "none"; `organiser_tally`,
    see tally_values) so they are not asked twice."""
    signed_in = is_signed_in(user)  # an unconfirmed account sees the visitor's box
    position = None
    invitation = None
    if not signed_in:
        registration = None
    elif registration is UNSET:
        registration = own_registration(event.id, user.id)
    if registration is not None:
        position = waitlist_position(registration)
    closed_reason = registration_closed_reason(event)
    # The invitation is offered only to someone who may register and has no live or refused registration.
    if signed_in and closed_reason is None and not (
        registration is not None
        and (registration.status in ACTIVE or registration.status == RegistrationStatus.REJECTED)
    ):
        invitation = _open_invitation(event, user, invitation_id)
    organiser = signed_in and is_organiser_of(user, event)
    box = RegistrationBox(
        event=event, registration=registration, position=position,
        seats_taken=seats_taken(event.id) if seats_taken_now is None else seats_taken_now,
        closed_reason=closed_reason, is_organiser=bool(organiser), invitation=invitation, form=form,
    )
    box.can_cancel = box.is_active and event.starts_at > now()
    if organiser:
        _count_statuses(box, UNSET if organiser_tally is None else organiser_tally)
    box.sessions = _session_choices(event, user, signed_in)
    return box
