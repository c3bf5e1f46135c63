"""The organisers' pages: building a bank (bad input shown beside the field), copying it to the
post-test, the learning results with feedback beside them, the wrap-up and the participation report."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.learning import taking
from app.learning.models import CheckKind, CheckQuestion, KnowledgeCheck
from app.registrations.models import Feedback, Registration
from app.reports.builders import participation_report
from app.reports.scope import ReportFilter
from app.timeutil import set_now
from tests.learning.conftest import END, START, answer_ids
from tests.querycount import QueryCounter


def test_organiser_builds_a_pre_test_and_copies_it_to_the_post_test(make, login):
    organiser = make.user(role="organiser")
    event = make.event("Firearms tracing", organisers=[organiser], created_by=organiser, kind="training")
    session = make.session(event, "Ballistics lab")
    client = login(organiser)
    manage = client.get(f"/events/{event.id}/learning").get_data(as_text=True)
    assert "Ballistics lab" in manage and "Create pre-test" in manage
    response = client.post(f"/events/{event.id}/learning/checks", data={"session_id": str(session.id), "kind": "pre"})
    check = db.session.query(KnowledgeCheck).one()
    assert response.headers["Location"].endswith(f"/events/{event.id}/learning/checks/{check.id}")
    assert check.session_id == session.id and check.window_minutes == 60

    bad = client.post(f"/events/{event.id}/learning/checks/{check.id}/questions",
                      data={"kind": "single", "text": "Which marking?", "points": "1", "options": "*A\n*B\nC"})
    assert bad.status_code == 422
    assert "Mark exactly one correct option" in bad.get_data(as_text=True)
    empty = client.post(f"/events/{event.id}/learning/checks/{check.id}/questions", data={"kind": "single"})
    assert empty.status_code == 422 and "Write the question." in empty.get_data(as_text=True)
    good = client.post(f"/events/{event.id}/learning/checks/{check.id}/questions",
                       data={"kind": "single", "text": "Which marking?", "points": "2", "options": "*Serial\nColour"})
    assert good.status_code == 302
    window = client.post(f"/events/{event.id}/learning/checks/{check.id}", data={"window": "0"})
    assert window.status_code == 422

    copied = client.post(f"/events/{event.id}/learning/checks/{check.id}/copy")
    assert copied.status_code == 302
    db.session.rollback()
    post = db.session.query(KnowledgeCheck).filter_by(kind=CheckKind.POST).one()
    (question,) = post.questions
    assert (question.text, question.points, [(o.text, o.is_correct) for o in question.options]) == (
        "Which marking?", 2, [("Serial", True), ("Colour", False)])
    assert post.window_minutes == 48 * 60
    assert db.session.query(CheckQuestion).count() == 2


def test_learning_results_show_gain_beside_satisfaction_in_bounded_queries(training, login):
    p1, p2, p3 = training.people
    set_now(START - timedelta(minutes=30))
    taking.submit(training.pre, p1, answer_ids(training.pre, [[2], [1]]))
    taking.submit(training.pre, p2, answer_ids(training.pre, [[1], [1, 3]]))
    set_now(END + timedelta(hours=1))
    taking.submit(training.post, p1, answer_ids(training.post, [[1], [1, 2]]))
    taking.submit(training.post, p2, answer_ids(training.post, [[1], [1]]))
    for person, overall in ((p1, 5), (p2, 4)):
        registration = db.session.query(Registration).filter_by(user_id=person.id).one()
        db.session.add(Feedback(event_id=training.event.id, registration_id=registration.id, overall=overall,
                                relevance=4, organisation=4))
    db.session.commit()
    client = login(training.organiser)
    url = f"/events/{training.event.id}/learning/results"
    with QueryCounter(db.engine) as queries:
        page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="n-paired">2<' in text
    assert "+50" in text  # paired gain in percentage points
    assert "4.50 / 5" in text  # satisfaction beside it
    assert queries.count <= 15, queries.count  # 13 on SQLite: no statement per person or question

    wrap_up = client.get(f"/events/{training.event.id}/wrap-up").get_data(as_text=True)
    assert "Learning (pre- and post-tests)" in wrap_up and "+50" in wrap_up

    report = participation_report(training.organiser, ReportFilter(), at=END + timedelta(days=1))
    table = report.tables["learning_by_event"]
    (row,) = table.rows
    assert row[0] == "Crypto tracing training" and row[1] == 2 and row[4] == 2
    assert row[5] == 50.0 and row[6] == 4.5
    assert report.tables["summary"].value("People tested before and after training") == 2
