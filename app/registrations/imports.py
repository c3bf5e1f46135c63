"""CSV import of participants (invite or register): every row is checked first; nothing is written
until the organiser confirms the valid rows, which travel in a signed hidden field."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.accounts.emails import lookup_form, valid_address
from app.accounts.errors import AccountError
from app.accounts.models import User
from app.extensions import db
from app.registrations.models import Invitation, InvitationStatus, ParticipantRole, Registration
from app.registrations.rules import ACTIVE

MAX_ROWS = 2000
MODES = ("invite", "register")
# How a CSV file may be encoded: what spreadsheet programs in the network's countries save. "auto"
# reads a byte order mark, then UTF-8, then UTF-16 without a mark, then asks charset-normalizer to
# choose among the single-byte Windows code pages (Cyrillic for Ukraine, Serbia, North Macedonia;
# Central European for Romania, Hungary; Western).
ENCODINGS = {
    "auto": _l("Detect it"),
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1251": _l("Windows-1251 (Cyrillic)"),
    "cp1250": _l("Windows-1250 (Central European)"),
    "cp1252": _l("Windows-1252 (Western European)"),
}
_SINGLE_BYTE = ["cp1251", "cp1250", "cp1252"]
# C0 control characters other than tab, line feed and carriage return (and DEL): never in a name or
# an address, often the sign of a binary or mis-encoded file.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    role: str


@dataclass
class BadRow:
    line: int
    text: str
    reason: str


@dataclass
class ImportCheck:
    valid: list[ImportRow]
    bad: list[BadRow]
    problem: str | None = None  # the whole file is unusable
    encoding: str | None = None  # how the file was read, named for the preview


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _detect(data: bytes) -> tuple[str | None, str | None]:
    """(text, encoding key) of a file whose encoding was not said, or (None, None)."""
    if data.startswith(codecs.BOM_UTF8):
        return _try(data, "utf-8-sig"), "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _try(data, "utf-16"), "utf-16"
    if len(data) >= 2 and data.count(0) * 3 >= len(data):  # ASCII in UTF-16 without a mark: every other byte 0
        codec = "utf-16-le" if data[1] == 0 else "utf-16-be"
        return _try(data, codec), "utf-16"
    text = _try(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    from charset_normalizer import from_bytes  # only here: 2.5 MB a web worker otherwise holds

    best = from_bytes(data, cp_isolation=_SINGLE_BYTE).best()
    if best is None or best.encoding not in _SINGLE_BYTE:
        return None, None
    return str(best), best.encoding


def decode(data: bytes, choice: str = "auto") -> tuple[str | None, str | None, str | None]:
    """(text, the encoding's name for the preview, problem): the file read as `choice` says, or
    detected; a problem the organiser can act on when it cannot be read that way."""
    if choice not in ENCODINGS:
        choice = "auto"
    if choice == "auto":
        text, key = _detect(data)
        if text is None:
            return None, None, _("Liaison could not tell how this file is encoded. Save it as “CSV UTF-8” "
                                 "from your spreadsheet program, or choose its encoding below.")
        return text, str(ENCODINGS[key]), None
    text = _try(data, {"utf-8": "utf-8-sig", "utf-16": "utf-16"}.get(choice, choice))
    if text is None:
        return None, None, _("The file cannot be read as %(encoding)s: choose another encoding, or “Detect it”.",
                             encoding=ENCODINGS[choice])
    return text, str(ENCODINGS[choice]), None


def _without_control_lines(text: str) -> tuple[str, list[BadRow]]:
    """The text with every line that holds a control character (NUL…) blanked, and those lines as
    bad rows with their line numbers: one bad line never makes the whole file unreadable."""
    lines = text.split("\n")
    bad = []
    for number, line in enumerate(lines, start=1):
        found = _CONTROL.search(line)
        if found:
            code = f"U+{ord(found.group()):04X}"
            bad.append(BadRow(number, _CONTROL.sub("�", line)[:200],
                              _("Contains a control character (%(code)s), which has no place in a "
                                "name or an email address: retype this line.", code=code)))
            lines[number - 1] = ""
    return "\n".join(lines), bad


def read(data: bytes, encoding: str = "auto"):
    """The file's rows [(line number, {column: value}, raw text)], or a problem with the file
    itself; the lines left out for control characters; and the name of the encoding it was read in."""
    text, name, problem = decode(data or b"", encoding)
    if problem:
        return [], problem, [], None
    text, bad = _without_control_lines(text)
    if not text.strip():
        problem = _("The file is empty.") if not bad else _(
            "Every line of the file holds control characters: this is not a CSV file with an “email” column.")
        return [], problem, bad, name
    rows, problem = _rows(text)
    return rows, problem, bad, name


def _rows(text: str) -> tuple[list[tuple[int, dict, str]], str | None]:
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except (StopIteration, csv.Error):
        return [], _("The file has no header line.")
    if "email" not in header:
        return [], _("The first line must name the columns, with at least “email” "
                     "(and optionally “name”, “role”).")
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return [], _("The file has more than %(num)d rows; split it.", num=MAX_ROWS)
            values = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)}
            rows.append((line, values, ",".join(cells)[:200]))
    except csv.Error as error:
        return [], _("The file could not be read as CSV near line %(line)d: %(error)s.",
                     line=reader.line_num, error=error)
    return rows, None


def check(event, data: bytes, mode: str, encoding: str = "auto") -> ImportCheck:
    if mode not in MODES:
        return ImportCheck([], [], _("Choose whether to invite or register."))
    rows, problem, bad_lines, name = read(data, encoding)
    if problem:
        return ImportCheck([], [], problem)
    result = validate(event, [(line, values, raw) for line, values, raw in rows], mode)
    result.bad = sorted(result.bad + bad_lines, key=lambda row: row.line)
    result.encoding = name
    return result


def validate(event, rows, mode: str) -> ImportCheck:
    emails = [lookup_form(values.get("email", "")) for _line, values, _raw in rows]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(set(emails))))} if emails else {}
    registered = set(
        db.session.scalars(
            select(User.email).join(Registration, Registration.user_id == User.id)
            .where(Registration.event_id == event.id, Registration.status.in_(ACTIVE))
        )
    )
    invited = set(
        db.session.scalars(
            select(Invitation.email).where(Invitation.event_id == event.id, Invitation.status == InvitationStatus.SENT)
        )
    )
    valid, bad, seen = [], [], {}
    for (line, values, raw), email in zip(rows, emails, strict=True):
        role = (values.get("role") or "participant").strip().lower()
        reason = None
        if not email:
            reason = _("The email address is missing.")
        else:
            try:
                valid_address(email)  # the one rule for addresses (app.accounts.emails)
            except AccountError as error:
                reason = _("“%(email)s”: %(error)s", email=email, error=error)
        if reason is None and role not in {r.value for r in ParticipantRole}:
            reason = _("Unknown role “%(role)s” (use participant, speaker, trainer, observer or organiser).",
                       role=role)
        if reason is None and email in seen:
            reason = _("The same email address is on line %(line)d.", line=seen[email])
        if reason is None and email in registered:
            reason = _("Already registered for this event.")
        if reason is None and mode == "invite" and email in invited:
            reason = _("Already invited (the invitation is still open).")
        if reason is None and mode == "register" and email not in users:
            reason = _("No account with this email address: invite this person instead.")
        if reason is None and mode == "register" and not users[email].is_active_account:
            reason = _("This account is deactivated.")
        if reason is None and mode == "register" and not users[email].is_confirmed:
            reason = _("This account has not confirmed its email address: invite this person instead.")
        if reason:
            bad.append(BadRow(line, raw, reason))
        else:
            seen[email] = line
            valid.append(ImportRow(line, email, (values.get("name") or "")[:200], role))
    return ImportCheck(valid, bad)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="registrations.import")


def sign(event_id: int, mode: str, rows: list[ImportRow]) -> str:
    return _serializer().dumps({"event_id": event_id, "mode": mode, "rows": [asdict(r) for r in rows]})


def unsign(event_id: int, payload: str) -> tuple[str, list[ImportRow]] | None:
    try:
        data = _serializer().loads(payload or "")
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("event_id") != event_id or data.get("mode") not in MODES:
        return None
    try:
        rows = [ImportRow(int(r["line"]), str(r["email"]), str(r["name"]), str(r["role"])) for r in data["rows"]]
    except (KeyError, TypeError, ValueError):
        return None
    return data["mode"], rows
