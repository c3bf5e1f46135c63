"""One person's certificates for an event, as their page shows them: the rule, and for the event and
each training session whether it is earned, issued or revoked."""

from __future__ import annotations

from dataclasses import dataclass

from app.certificates import queries, rules
from app.certificates.models import Certificate
from app.events import page_main
from app.events.models import Session
from app.registrations.models import Registration


@dataclass
class Item:
    session: Session | None  # None: the event as a whole
    verdict: rules.Verdict
    certificate: Certificate | None

    @property
    def downloadable(self) -> bool:
        if self.certificate is not None:
            return not self.certificate.is_revoked
        return self.verdict.earned


@dataclass
class Overview:
    rule_lines: list[str]
    items: list[Item]


def overview(registration: Registration) -> Overview:
    event = registration.event
    settings = queries.settings_for(event.id)
    sessions = queries.training_sessions(event.id)
    seen = queries.attendance(event.id, [registration.id]).get(registration.id, queries.Attendance())
    held = queries.held_for_registration(registration.user_id, event.id)
    items = []
    if rules.event_offers(event, settings):
        verdict = rules.event_verdict(registration, settings, seen.days, list(seen.sessions.values()))
        items.append(Item(None, verdict, held.get(rules.scope_key(event, None))))
    for session in sessions:
        verdict = rules.session_verdict(registration, session, settings, session.id in seen.sessions)
        items.append(Item(session, verdict, held.get(rules.scope_key(event, session))))
    return Overview(rules.rule_lines(event, settings, bool(sessions)), items)


def rule_for_event(event) -> list[str]:
    """The rule, for the event's pages (empty when the event offers no certificate). The event's
    sessions are usually loaded already (the event page shows them): one query, for the settings,
    and none on the event page (it read them with the event)."""
    settings = queries.rule_settings_for(event.id)
    sessions = page_main.read_agenda(event.id)  # the agenda the event page read, if it did
    return rules.rule_lines(event, settings, any(rules.session_offers(s) for s in
                                                 (event.sessions if sessions is None else sessions)))
