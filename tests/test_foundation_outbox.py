"""The one door for email: enqueue() writes to the outbox; `flask outbox deliver` writes .eml files."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from sqlalchemy import select

from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import Attachment, Recipient, enqueue

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Liaison//EN\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"


def test_enqueue_writes_nothing_until_the_caller_commits(app, db):
    enqueue(Recipient("ion.rusu@politia.example.md", "Ion Rusu"), "Hello", "Body")
    db.session.rollback()
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_outbox_deliver_writes_eml_files_and_marks_messages_sent(app, db, runner, mail_dir):
    enqueue(Recipient("ion.rusu@politia.example.md", "Ion Rusu"), "Registration confirmed: Workshop in Chișinău",
            "You are registered.\nSee you in Chișinău.", "<p>You are <strong>registered</strong>.</p>",
            attachments=[Attachment("event.ics", "text/calendar", ICS, method="PUBLISH")])
    enqueue([Recipient("nino@police.example.ge", "Nino Beridze"), Recipient("olena@npu.example.gov.ua")],
            "Programme updated", "The agenda changed.")
    db.session.commit()

    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output

    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2
    messages = [BytesParser(policy=policy.default).parsebytes(path.read_bytes()) for path in files]
    by_subject = {m["Subject"]: m for m in messages}
    confirmed = by_subject["Registration confirmed: Workshop in Chișinău"]
    assert "ion.rusu@politia.example.md" in confirmed["To"]
    assert confirmed["Message-ID"] and confirmed["Date"]
    assert "See you in Chișinău." in confirmed.get_body(preferencelist=("plain",)).get_content()
    assert "<strong>registered</strong>" in confirmed.get_body(preferencelist=("html",)).get_content()
    calendars = [part for part in confirmed.walk() if part.get_content_type() == "text/calendar"]
    assert calendars and "BEGIN:VCALENDAR" in calendars[0].get_content()
    updated = by_subject["Programme updated"]
    assert "nino@police.example.ge" in updated["To"] and "olena@npu.example.gov.ua" in updated["To"]

    db.session.rollback()
    statuses = {m.status for m in db.session.scalars(select(OutboxMessage))}
    assert statuses == {OutboxStatus.SENT}
    assert all(m.sent_at for m in db.session.scalars(select(OutboxMessage)))

    # Delivering again sends nothing twice.
    again = runner.invoke(args=["outbox", "deliver"])
    assert again.exit_code == 0 and "sent 0" in again.output
    assert len(list(mail_dir.glob("*.eml"))) == 2


def test_a_line_break_in_a_subject_or_a_name_never_reaches_a_mail_header(app, db):
    """A title or name with a line break (typed, imported) cannot add a header of its own, and the
    message stays sendable: Python's email package refuses CR/LF in headers at delivery."""
    from app.notifications.mime import build_email
    from app.notifications.outbox import Recipient, enqueue

    message = enqueue(Recipient("ops@police.example", "Ops\r\nBcc: victim@example.org"),
                      "Workshop\r\nBcc: victim@example.org", "Body", kind="probe",
                      headers={"X-Event": "Kyiv\nBcc: victim@example.org"})
    db.session.commit()
    email = build_email(message, "Liaison <no-reply@liaison.test>")
    assert email["Subject"] == "Workshop Bcc: victim@example.org"
    assert email["Bcc"] is None and "\n" not in email["To"] and "\n" not in email["X-Event"]
    assert "victim@example.org" not in email["To"].split("<")[-1]
