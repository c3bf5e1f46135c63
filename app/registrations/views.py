"""Routes: register, cancel, session sign-ups, my events, invitations, the organiser's participant
list (bulk actions, export, import, message), check-in, attendance figures and PDFs, feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import (
    session as web_session,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, null, or_, select
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.routing import BuildError

from app.accounts import services as accounts
from app.accounts.auth import is_safe_next, start_session
from app.accounts.models import User
from app.cache import fragments, pages
from app.directory.models import Organisation
from app.events.access import get_managed_or_404, get_visible_or_404, is_organiser_of
from app.events.models import Event, Session
from app.extensions import db, limiter
from app.pagination import Page, paginate, parse_page
from app.registrations import exports, imports, pdf, services
from app.registrations.forms import (
    AcceptInvitationForm,
    BulkForm,
    ConfirmImportForm,
    FeedbackForm,
    ImportForm,
    InviteForm,
    MessageForm,
    NeedsForm,
    RegistrationForm,
)
from app.registrations.models import (
    AttendanceDay,
    Feedback,
    Invitation,
    InvitationStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    SessionAttendance,
    SessionSignup,
    SessionSignupStatus,
)
from app.templating import country_name
from app.timeutil import now, to_local

bp = Blueprint("registrations", __name__)

STATUS_FILTERS = [("", "All")] + [(s.value, s.label) for s in RegistrationStatus]


# --------------------------------------------------------------------------------------------
# Helpers for templates


def event_page_url(event: Event) -> str:
    """The events engineer's event page when it exists, else our registration page."""
    if "events.detail" in current_app.view_functions:
        try:
            return url_for("events.detail", event_id=event.id)
        except BuildError:
            pass
    return url_for("registrations.status", event_id=event.id)


def _event_url_maker():
    """event_page_url for an event id, built once for a list (see _url_maker)."""
    if "events.detail" in current_app.view_functions:
        try:
            return _url_maker("events.detail", "event_id")
        except BuildError:
            pass
    return _url_maker("registrations.status", "event_id")


def _url_maker(endpoint: str, key: str, **values):
    """url_for once, then a str.format per row: a list of hundreds of links costs one url_for."""
    marker = 987654321
    template = url_for(endpoint, **values, **{key: marker}).replace("{", "{{").replace("}", "}}")
    return template.replace(str(marker), "{}").format


@dataclass(frozen=True)
class SignupSession:
    """What the registration box shows of a session with sign-up (remembered across requests)."""

    id: int
    title: str
    starts_at: datetime
    capacity: int | None


def _signup_sessions(event: Event) -> tuple[SignupSession, ...]:
    """The event's sessions with sign-up, in agenda order: from the agenda when the page loaded it,
    else remembered until a session changes anywhere (app.cache)."""
    if "sessions" in event.__dict__:
        return tuple(SignupSession(s.id, s.title, s.starts_at, s.capacity) for s in sorted(
            (s for s in event.sessions if s.has_signup), key=lambda s: (s.starts_at, s.position, s.id)))

    def load() -> tuple[SignupSession, ...]:
        return tuple(SignupSession(*row) for row in db.session.execute(
            select(Session.id, Session.title, Session.starts_at, Session.capacity)
            .where(Session.event_id == event.id, Session.has_signup.is_(True))
            .order_by(Session.starts_at, Session.position, Session.id)
        ))

    return fragments.remember("registrations.signup_sessions", (event.id,), ("sessions",), load)


@dataclass
class SessionChoice:
    session: SignupSession
    confirmed: int
    signup: SessionSignup | None
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
    form: RegistrationForm | None
    sessions: list[SessionChoice] = field(default_factory=list)
    status_counts: dict = field(default_factory=dict)
    attended: int = 0
    can_cancel: bool = False

    @property
    def has_ended(self) -> bool:
        return self.event.ends_at <= now()

    @property
    def attended_by_me(self) -> bool:
        registration = self.registration
        return (registration is not None and registration.status == RegistrationStatus.CONFIRMED
                and registration.checked_in_at is not None)

    @property
    def is_active(self) -> bool:
        return self.registration is not None and self.registration.status in services.ACTIVE

    @property
    def is_full(self) -> bool:
        return self.event.capacity is not None and self.seats_taken >= self.event.capacity

    @property
    def free_seats(self) -> int | None:
        return None if self.event.capacity is None else max(0, self.event.capacity - self.seats_taken)

    @property
    def invitation_only(self) -> bool:
        return self.event.registration_mode.value == "invitation"


_UNSET = object()


