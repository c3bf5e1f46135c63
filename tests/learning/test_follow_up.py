"""The follow-up survey (level 3): scheduled by the organiser, emailed once by the scheduler when due
to the confirmed participants, answered once each, its answers on the learning results."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.learning.models import FollowUpAnswer, FollowUpSurvey
from app.scheduler.jobs import JOBS_BY_ID
from app.scheduler.jobs.follow_up import run_follow_up_surveys
from app.timeutil import set_now
from tests.learning.conftest import END
from tests.scheduler.outbox import outbox


def test_follow_up_is_sent_once_when_due_and_answered_once(training, login):
    organiser_client = login(training.organiser)
    bad = organiser_client.post(f"/events/{training.event.id}/learning/follow-up", data={"weeks_after": "99"})
    assert bad.status_code == 422
    assert organiser_client.post(f"/events/{training.event.id}/learning/follow-up",
                                 data={"weeks_after": "4"}).status_code == 302
    db.session.rollback()
    survey = db.session.query(FollowUpSurvey).one()
    due = END + timedelta(weeks=4)
    assert survey.due_at == due
    assert "follow_up_surveys" in JOBS_BY_ID

    assert run_follow_up_surveys(due - timedelta(minutes=1)).sent == 0
    first = run_follow_up_surveys(due)
    assert first.sent == 3 and first.ok
    assert run_follow_up_surveys(due + timedelta(hours=1)).sent == 0  # idempotent
    messages = outbox("follow_up_survey")
    assert sorted(m.recipient_user_id for m in messages) == sorted(p.id for p in training.people)  # not the pending one
    assert f"/events/{training.event.id}/follow-up" in messages[0].text_body

    set_now(due + timedelta(days=1))
    client = login(training.people[0])
    url = f"/events/{training.event.id}/follow-up"
    assert 'data-testid="follow-up-link"' in client.get(f"/events/{training.event.id}").get_data(as_text=True)
    assert client.post(url, data={}).status_code == 422
    assert client.post(url, data={"applied": "4", "how": "Froze a ransom wallet"}).status_code == 302
    assert "already answered" in client.get(url).get_data(as_text=True)
    assert 'data-testid="follow-up-link"' not in client.get(f"/events/{training.event.id}").get_data(as_text=True)
    assert client.post(url, data={"applied": "5"}).status_code == 403
    outsider = login(training.pending)
    assert "confirmed participants" in outsider.get(url).get_data(as_text=True)
    db.session.rollback()
    assert db.session.query(FollowUpAnswer).count() == 1

    results = organiser_client.get(f"/events/{training.event.id}/learning/results").get_data(as_text=True)
    assert "Applied at work (level 3)" in results and "Froze a ransom wallet" in results
    assert "4.00 / 5" in results
