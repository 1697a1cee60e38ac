"""Rules around attempts (pure): who may start, when, what the review shows, the result record.

Review policies (blueprint ``review``) decide what a trainee sees of a graded attempt:

| policy | while attempts remain and not passed | once passed or no attempt left |
|---|---|---|
| ``immediately`` | full review | full review |
| ``after_attempt`` | own answers marked right or wrong | full review |
| ``after_pass`` | score only | full review once passed (score only if never passed) |
| ``after_last_attempt`` | score only | full review when no attempt is left |
| ``never`` | score only | score only |

Full review = own answer, the right answer, the explanation and a link to the lesson.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

SCORE_ONLY, MARKS, FULL = "score", "marks", "full"


@dataclass(frozen=True)
class QuizResult:
    """A trainee's record on one quiz, for certification (docs/integration.md)."""

    quiz_id: str
    best_score: float  # percent
    passed: bool
    last_graded_at: datetime | None
    attempts: int  # graded attempts


@dataclass(frozen=True)
class PastAttempt:
    number: int
    state: str
    closed_at: datetime | None
    score: float | None
    passed: bool | None


@dataclass(frozen=True)
class Standing:
    """Where a trainee stands with a quiz: what they may do next."""

    attempts_used: int
    attempts_left: int | None  # None = unlimited
    in_progress: int | None  # number of the open attempt, if any
    cooldown_until: datetime | None  # set while the cool-down runs
    best_score: float | None
    passed: bool

    @property
    def can_start(self) -> bool:
        return self.in_progress is None and self.cooldown_until is None and self.attempts_left != 0


def standing(attempts_allowed: int, cooldown_minutes: int, attempts: Sequence[PastAttempt], now: datetime) -> Standing:
    """Attempts used and left, the open attempt, the cool-down after the last closed attempt."""
    used = len(attempts)
    left = None if attempts_allowed == 0 else max(0, attempts_allowed - used)
    open_attempt = next((a.number for a in attempts if a.state == "in_progress"), None)
    last_closed = max((a.closed_at for a in attempts if a.closed_at is not None), default=None)
    cooldown_end = last_closed + timedelta(minutes=cooldown_minutes) if last_closed and cooldown_minutes else None
    scores = [a.score for a in attempts if a.score is not None]
    return Standing(
        attempts_used=used,
        attempts_left=left,
        in_progress=open_attempt,
        cooldown_until=cooldown_end if cooldown_end and cooldown_end > now and left != 0 else None,
        best_score=max(scores, default=None),
        passed=any(a.passed for a in attempts),
    )


def review_level(policy: str, passed_any: bool, attempts_left: int | None) -> str:
    """What a trainee may see of a graded attempt under ``policy`` (see the table above)."""
    finished = passed_any or attempts_left == 0
    if policy == "immediately":
        return FULL
    if policy == "after_attempt":
        return FULL if finished else MARKS
    if policy == "after_pass":
        return FULL if passed_any else SCORE_ONLY
    if policy == "after_last_attempt":
        return FULL if attempts_left == 0 else SCORE_ONLY
    return SCORE_ONLY


def score_percent(slot_scores: Sequence[float]) -> float:
    """Every question weighs the same: the mean slot score as a percentage, to 2 decimals."""
    return round(100 * sum(slot_scores) / len(slot_scores), 2) if slot_scores else 0.0


def has_passed(score: float, pass_mark: float) -> bool:
    return score >= pass_mark


def needs_briefing(time_limit_minutes: int, attempts_allowed: int, cooldown_minutes: int) -> bool:
    """A timed or limited quiz starts from its briefing page, with a confirmation; untimed,
    unlimited quizzes without a cool-down start directly."""
    return bool(time_limit_minutes or attempts_allowed or cooldown_minutes)


def is_answered(answer: object) -> bool:
    """Whether a saved canonical answer gives anything (an ordering or matching with no place
    filled, an empty text or no choice is unanswered)."""
    if isinstance(answer, (list, tuple)):
        return any(item is not None for item in answer)
    return answer not in (None, "")


MINUTES_PER_HOUR, MINUTES_PER_DAY = 60, 24 * 60


def duration_parts(minutes: int) -> tuple[int, str]:
    """A duration in the largest whole unit: 90 -> (90, "minutes"), 120 -> (2, "hours"),
    1440 -> (24, "hours") (a one-day cool-down reads as 24 hours), 2880 -> (2, "days")."""
    if minutes >= 2 * MINUTES_PER_DAY and minutes % MINUTES_PER_DAY == 0:
        return minutes // MINUTES_PER_DAY, "days"
    if minutes >= MINUTES_PER_HOUR and minutes % MINUTES_PER_HOUR == 0:
        return minutes // MINUTES_PER_HOUR, "hours"
    return minutes, "minutes"
