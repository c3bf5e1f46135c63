"""Addresses the calendar needs: UIDs on the site's host, absolute page URLs, feed URLs (https and
webcal) and "add to calendar" links for Google Calendar and Outlook on the web."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from functools import lru_cache
from urllib.parse import urlencode, urlsplit

from flask import current_app
from werkzeug.routing import BuildError

from app.templating import country_name


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def site_host() -> str:
    return _host(base_url())


@lru_cache(maxsize=16)
def _host(base: str) -> str:
    return urlsplit(base).hostname or "liaison.local"


def event_uid(event) -> str:
    return f"{event.uid}@{site_host()}"


def session_uid(session) -> str:
    return f"session-{session.uid}@{site_host()}"


def absolute(endpoint: str, fallback: str, **values) -> str:
    """An absolute URL on BASE_URL, also outside a request (emails, scheduler, CLI)."""
    return _absolute(current_app._get_current_object(), base_url(), endpoint, fallback, tuple(sorted(values.items())))


@lru_cache(maxsize=4096)
def _absolute(app, base: str, endpoint: str, fallback: str, values: tuple) -> str:
    path_prefix = urlsplit(base).path
    adapter = app.url_map.bind(urlsplit(base).hostname or "localhost", script_name=path_prefix or "/")
    try:
        path = adapter.build(endpoint, dict(values))
    except BuildError:
        return base + fallback
    origin = base[: len(base) - len(path_prefix)] if path_prefix else base
    return origin + path


def event_url(event) -> str:
    # A feed asks for hundreds of these: the route is built once, then only the id changes.
    prefix, suffix = _id_pattern(current_app._get_current_object(), base_url(), "events.detail", "event_id",
                                 "/events/")
    return f"{prefix}{event.id}{suffix}"


_SENTINEL = 918273645546372819


@lru_cache(maxsize=64)
def _id_pattern(app, base: str, endpoint: str, name: str, fallback: str) -> tuple[str, str]:
    """(before, after) the integer `name` in the absolute URL of `endpoint`."""
    url = _absolute(app, base, endpoint, fallback + str(_SENTINEL), ((name, _SENTINEL),))
    before, _, after = url.partition(str(_SENTINEL))
    return before, after


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


def google_calendar_url(event) -> str:
    """Google Calendar's "create event" template. Carries only public facts (never the online link)."""
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{_google_stamp(event.starts_at)}/{_google_stamp(event.ends_at)}",
        "details": _public_details(event),
        "location": public_location(event),
        "ctz": event.timezone,
    }
    return "https://calendar.google.com/calendar/render?" + urlencode(params)


def outlook_url(event, office365: bool = False) -> str:
    """Outlook on the web's compose deep link (outlook.live.com, or outlook.office.com for work)."""
    host = "outlook.office.com" if office365 else "outlook.live.com"
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": event.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": event.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": _public_details(event),
        "location": public_location(event),
    }
    return f"https://{host}/calendar/0/deeplink/compose?" + urlencode(params)


def public_location(event) -> str:
    parts = [event.venue, event.address, event.city, country_name(event.country)]
    seen: list[str] = []
    for part in parts:
        if part and part.strip() and part.strip() not in seen:
            seen.append(part.strip())
    if not seen and getattr(event.format, "value", event.format) == "online":
        return "Online"
    return ", ".join(seen)


def _public_details(event) -> str:
    lines = [event.summary or ""] if event.summary else []
    lines.append(f"Details: {event_url(event)}")
    return "\n\n".join(lines)
