"""CSV import of participants (invite or register): every row is checked first; nothing is written
until the organiser confirms the valid rows, which travel in a signed hidden field."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.accounts.models import User, normalise_email
from app.extensions import db
from app.registrations.models import Invitation, InvitationStatus, ParticipantRole, Registration
from app.registrations.rules import ACTIVE

MAX_ROWS = 2000
MODES = ("invite", "register")


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


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def parse(data: bytes) -> tuple[list[tuple[int, dict, str]], str | None]:
    """[(line number, {column: value}, raw text)] or a problem with the file itself."""
    text = _decode(data or b"")
    if text is None:
        return [], "The file is not a text CSV file (save it as CSV UTF-8)."
    if not text.strip():
        return [], "The file is empty."
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except (StopIteration, csv.Error):
        return [], "The file has no header line."
    if "email" not in header:
        return [], "The first line must name the columns, with at least “email” (and optionally “name”, “role”)."
    rows = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return [], f"The file has more than {MAX_ROWS} rows; split it."
            values = {column: (cells[i].strip() if i < len(cells) else "") for i, column in enumerate(header)}
            rows.append((line, values, ",".join(cells)[:200]))
    except csv.Error as error:
        return [], f"The file could not be read as CSV near line {reader.line_num}: {error}."
    return rows, None


def check(event, data: bytes, mode: str) -> ImportCheck:
    if mode not in MODES:
        return ImportCheck([], [], "Choose whether to invite or register.")
    rows, problem = parse(data)
    if problem:
        return ImportCheck([], [], problem)
    return validate(event, [(line, values, raw) for line, values, raw in rows], mode)


def validate(event, rows, mode: str) -> ImportCheck:
    emails = [normalise_email(values.get("email", "")) for _, values, _ in rows]
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
            reason = "The email address is missing."
        else:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                reason = f"“{email}” is not a valid email address."
        if reason is None and role not in {r.value for r in ParticipantRole}:
            reason = f"Unknown role “{role}” (use participant, speaker, trainer, observer or organiser)."
        if reason is None and email in seen:
            reason = f"The same email address is on line {seen[email]}."
        if reason is None and email in registered:
            reason = "Already registered for this event."
        if reason is None and mode == "invite" and email in invited:
            reason = "Already invited (the invitation is still open)."
        if reason is None and mode == "register" and email not in users:
            reason = "No account with this email address: invite this person instead."
        if reason is None and mode == "register" and not users[email].is_active_account:
            reason = "This account is deactivated."
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
