"""The assessment's pages issue the same number of statements whatever the number of people it
was sent to, their answers and the needs."""

from __future__ import annotations

from app.assessments import answering, building, needs
from app.extensions import db
from tests.assessments import world as sample
from tests.querycount import QueryCounter


def _grow(w, make, people: int) -> None:
    ids = [make.user(organisation=w.md_ministry).id for _ in range(people)]
    building.add_recipients(w.owner, w.assessment, user_ids=ids)
    for respondent in db.session.scalars(db.select(answering.Respondent).where(
            answering.Respondent.assessment_id == w.assessment.id, answering.Respondent.submitted_at.is_(None))):
        answering.save_answers(respondent, w.assessment, {f"q{w.scale.id}": ["3"], f"q{w.text.id}": ["More"],
                                                          f"q{w.themes.id}": [str(w.cyber.id)]}, submit=True)
    event = make.event(organisers=[w.owner], created_by=w.owner)
    need = needs.record_need(w.owner, w.assessment, needs.NeedData(title=f"Need {people}"))
    needs.link_event(w.owner, need, event.id)


def _counts(client, w) -> list[int]:
    found = []
    for path in (f"/assessments/{w.assessment.id}", f"/reports/assessments/{w.assessment.id}", "/assessments/",
                 "/assessments/needs", "/lessons/"):
        db.session.rollback()
        with QueryCounter(db.engine) as counter:
            assert client.get(path).status_code == 200, path
        found.append(counter.count)
    return found


def test_pages_do_not_grow_with_respondents_and_needs(app, make, login):
    w = sample.build()
    client = login(w.owner)
    _grow(w, make, 2)
    _counts(client, w)  # warm the caches (change stamps, library fragment)
    small = _counts(client, w)
    _grow(w, make, 12)
    _counts(client, w)
    assert _counts(client, w) == small
