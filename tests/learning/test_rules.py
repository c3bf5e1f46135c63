"""Who may take a test, when, and how often; when participants see their own results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.events.models import SessionSpeaker
from app.extensions import db
from app.learning import banks, taking
from app.learning.banks import LearningError
from app.learning.models import CheckKind, CheckSubmission, QuestionKind
from app.privacy.export import collect
from app.timeutil import set_now
from tests.learning.conftest import END, START, answer_ids, form_of


def test_window_rules_follow_the_event_times(training):
    p1 = training.people[0]
    pre, post = training.pre, training.post
    set_now(START - timedelta(minutes=61))
    assert str(taking.take_problem(pre, p1)) == "This test is not open yet."
    set_now(START - timedelta(minutes=60))
    assert taking.take_problem(pre, p1) is None
    set_now(START)
    assert str(taking.take_problem(pre, p1)) == "This test has closed."
    assert str(taking.take_problem(post, p1)) == "This test is not open yet."
    set_now(END)
    assert taking.take_problem(post, p1) is None
    set_now(END + timedelta(hours=48))
    assert str(taking.take_problem(post, p1)) == "This test has closed."
    banks.set_window(post, 72 * 60, training.organiser)  # the organiser keeps it open longer
    assert taking.take_problem(post, p1) is None


def test_only_confirmed_participants_take_it_and_only_once(training):
    set_now(START - timedelta(minutes=10))
    for person in (training.pending, training.outsider):
        assert str(taking.take_problem(training.pre, person)) == "Only confirmed participants can take this test."
        with pytest.raises(LearningError):
            taking.submit(training.pre, person, answer_ids(training.pre, [[1], [1]]))
    p1 = training.people[0]
    taking.submit(training.pre, p1, answer_ids(training.pre, [[1], [1]]))
    with pytest.raises(LearningError, match="already taken"):
        taking.submit(training.pre, p1, answer_ids(training.pre, [[1], [1, 2]]))
    assert db.session.query(CheckSubmission).count() == 1


def test_a_session_with_sign_up_is_taken_by_those_signed_up(training, make):
    session = make.session(training.event, "Seizure lab", starts_at=START + timedelta(hours=2), has_signup=True)
    check = banks.create_check(training.event, session.id, CheckKind.PRE, training.organiser)
    banks.add_question(check, QuestionKind.SINGLE, "Seize to which wallet?", 1, "*Ours\nTheirs", training.organiser)
    p1, p2, _p3 = training.people
    make.signup(session, p1)
    set_now(session.starts_at - timedelta(minutes=5))
    assert taking.take_problem(check, p1) is None
    assert str(taking.take_problem(check, p2)) == "Only confirmed participants can take this test."


def test_a_session_s_own_trainer_is_not_offered_its_test(training, make, login):
    """Found by the issue-22 journey: a participant whose proposal became a training session (its
    trainer, still registered as a participant) was offered the session's pre-test and could skew
    its learning gain."""
    session = make.session(training.event, "Wallet clustering lab", starts_at=START + timedelta(hours=2),
                           kind="training")
    p1, p2, _p3 = training.people
    db.session.add(SessionSpeaker(session_id=session.id, user_id=p1.id, role="trainer", position=0))
    check = banks.create_check(training.event, session.id, CheckKind.PRE, training.organiser)
    banks.add_question(check, QuestionKind.SINGLE, "Cluster by which heuristic?", 1, "*Common input\nBlock height",
                       training.organiser)
    set_now(session.starts_at - timedelta(minutes=5))
    assert str(taking.take_problem(check, p1)) == "Only confirmed participants can take this test."
    assert taking.take_problem(check, p2) is None
    take_url = f"/events/{training.event.id}/tests/{check.id}"
    assert take_url not in login(p1).get(f"/events/{training.event.id}").get_data(as_text=True)
    assert take_url in login(p2).get(f"/events/{training.event.id}").get_data(as_text=True)


def test_the_bank_is_locked_once_someone_took_the_test(training):
    set_now(START - timedelta(minutes=10))
    taking.submit(training.pre, training.people[0], answer_ids(training.pre, [[1], [1]]))
    with pytest.raises(LearningError, match="can no longer change"):
        banks.add_question(training.pre, QuestionKind.SINGLE, "Late question", 1, "*a\nb", training.organiser)


def test_participant_sees_own_answers_only_after_the_post_test_closes(training, login):
    p1 = training.people[0]
    client = login(p1)
    set_now(START - timedelta(minutes=10))
    page = client.get(f"/events/{training.event.id}")
    assert "Take the pre-test" in page.get_data(as_text=True)
    response = client.post(f"/events/{training.event.id}/tests/{training.pre.id}",
                           data=form_of(training.pre, [[1], [1]], "A ransomware case"))
    assert response.status_code == 302
    set_now(END + timedelta(hours=1))
    result = client.get(f"/events/{training.event.id}/tests/{training.pre.id}/result").get_data(as_text=True)
    assert "results are shown after" in result and "your answer, right" not in result
    set_now(END + timedelta(hours=48))
    result = client.get(f"/events/{training.event.id}/tests/{training.pre.id}/result").get_data(as_text=True)
    assert "Your score: 66.7%" in result
    assert "your answer, right" in result and "right answer" in result
    assert "A ransomware case" in result
    assert "My pre-test results" in client.get("/my/events").get_data(as_text=True)


def test_an_unanswered_question_is_shown_again_with_its_error(training, login):
    client = login(training.people[0])
    set_now(START - timedelta(minutes=10))
    data = form_of(training.pre, [[1], [1]])
    first_question = training.pre.questions[0]
    data.pop(f"q{first_question.id}")
    response = client.post(f"/events/{training.event.id}/tests/{training.pre.id}", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose an answer." in text and f'id="q{first_question.id}-error"' in text
    db.session.rollback()
    assert db.session.query(CheckSubmission).count() == 0
    # nonsense values are refused the same way, never a 500
    data[f"q{first_question.id}"] = ["abc", "99999999999"]
    assert client.post(f"/events/{training.event.id}/tests/{training.pre.id}", data=data).status_code == 422


def test_own_tests_are_in_the_personal_data_export(training):
    set_now(START - timedelta(minutes=10))
    taking.submit(training.pre, training.people[0], answer_ids(training.pre, [[1], [1, 2]]))
    data = collect(training.people[0])
    assert data["knowledge_checks"] == [{"event_id": training.event.id, "session_id": None, "kind": "pre",
                                         "submitted_at": (START - timedelta(minutes=10)).isoformat(),
                                         "percent": 100.0}]
    assert data["follow_up_answers"] == []


def test_event_page_lists_the_pre_test_before_the_post_test(training, login):
    """QA: the event page listed "My post-test results" above "My pre-test results"."""
    person = training.people[0]
    set_now(START - timedelta(minutes=10))
    taking.submit(training.pre, person, answer_ids(training.pre, [[1], [1]]))
    set_now(END + timedelta(minutes=30))
    taking.submit(training.post, person, answer_ids(training.post, [[1], [1, 2]]))
    db.session.commit()
    set_now(training.post.closes_at + timedelta(hours=1))
    page = login(person).get(f"/events/{training.event.id}").get_data(as_text=True)
    assert "My pre-test results" in page and "My post-test results" in page
    assert page.index("My pre-test results") < page.index("My post-test results")
