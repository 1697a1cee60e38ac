"""Item statistics of graded attempts (pure), following Moodle's quiz statistics report.

- **Facility index** of a question: its mean score as a fraction of full marks (0 = nobody got
  it, 1 = everybody did).
- **Discrimination index** of a question: Moodle's definition — the Pearson correlation between
  the score on the question and the score on the *rest* of the attempt (attempt total minus this
  question), over the attempts that drew it. From −1 to 1; Moodle reads ≥ 0.5 very good,
  0.3–0.5 adequate, 0.2–0.3 weak, below 0.2 very weak, negative: the question is probably wrong.
  We flag questions below ``DISCRIMINATION_FLAG_BELOW`` (0.2) once ``MIN_RESPONSES`` attempts
  drew them; with no variance (everybody scored the same) the index is undefined (None).
- **Cronbach's alpha** of the quiz: k/(k−1) · (1 − Σ var(slot) / var(total)) over the k slot
  positions of the attempts that have all k slots. Questions are drawn at random, so (as Moodle
  does for random questions) the positions play the part of the items.

Every question weighs the same: an attempt's total is the sum of its slot scores (fractions).
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

DISCRIMINATION_FLAG_BELOW = 0.2
MIN_RESPONSES = 10
_TINY = 1e-12


@dataclass(frozen=True)
class SlotScore:
    position: int
    question_id: str
    score: float  # fraction of full marks, 0..1


@dataclass(frozen=True)
class ItemStatistics:
    question_id: str
    responses: int
    facility: float
    discrimination: float | None
    flagged: bool  # discrimination below the threshold with enough responses


@dataclass(frozen=True)
class QuizStatistics:
    attempts: int
    mean_score: float | None  # fraction of full marks
    alpha: float | None
    items: tuple[ItemStatistics, ...]  # by question id

    @property
    def flagged(self) -> tuple[ItemStatistics, ...]:
        return tuple(item for item in self.items if item.flagged)


class _Moments:
    """Running sums for a mean, variances and a correlation."""

    __slots__ = ("n", "x", "xx", "y", "yy", "xy")

    def __init__(self) -> None:
        self.n = self.x = self.xx = self.y = self.yy = self.xy = 0.0

    def add(self, x: float, y: float = 0.0) -> None:
        self.n += 1
        self.x += x
        self.xx += x * x
        self.y += y
        self.yy += y * y
        self.xy += x * y

    def variance_x(self) -> float:
        return max(0.0, self.xx / self.n - (self.x / self.n) ** 2) if self.n else 0.0

    def correlation(self) -> float | None:
        spread_x = self.n * self.xx - self.x * self.x
        spread_y = self.n * self.yy - self.y * self.y
        if spread_x <= _TINY or spread_y <= _TINY:
            return None
        return (self.n * self.xy - self.x * self.y) / math.sqrt(spread_x * spread_y)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Alpha of equally long score rows (one row per attempt, one column per item)."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    items = len(rows[0])
    columns = [_Moments() for _ in range(items)]
    totals = _Moments()
    for row in rows:
        for column, score in zip(columns, row):
            column.add(score)
        totals.add(sum(row))
    total_variance = totals.variance_x()
    if total_variance <= _TINY:
        return None
    return items / (items - 1) * (1 - sum(column.variance_x() for column in columns) / total_variance)


def quiz_statistics(
    attempts: Sequence[Sequence[SlotScore]],
    flag_below: float = DISCRIMINATION_FLAG_BELOW,
    min_responses: int = MIN_RESPONSES,
) -> QuizStatistics:
    """Statistics of graded attempts, each given as its slot scores."""
    by_question: dict[str, _Moments] = defaultdict(_Moments)
    totals = [sum(slot.score for slot in slots) for slots in attempts]
    for slots, total in zip(attempts, totals):
        for slot in slots:
            by_question[slot.question_id].add(slot.score, total - slot.score)
    items = []
    for question_id in sorted(by_question):
        moments = by_question[question_id]
        discrimination = moments.correlation()
        items.append(ItemStatistics(
            question_id=question_id,
            responses=int(moments.n),
            facility=moments.x / moments.n,
            discrimination=discrimination,
            flagged=discrimination is not None and moments.n >= min_responses and discrimination < flag_below,
        ))
    slot_count = max((len(slots) for slots in attempts), default=0)
    complete = [
        [slot.score for slot in sorted(slots, key=lambda slot: slot.position)]
        for slots in attempts
        if len(slots) == slot_count
    ]
    sizes = [len(slots) for slots in attempts]
    mean = sum(total / size for total, size in zip(totals, sizes) if size) / len(attempts) if attempts else None
    return QuizStatistics(len(attempts), mean, cronbach_alpha(complete), tuple(items))
