"""Insiders trying to get around the privacy rules: each attempt is blocked."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.registrations.manage import update_needs
from app.registrations.models import Registration
from app.registrations.register import Needs
from app.registrations.rules import RegistrationError
from tests.factories import registration


def _imported(make, organiser, event, person):
    return registration(event, person, added_by_id=organiser.id)


def test_organiser_cannot_fill_an_imported_persons_needs_before_consent(app, db, make, login):
    organiser = make.user(role="organiser")
    event = make.event(created_by=organiser)
    person = make.user()
    imported = _imported(make, organiser, event, person)
    try:
        update_needs(imported, Needs("vegan", None, True), organiser)
    except RegistrationError as error:
        assert "agreed" in str(error)
    else:
        raise AssertionError("needs were stored before consent")
    db.session.rollback()
    # Through the web: no organiser route fills needs, and the participant's own form is not theirs.
    web = login(organiser)
    assert web.post(f"/events/{event.id}/registration/needs", data={"dietary_needs": "vegan"}).status_code == 404
    db.session.rollback()
    assert db.session.get(Registration, imported.id).dietary_needs is None


def test_another_users_data_export_by_changing_an_id_is_refused(app, db, make, login):
    me = make.user(role="organiser", name="Curious Organiser")
    victim = make.user(name="Victim Person")
    registration(make.event(), victim, dietary_needs="private diet")
    web = login(me)
    assert web.post(f"/admin/users/{victim.id}/data", data={"format": "json", "reason": "x"}).status_code == 403
    assert web.post(f"/admin/users/{victim.id}/delete", data={"reason": "x"}).status_code == 403
    assert web.get(f"/profile/my-data.json?user_id={victim.id}").status_code == 200
    text = web.get(f"/profile/my-data.json?user_id={victim.id}").get_data(as_text=True)
    assert "private diet" not in text and "Victim Person" not in text
    assert json.loads(text)["account"]["id"] == me.id
    # A registration of someone else cannot be consented to or removed by id.
    other = _imported(make, me, make.event(), victim)
    assert web.post(f"/consent/{other.id}/remove").status_code == 302
    db.session.rollback()
    assert db.session.get(Registration, other.id).status.value == "confirmed"


def test_deleted_users_name_is_not_on_the_participant_list(app, db, make, login):
    organiser = make.user(role="organiser")
    event = make.event(created_by=organiser)
    person = make.user(name="Mykola Deleted", email="mykola@police.example")
    registration(make.past_event(created_by=organiser), person, checked_in=True)
    registration(event, person, dietary_needs="gluten free")
    assert login(person).post("/profile/delete", data={"password": "correct horse battery staple",
                                                       "understood": "y"}).status_code == 302
    web = login(organiser)
    for path in (f"/events/{event.id}/participants", f"/events/{event.id}/participants?status=cancelled",
                 f"/events/{event.id}/participants/export?format=csv"):
        body = web.get(path).get_data(as_text=True)
        assert "Mykola" not in body and "mykola@police.example" not in body and "gluten" not in body, path
    assert db.session.scalar(select(Registration.dietary_needs).where(Registration.user_id == person.id)
                             .where(Registration.event_id == event.id)) is None


def test_coordinator_cannot_read_the_audit_log(app, db, make, login):
    web = login(make.user(role="coordinator"))
    assert web.get("/admin/audit").status_code == 403
    assert web.get("/admin/audit?subject_type=User&subject_id=1").status_code == 403
    assert "Audit log" not in web.get("/events").get_data(as_text=True)
