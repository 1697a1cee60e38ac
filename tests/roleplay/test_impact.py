"""Replaying stored calls through a draft: what changes, turn by turn (no app)."""
from tests.roleplay.builders import make_scenario
from tests.roleplay.fake_scorer import FakeVerdict, fake_score
from webapp.roleplay.call import Reply, replay
from webapp.roleplay.impact import call_impact, criterion_changes, memoized, summarise

GOOD = "您好，请问您的号码是多少？"
RUDE = "这不归我们管。"
RUDE_BUT_COMPLETE = "您好，这不归我们管，请问您的号码是多少？"  # greeting and key point, and a critical phrase


def ignoring(*categories):
    """A draft scorer that no longer knows these categories."""
    def score(text):
        verdict = fake_score(text)
        return FakeVerdict([h for h in verdict.elements if h.category not in categories],
                           [h for h in verdict.violations if h.category not in categories], verdict.text)
    return score


def also_forbidding(phrase):
    """A draft scorer with one more forbidden phrase."""
    def score(text):
        verdict = fake_score(text)
        start = text.find(phrase)
        if start >= 0:
            verdict.violations.append(type(verdict.elements[0])("forbidden_phrase", phrase, (start, start + len(phrase))))
        return verdict
    return score


def stored(replies, scenario=None):
    scenario = scenario or make_scenario()
    replies = [Reply(text, 5) for text in replies]
    return replay(scenario, replies, fake_score), replies, scenario


def test_a_draft_that_drops_a_category_changes_verdicts_and_the_outcome():
    before, replies, scenario = stored([GOOD] * 3)
    assert before.passed and before.percent == 100.0
    impact = call_impact(7, before, replies, scenario, ignoring("greeting"))
    assert impact.outcome_changed and not impact.after.passed and impact.after.percent == 50.0
    assert [(c.turn, c.key, c.before, c.after) for c in impact.changes] == [
        (1, "greeting", True, False), (2, "greeting", True, False), (3, "greeting", True, False)]


def test_a_dismissed_violation_counts_as_passed_and_a_shorter_call_as_unreached():
    before, replies, scenario = stored([RUDE_BUT_COMPLETE, GOOD, GOOD])
    assert before.failed_reason == "critical_violation" and len(before.turns) == 1
    trainer = {(1, "violation.forbidden_phrase"): True, (1, "greeting"): False}
    impact = call_impact(8, before, replies, scenario, ignoring("forbidden_phrase"), trainer)
    # the draft no longer ends the call at turn 1; the stored replies go on, turns 2–3 now played
    assert impact.after.failed_reason is None and impact.after.passed
    change = next(c for c in impact.changes if c.key == "violation.forbidden_phrase")
    assert (change.turn, change.kind, change.before, change.after, change.trainer) == (1, "violation", False, True, True)
    assert change.toward_trainer is True
    assert {(c.turn, c.key, c.before) for c in impact.changes if c.turn > 1} == {
        (2, "greeting", None), (2, "key_point_1", None), (3, "greeting", None), (3, "key_point_1", None)}


def test_a_draft_that_adds_a_critical_phrase_ends_calls_earlier():
    before, replies, scenario = stored([GOOD] * 3)
    impact = call_impact(9, before, replies, scenario, also_forbidding("请问"), {(1, "violation.forbidden_phrase"): True})
    assert impact.after.failed_reason == "critical_violation" and impact.outcome_changed
    found = next(c for c in impact.changes if c.key == "violation.forbidden_phrase")
    assert (found.before, found.after, found.toward_trainer) == (True, False, False)
    assert {(c.turn, c.after) for c in impact.changes if c.turn > 1} == {(2, None), (3, None)}


def test_same_scenario_and_scorer_change_nothing():
    before, replies, scenario = stored([GOOD, RUDE])
    impact = call_impact(1, before, replies, scenario, fake_score)
    assert not impact.changed and criterion_changes(before, impact.after) == ()


def test_summary_counts():
    unchanged = call_impact(1, *stored([GOOD] * 3), fake_score)
    dropped = call_impact(2, *stored([GOOD] * 3), ignoring("greeting"))
    rescued = call_impact(3, *stored([RUDE_BUT_COMPLETE, GOOD, GOOD]), ignoring("forbidden_phrase"))
    summary = summarise([unchanged, dropped, rescued], limited=True)
    assert (summary.checked, summary.limited, [i.call_id for i in summary.changed]) == (3, True, [2, 3])
    assert (summary.outcome_changes, summary.newly_passed, summary.newly_failed) == (2, 1, 1)
    assert summary.calls_with_criterion_changes == 2
    assert summary.criterion_changes == 3 + 1 + 4
    assert (summary.toward_trainer, summary.away_from_trainer) == (0, 0)  # no reviewed call


def test_memoized_scores_each_text_once():
    seen = []

    def counting(text):
        seen.append(text)
        return fake_score(text)

    score = memoized(counting)
    assert score(GOOD).as_json() == score(GOOD).as_json() and score(RUDE)
    assert seen == [GOOD, RUDE]
