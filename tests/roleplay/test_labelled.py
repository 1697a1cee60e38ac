"""Every labelled reply, scored with the shipped norms, must match its QA label exactly.

A reply the scorer is known to get wrong stays as a strict xfail with the reason (a later fix
shows up as XPASS); most are the learned model's judgements (norms ``learned:``), which this set
trained but does not decide alone.
"""

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


KNOWN_MISSES = {
    "好了，就这样吧。": "the learned model reads a curt 就这样吧 as dismissive (the label says it is only an ending)",
    "先生，让您久等了，感谢您的耐心等待。您的话费余额是36.5元。":
        "the learned model reads 感谢您的耐心等待 after a hold as a closing (near 0.5: right after the retrain on "
        "15,112 replies, wrong again on 15,780)",
    "这样解释您清楚了吗？如果还有疑问我再跟您说一遍。":
        "since the retrain on w114–w121 the learned model reads 如果还有疑问我再跟您说一遍 as inviting the customer "
        "back (offer_further_help), as the blind corpus's labellers often do; this set labels it a check alone",
}


def _cases():
    for index, entry in enumerate(LABELLED):
        reason = KNOWN_MISSES.get(entry["text"])
        marks = pytest.mark.xfail(reason=reason, strict=True) if reason else ()
        yield pytest.param(entry, marks=marks, id=f"{index:03d}")


@pytest.mark.parametrize("entry", list(_cases()))
def test_labelled_reply(entry, norms):
    verdict = score_reply(entry["text"], norms)
    assert (sorted(verdict.element_names), sorted(verdict.violation_names)) == (
        sorted(entry["elements"]), sorted(entry["violations"])), verdict.as_json()
