"""Certificates seen from lower layers' pages: the registrations pages (layer 3) cannot import this
package, so their templates ask these template globals (as they ask the calendar's replies)."""

from __future__ import annotations

from app.certificates import queries
from app.certificates.overview import rule_for_event
from app.certificates.views import bp


@bp.app_template_global("certificate_offers")
def certificate_offers(event_ids) -> set[int]:
    """Which of these events offer a certificate (one query for a whole list)."""
    return queries.offering_event_ids(list(event_ids))


@bp.app_template_global("certificate_rule")
def certificate_rule(event) -> list[str]:
    """The rule of the event's certificates, as participants read it (empty: none offered)."""
    return rule_for_event(event)
