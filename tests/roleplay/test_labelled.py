"""Every labelled reply, scored with the shipped norms, must match its QA label exactly."""

from pathlib import Path

import pytest
import yaml

from webapp.roleplay.norms import ALL_CATEGORIES, ELEMENT_CATEGORIES, VIOLATION_CATEGORIES, load_norms
from webapp.roleplay.scoring import score_reply

ROOT = Path(__file__).resolve().parents[2]
LABELLED = yaml.safe_load((ROOT / "tests/roleplay/labelled_replies.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def norms():
    return load_norms(ROOT / "quizzes/roleplay/norms.yaml")


def test_labelled_set_is_large_and_uses_only_known_categories():
    assert len(LABELLED) >= 150
    for entry in LABELLED:
        assert set(entry) == {"text", "elements", "violations"}
        assert set(entry["elements"]) <= set(ELEMENT_CATEGORIES)
        assert set(entry["violations"]) <= set(VIOLATION_CATEGORIES)
    covered = {name for entry in LABELLED for name in entry["elements"] + entry["violations"]}
    assert covered == set(ALL_CATEGORIES)


@pytest.mark.parametrize("entry", LABELLED, ids=[f"{i:03d}" for i in range(len(LABELLED))])
def test_labelled_reply(entry, norms):
    verdict = score_reply(entry["text"], norms)
    assert (sorted(verdict.element_names), sorted(verdict.violation_names)) == (
        sorted(entry["elements"]), sorted(entry["violations"])), verdict.as_json()