def registration_box(event: Event, form: RegistrationForm | None = None, *, seats_taken: int | None = None,
                     registration=_UNSET) -> RegistrationBox:
    """Everything the event page's registration box shows, in a bounded number of queries.

    The event page already counts the seats and loads the viewer's registration: it passes them in
    (`seats_taken`, `registration`, None meaning "no registration") so they are not asked twice."""
    user = current_user
    signed_in = user.is_authenticated
    position = None
    invitation = None
    if not signed_in:
        registration = None
    elif registration is _UNSET:
        registration = db.session.scalar(
            select(Registration).where(Registration.event_id == event.id, Registration.user_id == user.id)
        )
    if registration is not None:
        position = services.waitlist_position(registration)
    closed_reason = services.registration_closed_reason(event)
    # The invitation is offered only to someone who may register and has no live or refused registration.
    if signed_in and closed_reason is None and not (
        registration is not None
        and (registration.status in services.ACTIVE or registration.status == RegistrationStatus.REJECTED)
    ):
        invitation = db.session.scalar(
            select(Invitation).where(
                Invitation.event_id == event.id,
                Invitation.status == InvitationStatus.SENT,
                or_(Invitation.user_id == user.id, Invitation.email == user.email),
            )
        )
    organiser = signed_in and is_organiser_of(user, event)
    box = RegistrationBox(
        event=event,
        registration=registration,
        position=position,
        seats_taken=services.seats_taken(event.id) if seats_taken is None else seats_taken,
        closed_reason=closed_reason,
        is_organiser=bool(organiser),
        invitation=invitation,
        form=form or RegistrationForm(formdata=None),
    )
    box.can_cancel = box.is_active and event.starts_at > now()
    if organiser:
        # One GROUP BY: counts per status, and (for confirmed ones) how many checked in.
        rows = db.session.execute(
            select(Registration.status, func.count(Registration.id), func.count(Registration.checked_in_at))
            .where(Registration.event_id == event.id)
            .group_by(Registration.status)
        ).all()
        box.status_counts = {status.value: count for status, count, _ in rows}
        box.attended = sum(checked for status, _, checked in rows if status == RegistrationStatus.CONFIRMED)
    sessions = _signup_sessions(event)
    if sessions:
        ids = tuple(s.id for s in sessions)
        # Remembered across requests until a sign-up changes anywhere (app.cache).
        confirmed = fragments.remember("registrations.signup_counts", ids, ("session_signups",), lambda: dict(
            db.session.execute(
                select(SessionSignup.session_id, func.count(SessionSignup.id))
                .where(SessionSignup.session_id.in_(ids), SessionSignup.status == SessionSignupStatus.CONFIRMED)
                .group_by(SessionSignup.session_id)
            ).all()
        ))
        mine = {}
        positions = {}
        if signed_in:
            mine = {
                s.session_id: s
                for s in db.session.scalars(
                    select(SessionSignup).where(SessionSignup.session_id.in_(ids), SessionSignup.user_id == user.id,
                                                SessionSignup.status != SessionSignupStatus.CANCELLED)
                )
            }
            positions = services.signup_waitlist_positions([sid for sid, s in mine.items()
                                                            if s.status == SessionSignupStatus.WAITLISTED])
        box.sessions = [
            SessionChoice(s, confirmed.get(s.id, 0), mine.get(s.id),
                          positions.get(mine[s.id].id) if s.id in mine else None)
            for s in sessions
        ]
    return box


@bp.app_context_processor
def _registration_helpers():
    return {"registration_box": registration_box, "event_page_url": event_page_url}


def _next_or(default: str) -> str:
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_next(target) else default


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name) or request.form.get(name) or "")
    except ValueError:
        return None


def _day_arg(value: str | None, event: Event) -> date | None:
    days = services.event_days(event)
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None
        return day if day in days else None
    today = to_local(now(), event.timezone).date()
    return today if today in days else (days[0] if days else None)


def _registration_of(event: Event, registration_id: int) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(Registration.id == registration_id, Registration.event_id == event.id)
        .options(joinedload(Registration.user))
    )
    if registration is None:
        abort(404)
    return registration


# --------------------------------------------------------------------------------------------
# Participant side


@bp.get("/privacy-notice")
def privacy():
    return render_template("registrations/privacy.html")


@bp.get("/events/<int:event_id>/registration")
def status(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    return render_template("registrations/status.html", event=event, box=registration_box(event))


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    # The event and its seat count in one statement; the event is then in the session, so the
    # visibility check below reads nothing more.
    _, tally = services.event_with_tally(event_id, current_user)
    event = get_visible_or_404(event_id, current_user)
    form = RegistrationForm()
    if not form.validate():
        return render_template("registrations/status.html", event=event,
                               box=registration_box(event, form)), 422
    back = _next_or(event_page_url(event))  # before the commit expires the event (no reload after it)
    outcome = services.register(
        event, current_user, form.role.data,
        services.Needs(form.dietary_needs.data, form.accessibility_needs.data, form.needs_visa_letter.data),
        consent=form.consent.data, tally=tally,
    )
    flash(outcome.message, outcome.category)
    return redirect(back)


@bp.post("/events/<int:event_id>/registration/cancel")
@login_required
def cancel(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == current_user.id)
    )
    if registration is None:
        flash("You are not registered for this event.", "warning")
    else:
        outcome = services.cancel_registration(registration, current_user)
        flash(outcome.message, "info" if outcome.ok else "danger")
    return redirect(_next_or(event_page_url(event)))


