"""An event's page: its path for links in pages, its absolute URL for emails and calendars."""

from __future__ import annotations

from app.urls import absolute_with_id, path_with_id


def _event_id(event_or_id) -> int:
    return getattr(event_or_id, "id", event_or_id)


def event_path(event_or_id) -> str:
    """The event page's path (links in pages; a template global)."""
    return path_with_id("events.detail", "event_id", _event_id(event_or_id))


def event_url(event_or_id) -> str:
    """The event page's absolute URL on BASE_URL (emails, calendar entries, feeds)."""
    return absolute_with_id("events.detail", "event_id", _event_id(event_or_id), "/events/")
