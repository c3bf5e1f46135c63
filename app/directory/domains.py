"""Organisations' email domains: the one way a domain is written down (lower-cased, IDNA-normalised,
in its readable Unicode form), used both when an organisation's list is saved and when a verified
email address is matched against it (app.accounts.membership).

A domain grants membership to whoever confirms an address on it, so only exact domains are kept:
no "@", no wildcard, and none of the public mail services anyone can get an address at."""

from __future__ import annotations

import idna
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.directory.models import OrganisationDomain
from app.extensions import db

# Anyone can open an address here: such a domain would let everybody in.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.net", "gmx.de", "web.de",
    "mail.ru", "yandex.ru", "ukr.net", "i.ua", "abv.bg", "yahoo.fr", "laposte.net", "mail.com",
})


class DomainProblem(ValueError):
    """A text that is not an exact email domain; the message is fit to show."""


def normalise_domain(text: str) -> str:
    """The canonical form of an email domain, or DomainProblem."""
    value = (text or "").strip().rstrip(".")
    if not value:
        raise DomainProblem(_l("Enter a domain."))
    if "@" in value:
        raise DomainProblem(_l("“%(value)s”: write only the domain, without a name and “@” (for example police.gov.ua).",
                               value=value))
    if "*" in value or " " in value or "/" in value:
        raise DomainProblem(_l("“%(value)s” is not an exact domain (no wildcards, spaces or paths).", value=value))
    try:
        canonical = idna.decode(idna.encode(value, uts46=True))
    except (idna.IDNAError, UnicodeError) as error:
        raise DomainProblem(_l("“%(value)s” is not a valid domain.", value=value)) from error
    if "." not in canonical or len(idna.encode(canonical)) > 253:
        raise DomainProblem(_l("“%(value)s” is not a valid domain (for example police.gov.ua).", value=value))
    if canonical in PUBLIC_MAIL_DOMAINS:
        raise DomainProblem(_l("“%(value)s” is a public mail service: anyone could get an address there.",
                               value=canonical))
    return canonical


def domain_of_email(email: str) -> str | None:
    """The canonical domain of an address, or None when it has none we can read."""
    _, _, domain = (email or "").rpartition("@")
    try:
        return idna.decode(idna.encode(domain.strip().rstrip("."), uts46=True)) if domain else None
    except (idna.IDNAError, UnicodeError):
        return None


def organisation_id_for_email(email: str) -> int | None:
    """The organisation whose domain list has the address's domain (exact match: a subdomain is not
    included, since a subdomain may be run by someone else), or None."""
    domain = domain_of_email(email)
    if not domain:
        return None
    return db.session.scalar(select(OrganisationDomain.organisation_id).where(OrganisationDomain.domain == domain))


def domains_of(organisation_id: int) -> list[str]:
    return list(db.session.scalars(
        select(OrganisationDomain.domain).where(OrganisationDomain.organisation_id == organisation_id)
        .order_by(OrganisationDomain.domain)
    ))