@bp.route("/events/<int:event_id>/registration/needs", methods=["GET", "POST"])
@login_required
def needs(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == current_user.id,
                                   Registration.status.in_(services.ACTIVE))
    )
    if registration is None:
        abort(404)
    form = NeedsForm(obj=registration)
    if form.validate_on_submit():
        services.update_needs(
            registration,
            services.Needs(form.dietary_needs.data, form.accessibility_needs.data, form.needs_visa_letter.data),
            current_user,
        )
        flash("Your needs are saved. Only the organisers see them.", "success")
        return redirect(event_page_url(event))
    return render_template("registrations/needs.html", event=event, form=form), (422 if form.errors else 200)


def _session_or_404(session_id: int) -> Session:
    item = db.session.get(Session, session_id)
    if item is None:
        abort(404)
    get_visible_or_404(item.event_id, current_user)
    return item


@bp.post("/sessions/<int:session_id>/signup")
@login_required
def session_signup(session_id: int):
    item = _session_or_404(session_id)
    event = item.event
    outcome = services.sign_up_for_session(item, current_user)
    flash(outcome.message, outcome.category)
    return redirect(_next_or(event_page_url(event)))


@bp.post("/sessions/<int:session_id>/signup/cancel")
@login_required
def session_signup_cancel(session_id: int):
    item = _session_or_404(session_id)
    event = item.event
    signup = db.session.scalar(
        select(SessionSignup).where(SessionSignup.session_id == item.id, SessionSignup.user_id == current_user.id)
    )
    if signup is None:
        flash("You are not signed up for this session.", "warning")
    else:
        outcome = services.cancel_session_signup(signup, current_user)
        flash(outcome.message, "info" if outcome.ok else "danger")
    return redirect(_next_or(event_page_url(event)))


MY_EVENTS_PER_PAGE = 20
# What "my events" shows comes from these tables (app.cache stamps).
MY_EVENTS_TABLES = ("registrations", "events", "sessions", "session_signups", "feedback", "invitations")


@dataclass(frozen=True)
class MyEvents:
    """Everything "my events" shows of one person, whatever the time: the page splits it into
    upcoming and past (by the events' ends_at) at each request, so the cached copy never goes stale
    when an event ends."""

    registrations: tuple  # rows, by (starts_at, id)
    signups: dict  # {event id: [sign-up rows by session start]}
    positions: dict  # {registration id: place on the event's waiting list}
    signup_positions: dict  # {sign-up id: place on the session's waiting list}
    invitations: tuple  # open invitations, by event start (with the event's ends_at)


def _my_events(user_id: int, email: str) -> MyEvents:
    registrations = tuple(db.session.execute(
        select(Registration.id, Registration.event_id, Registration.status, Registration.role,
               Registration.checked_in_at, Event.title, Event.starts_at, Event.ends_at, Event.timezone, Event.city,
               Event.status.label("event_status"), Event.kind,
               select(Feedback.id).where(Feedback.registration_id == Registration.id).exists().label("has_feedback"))
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user_id)
        .order_by(Event.starts_at, Registration.id)
    ).all())
    signups: dict[int, list] = {}
    for signup in db.session.execute(
        select(SessionSignup.id, SessionSignup.session_id, SessionSignup.status, Session.event_id, Session.title,
               Session.starts_at)
        .join(Session, Session.id == SessionSignup.session_id)
        .where(SessionSignup.user_id == user_id, SessionSignup.status != SessionSignupStatus.CANCELLED)
        .order_by(Session.starts_at, SessionSignup.id)
    ):
        signups.setdefault(signup.event_id, []).append(signup)
    waiting = {r.id for r in registrations if r.status == RegistrationStatus.WAITLISTED}
    positions = {registration_id: position for registration_id, position in services.waitlist_positions(
        {r.event_id for r in registrations if r.id in waiting}).items() if registration_id in waiting}
    waiting_signups = {s.id for items in signups.values() for s in items if s.status == SessionSignupStatus.WAITLISTED}
    signup_positions = {signup_id: position for signup_id, position in services.signup_waitlist_positions(
        {s.session_id for items in signups.values() for s in items if s.id in waiting_signups}).items()
        if signup_id in waiting_signups}
    invitations = tuple(db.session.execute(
        select(Invitation.token, Event.title, Event.starts_at, Event.ends_at, Event.timezone)
        .join(Event, Event.id == Invitation.event_id)
        .where(or_(Invitation.user_id == user_id, Invitation.email == email), Invitation.status == InvitationStatus.SENT)
        .order_by(Event.starts_at)
    ).all())
    return MyEvents(registrations, signups, positions, signup_positions, invitations)


