"""Events and their sessions: the events page's list (same filters, same visibility), one event with
its agenda, its sessions. Visitors without a token read what the pages show visitors."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint

from app.api.auth import needs
from app.api.paging import envelope
from app.api.schemas import (
    EventDetailSchema,
    EventListArgs,
    EventSchema,
    Overlay,
    SessionSchema,
    page_of,
)
from app.events import queries
from app.events.access import get_visible_or_404
from app.events.queries import EventFilters
from app.pagination import paginate
from app.registrations import queries as registration_queries
from app.registrations.event_page import can_see_online_link

blp = Blueprint("api_events", __name__, description="Events and their agenda (scope events:read)")
PUBLIC_READ = {"security": [{"bearerAuth": []}, {}]}


def _filters(args: dict) -> EventFilters:
    """The parsed query as the events page's filter (one home of what each filter means)."""
    raw = {
        "tab": args.get("tab"), "kind": args.get("kind"), "format": args.get("format"),
        "country": args.get("country"), "project": args.get("project"), "theme": args.get("theme"),
        "from": args["from_"].isoformat() if args.get("from_") else None,
        "to": args["to"].isoformat() if args.get("to") else None,
        "q": args.get("q"), "mine": "1" if args.get("mine") else None,
    }
    return EventFilters.from_args({key: str(value) for key, value in raw.items() if value is not None})


@blp.route("/events")
@needs("events:read", public=True)
@blp.arguments(EventListArgs, location="query")
@blp.response(200, page_of(EventSchema, "EventPage"))
@blp.doc(**PUBLIC_READ)
def list_events(args):
    """Events I may see, upcoming (soonest first) or past, with the events page's filters."""
    page = paginate(queries.list_query(_filters(args), current_user), args["page"], per_page=args["per_page"])
    return envelope(page, page.items)


@blp.route("/events/<int:event_id>")
@needs("events:read", public=True)
@blp.response(200, EventDetailSchema)
@blp.doc(**PUBLIC_READ)
def get_event(event_id: int):
    """One event with its agenda; the online link only for those the event page shows it to."""
    event = get_visible_or_404(event_id, current_user)
    full = queries.load_event(event.id)
    return Overlay(full, online_url=full.online_url if can_see_online_link(current_user, full) else None)


@blp.route("/events/<int:event_id>/sessions")
@needs("events:read", public=True)
@blp.response(200, SessionSchema(many=True))
@blp.doc(**PUBLIC_READ)
def list_sessions(event_id: int):
    """The event's agenda items, in order."""
    event = get_visible_or_404(event_id, current_user)
    return registration_queries.event_sessions(event.id)


@blp.route("/sessions/<int:session_id>")
@needs("events:read", public=True)
@blp.response(200, SessionSchema)
@blp.doc(**PUBLIC_READ)
def get_session(session_id: int):
    """One agenda item (of an event I may see)."""
    item = registration_queries.get_session(session_id)
    if item is None:
        abort(404)
    get_visible_or_404(item.event_id, current_user)
    return item
