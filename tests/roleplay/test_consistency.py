"""Content teaches what it scores: reference replies against their own turn, seed sources required,
and each channel's timing rule (pure: no app)."""
from functools import partial

import pytest

from tests.conftest import ROOT
from tests.roleplay.builders import scenario_text
from webapp.roleplay.call import Timing
from webapp.roleplay.channels import TIMING_POLICIES
from webapp.roleplay.kinds import reference_reply_problems
from webapp.roleplay.norms import load_norms
from webapp.roleplay.scenarios import parse_scenario
from webapp.roleplay.scoring import score_reply


@pytest.fixture(scope="module")
def score():
    return partial(score_reply, norms=load_norms(ROOT / "quizzes/roleplay/norms.yaml"))


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [number for number, line in enumerate(text.split("\n"), start=1) if fragment in line]
    return lines[occurrence - 1]


def test_a_reference_reply_that_passes_its_turn_is_no_problem(score):
    scenario, _ = parse_scenario("sample.md", scenario_text())
    assert reference_reply_problems("sample.md", scenario, score) == []


def test_a_reference_reply_with_a_hedge_is_an_error_at_its_line(score):
    text = scenario_text().replace("您好，请问您的号码是多少？", "您好，应该是号码的问题，请问您的号码是多少？", 2)
    scenario, _ = parse_scenario("sample.md", text)
    problems = reference_reply_problems("sample.md", scenario, score)
    assert [(p.line, "uncertain_language" in p.message) for p in problems] == [
        (line_of(text, "应该是", 1), True), (line_of(text, "应该是", 2), True)]


def test_a_reference_reply_missing_a_requirement_is_an_error_at_its_line(score):
    text = scenario_text().replace("您好，请问您的号码是多少？", "请问您的号码是多少？", 1)
    scenario, _ = parse_scenario("sample.md", text)
    [problem] = reference_reply_problems("sample.md", scenario, score)
    assert problem.line == line_of(text, "请问您的号码是多少？") and "greeting" in problem.message


def test_sources_are_required_at_the_front_matter_line_but_stored_versions_still_load():
    text = scenario_text().replace("sources: [004 场景一]\n", "")
    scenario, problems = parse_scenario("sample.md", text)
    assert scenario is None and [(p.line, p.message.split(" (")[0]) for p in problems] == [(1, 'missing "sources"')]
    stored, problems = parse_scenario("sample.md", text, stored=True)
    assert problems == [] and stored.sources == () and stored.channel == "phone"


@pytest.mark.parametrize("channel, seconds, ok", [
    ("phone", 120, True), ("hall", 30, True), ("hall", 31, False), ("chat", 30, True), ("chat", 60, False)])
def test_seconds_per_reply_stays_within_the_channels_limit(channel, seconds, ok):
    text = scenario_text().replace("seconds_per_reply: 60", f"seconds_per_reply: {seconds}\nchannel: {channel}")
    _, problems = parse_scenario("sample.md", text)
    assert (problems == []) == ok
    if not ok:
        assert problems[0].line == line_of(text, "seconds_per_reply") and channel in problems[0].message


@pytest.mark.parametrize("channel, seconds, penalty, scores_nothing", [
    ("phone", 31, 2, False), ("phone", 46, 4, False), ("phone", 121, 14, True),
    ("chat", 31, 2, False), ("chat", 60, 2, False), ("chat", 62, 4, False),
    ("hall", 46, 4, False), ("hall", 121, 14, True),
])
def test_lateness_is_counted_by_the_channels_rule(channel, seconds, penalty, scores_nothing):
    timing = Timing.assess(seconds, allowed=30, channel=channel)
    assert (timing.late_penalty, timing.over_wait_limit, timing.channel) == (penalty, scores_nothing, channel)


def test_timings_stored_before_channels_are_phone_timings():
    timing = Timing.from_json({"seconds": 70, "allowed": 60, "late_penalty": 2, "over_wait_limit": False})
    assert timing.channel == "phone" and Timing.from_json(timing.as_json()) == timing
    assert set(TIMING_POLICIES) == {"phone", "hall", "chat"}
