"""The scenarios in quizzes/roleplay/scenarios: valid, grounded and winnable with their own model replies."""
from pathlib import Path

import pytest

from webapp.roleplay.call import Reply, replay
from webapp.roleplay.norms import load_norms
from webapp.roleplay.scenarios import MAX_TURNS, MIN_TURNS, parse_scenario_file
from webapp.roleplay.scoring import score_reply

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "quizzes" / "roleplay" / "scenarios"
FILES = sorted(SCENARIO_DIR.glob("*.md"))
REQUIRED_IDS = {
    "unexpected-fee", "wrong-charge-refund", "no-id-documents", "staff-attitude-complaint", "wants-manager",
    "cannot-solve-now", "proactive-marketing", "cannot-hear-you", "speakerphone-quiet", "nuisance-caller",
    "transfer-to-group", "call-forwarding-confused", "outbound-telemarketing", "account-holder-other",
}


@pytest.fixture(scope="module")
def norms():
    return load_norms(ROOT / "quizzes" / "roleplay" / "norms.yaml")


def test_every_required_scenario_is_shipped():
    assert REQUIRED_IDS <= {path.stem for path in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_scenario_parses_cleanly(path):
    scenario, problems = parse_scenario_file(path, ROOT)
    assert problems == []
    assert MIN_TURNS <= len(scenario.turns) <= MAX_TURNS


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.stem)
def test_model_replies_score_cleanly_and_pass_their_own_scenario(path, norms):
    scenario, _ = parse_scenario_file(path, ROOT)
    score = lambda text: score_reply(text, norms)  # noqa: E731
    for turn in scenario.turns:
        verdict = score(turn.model_reply)
        assert verdict.violations == [], (turn.index, turn.model_reply, verdict.violations)
    result = replay(scenario, [Reply(turn.model_reply, 10) for turn in scenario.turns], score)
    unmet = [(t.index, c.key) for t in result.turns for c in t.criteria if not c.passed]
    assert unmet == []
    assert result.passed and result.percent == 100.0 and result.mood_trace[-1] < 4

