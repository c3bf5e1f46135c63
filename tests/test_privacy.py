"""Privacy as the GDPR asks: needs retention, download my data, delete my account, consent to an
organiser's registration, and the admins' audit log."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import audit
from app.audit.models import AuditEntry
from app.extensions import db as _db
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.outbox import Recipient, enqueue
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.retention import erase_due_needs
from app.reports.builders import participation_report
from app.reports.scope import ReportFilter
from app.scheduler.jobs.retention import run_needs_retention
from app.timeutil import set_now
from tests.factories import PASSWORD, attendee, registration

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _fresh(model, row_id):
    _db.session.rollback()
    return _db.session.get(model, row_id)


# --- needs retention ------------------------------------------------------------------------------


def test_retention_job_erases_needs_after_the_period_and_keeps_attendance(app, db, make):
    set_now(T0)
    event = make.event("Border workshop", starts_at=T0 - timedelta(days=3), days=1)
    later = make.event("Later workshop", starts_at=T0 + timedelta(days=20), days=1)
    ana = attendee(event, make.user(name="Ana"), dietary_needs="vegan", accessibility_needs="ramp",
                   needs_visa_letter=True)
    kept = registration(later, make.user(), dietary_needs="halal")
    ends = event.ends_at

    assert run_needs_retention(ends + timedelta(days=29, hours=23)).ok
    assert _fresh(Registration, ana.id).dietary_needs == "vegan"

    at = ends + timedelta(days=30, minutes=1)
    result = run_needs_retention(at)
    assert result.ok and "1 registration" in result.detail
    erased = _fresh(Registration, ana.id)
    assert (erased.dietary_needs, erased.accessibility_needs, erased.needs_visa_letter) == (None, None, False)
    assert erased.needs_erased_at == at
    assert erased.status == RegistrationStatus.CONFIRMED and erased.checked_in_at is not None
    assert _fresh(Registration, kept.id).dietary_needs == "halal"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.needs_erased")).all()
    assert [(e.subject_type, e.subject_id, e.changes["count"]) for e in entries] == [("Event", event.id, 1)]

    # Idempotent: a second run erases nothing and writes no second entry.
    assert "0 registration" in run_needs_retention(at + timedelta(days=1)).detail
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "registration.needs_erased")
                             .offset(1)) is None


def test_retention_job_works_in_bounded_batches(app, db, make):
    set_now(T0)
    event = make.event(starts_at=T0 - timedelta(days=60), days=1)
    ids = [registration(event, make.user(), dietary_needs=f"diet {i}").id for i in range(5)]
    assert erase_due_needs(T0, batch_size=2) == {event.id: 5}
    db.session.rollback()
    assert all(_db.session.get(Registration, i).dietary_needs is None for i in ids)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.needs_erased")).all()
    assert [e.changes["count"] for e in entries] == [5]


def test_organisers_see_when_needs_are_deleted(app, db, make, login):
    set_now(T0)
    organiser = make.user(role="organiser")
    event = make.event("Cyber workshop", starts_at=T0 - timedelta(days=2), days=1, created_by=organiser)
    registration(event, make.user(), dietary_needs="vegan")
    web = login(organiser)
    page = web.get(f"/events/{event.id}/participants").get_data(as_text=True)
    due = (event.ends_at + timedelta(days=30)).strftime("%d %b %Y")
    assert "needs are deleted on" in page and due in page
    assert "needs are deleted on" in web.get(f"/events/{event.id}").get_data(as_text=True)

    run_needs_retention(event.ends_at + timedelta(days=31))
    set_now(event.ends_at + timedelta(days=32))
    page = web.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert "needs were deleted on" in page
    assert (event.ends_at + timedelta(days=31)).strftime("%d %b %Y") in page


# --- download my data -----------------------------------------------------------------------------


def test_export_holds_my_registration_and_needs_and_nobody_elses(app, db, make, login):
    set_now(T0)
    me = make.user(name="Olena Kovalenko")
    other = make.user(name="Somebody Else")
    event = make.event("Study visit to Europol")
    registration(event, me, dietary_needs="no pork", needs_visa_letter=True)
    registration(event, other, dietary_needs="secret other diet")
    web = login(me)
    response = web.get("/profile/my-data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == me.email and "password_hash" not in data["account"]
    assert "calendar_token" not in json.dumps(data)
    assert [(r["event"], r["dietary_needs"], r["needs_visa_letter"]) for r in data["registrations"]] == [
        ("Study visit to Europol", "no pork", True)]
    text = json.dumps(data)
    assert "secret other diet" not in text and "Somebody Else" not in text

    page = web.get("/profile/my-data")
    assert page.status_code == 200
    assert "no pork" in page.get_data(as_text=True) and "Download as JSON" in page.get_data(as_text=True)
    assert "Download my data" in web.get("/profile").get_data(as_text=True)


def test_admin_produces_a_persons_data_on_request_audited(app, db, make, login):
    admin = make.user(role="admin")
    person = make.user(name="Requested Person")
    web = login(admin)
    assert web.post(f"/admin/users/{person.id}/data", data={"format": "json"}).status_code == 302  # no reason
    response = web.post(f"/admin/users/{person.id}/data", data={"format": "json", "reason": "Letter of 3 March"})
    assert json.loads(response.get_data(as_text=True))["account"]["name"] == "Requested Person"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.data_export"))
    assert (entry.actor_id, entry.subject_id, entry.summary) == (admin.id, person.id, "Letter of 3 March")


# --- delete my account ----------------------------------------------------------------------------


def _summary_rows(coordinator):
    """The participation report's figures of what happened (registrations for events still to come
    are cancelled by a deletion, as the person is gone: "People registered" may drop)."""
    rows = participation_report(coordinator, ReportFilter()).tables["summary"].rows
    return {label: value for label, value in rows if "registered" not in label.lower()}


def test_deletion_anonymises_keeps_figures_and_frees_the_seat(app, db, make, login, client):
    set_now(T0)
    coordinator = make.user(role="coordinator")
    organiser = make.user(role="organiser")
    me = make.user(name="Taras Shevchuk", email="taras@police.example")
    past = make.event("Past exchange", starts_at=T0 - timedelta(days=10), created_by=organiser)
    future = make.event("Future exchange", starts_at=T0 + timedelta(days=10), capacity=1, created_by=organiser)
    attendee(past, me, dietary_needs="vegan")
    mine = registration(future, me)
    waiting = registration(future, make.user(), status="waitlisted", waitlisted_at=T0)
    lesson = make.lesson(past, me, title="Radio handover failed")
    bystander = make.user(email="bystander@example.org")
    enqueue(Recipient(me.email, me.name, me.id), "For Taras", "x", kind="test")
    enqueue(Recipient(bystander.email, None, bystander.id), "For others", "y", kind="test")
    db.session.commit()
    before = _summary_rows(coordinator)

    web = login(me)
    wrong = web.post("/profile/delete", data={"password": "nope", "understood": "y"})
    assert wrong.status_code == 422 and "password is not right" in wrong.get_data(as_text=True)
    assert web.post("/profile/delete", data={"password": PASSWORD, "understood": "y"}).status_code == 302

    assert _summary_rows(coordinator) == before and any("attended" in label for label in before)
    db.session.rollback()
    gone = _db.session.get(type(me), me.id)
    assert (gone.name, gone.email, gone.password_hash, gone.is_active_account) == (
        "A former member", f"deleted-{me.id}@invalid", None, False)
    assert gone.deleted_at is not None
    assert _db.session.get(Registration, mine.id).status == RegistrationStatus.CANCELLED
    assert _db.session.get(Registration, waiting.id).status == RegistrationStatus.CONFIRMED
    past_registration = db.session.scalar(select(Registration).where(Registration.event_id == past.id))
    assert past_registration.status == RegistrationStatus.CONFIRMED and past_registration.dietary_needs is None
    subjects = sorted(m.subject for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)))
    assert "For Taras" not in subjects and "For others" in subjects

    # Signed out everywhere; cannot sign in again; the address can sign up anew.
    assert web.get("/profile").status_code == 302
    assert client.post("/login", data={"email": "taras@police.example", "password": PASSWORD}).status_code == 200
    organiser_web = login(organiser)
    for path in (f"/events/{past.id}/participants", f"/events/{past.id}/attendance", f"/events/{past.id}",
                 f"/events/{future.id}/participants"):
        page = organiser_web.get(path).get_data(as_text=True)
        assert "Taras" not in page and "taras@police.example" not in page, path
    lesson_page = organiser_web.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "Taras" not in lesson_page and "A former member" in lesson_page
    anew = app.test_client().post("/signup", data={"name": "Taras Again", "email": "taras@police.example",
                                                   "organisation_id": "0", "password": "another long passphrase 42"})
    assert anew.status_code == 302


def test_admin_deletes_an_account_on_request_with_a_reason(app, db, make, login):
    admin = make.user(role="admin")
    person = make.user(name="Removed On Request")
    person_email = person.email
    audit.record(person, "user.email", person, {"email": ["old@example.org", person_email]})
    db.session.commit()
    web = login(admin)
    assert "Delete this account" in web.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert web.post(f"/admin/users/{person.id}/delete", data={"reason": ""}).status_code == 422
    assert web.post(f"/admin/users/{person.id}/delete", data={"reason": "Email of 4 March"}).status_code == 302
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.delete"))
    assert entry.actor_id == admin.id and entry.changes["reason"] == "Email of 4 March"
    page = web.get(f"/admin/audit?subject_type=User&subject_id={person.id}").get_data(as_text=True)
    assert "user.delete" in page and "Email of 4 March" in page and person_email not in page
    assert _fresh(type(person), person.id).name == "A former member"


# --- consent to an organiser's registration -------------------------------------------------------


def _import(web, event, email):
    upload = web.post(f"/events/{event.id}/participants/import", data={
        "mode": "register", "encoding": "auto", "file": (io.BytesIO(f"email,name\n{email},X\n".encode()), "p.csv")},
        content_type="multipart/form-data")
    assert upload.status_code == 200, upload.get_data(as_text=True)[:500]
    payload = upload.get_data(as_text=True).split('name="payload"')[1].split('value="')[1].split('"')[0]
    return web.post(f"/events/{event.id}/participants/import/confirm", data={"payload": payload.replace("&#34;", '"')})


def test_imported_person_is_asked_for_consent_then_agrees(app, db, make, login):
    organiser = make.user(role="organiser")
    event = make.event("Imported workshop", created_by=organiser)
    person = make.user(email="imported@example.org")
    assert _import(login(organiser), event, person.email).status_code == 302
    imported = db.session.scalar(select(Registration).where(Registration.user_id == person.id))
    assert imported.added_by_id == organiser.id and imported.consented_at is None
    detail = login(organiser).get(f"/events/{event.id}/participants/{imported.id}").get_data(as_text=True)
    assert "Awaiting the person's consent" in detail

    web = login(person)
    response = web.get("/events")
    assert response.status_code == 302 and "/consent" in response.headers["Location"]
    # Not asked on JSON requests, nor on the consent page, the privacy notice or signing out.
    assert web.get("/events", headers={"Accept": "application/json"}).status_code != 302
    assert web.get("/privacy-notice").status_code == 200
    page = web.get("/consent").get_data(as_text=True)
    assert "Imported workshop" in page and "I agree to Liaison holding my registration details" in page
    # Before consent the person cannot give needs either.
    assert web.post(f"/events/{event.id}/registration/needs", data={"dietary_needs": "vegan"}).status_code == 422
    assert web.post(f"/consent/{imported.id}/agree").status_code == 302
    assert _fresh(Registration, imported.id).consented_at is not None
    assert web.get("/events").status_code == 200
    assert web.post(f"/events/{event.id}/registration/needs", data={"dietary_needs": "vegan"}).status_code == 302
    assert _fresh(Registration, imported.id).dietary_needs == "vegan"


def test_imported_person_removes_themselves_and_the_seat_is_released(app, db, make, login):
    organiser = make.user(role="organiser")
    event = make.event("Full workshop", created_by=organiser, capacity=1)
    person = make.user()
    assert _import(login(organiser), event, person.email).status_code == 302
    waiting = registration(event, make.user(), status="waitlisted", waitlisted_at=datetime(2026, 1, 1, tzinfo=UTC))
    imported = db.session.scalar(select(Registration).where(Registration.user_id == person.id))
    web = login(person)
    assert web.post(f"/consent/{imported.id}/remove").status_code == 302
    assert _fresh(Registration, imported.id).status == RegistrationStatus.CANCELLED
    assert _fresh(Registration, waiting.id).status == RegistrationStatus.CONFIRMED
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.consent_declined"))
    assert web.get("/events").status_code == 200


# --- the audit log page ---------------------------------------------------------------------------


def _entries(db, count, action="lesson.submit", actor=None, subject=("Lesson", 7), at=T0):
    for i in range(count):
        db.session.add(AuditEntry(at=at + timedelta(minutes=i), actor_id=actor.id if actor else None,
                                  action=action, subject_type=subject[0], subject_id=subject[1], changes={}))
    db.session.commit()


def test_audit_log_filters_and_pages(app, db, make, login):
    admin = make.user(role="admin", name="Admin Person")
    anna = make.user(name="Anna Auditor")
    _entries(db, 60, actor=anna)
    _entries(db, 3, action="event.publish", subject=("Event", 5), at=T0 + timedelta(days=3))
    web = login(admin)
    page = web.get("/admin/audit").get_data(as_text=True)
    assert "Audit log" in page and "Page 1 of 2" in page and "event.publish" in page
    assert "Page 2 of 2" in web.get("/admin/audit?page=2").get_data(as_text=True)
    by_who = web.get("/admin/audit?who=auditor").get_data(as_text=True)
    assert "Anna Auditor" in by_who and "63 entries" not in by_who and "60 entries" in by_who
    assert "3 entries" in web.get("/admin/audit?what=event.").get_data(as_text=True)
    assert "3 entries" in web.get("/admin/audit?subject_type=Event&subject_id=5").get_data(as_text=True)
    assert "0 entries" in web.get("/admin/audit?subject_type=Event&subject_id=6").get_data(as_text=True)
    period = "/admin/audit?from=2026-03-05&to=2026-03-05"
    assert "3 entries" in web.get(period).get_data(as_text=True)


def test_audit_log_bad_filters_are_clear_and_never_500(app, db, make, login):
    web = login(make.user(role="admin"))
    for query, message in [("from=yesterday", "YYYY-MM-DD"), ("subject_id=abc&subject_type=Event", "whole number"),
                           ("subject_id=99999999999&subject_type=Event", "whole number"),
                           ("what=DROP TABLE", "choose an action"), ("from=2026-03-05&to=2026-03-01", "ends before"),
                           ("subject_type=<script>", "kind of object"), ("subject_id=3", "kind of object too"),
                           ("page=-5&who=" + "x" * 200, "at most 100")]:
        response = web.get(f"/admin/audit?{query}")
        assert response.status_code == 400, query
        assert message in response.get_data(as_text=True), query


def test_audit_log_is_for_admins_only_and_history_links_lead_there(app, db, make, login, client):
    assert client.get("/admin/audit").status_code == 302
    for role in ("member", "organiser", "coordinator"):
        assert login(make.user(role=role)).get("/admin/audit").status_code == 403
    admin = make.user(role="admin")
    event = make.event()
    lesson = make.lesson(event)
    organisation = make.organisation()
    web = login(admin)
    for path, target in [(f"/events/{event.id}", f"subject_type=Event&amp;subject_id={event.id}"),
                         (f"/lessons/{lesson.id}", f"subject_type=Lesson&amp;subject_id={lesson.id}"),
                         (f"/admin/users/{admin.id}", f"subject_type=User&amp;subject_id={admin.id}"),
                         (f"/directory/organisations/{organisation.id}",
                          f"subject_type=Organisation&amp;subject_id={organisation.id}")]:
        page = web.get(path, follow_redirects=True).get_data(as_text=True)
        assert target in page, path
