"""The learned model: read without scikit-learn exactly as scikit-learn computes it, learned from
the development part only, and joined to the rules as the norms say."""
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.roleplay.corpus import load, training_set
from webapp.roleplay.learned import MODEL_PATH, NGRAM_MAX, ReplyModel, shipped_model
from webapp.roleplay.norms import fold, load_norms, parse_norms
from webapp.roleplay.call import judge_violations
from webapp.roleplay.scoring import Hit, ReplyVerdict, score_reply

NORMS_PATH = Path(__file__).resolve().parents[2] / "quizzes" / "roleplay" / "norms.yaml"
SAMPLE = ["您自己不看短信，现在来问谁呢？", "莫名其妙被扣了钱，换成谁心里都不舒服，我能体会您的心情。",
          "您好，请问有什么可以帮您？", "ＯＮＵ的ＬＯＳ灯红了", "",
          "您的宽带今天下午恢复，给您添麻烦了。" * 20]  # longer than the n-gram kernel's stack buffer


@pytest.fixture(scope="module")
def data():
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def test_probabilities_are_what_scikit_learn_computes(data):
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, NGRAM_MAX), sublinear_tf=True, lowercase=False,
                              vocabulary=data["ngrams"])
    vectors.idf_ = np.array(data["idf"])
    texts = [fold(text) for text in SAMPLE] + [fold(entry["text"]) for entry in load("dev")[:200]]
    matrix = vectors.transform(texts)
    model = shipped_model()
    for category, spec in data["categories"].items():
        expected = 1 / (1 + np.exp(-(matrix @ np.array(spec["weights"]) + spec["intercept"])))
        got = [model.read(text).probability(category) for text in texts]
        assert got == pytest.approx(expected.tolist(), abs=1e-9), category


def test_the_models_of_phrase_hits_are_what_scikit_learn_computes(data):
    assert data["hits"], "the shipped model carries a model of forbidden_phrase's phrase hits"
    texts = [fold(text) for text in SAMPLE] + [fold(entry["text"]) for entry in load("dev")[:200]]
    for category, part in data["hits"].items():
        assert list(part["categories"]) == [category] and 0 < part["replies"] < data["replies"]
        vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, NGRAM_MAX), sublinear_tf=True, lowercase=False,
                                  vocabulary=part["ngrams"])
        vectors.idf_ = np.array(part["idf"])
        spec = part["categories"][category]
        expected = 1 / (1 + np.exp(-(vectors.transform(texts) @ np.array(spec["weights"]) + spec["intercept"])))
        got = [shipped_model().hits[category].read(text).probability(category) for text in texts]
        assert got == pytest.approx(expected.tolist(), abs=1e-9), category


def test_the_model_never_saw_the_frozen_part(data):
    learned_from = training_set()
    assert data["replies"] == len(learned_from)
    counts: dict[str, int] = {}
    for entry in learned_from:
        text = fold(entry["text"])
        for ngram in {text[i:i + n] for n in range(1, NGRAM_MAX + 1) for i in range(len(text) - n + 1)}:
            counts[ngram] = counts.get(ngram, 0) + 1
    # the vocabulary is exactly the n-grams of two or more of those replies, none of them frozen
    assert sorted(data["ngrams"]) == sorted(ngram for ngram, count in counts.items() if count >= 2)
    frozen = load("frozen")
    assert not {entry["id"] for entry in frozen} & {entry["id"] for entry in learned_from if "id" in entry}
    assert not {entry["text"] for entry in frozen} & {entry["text"] for entry in learned_from}


def test_evidence_is_the_clause_that_weighs_most():
    reading = shipped_model().read(fold("好的，我帮您查一下，您自己不看短信，现在来问谁呢"))
    clauses = [(0, 2), (3, 9), (10, 17), (18, 24)]
    (start, end), cues = reading.evidence("forbidden_phrase", clauses)
    assert (start, end) in clauses[2:] and len(cues) <= 3 and all(len(cue) > 1 for cue in cues)


def test_a_model_file_of_another_shape_is_refused():
    with pytest.raises(ValueError, match="n-grams up to 4"):
        ReplyModel.from_json(json.dumps({"ngram_max": 4, "ngrams": [], "idf": [], "categories": {}, "replies": 0}))


def _norms_with(learned: str):
    """The shipped norms with no category consulting the model but forbidden_phrase as given."""
    text = re.sub(r"(?m)^    learned: .*\n", "", NORMS_PATH.read_text(encoding="utf-8"))
    marker = "  forbidden_phrase:\n    label: 服务禁语\n"
    assert marker in text
    return parse_norms(text.replace(marker, marker + learned), "norms.yaml")


def test_norms_choose_how_the_model_joins_the_rules():
    # a brush-off no phrase of the norms names: the model finds it, with a clause and its cues
    reply = "您好，这个事情呢我们这边也是按规矩来的，您要是真想弄明白，回去把合同翻出来自己对一对就知道了。"
    rules_only, _ = _norms_with("")
    assert "forbidden_phrase" not in score_reply(reply, rules_only).violation_names
    alone, problems = _norms_with("    learned: {find_from: 0.5}\n")
    assert problems == []
    probability = shipped_model().read(fold(reply)).probability("forbidden_phrase")
    assert probability >= 0.5
    (hit,) = [hit for hit in score_reply(reply, alone).violations if hit.category == "forbidden_phrase"]
    assert hit.by_model and hit.phrase.startswith(f"learned model {probability:.2f}: ")
    assert hit.evidence in reply and reply[hit.span[0]:hit.span[1]] == hit.evidence

    vetoing, _ = _norms_with("    learned: {veto_below: 1.0}\n")
    stuffed = "您别激动，激动也没用，这个退不了。"
    assert "forbidden_phrase" in score_reply(stuffed, rules_only).violation_names
    verdict = score_reply(stuffed, vetoing)
    assert "forbidden_phrase" not in verdict.violation_names
    reasons = [s.reason for s in verdict.suppressed if s.category == "forbidden_phrase"]
    assert reasons and all("the learned model rates forbidden_phrase at" in reason for reason in reasons)