@bp.get("/my/events")
@login_required
@pages.cached_page
def my_events():
    """The user's registrations: upcoming first (soonest first), past ones behind their own tab
    (latest first), a page of MY_EVENTS_PER_PAGE at a time. What the page shows of the user is
    remembered (per worker) until one of MY_EVENTS_TABLES changes; the split by time is per request."""
    instant = now()
    show = "past" if request.args.get("show") == "past" else "upcoming"
    mine = fragments.remember(
        "registrations.my_events", (current_user.id, current_user.email), MY_EVENTS_TABLES,
        lambda: _my_events(current_user.id, current_user.email), size=1024,
    )
    upcoming = [r for r in mine.registrations if r.ends_at > instant]
    past = [r for r in reversed(mine.registrations) if not r.ends_at > instant]  # latest first
    totals = {"upcoming": len(upcoming), "past": len(past)}
    number = parse_page(request.args.get("page"))
    start = (number - 1) * MY_EVENTS_PER_PAGE
    registrations = (past if show == "past" else upcoming)[start:start + MY_EVENTS_PER_PAGE]
    page = Page(items=registrations, page=number, per_page=MY_EVENTS_PER_PAGE, total=totals[show])
    invitations = [invitation for invitation in mine.invitations if invitation.ends_at > instant]
    feedback_given = {r.id for r in registrations if r.has_feedback}
    return render_template("registrations/my_events.html", show=show, page=page, totals=totals,
                           positions=mine.positions, signups=mine.signups, invitations=invitations,
                           feedback_given=feedback_given, signup_positions=mine.signup_positions,
                           event_url=_event_url_maker())


# --------------------------------------------------------------------------------------------
# Invitations


@bp.route("/events/<int:event_id>/invitations", methods=["GET", "POST"])
@login_required
def invitations(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = InviteForm()
    if form.validate_on_submit():
        people, bad = parse_email_lines(form.emails.data)
        if bad:
            form.emails.errors.extend(bad)
        else:
            try:
                result = services.invite(event, people, current_user, ParticipantRole(form.role.data))
            except services.RegistrationError as error:
                form.emails.errors.append(str(error))
            else:
                flash(f"{len(result.invited)} invitation(s) sent."
                      + (" Skipped: " + "; ".join(result.skipped) if result.skipped else ""),
                      "success" if result.invited else "info")
                return redirect(url_for("registrations.invitations", event_id=event.id))
    items = db.session.scalars(
        select(Invitation).where(Invitation.event_id == event.id).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    return render_template("registrations/invitations.html", event=event, form=form, items=items), (
        422 if form.errors else 200
    )


def parse_email_lines(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """'email[, name]' per line -> ([(email, name)], [problems with their line numbers])."""
    from email_validator import EmailNotValidError, validate_email

    people, bad = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        for separator in (",", ";", "\t"):
            if separator in line:
                email, name = (part.strip() for part in line.split(separator, 1))
                break
        else:
            email, name = line, ""
        if "<" in email and email.endswith(">"):
            name, email = email.split("<", 1)[0].strip(), email.split("<", 1)[1][:-1]
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            bad.append(f"Line {number}: “{email[:100]}” is not a valid email address.")
            continue
        people.append((email.lower(), name))
    if not people and not bad:
        bad.append("Enter at least one email address.")
    return people, bad


@bp.post("/events/<int:event_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(event_id: int, invitation_id: int):
    event = get_managed_or_404(event_id, current_user)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.event_id != event.id:
        abort(404)
    try:
        services.revoke_invitation(invitation, current_user)
        flash(f"The invitation to {invitation.email} is withdrawn.", "info")
    except services.RegistrationError as error:
        flash(str(error), "warning")
    return redirect(url_for("registrations.invitations", event_id=event.id))


def _invitation_or_404(token: str) -> Invitation:
    invitation = services.find_invitation(token)
    if invitation is None or invitation.event.status.value == "draft":
        abort(404)
    return invitation


@bp.get("/invitations/<token>")
def invitation(token: str):
    item = _invitation_or_404(token)
    has_account = accounts.find_by_email(item.email) is not None
    form = AcceptInvitationForm(formdata=None)
    return render_template("registrations/invitation.html", invitation=item, event=item.event, form=form,
                           has_account=has_account)


@bp.post("/invitations/<token>/accept")
@login_required
def accept_invitation(token: str):
    item = _invitation_or_404(token)
    form = AcceptInvitationForm()
    if not form.validate():
        return render_template("registrations/invitation.html", invitation=item, event=item.event, form=form,
                               has_account=True), 422
    outcome = services.accept_invitation(
        item, current_user,
        services.Needs(form.dietary_needs.data, form.accessibility_needs.data, form.needs_visa_letter.data),
        consent=form.consent.data,
    )
    flash(outcome.message, outcome.category)
    if not outcome.ok:
        return redirect(url_for("registrations.invitation", token=token))
    return redirect(event_page_url(item.event))


@bp.post("/invitations/<token>/decline")
def decline_invitation(token: str):
    item = _invitation_or_404(token)
    try:
        services.decline_invitation(item, current_user if current_user.is_authenticated else None)
        flash("You declined the invitation. Thank you for letting the organisers know.", "info")
    except services.RegistrationError as error:
        flash(str(error), "warning")
    return redirect(url_for("registrations.invitation", token=token))


def _signup_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/invitations/<token>/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def invitation_signup(token: str):
    """Account creation for an invited address, the email prefilled and fixed."""
    from app.accounts.forms import SignUpForm

    item = _invitation_or_404(token)
    if current_user.is_authenticated or accounts.find_by_email(item.email) is not None:
        return redirect(url_for("registrations.invitation", token=token))
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form = SignUpForm(organisations=organisations)
    if request.method == "GET":
        form.email.data = item.email
        form.name.data = item.name or ""
    else:
        form.email.data = item.email  # the invited address, whatever was posted
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                accounts.NewUser(email=item.email, name=form.name.data, password=form.password.data,
                                 organisation_id=form.organisation_id.data or None, country=form.country.data,
                                 timezone=current_app.config["DEFAULT_TIMEZONE"])
            )
            item.user_id = user.id
            db.session.commit()
        except accounts.AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            web_session.clear()
            start_session(user)
            flash("Your account is ready. You can now accept the invitation.", "success")
            return redirect(url_for("registrations.invitation", token=token))
    return render_template("registrations/invitation_signup.html", form=form, invitation=item,
                           event=item.event), (422 if form.errors else 200)


# --------------------------------------------------------------------------------------------
# Organiser: participants


# A page of the list: 50 by default (as Indico's and pretix's lists), more on request; the search
# and the status filter find anyone in a 2,000-person event.
PARTICIPANTS_PER_PAGE = 50
PARTICIPANTS_PAGE_SIZES = (50, 100, 200)


def _participants_filter(query, event: Event, status_filter: str, q: str):
    """The list's filters (status and a search on name, email or organisation) on a select that
    already joins User and (outer) Organisation: the page and the export share them."""
    query = query.where(Registration.event_id == event.id)
    if status_filter in {s.value for s in RegistrationStatus}:
        query = query.where(Registration.status == RegistrationStatus(status_filter))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like),
                                func.lower(Organisation.name).like(like)))
    return query


