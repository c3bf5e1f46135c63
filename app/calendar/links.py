"""Addresses the calendar needs: UIDs on the site's host, absolute page URLs, feed URLs (https and
webcal) and "add to calendar" links for Google Calendar and Outlook on the web."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from flask import current_app
from flask_babel import gettext as _

from app.events.place import place
from app.events.urls import event_url
from app.urls import absolute, base_url


def site_host() -> str:
    return _host(base_url())


@lru_cache(maxsize=16)
def _host(base: str) -> str:
    return urlsplit(base).hostname or "liaison.local"


def event_uid(event, host: str | None = None) -> str:
    """The event's calendar UID; `host`: site_host(), when the caller has it already."""
    return f"{event.uid}@{host or site_host()}"


def session_uid(session, host: str | None = None) -> str:
    return f"session-{session.uid}@{host or site_host()}"


def personal_feed_url(user) -> str:
    return absolute("calendar.personal_feed", f"/calendar/feed/{user.calendar_token}.ics",
                    token=user.calendar_token)


def organiser_feed_url(user) -> str:
    return absolute("calendar.organiser_feed", f"/calendar/feed/{user.calendar_token}/organised.ics",
                    token=user.calendar_token)


def public_feed_url(**filters) -> str:
    url = absolute("calendar.public_feed", "/calendar/public.ics")
    query = urlencode([(k, v) for k, v in filters.items() if v not in (None, "")], doseq=True)
    return f"{url}?{query}" if query else url


def webcal(url: str) -> str:
    """The same feed for "subscribe" buttons: webcal:// opens the calendar app on most systems."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url


def mail_from() -> tuple[str, str]:
    """(name, address) of MAIL_FROM, the ORGANIZER of every invitation."""
    config = current_app.config
    return _mail_from(config.get("MAIL_FROM", ""), config.get("SITE_NAME", "Liaison"), site_host())


@lru_cache(maxsize=16)
def _mail_from(value: str, site_name: str, host: str) -> tuple[str, str]:
    name, address = parseaddr(value)
    return name or site_name, address or f"no-reply@{host}"


def _google_stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(event, public: tuple[str, str] | None = None) -> str:
    """Google Calendar's "create event" template. Carries only public facts (never the online link).
    `public`: (details, location) of `public_facts`, when the caller has them already."""
    details, location = public or public_facts(event)
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{_google_stamp(event.starts_at)}/{_google_stamp(event.ends_at)}",
        "details": details,
        "location": location,
        "ctz": event.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def outlook_url(event, office365: bool = False, public: tuple[str, str] | None = None) -> str:
    """Outlook on the web's compose deep link (outlook.live.com, or outlook.office.com for work)."""
    return outlook_link(outlook_query(event, public), office365)


def outlook_query(event, public: tuple[str, str] | None = None) -> str:
    """The query of `outlook_url`: the same for both hosts, so a page showing both encodes it once."""
    details, location = public or public_facts(event)
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": event.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": details,
        "location": location,
    }
    return urlencode(params)


def outlook_link(query: str, office365: bool = False) -> str:
    """`outlook_url` of its `outlook_query`."""
    host = "outlook.office.com" if office365 else "outlook.live.com"
    return f"https://{host}/calendar/0/deeplink/compose?" + query


def public_location(event, full_place: str | None = None, *, online: str | None = None) -> str:
    """LOCATION of a calendar entry: the full place, or "Online" for an online event without one.
    A feed passes the place and the word "Online" it has already looked up."""
    full = place(event) if full_place is None else full_place
    if full:
        return full
    if getattr(event.format, "value", event.format) == "online":
        return online if online is not None else _("Online")
    return ""


def public_facts(event) -> tuple[str, str]:
    """(details, location) an "add to calendar" link carries: the same for each of the page's links."""
    return _public_details(event), public_location(event)


def _public_details(event) -> str:
    lines = [event.summary or ""] if event.summary else []
    lines.append(_("Details: %(url)s", url=event_url(event)))
    return "\n\n".join(lines)
