"""Invitation-only events, CSV import (check everything, write nothing until confirmed) and exports."""

from __future__ import annotations

import codecs
import csv
import io
import re

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.notifications.models import OutboxMessage
from app.registrations import imports, invitations, manage, register, rules
from app.registrations.models import (
    Invitation,
    InvitationStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)


def test_invitations_for_known_and_unknown_addresses(db, make, login, client, organiser, itip_calls):
    event = make.event(registration_mode="invitation", capacity=5, organisers=[organiser],
                       title="Study visit to Europol")
    known = make.user(email="known@police.example", name="Known Person")
    org_client = login(organiser)
    response = org_client.post(f"/events/{event.id}/invitations", data={
        "emails": "known@police.example\nnew.person@mvs.example, Nova Osoba\n", "role": "participant"})
    assert response.status_code == 302
    db.session.commit()
    invitations = {i.email: i for i in db.session.scalars(select(Invitation))}
    assert set(invitations) == {"known@police.example", "new.person@mvs.example"}
    mails = {m.to[0]: m for m in db.session.scalars(select(OutboxMessage))}
    known_mail = next(m for to, m in mails.items() if "known@" in to)
    new_mail = next(m for to, m in mails.items() if "new.person@" in to)
    assert f"/invitations/{invitations['known@police.example'].token}" in known_mail.text_body
    assert f"/invitations/{invitations['new.person@mvs.example'].token}/signup" in new_mail.text_body

    # Members cannot register themselves on an invitation-only event.
    stranger = make.user()
    assert not register.register(event, stranger, consent=True).ok

    # The known person accepts (consent required).
    known_client = login(known)
    token = invitations["known@police.example"].token
    assert known_client.post(f"/invitations/{token}/accept", data={}).status_code == 422
    assert known_client.post(f"/invitations/{token}/accept", data={"consent": "y"}).status_code == 302
    db.session.commit()
    registration = db.session.scalar(select(Registration).where(Registration.user_id == known.id))
    assert registration.status == RegistrationStatus.CONFIRMED
    assert ("invitation", known.id, "confirmed") in itip_calls

    # The unknown address creates an account (email prefilled and fixed), then accepts.
    token = invitations["new.person@mvs.example"].token
    page = client.get(f"/invitations/{token}/signup").get_data(as_text=True)
    assert 'value="new.person@mvs.example"' in page and "Nova Osoba" in page
    response = client.post(f"/invitations/{token}/signup", data={
        "name": "Nova Osoba", "email": "attacker@evil.example", "organisation_id": "0",
        "password": "a long enough passphrase here"})
    assert response.status_code == 302
    db.session.commit()
    new_user = db.session.scalar(select(User).where(User.email == "new.person@mvs.example"))
    assert new_user is not None
    assert db.session.scalar(select(User).where(User.email == "attacker@evil.example")) is None
    assert client.post(f"/invitations/{token}/accept", data={"consent": "y"}).status_code == 302
    db.session.commit()
    assert db.session.scalar(select(Registration).where(Registration.user_id == new_user.id)).status == (
        RegistrationStatus.CONFIRMED)
    assert db.session.get(Invitation, invitations["new.person@mvs.example"].id).status == InvitationStatus.ACCEPTED


def test_invitation_cannot_be_used_by_someone_else_and_can_be_declined(db, make, login, client, organiser):
    event = make.event(registration_mode="invitation", organisers=[organiser])
    invited = make.user(email="invited@police.example")
    other = make.user()
    result = invitations.invite(event, [("invited@police.example", "")], organiser)
    token = result.invited[0].token
    response = login(other).post(f"/invitations/{token}/accept", data={"consent": "y"}, follow_redirects=True)
    assert "This invitation was sent to invited@police.example" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    assert client.post(f"/invitations/{token}/decline").status_code == 302
    db.session.commit()
    assert db.session.scalar(select(Invitation)).status == InvitationStatus.DECLINED
    assert not invitations.accept_invitation(db.session.scalar(select(Invitation)), invited, consent=True).ok


