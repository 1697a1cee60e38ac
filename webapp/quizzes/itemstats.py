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

All three are functions of running sums (``Moments``), so the database keeps the sums of every
graded attempt (``ScoreSums``, added to when an attempt is graded) and the report never reads
the attempts themselves.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

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


@dataclass
class Moments:
    """Running sums for a mean, variances and a correlation."""

    n: float = 0.0
    x: float = 0.0
    xx: float = 0.0
    y: float = 0.0
    yy: float = 0.0
    xy: float = 0.0

    def add(self, x: float, y: float = 0.0) -> None:
        self.n += 1
        self.x += x
        self.xx += x * x
        self.y += y
        self.yy += y * y
        self.xy += x * y

    def merge(self, other: Moments) -> None:
        for name in ("n", "x", "xx", "y", "yy", "xy"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def variance_x(self) -> float:
        return max(0.0, self.xx / self.n - (self.x / self.n) ** 2) if self.n else 0.0

    def correlation(self) -> float | None:
        spread_x = self.n * self.xx - self.x * self.x
        spread_y = self.n * self.yy - self.y * self.y
        if spread_x <= _TINY or spread_y <= _TINY:
            return None
        return (self.n * self.xy - self.x * self.y) / math.sqrt(spread_x * spread_y)


@dataclass
class ScoreSums:
    """What the statistics need from a set of graded attempts, additive attempt by attempt.

    ``questions``: per question, x = its score and y = the rest of the attempt.
    ``positions``: per (slot count, position), x = the score at that position.
    ``totals``: per slot count, x = the attempt total and y = the total as a fraction of the slots.
    """

    questions: dict[str, Moments] = field(default_factory=lambda: defaultdict(Moments))
    positions: dict[tuple[int, int], Moments] = field(default_factory=lambda: defaultdict(Moments))
    totals: dict[int, Moments] = field(default_factory=lambda: defaultdict(Moments))

    def add_attempt(self, slots: Sequence[SlotScore]) -> None:
        total, size = sum(slot.score for slot in slots), len(slots)
        for slot in slots:
            self.questions[slot.question_id].add(slot.score, total - slot.score)
            self.positions[size, slot.position].add(slot.score)
        self.totals[size].add(total, total / size if size else 0.0)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Alpha of equally long score rows (one row per attempt, one column per item)."""
    sums = ScoreSums()
    for row in rows:
        sums.add_attempt([SlotScore(position, "", score) for position, score in enumerate(row)])
    return _alpha(sums)


def _alpha(sums: ScoreSums) -> float | None:
    """Over the attempts that have the most slots (the complete ones)."""
    items = max(sums.totals, default=0)
    totals = sums.totals.get(items)
    if totals is None or totals.n < 2 or items < 2:
        return None
    total_variance = totals.variance_x()
    if total_variance <= _TINY:
        return None
    columns = sum(sums.positions[items, position].variance_x() for position in range(items))
    return items / (items - 1) * (1 - columns / total_variance)


def quiz_statistics(
    attempts: Sequence[Sequence[SlotScore]],
    flag_below: float = DISCRIMINATION_FLAG_BELOW,
    min_responses: int = MIN_RESPONSES,
) -> QuizStatistics:
    """Statistics of graded attempts, each given as its slot scores."""
    sums = ScoreSums()
    for slots in attempts:
        sums.add_attempt(slots)
    return statistics_of(sums, flag_below, min_responses)


def statistics_of(
    sums: ScoreSums,
    flag_below: float = DISCRIMINATION_FLAG_BELOW,
    min_responses: int = MIN_RESPONSES,
) -> QuizStatistics:
    """Statistics from the sums of graded attempts."""
    items = []
    for question_id in sorted(sums.questions):
        moments = sums.questions[question_id]
        discrimination = moments.correlation()
        items.append(ItemStatistics(
            question_id=question_id,
            responses=int(moments.n),
            facility=moments.x / moments.n,
            discrimination=discrimination,
            flagged=discrimination is not None and moments.n >= min_responses and discrimination < flag_below,
        ))
    attempts = int(sum(moments.n for moments in sums.totals.values()))
    mean = sum(moments.y for moments in sums.totals.values()) / attempts if attempts else None
    return QuizStatistics(attempts, mean, _alpha(sums), tuple(items))
