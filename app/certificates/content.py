"""What a certificate says, in the language it is asked in: built from the issued record (what was
certified) and the event's settings (logo, signature); the PDF builder takes the result."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _

from app.certificates import queries, rules
from app.certificates.models import Certificate, CertificateSettings
from app.certificates.pdf import certificate as certificate_pdf
from app.events.models import Event, Session
from app.events.place import TOWN
from app.events.place import place as event_place
from app.i18n import format_pattern
from app.timeutil import to_local
from app.urls import absolute

MAX_OBJECTIVES = 900  # characters: the certificate is one page


@dataclass
class CertificateContent:
    number: str
    holder: str
    organisation: str
    heading: str  # "attended the training" / "attended the training session"
    title: str
    part_of: str  # the event a session belongs to ("" for an event certificate)
    dates: str
    place: str
    hours: str
    objectives: str
    sessions: list[str]
    issuer: str
    signatory: str
    verify_url: str
    logo_png: bytes | None = None
    signature_png: bytes | None = None


def verify_url(number: str) -> str:
    return absolute("certificates.verify", f"/certificates/verify/{number}", number=number)


def dates_text(certificate: Certificate, with_times: bool) -> str:
    start = to_local(certificate.starts_at, certificate.timezone)
    end = to_local(certificate.ends_at, certificate.timezone)
    if start.date() == end.date():
        text = format_pattern(start, "%d %B %Y")
        if with_times:
            text += f", {format_pattern(start, '%H:%M')}–{format_pattern(end, '%H:%M')}"
        return text
    return f"{format_pattern(start, '%d %B %Y')} – {format_pattern(end, '%d %B %Y')}"


def hours_value(certificate: Certificate) -> str:
    return format_decimal(certificate.hours, format="#,##0.#") if certificate.hours else ""


def hours_text(certificate: Certificate) -> str:
    return _("Training hours: %(hours)s", hours=hours_value(certificate)) if certificate.hours else ""


def _objectives(event: Event, session: Session | None) -> str:
    if session is not None:
        text = session.learning_objectives or ""
    else:
        text = "\n".join(s.learning_objectives.strip() for s in event.sessions if s.learning_objectives)
    text = " ".join(text.split())
    return text if len(text) <= MAX_OBJECTIVES else text[: MAX_OBJECTIVES - 1] + "…"


def build(certificate: Certificate, event: Event, settings: CertificateSettings | None) -> CertificateContent:
    """Call under the certificate's language (force_locale)."""
    session = certificate.session
    sessions = [] if session is not None or certificate.registration_id is None else (
        queries.attended_session_titles(certificate.registration_id))
    return CertificateContent(
        number=certificate.number, holder=certificate.holder_name,
        organisation=certificate.holder_organisation or "",
        heading=_("attended the training session") if session is not None else _("attended the training"),
        title=certificate.title, part_of=event.title if session is not None else "",
        dates=dates_text(certificate, with_times=session is not None), place=event_place(event, TOWN),
        hours=hours_text(certificate), objectives=_objectives(event, session), sessions=sessions,
        issuer=certificate.issuer_name, signatory=rules.signatory_name(event, settings),
        verify_url=verify_url(certificate.number),
        logo_png=settings.logo_png if settings is not None else None,
        signature_png=settings.signature_png if settings is not None else None,
    )


def render_pdf(certificate: Certificate, event: Event) -> bytes:
    """The certificate's PDF (call under the language it is asked in)."""
    return certificate_pdf(build(certificate, event, queries.settings_for(event.id)))
