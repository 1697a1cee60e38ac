"""The call engine: mood, points, timing, critical failure, overrides and replay (fake scorer)."""
from dataclasses import replace

import pytest

from tests.roleplay.builders import make_scenario
from tests.roleplay.fake_scorer import fake_score
from webapp.roleplay.call import (
    DEMANDS_MANAGER_LINE, HANGS_UP_LINE, CallOver, CallState, Reply, Timing, TurnResult, mood_band, replay,
)

GOOD = "您好，请问您的号码是多少？"  # greeting + key point: 20 of 20 points, mood unchanged
SOOTHING = "您好，非常抱歉，我理解您的心情，请问您的号码是多少？"  # + apology + empathy: mood −2
RUDE = "你好，这不归我们管。"  # forbidden phrase + informal address: mood +3


def test_customer_line_follows_the_mood_band():
    assert [mood_band(m) for m in range(4)] == ["calm", "calm", "upset", "angry"]
    assert CallState(make_scenario(starting_mood=0)).customer_line == "平静的第1句"
    assert CallState(make_scenario(starting_mood=2)).customer_line == "不满的第1句"
    assert CallState(make_scenario(starting_mood=3)).customer_line == "愤怒的第1句"


def test_a_good_reply_earns_every_point_with_evidence():
    state = CallState(make_scenario()).answer(GOOD, 20, fake_score)
    [turn] = state.turns
    assert (turn.index, turn.points, turn.max_points, turn.mood_before, turn.mood_after) == (1, 20, 20, 1, 1)
    greeting, key_point = turn.criteria
    assert greeting.passed and greeting.evidence[0].text == "您好" and greeting.evidence[0].span == (0, 2)
    assert key_point.key == "key_point_1" and key_point.evidence[0].span == (GOOD.index("号码"), GOOD.index("号码") + 2)
    assert state.customer_line == "平静的第2句" and state.next_turn_index == 2


def test_empathy_and_apology_calm_the_customer_down():
    state = CallState(make_scenario(starting_mood=3)).answer(SOOTHING, 10, fake_score)
    assert state.mood == 1 and state.customer_line == "平静的第2句"
    assert CallState(make_scenario(starting_mood=0)).answer(SOOTHING, 10, fake_score).mood == 0  # never below calm


@pytest.mark.parametrize("reply, mood_after", [
    ("您好，您的号码是？还有别的吗？", 2),   # stacked questions +1
    ("你好，号码多少", 2),                   # 你 +1
    ("您好，号码应该是对的", 1),             # uncertain language costs points, not mood
])
def test_violations_anger_the_customer(reply, mood_after):
    assert CallState(make_scenario(starting_mood=1)).answer(reply, 10, fake_score).mood == mood_after


def test_violations_cost_points_per_category():
    [turn] = CallState(make_scenario()).answer("您好，号码应该是对的？哪个号码？", 10, fake_score).turns
    assert [c.key for c in turn.criteria if c.kind == "violation"] == ["violation.uncertain_language", "violation.multiple_questions"]
    assert turn.points == 20 - 2 * 5


def test_at_mood_four_the_customer_is_lost_and_the_call_fails():
    scenario = make_scenario(starting_mood=2)
    state = CallState(scenario).answer("您好，号码是多少？说吧？", 10, fake_score)  # +1
    assert state.mood == 3 and not state.ended
    state = state.answer("你的号码是多少", 10, fake_score)  # +1
    assert state.ended and state.end_reason == "customer_lost"
    assert state.customer_line == HANGS_UP_LINE
    result = state.result()
    assert not result.passed and result.failed_reason == "customer_lost"
    assert result.mood_trace == (2, 3, 4) and result.final_customer_line == HANGS_UP_LINE
    with pytest.raises(CallOver):
        state.answer(GOOD, 10, fake_score)


def test_an_agitated_customer_demands_a_manager():
    scenario = make_scenario(starting_mood=3)
    agitated = replace(scenario, customer_type="激动型")
    state = CallState(agitated).answer("你好，号码？", 10, fake_score)
    assert state.end_reason == "customer_lost" and state.customer_line == DEMANDS_MANAGER_LINE


def test_a_critical_violation_ends_and_fails_the_call_whatever_the_points():
    state = CallState(make_scenario(starting_mood=0)).answer("您好，号码的事不归我们管。", 10, fake_score)
    assert state.ended and state.end_reason == "critical_violation" and state.customer_line is None
    result = state.result()
    assert result.critical and not result.passed and result.failed_reason == "critical_violation"
    [criterion] = [c for c in result.turns[0].criteria if c.kind == "violation"]
    assert criterion.critical and criterion.evidence[0].text == "不归我们管"


@pytest.mark.parametrize("seconds, penalty, over_limit", [
    (60, 0, False), (60.5, 2, False), (75, 2, False), (76, 4, False), (120, 8, False), (121, 10, True),
])
def test_late_replies_lose_two_points_per_missed_15_second_check_in(seconds, penalty, over_limit):
    timing = Timing.assess(seconds, allowed=60)
    assert (timing.late_penalty, timing.over_wait_limit) == (penalty, over_limit)


def test_slow_replies_cost_points_and_patience():
    scenario = make_scenario(starting_mood=1)
    late = CallState(scenario).answer(GOOD, 80, fake_score)
    assert late.turns[0].points == 20 - 4 and late.mood == 2
    over_limit = CallState(scenario).answer(GOOD, 150, fake_score)
    assert over_limit.turns[0].points == 0 and over_limit.mood == 3  # a caller left over 2 minutes


def test_passing_needs_the_pass_mark_over_all_turns():
    scenario = make_scenario(turns=3)
    assert replay(scenario, [Reply(GOOD, 10)] * 3, fake_score).passed
    partial = replay(scenario, [Reply(GOOD, 10), Reply("好的", 10), Reply(GOOD, 10)], fake_score)
    assert (partial.points, partial.max_points, partial.percent) == (40, 60, 66.7)
    assert not partial.passed and partial.failed_reason == "below_pass_mark"
    unfinished = replay(scenario, [Reply(GOOD, 10)], fake_score)
    assert unfinished.failed_reason == "incomplete" and unfinished.max_points == 60


def test_replay_is_deterministic_and_ignores_replies_after_the_end():
    scenario = make_scenario(turns=3, starting_mood=2)
    replies = [Reply(SOOTHING, 12.5), Reply("你好，号码？", 70), Reply(GOOD, 130), Reply(GOOD, 1)]
    first, second = replay(scenario, replies, fake_score), replay(scenario, replies, fake_score)
    assert first == second and first.as_json() == second.as_json()
    assert len(first.turns) == 3


def test_overrides_rescore_without_losing_the_machine_verdict():
    state = CallState(make_scenario(starting_mood=0)).answer("您好，号码的事不归我们管。", 10, fake_score)
    result = state.result({(1, "violation.forbidden_phrase"): True, (1, "key_point_1"): False})
    turn = result.turns[0]
    dismissed, key_point = turn.criterion("violation.forbidden_phrase"), turn.criterion("key_point_1")
    assert dismissed.passed and not dismissed.machine_passed and dismissed.overridden
    assert not key_point.passed and key_point.machine_passed
    assert not result.critical and turn.points == 10
    assert result.failed_reason == "below_pass_mark"  # the call still ended after one turn
    assert state.result().critical  # the machine result is unchanged


def test_turn_results_survive_a_json_round_trip():
    state = CallState(make_scenario()).answer("您好，你的号码？不归我们管？", 95, fake_score)
    [turn] = state.turns
    assert TurnResult.from_json(turn.as_json()) == turn
    assert turn.as_json()["verdict"]["violations"]
