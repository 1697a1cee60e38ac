from datetime import datetime, timedelta

import pytest

from tests.quizzes.builders import make_bank
from webapp.quizzes.policy import (
    FULL, MARKS, SCORE_ONLY, PastAttempt, duration_parts, is_answered, needs_briefing, review_level, score_percent,
    standing,
)

NOW = datetime(2026, 3, 2, 9, 0)


def past(number, state="graded", minutes_ago=60, score=50.0, passed=False):
    return PastAttempt(number, state, NOW - timedelta(minutes=minutes_ago), score, passed)


def test_standing_counts_attempts_and_cooldown():
    fresh = standing(3, 10, [], NOW)
    assert (fresh.attempts_left, fresh.can_start, fresh.best_score) == (3, True, None)
    cooling = standing(3, 10, [past(1, minutes_ago=5, score=70)], NOW)
    assert cooling.cooldown_until == NOW + timedelta(minutes=5) and not cooling.can_start and cooling.best_score == 70
    used_up = standing(2, 10, [past(1), past(2, minutes_ago=1)], NOW)
    assert used_up.attempts_left == 0 and used_up.cooldown_until is None and not used_up.can_start
    open_attempt = standing(0, 0, [PastAttempt(1, "in_progress", None, None, None)], NOW)
    assert open_attempt.in_progress == 1 and open_attempt.attempts_left is None and not open_attempt.can_start


@pytest.mark.parametrize(("policy", "passed", "left", "level"), [
    ("immediately", False, 2, FULL), ("after_attempt", False, 2, MARKS), ("after_attempt", True, 2, FULL),
    ("after_attempt", False, 0, FULL), ("after_pass", False, 0, SCORE_ONLY), ("after_pass", True, 1, FULL),
    ("after_last_attempt", True, 1, SCORE_ONLY), ("after_last_attempt", False, 0, FULL),
    ("after_last_attempt", True, None, SCORE_ONLY), ("never", True, 0, SCORE_ONLY),
])
def test_review_levels(policy, passed, left, level):
    assert review_level(policy, passed, left) == level


def test_score_is_the_mean_of_slot_scores():
    assert score_percent([1, 0.5, 0, 1]) == 62.5 and score_percent([]) == 0.0


def test_unanswered_ordering_and_matching_describe_as_no_answer():
    questions = {q.type: q for q in make_bank(count=6).questions}
    for kind in ("ordering", "matching"):
        question = questions[kind]
        assert question.question_type.describe(question, [None, None, None]) == []
        assert question.question_type.describe(question, None) == []


@pytest.mark.parametrize("minutes, parts", [
    (10, (10, "minutes")), (90, (90, "minutes")), (60, (1, "hours")), (1440, (24, "hours")), (2880, (2, "days")),
    (4320, (3, "days")), (1500, (25, "hours")),
])
def test_durations_read_in_round_hours_and_days(minutes, parts):
    assert duration_parts(minutes) == parts


def test_briefing_and_unanswered_rules():
    assert not needs_briefing(0, 0, 0) and needs_briefing(30, 0, 0) and needs_briefing(0, 2, 0) and needs_briefing(0, 0, 5)
    assert [is_answered(a) for a in (None, "", [], [None, None], "乙", 0, False, [None, 2])] == \
        [False, False, False, False, True, True, True, True]