PARTICIPANTS_ORDER = (Registration.status, Registration.waitlisted_at, User.name, Registration.id)


def _participants_query(event: Event, status_filter: str, q: str):
    """Registrations with their people and organisations, loaded from the joins that the filter
    and the order use (not joined a second time)."""
    query = _participants_joined(select(Registration)).options(
        contains_eager(Registration.user).contains_eager(User.organisation)
    )
    return _participants_filter(query, event, status_filter, q).order_by(*PARTICIPANTS_ORDER)


# What a page of the participant list shows comes from these tables (app.cache stamps).
PARTICIPANT_LIST_TABLES = ("registrations", "users", "organisations")


def _participant_facets(event: Event) -> tuple[dict[str, int], int]:
    """({status: count}, participant seats taken) from one grouped statement: the status filter's
    counts, the seats line and, without a search, the list's total (no separate count)."""
    counts: dict[str, int] = {}
    seats_taken = 0
    for status_value, role, count in db.session.execute(
        select(Registration.status, Registration.role, func.count())
        .where(Registration.event_id == event.id).group_by(Registration.status, Registration.role)
    ):
        counts[status_value.value] = counts.get(status_value.value, 0) + count
        if status_value == RegistrationStatus.CONFIRMED and role in services.SEAT_ROLES:
            seats_taken += count
    return counts, seats_taken


def _participants_joined(query):
    return query.select_from(Registration).join(User, User.id == Registration.user_id) \
        .outerjoin(Organisation, Organisation.id == User.organisation_id)


def _participant_rows(event: Event, status_filter: str, q: str, number: int, per_page: int,
                      with_positions: bool, with_matches: bool) -> list:
    """One page of the list as plain rows with only the columns it shows, each waitlisted person's
    place on the waiting list (joined in, so the page stays one statement) and, with_matches, how
    many people match in all (a search reads its matches once rather than again to count them)."""
    position = null().label("position")
    query = select(
        Registration.id, Registration.status, Registration.role, Registration.checked_in_at,
        Registration.dietary_needs, Registration.accessibility_needs, Registration.needs_visa_letter,
        User.name, User.email, User.country, Organisation.name.label("organisation_name"),
        Organisation.country.label("organisation_country"),
    )
    if with_matches:
        query = query.add_columns(func.count().over().label("matches"))
    if with_positions:
        ranked = (
            select(Registration.id.label("id"),
                   func.row_number().over(order_by=(Registration.waitlisted_at, Registration.id)).label("position"))
            .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
            .subquery()
        )
        position = ranked.c.position
    query = _participants_joined(query.add_columns(position))
    if with_positions:
        query = query.outerjoin(ranked, ranked.c.id == Registration.id)
    query = _participants_filter(query, event, status_filter, q).order_by(*PARTICIPANTS_ORDER)
    return db.session.execute(
        query.limit(per_page).offset((number - 1) * per_page)
    ).all()


