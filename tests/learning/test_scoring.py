"""Scoring and gain on a known sample: the pure arithmetic, then the same sample through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.learning import taking
from app.learning.results import event_results, learning_by_event, post_test_score
from app.learning.scoring import band_counts, gain, question_points
from app.timeutil import set_now
from tests.learning.conftest import END, START, answer_ids


def test_question_points_single_multiple_and_text():
    assert question_points("single", 1, {1}, {1}) == 1
    assert question_points("single", 1, {1}, {2}) == 0
    assert question_points("multiple", 2, {1, 2}, {1}) == 1  # one of two right
    assert question_points("multiple", 2, {1, 2}, {1, 3}) == 0  # one right, one wrong
    assert question_points("multiple", 2, {1, 2}, {1, 2, 3}) == 1  # ticking everything does not pay
    assert question_points("multiple", 2, {1, 2}, {3}) == 0  # never below zero
    assert question_points("text", 1, set(), set()) == 0


def test_gain_is_paired_and_counts_each_side():
    result = gain({1: 40.0, 2: 60.0, 4: 10.0}, {1: 80.0, 2: 90.0, 3: 50.0})
    assert (result.n_pre, result.n_post, result.n_paired) == (3, 3, 2)
    assert (result.paired_pre, result.paired_post, result.gain) == (50.0, 85.0, 35.0)
    assert result.normalised == 0.7
    assert band_counts([0, 19.9, 20, 79.9, 80, 100]) == [2, 1, 0, 1, 2]


def _take(training, check, person, picks):
    return taking.submit(check, person, answer_ids(check, picks))


def test_learning_gain_on_a_known_sample(training):
    p1, p2, p3 = training.people
    set_now(START - timedelta(minutes=30))
    assert _take(training, training.pre, p1, [[2], [1]]).percent == pytest.approx(33.3)  # 0 + 1 of 3
    assert _take(training, training.pre, p2, [[1], [1, 3]]).percent == pytest.approx(33.3)  # 1 + 0
    set_now(END + timedelta(hours=1))
    assert _take(training, training.post, p1, [[1], [1, 2]]).percent == 100.0
    assert _take(training, training.post, p2, [[1], [1]]).percent == pytest.approx(66.7)
    assert _take(training, training.post, p3, [[2], [1, 2]]).percent == pytest.approx(66.7)

    (scope,) = event_results(training.event)
    overall = scope.overall
    assert (overall.n_pre, overall.n_post, overall.n_paired) == (2, 3, 2)
    assert overall.paired_pre == pytest.approx(33.3)
    assert overall.paired_post == pytest.approx(83.35, abs=0.06)
    assert overall.gain == pytest.approx(50.0, abs=0.11)
    assert overall.mean_post == pytest.approx(77.8)
    assert [(q.n_paired, q.pre, q.post, q.gain) for q in scope.questions] == [(2, 50.0, 100.0, 50.0),
                                                                              (2, 25.0, 75.0, 50.0)]
    assert scope.distribution == {"pre": [0, 2, 0, 0, 0], "post": [0, 0, 0, 2, 1]}

    assert post_test_score(training.event.id, p1.id) == 100.0
    assert post_test_score(training.event.id, p3.id) == pytest.approx(66.7)
    assert post_test_score(training.event.id, training.pending.id) is None
    assert post_test_score(training.event.id, p1.id, session_id=999) is None

    (line,) = learning_by_event([training.event.id])
    assert line.tested == 3 and line.overall.n_paired == 2 and line.satisfaction is None