def test_invitation_to_a_full_event_says_it_waitlists_before_accepting(db, make, login, organiser):
    event = make.event(registration_mode="invitation", capacity=1, organisers=[organiser], title="Full study visit")
    seated = make.user(email="seated@police.example")
    invited = make.user(email="late@police.example")
    speaker = make.user(email="speaker@police.example")
    result = invitations.invite(event, [("seated@police.example", ""), ("late@police.example", "")], organiser)
    tokens = {item.email: item.token for item in result.invited}
    speaker_token = invitations.invite(event, [("speaker@police.example", "")], organiser,
                                       role=ParticipantRole.SPEAKER).invited[0].token
    page = login(invited).get(f"/invitations/{tokens['late@police.example']}").get_data(as_text=True)
    assert "This event is full" not in page and "Accept and register" in page  # one seat still free

    assert login(seated).post(f"/invitations/{tokens['seated@police.example']}/accept",
                              data={"consent": "y"}).status_code == 302
    late = login(invited)
    page = late.get(f"/invitations/{tokens['late@police.example']}").get_data(as_text=True)
    assert "This event is full. If you accept, you join the waiting list" in page
    assert "Accept and join the waiting list" in page and "Accept and register" not in page
    refused = late.post(f"/invitations/{tokens['late@police.example']}/accept", data={}).get_data(as_text=True)
    assert "Accept and join the waiting list" in refused  # said again when the form comes back
    assert late.post(f"/invitations/{tokens['late@police.example']}/accept", data={"consent": "y"}).status_code == 302
    db.session.commit()
    assert db.session.scalar(select(Registration.status).where(Registration.user_id == invited.id)) == (
        RegistrationStatus.WAITLISTED)
    # A speaker takes no seat: their invitation promises what accepting does.
    page = login(speaker).get(f"/invitations/{speaker_token}").get_data(as_text=True)
    assert "This event is full" not in page and "Accept and register" in page


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def test_import_shows_every_bad_row_and_writes_nothing_until_confirmed(db, make, login, organiser, itip_calls):
    event = make.event(capacity=10, organisers=[organiser])
    make.user(email="one@police.example")
    make.user(email="two@police.example")
    already = make.user(email="already@police.example")
    register.register(event, already, consent=True)
    data = _csv([
        ["email", "name", "role"],
        ["one@police.example", "One", "participant"],
        ["not-an-email", "Bad", "participant"],
        ["two@police.example", "Two", "dancer"],
        ["one@police.example", "One again", ""],
        ["already@police.example", "Already", ""],
        ["nobody@nowhere.example", "Nobody", ""],
        ["two@police.example", "Two", "speaker"],
    ])
    client = login(organiser)
    response = client.post(f"/events/{event.id}/participants/import",
                           data={"mode": "register", "file": (io.BytesIO(data), "people.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 valid rows, 5 rows with problems" in page
    for line, reason in [(3, "not a valid email"), (4, "Unknown role"), (5, "same email address is on line 2"),
                         (6, "Already registered"), (7, "No account with this email")]:
        assert f"<td>{line}</td>" in page and reason in page
    db.session.commit()
    assert db.session.scalar(select(func.count(Registration.id))) == 1  # nothing written yet

    # A tampered payload is refused and writes nothing.
    assert client.post(f"/events/{event.id}/participants/import/confirm",
                       data={"payload": "eyJ0YW1wZXJlZCI6dHJ1ZX0.abc"}).status_code == 302
    db.session.commit()
    assert db.session.scalar(select(func.count(Registration.id))) == 1

    payload = page.split('name="payload" type="hidden" value="')[1].split('"')[0]
    assert client.post(f"/events/{event.id}/participants/import/confirm", data={"payload": payload}).status_code == 302
    db.session.commit()
    registered = {r.user.email: r for r in db.session.scalars(select(Registration))}
    assert set(registered) == {"already@police.example", "one@police.example", "two@police.example"}
    assert registered["two@police.example"].role.value == "speaker"

    # Confirming the same rows again changes nothing (they are now registered): no half import.
    response = client.post(f"/events/{event.id}/participants/import/confirm", data={"payload": payload})
    assert response.status_code == 409
    db.session.commit()
    assert db.session.scalar(select(func.count(Registration.id))) == 3


def test_import_is_all_or_nothing_when_something_changed(db, make, organiser, itip_calls):
    event = make.event(capacity=10, organisers=[organiser])
    make.user(email="a@police.example")
    rows = [imports.ImportRow(2, "a@police.example", "A", "participant"),
            imports.ImportRow(3, "gone@police.example", "Gone", "participant")]
    try:
        manage.import_rows(event, "register", rows, organiser)
    except rules.RegistrationError as error:
        assert "Line 3" in str(error)
    else:  # pragma: no cover
        raise AssertionError("expected the import to fail")
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_import_invites_the_valid_rows(db, make, login, organiser):
    event = make.event(registration_mode="invitation", organisers=[organiser])
    data = b"email;name\r\nx@police.example;Ximena\r\ny@police.example;Yannis\r\n;\r\n"
    client = login(organiser)
    page = client.post(f"/events/{event.id}/participants/import",
                       data={"mode": "invite", "file": (io.BytesIO(data), "people.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "2 valid rows, 0 rows" in page
    payload = page.split('name="payload" type="hidden" value="')[1].split('"')[0]
    client.post(f"/events/{event.id}/participants/import/confirm", data={"payload": payload})
    db.session.commit()
    assert {i.email for i in db.session.scalars(select(Invitation))} == {"x@police.example", "y@police.example"}
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def test_unreadable_files_are_explained(db, make, login, organiser):
    event = make.event(organisers=[organiser])
    client = login(organiser)
    for content, message in [(b"", "The file is empty"), (b"name,role\nx,y\n", "at least"),
                             (b"\xff\xfe\x00\x00garbage\x00", "email")]:
        response = client.post(f"/events/{event.id}/participants/import",
                               data={"mode": "invite", "file": (io.BytesIO(content), "f.csv")},
                               content_type="multipart/form-data")
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)


def test_export_csv_and_xlsx_with_chosen_columns(db, make, login, organiser, itip_calls):
    from openpyxl import load_workbook

    event = make.event(capacity=1, organisers=[organiser])
    org = make.organisation(name="Національна поліція", country="UA")
    register.register(event, make.user(name="Олена Коваленко", organisation=org), consent=True)
    register.register(event, make.user(name="=HYPERLINK(\"x\")"), "participant",
                      register.Needs("Vegan", None, False), consent=True)
    client = login(organiser)
    response = client.get(f"/events/{event.id}/participants/export?format=csv&columns=name&columns=organisation"
                          "&columns=status&columns=waitlist_position&columns=dietary_needs")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Organisation", "Status", "Waiting-list position", "Dietary needs"]
    assert ["Олена Коваленко", "Національна поліція", "Confirmed", "", ""] in rows
    assert ["'=HYPERLINK(\"x\")", "", "On the waiting list", "1", "Vegan"] in rows
    response = client.get(f"/events/{event.id}/participants/export?format=xlsx&columns=name&columns=email")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Name", "Email")
    assert len(values) == 3


def test_export_reads_people_and_organisations_with_the_registrations(db, make, login, organiser):
    """The export is one read of registrations, their people and organisations however many
    there are, and it joins the people once: each person in a separate organisation would cost
    a statement each if they were loaded one by one."""
    from sqlalchemy import event as sa_event

    events = []
    for size in (2, 6):
        meeting = make.event(capacity=50, organisers=[organiser])
        for index in range(size):
            org = make.organisation(name=f"Unit {size}-{index}")
            register.register(meeting, make.user(name=f"Officer {size}-{index}", organisation=org), consent=True)
        events.append((meeting, size))
    client = login(organiser)
    seen = []
    for meeting, size in events:
        statements: list[str] = []

        def note(_conn, _cursor, statement, *_args, statements=statements):
            statements.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", note)
        try:
            response = client.get(f"/events/{meeting.id}/participants/export?format=csv&columns=name"
                                  "&columns=organisation")
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", note)
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert sorted(rows[1:]) == [[f"Officer {size}-{i}", f"Unit {size}-{i}"] for i in range(size)]
        reads = [s for s in statements if "FROM registrations JOIN users" in s]
        assert len(reads) == 1
        assert len(re.findall(r"JOIN users\b", reads[0])) == 1
        assert len(re.findall(r"JOIN organisations\b", reads[0])) == 1
        seen.append(len(statements))
    assert seen[0] == seen[1]


def test_drafts_cannot_send_invitations(db, make, login, organiser):
    draft = make.event(status="draft", registration_mode="invitation", organisers=[organiser])
    response = login(organiser).post(f"/events/{draft.id}/invitations",
                                      data={"emails": "x@police.example", "role": "participant"})
    assert response.status_code == 422 and "Publish the event first" in response.get_data(as_text=True)
    db.session.commit()
    assert db.session.scalar(select(func.count(Invitation.id))) == 0


def _preview(client, event, data: bytes, encoding: str = "auto"):
    return client.post(f"/events/{event.id}/participants/import",
                       data={"mode": "invite", "encoding": encoding, "file": (io.BytesIO(data), "people.csv")},
                       content_type="multipart/form-data")


CYRILLIC_CSV = "email,name\nivan@police.example,Іван Петренко\nmarko@mup.example,Марко Јовановић\n"


@pytest.mark.parametrize("encoded, named", [
    (CYRILLIC_CSV.encode("utf-8"), "UTF-8"),
    (codecs.BOM_UTF8 + CYRILLIC_CSV.encode("utf-8"), "UTF-8"),
    (CYRILLIC_CSV.encode("utf-16"), "UTF-16"),  # with its byte order mark, as Excel's "Unicode text"
    (CYRILLIC_CSV.encode("utf-16-le"), "UTF-16"),  # without one
    (CYRILLIC_CSV.encode("cp1251"), "Windows-1251 (Cyrillic)"),  # "CSV" from Excel on a Ukrainian Windows
])
def test_import_reads_the_encodings_spreadsheets_save_and_names_it(db, make, login, organiser, encoded, named):
    event = make.event(registration_mode="invitation", organisers=[organiser])
    page = _preview(login(organiser), event, encoded).get_data(as_text=True)
    assert "2 valid rows, 0 rows" in page
    assert "Іван Петренко" in page and "Марко Јовановић" in page
    assert f"The file was read as {named}" in page


def test_an_encoding_chosen_by_the_organiser_is_used_or_refused_clearly(db, make, login, organiser):
    event = make.event(registration_mode="invitation", organisers=[organiser])
    client = login(organiser)
    romanian = "email,name\nana@politia.example,Ană Ştefănescu\n".encode("cp1250")
    page = _preview(client, event, romanian, "cp1250").get_data(as_text=True)
    assert "Ană Ştefănescu" in page and "Windows-1250 (Central European)" in page
    response = _preview(client, event, romanian, "utf-8")
    assert response.status_code == 422
    assert "cannot be read as UTF-8" in response.get_data(as_text=True)


def test_a_line_with_control_characters_is_refused_with_its_number_and_the_rest_is_read(db, make, login, organiser):
    event = make.event(registration_mode="invitation", organisers=[organiser])
    data = b"email,name\nok@police.example,Ok\nnul@police.example,Nu\x00l\nbell@police.example,Be\x07ll\nfine@police.example,Fine\n"
    page = _preview(login(organiser), event, data).get_data(as_text=True)
    assert "2 valid rows, 2 rows with problems" in page
    for line, code in [(3, "U+0000"), (4, "U+0007")]:
        assert f"<td>{line}</td>" in page and code in page
    db.session.commit()
    assert db.session.scalar(select(func.count(Invitation.id))) == 0  # nothing written before the confirmation