@bp.get("/events/<int:event_id>/participants")
@login_required
@pages.cached_page
def participants(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    status_filter = request.args.get("status") or ""
    if status_filter not in {s.value for s in RegistrationStatus}:
        status_filter = ""
    q = (request.args.get("q") or "").strip()[:100]
    counts, seats_taken = fragments.remember(
        "registrations.participant_facets", (event.id,), ("registrations",), lambda: _participant_facets(event))
    number = parse_page(request.args.get("page"))
    per_page = request.args.get("per_page", type=int)
    if per_page not in PARTICIPANTS_PAGE_SIZES:
        per_page = PARTICIPANTS_PER_PAGE
    with_positions = bool(counts.get("waitlisted")) and status_filter in ("", "waitlisted")
    participant_url = _url_maker("registrations.participant", "registration_id", event_id=event.id)

    def rows_html(rows) -> str:
        return render_template("registrations/_participant_rows.html", rows=rows, participant_url=participant_url)

    if not q:
        # The facets give the total. The rendered rows are remembered (per worker) until a
        # registration, a person or an organisation changes: every manager of the event sees the
        # same rows, and the view checked above that this viewer manages it.
        total = counts.get(status_filter, 0) if status_filter else sum(counts.values())
        rows = fragments.cached(
            "registrations.participant_rows", (event.id, status_filter, number, per_page), PARTICIPANT_LIST_TABLES,
            lambda: rows_html(
                _participant_rows(event, status_filter, q, number, per_page, with_positions, False) if total else []),
        )
    else:  # a search is a one-off: not cached
        found = _participant_rows(event, status_filter, q, number, per_page, with_positions, True)
        if found:
            total = found[0].matches
        elif number > 1:  # past the last page: count the matches
            total = db.session.scalar(_participants_filter(
                _participants_joined(select(func.count(Registration.id))), event, status_filter, q)) or 0
        else:
            total = 0
        rows = Markup(rows_html(found))
    page = Page(items=[], page=number, per_page=per_page, total=total)
    return render_template(
        "registrations/participants.html", event=event, page=page, rows_html=rows, counts=counts,
        status_filter=status_filter, q=q, statuses=STATUS_FILTERS, bulk_form=BulkForm(formdata=None),
        columns=exports.COLUMNS, default_columns=exports.DEFAULT_COLUMNS, seats_taken=seats_taken,
        page_sizes=PARTICIPANTS_PAGE_SIZES,
    )


@bp.post("/events/<int:event_id>/participants/bulk")
@login_required
def bulk(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    back = _next_or(url_for("registrations.participants", event_id=event.id))
    form = BulkForm()
    ids = []
    for value in request.form.getlist("ids"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    if not form.validate():
        flash(" ".join(e for errors in form.errors.values() for e in errors) or "Choose an action.", "danger")
        return redirect(back)
    try:
        result = services.manage(event, ids, form.action.data, current_user, reason=form.reason.data,
                                 role=form.role.data)
    except services.RegistrationError as error:
        flash(str(error), "danger")
        return redirect(back)
    if result.done:
        flash(f"Done for {len(result.done)} person(s).", "success")
    for problem in result.problems:
        flash(problem, "warning")
    return redirect(back)


@bp.get("/events/<int:event_id>/participants/<int:registration_id>")
@login_required
def participant(event_id: int, registration_id: int):
    event = get_managed_or_404(event_id, current_user)
    registration = _registration_of(event, registration_id)
    signups = db.session.scalars(
        select(SessionSignup).join(Session, Session.id == SessionSignup.session_id)
        .where(Session.event_id == event.id, SessionSignup.user_id == registration.user_id)
        .options(joinedload(SessionSignup.session)).order_by(Session.starts_at)
    ).all()
    days = db.session.scalars(
        select(AttendanceDay.day_on).where(AttendanceDay.registration_id == registration.id).order_by(AttendanceDay.day_on)
    ).all()
    return render_template("registrations/participant.html", event=event, registration=registration,
                           position=services.waitlist_position(registration), signups=signups, days=days,
                           bulk_form=BulkForm(formdata=None), can_certificate=services.can_get_certificate(registration))


@bp.get("/events/<int:event_id>/participants/export")
@login_required
def export(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    columns = exports.choose_columns(request.args.getlist("columns"))
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    status_filter = request.args.get("status") or ""
    q = (request.args.get("q") or "").strip()[:100]
    registrations = db.session.scalars(_participants_query(event, status_filter, q)).unique().all()
    positions = services.waitlist_positions([event.id])
    rows = [exports.row_for(r, columns, positions) for r in registrations]
    stem = f"participants-event-{event.id}"
    if fmt == "csv":
        body, mimetype = exports.build_csv(columns, rows), "text/csv; charset=utf-8"
    else:
        body = exports.build_xlsx(columns, rows, title=event.title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    from app import audit

    audit.record(current_user, "registration.export", event, {"format": fmt, "columns": columns, "rows": len(rows)})
    db.session.commit()
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})


@bp.route("/events/<int:event_id>/participants/import", methods=["GET", "POST"])
@login_required
def import_participants(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = ImportForm()
    if request.method == "POST" and form.validate():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.file.errors = list(form.file.errors) + ["Choose a CSV file."]
        else:
            result = imports.check(event, upload.read(), form.mode.data)
            if result.problem:
                form.file.errors = list(form.file.errors) + [result.problem]
            else:
                confirm = ConfirmImportForm(formdata=None)
                confirm.payload.data = imports.sign(event.id, form.mode.data, result.valid)
                return render_template("registrations/import.html", event=event, form=form, result=result,
                                       confirm=confirm, mode=form.mode.data)
    return render_template("registrations/import.html", event=event, form=form, result=None, confirm=None,
                           mode=None), (422 if form.errors else 200)


@bp.post("/events/<int:event_id>/participants/import/confirm")
@login_required
def confirm_import(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = ConfirmImportForm()
    data = imports.unsign(event.id, form.payload.data) if form.validate() else None
    if data is None:
        flash("The import could not be confirmed (the form was changed or expired). Upload the file again.", "danger")
        return redirect(url_for("registrations.import_participants", event_id=event.id))
    mode, rows = data
    if not rows:
        flash("There were no valid rows to import. Nothing was changed.", "warning")
        return redirect(url_for("registrations.import_participants", event_id=event.id))
    # Check again: something may have changed since the preview. Any bad row -> nothing written.
    recheck = imports.validate(event, [(r.line, {"email": r.email, "name": r.name, "role": r.role}, r.email)
                                       for r in rows], mode)
    if recheck.bad:
        confirm = ConfirmImportForm(formdata=None)
        confirm.payload.data = imports.sign(event.id, mode, recheck.valid)
        flash("Some rows changed since the check. Nothing was imported; review the rows again.", "warning")
        return render_template("registrations/import.html", event=event, form=ImportForm(formdata=None),
                               result=recheck, confirm=confirm, mode=mode), 409
    try:
        count = services.import_rows(event, mode, rows, current_user)
    except services.RegistrationError as error:
        flash(f"Nothing was imported: {error}", "danger")
        return redirect(url_for("registrations.import_participants", event_id=event.id))
    flash(f"{count} {'invitation(s) sent' if mode == 'invite' else 'person(s) registered'}.", "success")
    return redirect(url_for("registrations.participants", event_id=event.id))


@bp.route("/events/<int:event_id>/participants/message", methods=["GET", "POST"])
@login_required
def message(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    form = MessageForm()
    if form.validate_on_submit():
        count = services.write_to_participants(event, form.group.data, form.subject.data, form.body.data,
                                               current_user)
        flash(f"Your message is on its way to {count} person(s).", "success" if count else "info")
        return redirect(url_for("registrations.participants", event_id=event.id))
    return render_template("registrations/message.html", event=event, form=form), (422 if form.errors else 200)


# --------------------------------------------------------------------------------------------
# Attendance


@bp.get("/events/<int:event_id>/check-in")
@login_required
def checkin(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    q = (request.args.get("q") or "").strip()[:100]
    sessions = db.session.scalars(
        select(Session).where(Session.event_id == event.id).order_by(Session.starts_at, Session.position, Session.id)
    ).all()
    when = request.args.get("when") or ""
    session_id = _int_arg("session")
    day_value = request.args.get("day")
    if when.startswith("session:"):
        session_id = int(when[8:]) if when[8:].isdigit() else None
    elif when.startswith("day:"):
        day_value, session_id = when[4:], None
    chosen_session = next((s for s in sessions if s.id == session_id), None)
    day = None if chosen_session else _day_arg(day_value, event)
    query = _participants_query(event, RegistrationStatus.CONFIRMED.value, q)
    query = query.order_by(None).order_by(User.name, Registration.id)
    page = paginate(query, request.args.get("page"), per_page=50)
    ids = [r.id for r in page.items]
    checked: set[int] = set()
    if ids and chosen_session is not None:
        checked = set(db.session.scalars(
            select(SessionAttendance.registration_id)
            .where(SessionAttendance.session_id == chosen_session.id, SessionAttendance.registration_id.in_(ids))
        ))
    elif ids and day is not None:
        checked = set(db.session.scalars(
            select(AttendanceDay.registration_id)
            .where(AttendanceDay.day_on == day, AttendanceDay.registration_id.in_(ids))
        ))
    return render_template("registrations/checkin.html", event=event, page=page, q=q, day=day,
                           days=services.event_days(event), sessions=sessions, chosen_session=chosen_session,
                           checked=checked)


@bp.post("/events/<int:event_id>/check-in/<int:registration_id>")
@login_required
def checkin_toggle(event_id: int, registration_id: int):
    from app.web import wants_json

    event = get_managed_or_404(event_id, current_user)
    registration = _registration_of(event, registration_id)
    undo = request.form.get("action") == "undo"
    session_id = _int_arg("session")
    args = {"event_id": event.id, "q": request.form.get("q") or None}
    try:
        if session_id:
            item = db.session.get(Session, session_id)
            if item is None or item.event_id != event.id:
                abort(404)
            args["session"] = item.id
            if undo:
                services.undo_session_check_in(registration, item, current_user)
            else:
                services.check_in_session(registration, item, current_user)
        else:
            day = _day_arg(request.form.get("day") or "", event) if request.form.get("day") else None
            if day is None:
                raise services.RegistrationError("Choose a day of the event.")
            args["day"] = day.isoformat()
            if undo:
                services.undo_check_in(registration, day, current_user)
            else:
                services.check_in(registration, day, current_user)
    except services.RegistrationError as error:
        if wants_json():
            return jsonify(error=str(error)), 422
        flash(str(error), "danger")
        return redirect(url_for("registrations.checkin", **args))
    name = registration.user.name
    if wants_json():
        return jsonify(checked_in=not undo, name=name)
    flash(f"{name}: check-in undone." if undo else f"{name} is checked in.", "info" if undo else "success")
    return redirect(url_for("registrations.checkin", **args) + f"#registration-{registration.id}")


@bp.get("/events/<int:event_id>/attendance")
@login_required
def attendance(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    from app.directory.models import OrganisationType

    return render_template("registrations/attendance.html", event=event,
                           figures=services.attendance_figures(event), days=services.event_days(event),
                           type_labels={t.value: t.label for t in OrganisationType})


@bp.get("/events/<int:event_id>/attendance-sheet.pdf")
@login_required
def attendance_sheet(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    day = _day_arg(request.args.get("day"), event)
    if day is None:
        abort(404)
    registrations = db.session.scalars(
        select(Registration).join(User, User.id == Registration.user_id)
        .where(Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(joinedload(Registration.user)).order_by(User.name, Registration.id)
    ).all()
    rows = [
        pdf.SheetRow(
            name=r.user.name,
            organisation=r.user.organisation.name if r.user.organisation else "",
            country=country_name(r.user.country or (r.user.organisation.country if r.user.organisation else None)),
        )
        for r in registrations
    ]
    place = ", ".join(p for p in (event.venue, event.city, country_name(event.country)) if p)
    body = pdf.attendance_sheet(event.title, day.strftime("%A %d %B %Y"), place, rows)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="attendance-{event.id}-{day.isoformat()}.pdf"'})


@bp.get("/events/<int:event_id>/certificates/<int:registration_id>.pdf")
@login_required
def certificate(event_id: int, registration_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = _registration_of(event, registration_id)
    if registration.user_id != current_user.id and not is_organiser_of(current_user, event):
        abort(403)
    if not services.can_get_certificate(registration):
        abort(404)
    sessions = db.session.scalars(
        select(Session.title).join(SessionAttendance, SessionAttendance.session_id == Session.id)
        .where(SessionAttendance.registration_id == registration.id).order_by(Session.starts_at)
    ).all()
    start = to_local(event.starts_at, event.timezone)
    end = to_local(event.ends_at, event.timezone)
    dates = start.strftime("%d %B %Y") if start.date() == end.date() else (
        f"{start.strftime('%d %B %Y')} – {end.strftime('%d %B %Y')}")
    place = ", ".join(p for p in (event.city, country_name(event.country)) if p)
    issuer = event.host_organisation.name if event.host_organisation else current_app.config["SITE_NAME"]
    user = registration.user
    body = pdf.certificate(user.name, user.organisation.name if user.organisation else "", event.title, dates,
                           place, list(sessions), issuer)
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="certificate-{event.id}-{registration.id}.pdf"'})


# --------------------------------------------------------------------------------------------
# Feedback


@bp.route("/events/<int:event_id>/feedback", methods=["GET", "POST"])
@login_required
def feedback(event_id: int):
    event = get_visible_or_404(event_id, current_user)
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.user_id == current_user.id)
    )
    problem = services.feedback_problem(event, registration)
    form = FeedbackForm()
    if problem is None and form.validate_on_submit():
        try:
            services.give_feedback(
                event, registration, overall=int(form.overall.data), relevance=int(form.relevance.data),
                organisation=int(form.organisation.data), what_worked=form.what_worked.data,
                what_to_improve=form.what_to_improve.data, is_anonymous=form.is_anonymous.data,
            )
        except services.RegistrationError as error:
            flash(str(error), "warning")
        else:
            flash("Thank you for your feedback.", "success")
        return redirect(url_for("registrations.my_events"))
    code = 422 if form.errors else (403 if problem and request.method == "POST" else 200)
    return render_template("registrations/feedback.html", event=event, form=form, problem=problem), code


@bp.get("/events/<int:event_id>/feedback/results")
@login_required
def feedback_results(event_id: int):
    event = get_managed_or_404(event_id, current_user)
    return render_template("registrations/feedback_results.html", event=event,
                           summary=services.feedback_summary(event))