def test_a_veto_with_hits_reads_the_whole_reply_with_the_model_of_phrase_hits():
    rules_only, _ = _norms_with("")
    by_hits, problems = _norms_with("    learned: {veto_below: 0.15, veto_with_hits: true}\n")
    assert problems == []
    # the alternative that makes a refusal acceptable comes in the sentence after it
    kind = "这台手机我们检测下来是主板进水了，进水不在保修范围内，这个我们实在帮不了您。您可以送去品牌官方售后，他们能做付费维修，地址我给您写在这张纸上。"
    assert "forbidden_phrase" in score_reply(kind, rules_only).violation_names  # 帮不了您 is listed
    verdict = score_reply(kind, by_hits)
    assert "forbidden_phrase" not in verdict.violation_names
    (reason,) = {s.reason for s in verdict.suppressed if s.category == "forbidden_phrase"}
    assert "the learned model of its phrase hits rates forbidden_phrase at" in reason and "in its sentence" not in reason
    for rude in ("您能不能先听我说完？别老插嘴。", "不可能，这个套餐肯定比您现在的便宜。"):
        assert "forbidden_phrase" in score_reply(rude, by_hits).violation_names, rude


def test_the_model_does_not_overrule_what_the_norms_judged():
    always, _ = _norms_with("    learned: {find_from: 0.0}\n")  # the model would find it in any reply
    for reply, why in (("我这边听不太清楚。", "but the norms cancelled it here: 不太清楚 overlaps the polite phrase"),
                       ("没关系，您不必介意，这是我们应该做的。", "but the clause holds the polite phrase 没关系")):
        verdict = score_reply(reply, always)
        assert "forbidden_phrase" not in verdict.violation_names
        assert any(why in s.reason for s in verdict.suppressed), verdict.suppressed
    assert "forbidden_phrase" not in score_reply("你好", always).violation_names  # too short to judge alone
    assert "forbidden_phrase" in score_reply("好的，我这边帮您看一下账单明细。", always).violation_names


def test_a_violation_only_the_model_finds_never_ends_a_call():
    by_model = Hit("forbidden_phrase", "按规矩来的", (0, 5), "learned model 0.97: 规矩", by_model=True)
    by_phrase = Hit("forbidden_phrase", "不归我们管", (6, 11), "不归我们管")
    for hits, critical in (([by_model], False), ([by_phrase], True), ([by_model, by_phrase], True)):
        verdict = ReplyVerdict([], hits, [], -30, [])
        (criterion,) = judge_violations(verdict, ["forbidden_phrase"])
        assert criterion.critical is critical and not criterion.passed


def test_beside_another_category_the_model_must_be_surer():
    # from 0.0 the model finds the category in any reply; beside an apology it would need 1.0
    beside, problems = _norms_with("    learned: {find_from: 0.0, find_beside: {apology: 1.0}}\n")
    assert problems == []
    assert "forbidden_phrase" in score_reply("好的，我这边帮您看一下账单明细。", beside).violation_names
    assert "forbidden_phrase" not in score_reply("抱歉，我这边帮您看一下账单明细。", beside).violation_names


@pytest.mark.parametrize("learned, message", [
    ("    learned: {find_from: 0.5, find_beside: {sorry: 0.9}}\n", "learned.find_beside: unknown key 'sorry'"),
    ("    learned: {find_from: 0.5, find_beside: {apology: 0.4}}\n",
     "learned.find_beside.apology: expected a probability between find_from (0.5) and 1"),
    ("    learned: {veto_below: 0.2, find_beside: {apology: 0.9}}\n", "learned.find_beside: needs find_from"),
    ("    learned: {find_from: 1.5}\n", "violations.forbidden_phrase.learned.find_from: expected a probability"),
    ("    learned: {veto_below: 0.6, find_from: 0.5}\n", "find_from must not be below veto_below"),
    ("    learned: {alone: 0.5}\n", "violations.forbidden_phrase.learned: unknown key 'alone'"),
    ("    learned: {veto_below: 0.3, veto_with_hits: 1}\n", "learned.veto_with_hits: expected true or false"),
])
def test_bad_learned_settings_are_named_at_their_line(learned, message):
    norms, problems = _norms_with(learned)
    assert norms is None and any(message in problem.message for problem in problems)
    assert all(problem.line > 0 for problem in problems)


def test_shipped_norms_consult_the_model_within_bounds():
    norms = load_norms(NORMS_PATH)
    consulting = {name: category.learned for name, category in norms.categories.items() if category.learned}
    assert consulting, "the shipped norms consult the learned model"
    for learned in consulting.values():
        assert 0 <= learned.veto_below <= (learned.find_from if learned.find_from is not None else 1) <= 1
    assert not math.isnan(shipped_model().read("").probability("forbidden_phrase"))


def test_the_model_s_evidence_is_never_an_empty_clause():
    """A reply opening with punctuation has an empty first segment; the model's evidence is a
    clause with words in it (found by the property test of tests/roleplay/test_scoring.py)."""
    always, _ = _norms_with("    learned: {find_from: 0.0}\n")
    verdict = score_reply("。分解，你不的歉号2解情", always)
    found = [hit for hit in verdict.violations if hit.by_model]
    assert found and all(hit.evidence and hit.span[0] < hit.span[1] for hit in found)
