"""A training day with a pre- and a post-test (known questions), and the people around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.learning import banks
from app.learning.models import CheckKind, QuestionKind
from app.timeutil import set_now

START = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # the training runs 09:00–17:00 UTC
END = START + timedelta(hours=8)


@dataclass
class Training:
    event: object
    organiser: object
    people: list  # three confirmed participants
    pending: object
    outsider: object
    pre: object
    post: object


def _bank(check, organiser):
    banks.add_question(check, QuestionKind.SINGLE, "Which identifier follows funds on a blockchain?", 1,
                       "*A transaction hash\nA phone number", organiser)
    banks.add_question(check, QuestionKind.MULTIPLE, "Which sources tie a wallet to a person?", 2,
                       "*Exchange records\n*Seized devices\nThe block height", organiser)
    banks.add_question(check, QuestionKind.TEXT, "Where would you use this?", 1, "", organiser)


@pytest.fixture
def training(app, make) -> Training:
    set_now(START - timedelta(days=10))
    organiser = make.user(role="organiser", name="Olga Organiser")
    event = make.event("Crypto tracing training", starts_at=START, days=8 / 24, kind="training",
                       organisers=[organiser], created_by=organiser)
    people = [make.user(name=f"Participant {n}") for n in (1, 2, 3)]
    for person in people:
        make.registration(event, person)
    pending = make.user(name="Pending Person")
    make.registration(event, pending, status="pending")
    outsider = make.user(name="Outsider")
    pre = banks.create_check(event, None, CheckKind.PRE, organiser)
    _bank(pre, organiser)
    post = banks.copy_to_post(pre, organiser)
    db.session.commit()
    return Training(event, organiser, people, pending, outsider, pre, post)


def answer_ids(check, picks: list[list[int]]) -> dict:
    """Answers by option positions (1-based) per scored question, as taking.submit takes them."""
    answers = {}
    for question, positions in zip([q for q in check.questions if q.is_scored], picks, strict=True):
        answers[question.id] = ({question.options[p - 1].id for p in positions}, None)
    return answers


def form_of(check, picks: list[list[int]], text: str = "") -> dict:
    """The take page's form fields for those picks."""
    data = {}
    for question, positions in zip([q for q in check.questions if q.is_scored], picks, strict=True):
        data[f"q{question.id}"] = [str(question.options[p - 1].id) for p in positions]
    text_question = next(q for q in check.questions if not q.is_scored)
    data[f"q{text_question.id}"] = text
    return data
