"""The two blind sets, scored with the shipped norms, must match their QA labels.

blind_replies.yaml was written from the seed material before the norms were read;
blind_replies_2.yaml was written after the first round of norms changes and measured once
before any fix (figures in docs/authoring/norms.md). blind_replies_3.yaml was written before the
intent rules (rules.intent_rules) and blind_replies_4.yaml after them, each measured once.
All are now regression sets: a change
that breaks one of these replies has to be justified like a change to the labelled set.
A reply the scorer is known to get wrong stays here as a strict xfail with the reason, so the
label stays honest and a later fix shows up as XPASS.
"""

from pathlib import Path

import pytest
import yaml

from webapp.roleplay.norms import ALL_CATEGORIES, ELEMENT_CATEGORIES, VIOLATION_CATEGORIES, load_norms
from webapp.roleplay.scoring import score_reply

ROOT = Path(__file__).resolve().parents[2]
SETS = ("blind_replies.yaml", "blind_replies_2.yaml", "blind_replies_3.yaml", "blind_replies_4.yaml")
MINIMUM_SIZE = {"blind_replies.yaml": 200, "blind_replies_2.yaml": 60, "blind_replies_3.yaml": 120,
                "blind_replies_4.yaml": 60}

# text -> why the scorer misses it (known weaknesses, see docs/authoring/norms.md §7)
# (这个不能退，钱已经扣了。 is now caught by the bare-refusal rule; 这个月的费用不给减免。 by the
# learned model.)
KNOWN_MISSES = {
    "您忘了上次我们通知过您吗":
        "blame rule is cancelled by 我们 in the clause (kept so 我们没注意 is not blame)",
    # Read differently since the model was retrained on w106–w113 (19,706 replies):
    "先生，让您久等了，感谢您的耐心等待。您的话费余额是36.5元。":
        "the learned model reads thanks for waiting at the start of an answer as a closing",
    "好了，就这样吧。":
        "the learned model reads a bare 就这样吧 as the brush-off it is in the corpus (没办法，就这样吧); "
        "this set labels it a neutral ending",
    "我理解您的心情，但是这个真的不归我们管。":
        "labelled empathy beside the brush-off; the norms read sympathy beside a forbidden phrase as "
        "hollow (empathy.hollow_with), as the blind corpus's labellers do in all but this one of 3,797",
}


def _load(name: str) -> list[dict]:
    return yaml.safe_load((ROOT / "tests/roleplay" / name).read_text(encoding="utf-8"))


def _cases():
    for name in SETS:
        for index, entry in enumerate(_load(name)):
            marks = ()
            if entry["text"] in KNOWN_MISSES:
                marks = pytest.mark.xfail(reason=KNOWN_MISSES[entry["text"]], strict=True)
            yield pytest.param(entry, marks=marks, id=f"{name.split('.')[0]}-{index:03d}")


@pytest.fixture(scope="module")
def norms():
    return load_norms(ROOT / "quizzes/roleplay/norms.yaml")


@pytest.mark.parametrize("name", SETS)
def test_blind_set_shape(name):
    entries = _load(name)
    assert len(entries) >= MINIMUM_SIZE[name]
    texts = [entry["text"] for entry in entries]
    assert len(set(texts)) == len(texts), "duplicate replies"
    for entry in entries:
        assert set(entry) == {"text", "elements", "violations"}
        assert set(entry["elements"]) <= set(ELEMENT_CATEGORIES)
        assert set(entry["violations"]) <= set(VIOLATION_CATEGORIES)
    covered = {n for entry in entries for n in entry["elements"] + entry["violations"]}
    assert covered == set(ALL_CATEGORIES)


@pytest.mark.parametrize("entry", list(_cases()))
def test_blind_reply(entry, norms):
    verdict = score_reply(entry["text"], norms)
    assert (sorted(verdict.element_names), sorted(verdict.violation_names)) == (
        sorted(entry["elements"]), sorted(entry["violations"])), verdict.as_json()
