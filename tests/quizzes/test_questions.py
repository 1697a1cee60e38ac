import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.quizzes.builders import make_bank
from webapp.quizzes.questions import QUESTION_TYPES, InvalidAnswer, normalise_text

BANK = make_bank(count=6)
Q = {q.type: q for q in BANK.questions}


def answer(question, order, values):
    return question.question_type.normalise(question, order, values)


def grade(question, canonical):
    return question.question_type.grade(question, canonical)


def test_single_is_all_or_nothing_through_the_shown_order():
    q = Q["single"]  # options 甲 乙(right) 丙
    order = (2, 1, 0)  # shown: 丙 乙 甲
    assert answer(q, order, ["1"]) == 1 and grade(q, 1) == 1.0
    assert answer(q, order, ["0"]) == 2 and grade(q, 2) == 0.0
    assert answer(q, order, []) is None and grade(q, None) == 0.0
    assert answer(q, order, [""]) is None


@pytest.mark.parametrize(("picks", "score"), [
    ([0, 1], 1.0), ([0], 0.5), ([0, 1, 2], 0.5), ([0, 2], 0.0), ([2, 3], 0.0), ([0, 1, 2, 3], 0.0), ([], 0.0),
])
def test_multiple_gives_partial_credit(picks, score):
    q = Q["multiple"]  # 甲 乙 right, 丙 丁 wrong
    assert grade(q, answer(q, (0, 1, 2, 3), [str(p) for p in picks])) == score


def test_truefalse_and_fill():
    assert grade(Q["truefalse"], answer(Q["truefalse"], (), ["0"])) == 1.0
    assert grade(Q["truefalse"], answer(Q["truefalse"], (), ["1"])) == 0.0
    fill = Q["fill"]  # accepts 先查证后退费
    for typed in ["先查证后退费", " 先查证，后退费。", "“先查证后退费”", "先 查 证 后 退 费", "先查证后退费！"]:
        assert grade(fill, answer(fill, (), [typed])) == 1.0, typed
    assert grade(fill, answer(fill, (), ["先退费后查证"])) == 0.0
    assert answer(fill, (), ["   "]) is None


def test_fill_tolerates_width_case_and_punctuation():
    assert normalise_text("ＡＢＣ１２３") == normalise_text("abc 123") == "abc123"
    assert normalise_text("１０００（０）。") == normalise_text("1000(0).") == "10000"
    assert normalise_text("¥10") == "¥10"  # symbols are kept


@given(st.text(alphabet="先查证后退费", min_size=1, max_size=8),
       st.lists(st.sampled_from(list(" 　，。、！？“”,.!?()（）：:;；-—") + ["\t"]), max_size=6), st.randoms())
def test_fill_ignores_any_inserted_punctuation_and_spaces(word, noise, rnd):
    chars = list(word)
    for mark in noise:
        chars.insert(rnd.randrange(len(chars) + 1), mark)
    assert normalise_text("".join(chars)) == normalise_text(word)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12))
def test_fill_ignores_full_width_forms_and_case(word):
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in word.upper())
    assert normalise_text(full_width) == normalise_text(word)


def test_ordering_scores_the_share_in_place():
    q = Q["ordering"]  # 受理 查证 回复
    order = (2, 0, 1)  # shown: 回复 受理 查证
    right = answer(q, order, ["1", "2", "0"])
    assert right == [0, 1, 2] and grade(q, right) == 1.0
    assert grade(q, answer(q, order, ["1", "0", "2"])) == pytest.approx(1 / 3)
    assert grade(q, answer(q, order, ["1", "", ""])) == pytest.approx(1 / 3)
    with pytest.raises(InvalidAnswer):
        answer(q, order, ["1", "1", "0"])
    with pytest.raises(InvalidAnswer):
        answer(q, order, ["1", "2"])


def test_matching_scores_the_share_of_pairs():
    q = Q["matching"]
    order = (1, 2, 0)  # shown choices: 右二 右三 右一
    assert grade(q, answer(q, order, ["2", "0", "1"])) == 1.0
    assert grade(q, answer(q, order, ["2", "1", ""])) == pytest.approx(1 / 3)
    with pytest.raises(InvalidAnswer):
        answer(q, order, ["2", "9", "1"])


@pytest.mark.parametrize("bad", [["x"], ["-1"], ["7"], ["0", "1"]])
def test_invalid_values_are_rejected(bad):
    with pytest.raises(InvalidAnswer):
        answer(Q["single"], (0, 1, 2), bad)


@pytest.mark.parametrize("type_name", list(QUESTION_TYPES))
def test_public_view_never_contains_the_key_or_explanation(type_name):
    q = Q[type_name]
    qtype = QUESTION_TYPES[type_name]
    for seed in range(20):
        order = qtype.draw_order(q, random.Random(seed), shuffle_options=True)
        view = json.dumps(qtype.public_view(q, order), ensure_ascii=False)
        assert q.explanation not in view
        assert "correct" not in view and "accepted" not in view and "matches" not in view
        for accepted in q.accepted:
            assert accepted not in view
        if type_name == "ordering":  # the written order is the key: it must never be shown
            assert qtype.public_view(q, order)["items"] != list(q.options)


@pytest.mark.parametrize("type_name", list(QUESTION_TYPES))
def test_saved_answer_round_trips_through_the_view(type_name):
    """What the page shows as selected is what the trainee sent (so resume shows the same answers)."""
    q = Q[type_name]
    qtype = QUESTION_TYPES[type_name]
    order = qtype.draw_order(q, random.Random(3), shuffle_options=True)
    sent = {"single": ["2"], "multiple": ["0", "3"], "truefalse": ["1"], "fill": ["先查证"],
            "ordering": ["2", "0", "1"], "matching": ["1", "0", "2"]}[type_name]
    view = qtype.public_view(q, order, answer(q, order, sent))
    shown = {
        "single": lambda: [str(c["value"]) for c in view["choices"] if c["selected"]],
        "multiple": lambda: [str(c["value"]) for c in view["choices"] if c["selected"]],
        "truefalse": lambda: [str(c["value"]) for c in view["choices"] if c["selected"]],
        "fill": lambda: [view["text"]],
        "ordering": lambda: [str(p) for p in view["sequence"]],
        "matching": lambda: [str(p) for p in view["selected"]],
    }[type_name]()
    assert shown == sent


@pytest.mark.parametrize("type_name", list(QUESTION_TYPES))
def test_correct_answer_earns_full_marks(type_name):
    q = Q[type_name]
    assert q.question_type.grade(q, q.question_type.correct_answer(q)) == 1.0


def test_ordering_is_never_drawn_in_the_written_order():
    q = Q["ordering"]
    orders = {QUESTION_TYPES["ordering"].draw_order(q, random.Random(seed), False) for seed in range(200)}
    assert (0, 1, 2) not in orders and len(orders) == 5
