"""Pure scoring and gain arithmetic on plain values, tested without a database.

A single-choice question earns its points when the one correct option is chosen. A multiple-choice
question earns points × (right options chosen − wrong options chosen) / right options, never below
zero: ticking every box earns nothing. Free-text questions are not scored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Score bands of the distribution (percent, lower bound inclusive; the last band includes 100).
BANDS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 101)]


def question_points(kind: str, points: int, correct: set[int], chosen: set[int]) -> float:
    """The points one answer earns (see the module's rule)."""
    if kind == "text" or not correct:
        return 0.0
    if kind == "single":
        return float(points) if chosen == correct else 0.0
    right = len(chosen & correct)
    wrong = len(chosen - correct)
    return round(max(0.0, points * (right - wrong) / len(correct)), 4)


def percent(points: float, max_points: float) -> float | None:
    return round(100.0 * points / max_points, 1) if max_points else None


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 1) if values else None


def band_counts(scores: Iterable[float]) -> list[int]:
    """How many scores fall in each of BANDS."""
    counts = [0] * len(BANDS)
    for score in scores:
        for index, (low, high) in enumerate(BANDS):
            if low <= score < high:
                counts[index] += 1
                break
    return counts


@dataclass
class Gain:
    """Pre vs post: every taker's mean on each side, and the people who took both (paired)."""

    n_pre: int
    n_post: int
    mean_pre: float | None
    mean_post: float | None
    n_paired: int
    paired_pre: float | None
    paired_post: float | None

    @property
    def gain(self) -> float | None:
        """Mean paired gain in percentage points (post − pre of the same people)."""
        if self.paired_pre is None or self.paired_post is None:
            return None
        return round(self.paired_post - self.paired_pre, 1)

    @property
    def normalised(self) -> float | None:
        """Hake's normalised gain of the paired means: the share of the possible improvement made."""
        if self.gain is None or self.paired_pre is None or self.paired_pre >= 100:
            return None
        return round(self.gain / (100 - self.paired_pre), 2)


def gain(pre: dict[int, float], post: dict[int, float]) -> Gain:
    """`pre` and `post`: {person: score in percent}."""
    both = sorted(set(pre) & set(post))
    return Gain(
        n_pre=len(pre), n_post=len(post), mean_pre=mean(pre.values()), mean_post=mean(post.values()),
        n_paired=len(both), paired_pre=mean(pre[p] for p in both), paired_post=mean(post[p] for p in both),
    )
