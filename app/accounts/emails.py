"""Which email addresses Liaison accepts: the one home of the rule, used by sign-up, email change,
admin edit, the CLI and the registrations package (invitations, imports).

An address must be deliverable syntax (email-validator, no DNS look-up). International domains are
welcome and stored in their ASCII (IDNA) form, so one mailbox has one spelling and the SMTP path
needs no extension to reach it. A non-ASCII part before the @ needs SMTPUTF8, which the delivery
path does not ask for (app.notifications.delivery), so such an address is refused now, beside the
field, rather than failing at delivery later."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from app.accounts.errors import AccountError
from app.accounts.models import normalise_email

MAX_LENGTH = 254
UNCARRIED = _l("This address cannot receive mail from Liaison: the part before the @ may use only Latin "
                "letters, digits and . _ - + (use another address).")


def valid_address(value: str | None, field: str = "email") -> str:
    """The normalised address (lower case, IDNA domain), or AccountError with a message to show."""
    text = (value or "").strip()
    if not text:
        raise AccountError(_l("Enter an email address."), field)
    if len(text) > MAX_LENGTH or any(ord(c) < 32 for c in text):
        raise AccountError(_l("Enter a valid email address."), field)
    local = text.rpartition("@")[0]
    if any(ord(c) > 127 for c in local):
        raise AccountError(UNCARRIED, field)
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise AccountError(_l("This is not a valid email address (%(problem)s).", problem=str(error)), field) from error
    address = normalise_email(result.ascii_email or result.normalized)
    if len(address) > MAX_LENGTH:
        raise AccountError(_l("Enter a valid email address."), field)
    return address


def address_problem(value: str | None) -> str | None:
    """Why an address is refused, or None (for callers that report many rows at once)."""
    try:
        valid_address(value)
    except AccountError as error:
        return str(error)
    return None


def lookup_form(value: str | None) -> str:
    """The stored form of an address typed to find an account (sign-in, reset): the normalised
    address when it is valid, else simply lower-cased (it then matches nothing)."""
    try:
        return valid_address(value)
    except AccountError:
        return normalise_email(value or "")
