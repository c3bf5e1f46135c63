"""A respondent's own questionnaires in their data export (nobody else's), and what deleting the
account does: drafts and unanswered invitations go, submitted answers stay in the unnamed results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.assessments import answering
from app.assessments.models import Respondent
from app.extensions import db
from app.privacy.deletion import delete_account
from app.privacy.export import collect
from app.scheduler.jobs.assessment_reminders import run_assessment_reminders
from tests.assessments import world as sample


@pytest.fixture
def w(app):
    w = sample.build()
    olena = answering.respondent_for(w.assessment, w.olena)
    answering.save_answers(olena, w.assessment, {f"q{w.scale.id}": ["4"], f"q{w.text.id}": ["A lab for phones"]},
                           submit=True)
    ion = answering.respondent_for(w.assessment, w.ion)
    answering.save_answers(ion, w.assessment, {f"q{w.text.id}": ["Ion's unfinished draft"]}, submit=False)
    return w


def test_the_export_holds_my_questionnaire_and_nobody_elses(w):
    mine = collect(w.olena)["needs_assessments"]
    assert len(mine) == 1 and mine[0]["assessment"] == "ILECU training needs 2026"
    assert mine[0]["answers"] == {"How urgent is crypto tracing training?": 4,
                                  "What else do you need?": "A lab for phones"}
    assert "unfinished" not in str(mine)


def test_deleting_an_account_drops_drafts_and_keeps_submitted_answers(w):
    delete_account(w.ion, w.ion)
    delete_account(w.olena, w.olena)
    kept = db.session.scalars(select(Respondent.user_id).where(Respondent.assessment_id == w.assessment.id)).all()
    assert sorted(kept) == sorted([w.olena.id, w.andrii.id])
    assert run_assessment_reminders(sample.DEADLINE - timedelta(days=1)).sent == 1  # Andrii only
