"""Registration questions per event: the organiser's pages, every kind of answer checked on the
registration form, required answers enforced, answers shown to those who may see them (sensitive
ones only to the event's own organisers), exported, copied from another event, and deleted by the
scheduler after their retention period."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.registrations.models import Registration
from app.registrations.question_models import QuestionKind, RegistrationAnswer, RegistrationQuestion
from app.registrations.questions import QuestionData, save_question
from app.scheduler.jobs.retention import run_answers_retention
from app.timeutil import set_now

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def _ask(event, organiser, label, kind="text", **kw) -> RegistrationQuestion:
    return save_question(event, QuestionData(label=label, kind=kind, **kw), organiser)


def _study_visit(make, organiser):
    event = make.event("Study visit to Europol", kind="study_visit", created_by=organiser, organisers=[organiser])
    nationality = _ask(event, organiser, "Nationality", "country", is_required=True)
    passport = _ask(event, organiser, "Passport number", "document_number", is_required=True, is_sensitive=True,
                    retention_days=10)
    born = _ask(event, organiser, "Date of birth", "date", is_sensitive=True, retention_days=10)
    return event, nationality, passport, born


def test_organiser_adds_questions_and_bad_ones_are_refused_beside_the_field(db, make, login, organiser):
    event = make.event(created_by=organiser, organisers=[organiser])
    client = login(organiser)
    page = client.get(f"/events/{event.id}/questions")
    assert page.status_code == 200 and "No questions yet" in page.get_data(as_text=True)
    refused = client.post(f"/events/{event.id}/questions", data={"label": "Which language?", "kind": "choice",
                                                                "choices": "English"})
    assert refused.status_code == 422
    assert "Give at least two options" in refused.get_data(as_text=True)
    assert client.post(f"/events/{event.id}/questions", data={"label": "", "kind": "text"}).status_code == 422
    done = client.post(f"/events/{event.id}/questions", data={
        "label": "Which language?", "kind": "choice", "choices": "English\nUkrainian\n\nRomanian",
        "is_required": "y", "help_text": "The language of the sessions you follow"})
    assert done.status_code == 302
    question = db.session.scalars(select(RegistrationQuestion)).one()
    assert question.choice_list == ["English", "Ukrainian", "Romanian"] and question.is_required
    assert question.kind == QuestionKind.CHOICE and question.retention_days is None
    edited = client.post(f"/events/{event.id}/questions/{question.id}", data={
        "label": "Passport number", "kind": "document_number", "is_sensitive": "y", "retention_days": "15"})
    assert edited.status_code == 302
    db.session.expire_all()
    assert (question.kind, question.is_sensitive, question.retention_days, question.choices) == (
        QuestionKind.DOCUMENT_NUMBER, True, 15, None)
    assert "Passport number" in client.get(f"/events/{event.id}/questions").get_data(as_text=True)
    assert client.post(f"/events/{event.id}/questions/{question.id}/delete").status_code == 302
    assert db.session.scalar(select(RegistrationQuestion)) is None


def test_each_kind_of_answer_is_checked_and_required_ones_are_enforced(db, make, login, organiser):
    event, nationality, passport, born = _study_visit(make, organiser)
    language = _ask(event, organiser, "Interpretation", "choice", choices="English\nFrench")
    driving = _ask(event, organiser, "Do you drive?", "yes_no")
    client = login(make.user(name="Olena Kovalenko"))
    form = client.get(f"/events/{event.id}/registration").get_data(as_text=True)
    assert "Passport number" in form and f'name="q{nationality.id}"' in form and 'type="date"' in form
    refused = client.post(f"/events/{event.id}/register", data={
        "role": "participant", "consent": "y", f"q{passport.id}": "<script>", f"q{born.id}": "31.02.1990",
        f"q{language.id}": "German", f"q{driving.id}": "maybe"})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert body.count("Answer this question.") == 1  # the nationality
    assert "Use 3 to 40 letters, digits" in body and "Not a valid date value" in body
    assert body.count("Not a valid choice") == 2
    assert db.session.scalar(select(Registration)) is None
    done = client.post(f"/events/{event.id}/register", data={
        "role": "participant", "consent": "y", f"q{nationality.id}": "UA", f"q{passport.id}": "FE 123456",
        f"q{born.id}": "1990-02-14", f"q{language.id}": "French", f"q{driving.id}": "no"})
    assert done.status_code == 302
    stored = dict(db.session.execute(select(RegistrationAnswer.question_id, RegistrationAnswer.value)).all())
    assert stored == {nationality.id: "UA", passport.id: "FE 123456", born.id: "1990-02-14",
                      language.id: "French", driving.id: "no"}


def test_the_needs_page_changes_answers_and_blank_removes_an_optional_one(db, make, login, organiser):
    event, nationality, passport, born = _study_visit(make, organiser)
    client = login(make.user())
    client.post(f"/events/{event.id}/register", data={"role": "participant", "consent": "y",
                                                      f"q{nationality.id}": "MD", f"q{passport.id}": "AB1234567",
                                                      f"q{born.id}": "1985-06-01"})
    page = client.get(f"/events/{event.id}/registration/needs").get_data(as_text=True)
    assert 'value="AB1234567"' in page and 'value="1985-06-01"' in page
    assert client.post(f"/events/{event.id}/registration/needs", data={
        f"q{nationality.id}": "", f"q{passport.id}": "AB1234567"}).status_code == 422
    assert client.post(f"/events/{event.id}/registration/needs", data={
        f"q{nationality.id}": "RO", f"q{passport.id}": "AB7654321", f"q{born.id}": ""}).status_code == 302
    stored = dict(db.session.execute(select(RegistrationAnswer.question_id, RegistrationAnswer.value)).all())
    assert stored == {nationality.id: "RO", passport.id: "AB7654321"}


def _registered(db, make, login, event, questions, name="Nino Beridze", values=("GE", "13AB45678", "1988-11-30")):
    person = make.user(name=name)
    client = login(person)
    data = {"role": "participant", "consent": "y"}
    data.update({f"q{q.id}": value for q, value in zip(questions, values, strict=True)})
    assert client.post(f"/events/{event.id}/register", data=data).status_code == 302
    return db.session.scalars(select(Registration).where(Registration.user_id == person.id)).one()


def test_sensitive_answers_only_for_the_events_own_organisers(db, make, login, organiser):
    event, nationality, passport, born = _study_visit(make, organiser)
    registration = _registered(db, make, login, event, (nationality, passport, born))
    own = login(organiser)
    coordinator = login(make.user(role="coordinator"))
    for path in (f"/events/{event.id}/participants", f"/events/{event.id}/participants/{registration.id}"):
        mine = own.get(path).get_data(as_text=True)
        assert "Nino Beridze" in mine and "Georgia" in mine and "13AB45678" in mine
        theirs = coordinator.get(path).get_data(as_text=True)
        assert "Nino Beridze" in theirs and "Georgia" in theirs and "13AB45678" not in theirs
        assert "Passport number" not in theirs


def test_exports_carry_the_answers_a_reader_may_see(db, make, login, organiser):
    event, nationality, passport, born = _study_visit(make, organiser)
    _registered(db, make, login, event, (nationality, passport, born))
    columns = f"columns=name&columns=answer_{nationality.id}&columns=answer_{passport.id}"
    own = login(organiser).get(f"/events/{event.id}/participants/export?format=csv&{columns}")
    rows = list(csv.reader(io.StringIO(own.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Name", "Nationality", "Passport number"], ["Nino Beridze", "Georgia", "13AB45678"]]
    coordinator = login(make.user(role="coordinator"))
    theirs = coordinator.get(f"/events/{event.id}/participants/export?format=csv&{columns}")
    rows = list(csv.reader(io.StringIO(theirs.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Name", "Nationality"], ["Nino Beridze", "Georgia"]]
    xlsx = login(organiser).get(f"/events/{event.id}/participants/export?format=xlsx&{columns}")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [cell.value for cell in sheet[2]] == ["Nino Beridze", "Georgia", "13AB45678"]
    page = coordinator.get(f"/events/{event.id}/participants").get_data(as_text=True)
    assert f'value="answer_{nationality.id}"' in page and f'value="answer_{passport.id}"' not in page


def test_questions_are_copied_from_another_event_the_organiser_runs(db, make, login, organiser):
    source, *_questions = _study_visit(make, organiser)
    stranger = make.user(role="organiser")
    foreign = make.event("Someone else's visit", created_by=stranger)
    _ask(foreign, stranger, "Shoe size")
    target = make.event("Second study visit", created_by=organiser)
    client = login(organiser)
    page = client.get(f"/events/{target.id}/questions").get_data(as_text=True)
    assert "Study visit to Europol" in page and "Someone else" not in page
    assert client.post(f"/events/{target.id}/questions/copy", data={"source": foreign.id}).status_code == 422
    assert client.post(f"/events/{target.id}/questions/copy", data={"source": source.id}).status_code == 302
    copied = db.session.scalars(select(RegistrationQuestion).where(RegistrationQuestion.event_id == target.id)
                                .order_by(RegistrationQuestion.position)).all()
    assert [(q.label, q.kind.value, q.is_sensitive, q.retention_days) for q in copied] == [
        ("Nationality", "country", False, None), ("Passport number", "document_number", True, 10),
        ("Date of birth", "date", True, 10)]


def test_retention_job_deletes_sensitive_answers_only_after_their_period(app, db, make, login, organiser):
    set_now(T0)
    event, nationality, passport, born = _study_visit(make, organiser)
    _registered(db, make, login, event, (nationality, passport, born))
    ends = event.ends_at
    assert "0 to 0 question" in run_answers_retention(ends + timedelta(days=9, hours=23)).detail
    assert db.session.scalar(select(RegistrationAnswer).where(RegistrationAnswer.question_id == passport.id))
    result = run_answers_retention(ends + timedelta(days=10, minutes=1))
    assert result.ok and "2 to 2 question" in result.detail
    left = dict(db.session.execute(select(RegistrationAnswer.question_id, RegistrationAnswer.value)).all())
    assert left == {nationality.id: "GE"}
    assert "0 to 0 question" in run_answers_retention(ends + timedelta(days=11)).detail
    db.session.expire_all()
    assert db.session.get(RegistrationQuestion, passport.id).answers_erased_at == ends + timedelta(days=10, minutes=1)


def test_invitation_acceptance_asks_the_questions(db, make, login, organiser):
    from app.registrations.invitations import invite

    event, nationality, passport, born = _study_visit(make, organiser)
    guest = make.user(email="guest@police.example", name="Marko Petrović")
    invitation = invite(event, [("guest@police.example", "Marko")], organiser).invited[0]
    client = login(guest)
    assert "Passport number" in client.get(f"/invitations/{invitation.token}").get_data(as_text=True)
    refused = client.post(f"/invitations/{invitation.token}/accept", data={"consent": "y"})
    assert refused.status_code == 422 and "Answer this question." in refused.get_data(as_text=True)
    done = client.post(f"/invitations/{invitation.token}/accept", data={
        "consent": "y", f"q{nationality.id}": "RS", f"q{passport.id}": "012345678"})
    assert done.status_code == 302
    assert db.session.scalar(select(RegistrationAnswer.value).where(RegistrationAnswer.question_id == passport.id)) \
        == "012345678"
