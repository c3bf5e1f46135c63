"""Calendar routes: .ics downloads of events and sessions, the personal, organiser and public feeds,
and the subscribe page (feed addresses, how to subscribe, new token, what the feed holds)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import login_required
from app.accounts.services import regenerate_calendar_token, update_profile
from app.cache import stamps
from app.calendar import downloads, feeds, links
from app.calendar.feeds import PublicFilters
from app.calendar.forms import FeedPreferencesForm, RegenerateTokenForm
from app.calendar.serving import (
    ORGANISER_TABLES,
    PERSONAL_TABLES,
    PUBLIC_TABLES,
    calendar_response,
    conditional,
    feed_response,
    remembered,
)
from app.events.models import Event
from app.i18n import current_language, supported

bp = Blueprint("calendar", __name__)


def _wants_all_day() -> bool:
    return request.args.get("all_day") in ("1", "true", "yes")


@bp.get("/events/<int:event_id>.ics")
@stamps.not_read_by
def event_ics(event_id: int):
    found = downloads.event_for_download(event_id, current_user)
    if found is None:
        abort(404)
    event, show_online = found
    with_sessions = request.args.get("sessions") in ("1", "true", "yes")
    body = downloads.event_calendar(event, all_day=_wants_all_day(), with_sessions=with_sessions,
                                    show_online=show_online)
    suffix = "-agenda" if with_sessions else ""
    return calendar_response(body, f"event-{event.id}{suffix}.ics", download=True)


@bp.get("/sessions/<int:session_id>.ics")
def session_ics(session_id: int):
    body = downloads.session_calendar(session_id, current_user)
    if body is None:
        abort(404)
    return calendar_response(body, f"session-{session_id}.ics", download=True)


def _owner_language(user) -> str:
    """A personal feed speaks its owner's profile language (calendar programs fetch it without
    the owner's session); else the language the request asks for."""
    return supported(getattr(user, "language", None)) or current_language()


@bp.get("/calendar/feed/<token>.ics")
@stamps.not_read_by
def personal_feed(token: str):
    """A personal feed's fingerprint is computed on every request (one statement), not kept in the
    shared cache: it was kept under the stamps of PERSONAL_TABLES, which any registration anywhere in
    the network moves, so a calendar client polling every quarter of an hour found it again only
    when nobody had registered for anything in between. On the mixed traffic it was found for 12% of
    the polls, and each request paid for the stamps, the lookup and the store (1.74 ms of server
    time against 1.42 with the cache off). The body is still kept by its fingerprint (feed_body).
    A poll finds the user by token and computes the fingerprint in the same statement
    (feeds.personal_by_token)."""
    all_day = _wants_all_day()
    found = feeds.personal_by_token(token, all_day=all_day, from_listing=not conditional())
    if found is None:
        abort(404)
    user, fingerprint = found
    with force_locale(_owner_language(user)):  # the feed's reader is its owner, whatever client fetches it
        return feed_response(fingerprint, PERSONAL_TABLES, lambda: feeds.personal_feed(user, all_day=all_day),
                             "liaison.ics")


@bp.get("/calendar/feed/<token>/organised.ics")
@stamps.not_read_by
def organiser_feed(token: str):
    """As the personal feed: the fingerprint is computed on every request, with the user found by
    the token in the same statement (feeds.organiser_by_token); it was kept in the shared cache under
    the stamps of ORGANISER_TABLES, which the token's statement read for it, and a poll cost two
    statements whenever they had moved (any event, session or user edited anywhere). The body is
    still kept by its fingerprint (feed_body)."""
    all_day = _wants_all_day()
    found = feeds.organiser_by_token(token, all_day=all_day)
    if found is None or not found[0].is_organiser:
        abort(404)
    user, fingerprint = found
    with force_locale(_owner_language(user)):
        return feed_response(fingerprint, ORGANISER_TABLES, lambda: feeds.organiser_feed(user, all_day=all_day),
                             "liaison-organised.ics")


@bp.get("/calendar/public.ics")
def public_feed():
    filters = PublicFilters.from_args(request.args)
    all_day = _wants_all_day()
    fingerprint = remembered(("public", filters.key(), all_day), PUBLIC_TABLES,
                             lambda: feeds.public_fingerprint(filters, all_day=all_day), public=True)
    return feed_response(fingerprint, PUBLIC_TABLES, lambda: feeds.public_feed(filters, all_day=all_day),
                         "liaison-public.ics", public=True)


@bp.route("/calendar/subscribe", methods=["GET"])
@login_required
def subscribe():
    return _subscribe_page(RegenerateTokenForm(formdata=None))


def _subscribe_page(token_form: RegenerateTokenForm, status: int = 200):
    personal = links.personal_feed_url(current_user)
    organised = links.organiser_feed_url(current_user) if current_user.is_organiser else None
    public = links.public_feed_url()
    return render_template(
        "calendar/subscribe.html",
        personal=personal,
        personal_webcal=links.webcal(personal),
        organised=organised,
        organised_webcal=links.webcal(organised) if organised else None,
        public=public,
        public_webcal=links.webcal(public),
        token_form=token_form,
        preferences_form=FeedPreferencesForm(include_waitlisted=current_user.calendar_include_waitlisted),
    ), status


@bp.post("/calendar/subscribe/token")
@login_required
def regenerate_token():
    form = RegenerateTokenForm()
    if not form.validate_on_submit():  # not confirmed: the page again, the reason beside the box
        return _subscribe_page(form, 422)
    regenerate_calendar_token(current_user)
    flash(_("Your feed has a new address. The old one no longer works: subscribe again with the new one."), "success")
    return redirect(url_for("calendar.subscribe"))


@bp.post("/calendar/subscribe/preferences")
@login_required
def preferences():
    form = FeedPreferencesForm()
    if not form.validate_on_submit():
        abort(400)
    update_profile(current_user, calendar_include_waitlisted=bool(form.include_waitlisted.data))
    flash(_("Saved. Calendar programs pick up the change at their next refresh."), "success")
    return redirect(url_for("calendar.subscribe"))


@bp.app_template_global("calendar_links")
def calendar_links(event: Event, has_sessions: bool | None = None) -> dict:
    """What templates/calendar/_event_links.html shows for an event (`has_sessions`: whether it has
    an agenda, when the page knows it already)."""
    public = links.public_facts(event)
    outlook = links.outlook_query(event, public)  # one query for both Outlook hosts
    ics = url_for("calendar.event_ics", event_id=event.id)
    return {
        "ics": ics,
        "ics_sessions": f"{ics}?sessions=1",  # as url_for(..., sessions=1) writes it, built once
        "google": links.google_calendar_url(event, public),
        "outlook": links.outlook_link(outlook),
        "office365": links.outlook_link(outlook, office365=True),
        "has_sessions": bool(event.sessions) if has_sessions is None else has_sessions,
    }

