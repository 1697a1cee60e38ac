import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.quizzes.builders import make_bank, question_section
from webapp.quizzes.questions import QUESTION_TYPES, InvalidAnswer, normalise_text

BANK = make_bank(sections=[question_section(number, type=name) for number, name in enumerate(QUESTION_TYPES, start=1)])
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
            "ordering": ["2", "0", "1"], "matching": ["1", "0", "2"], "numerical": ["10.2 元"]}[type_name]
    view = qtype.public_view(q, order, answer(q, order, sent))
    shown = {
        "single": lambda: [str(c["value"]) for c in view["choices"] if c["selected"]],
        "multiple": lambda: [str(c["value"]) for c in view["choices"] if c["selected"]],
        "truefalse": lambda: [str(c["value"]) for c in view["choices"] if c["selected"]],
        "fill": lambda: [view["text"]],
        "numerical": lambda: [view["text"]],
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


def one_question(type_name: str, answer_block: str, extra: str = "", stem: str = "题干？"):
    section = question_section(1, type=type_name).split("\n")
    head = section[:5] + [line for line in extra.split("\n") if line]  # heading, type … lesson
    text = "\n".join(head) + f"\n\n{stem}\n\n{answer_block}\n\n> 解析。\n"
    return make_bank(sections=[text]).questions[0]


def test_weighted_single_gives_the_weight_of_the_option_picked():
    q = one_question("single", "- [x] 全对\n- [ ] {50%} 半对\n- [ ] 错")
    assert q.weights == (1.0, 0.5, 0.0)
    assert [grade(q, index) for index in (0, 1, 2, None)] == [1.0, 0.5, 0.0, 0.0]
    assert q.question_type.key_lines(q) == ["全对 (100%)", "半对 (50%)"]


@pytest.mark.parametrize(("picks", "score"), [
    ([0, 1], 1.0), ([0], 0.5), ([0, 2], 0.0), ([0, 1, 2], 0.5), ([0, 1, 3], 1.0), ([2, 3], 0.0), ([], 0.0)])
def test_weighted_multiple_sums_the_weights_picked_within_0_and_1(picks, score):
    """Moodle's multiple-answer grading: the weights picked add up, penalties included, clamped."""
    q = one_question("multiple", "- [x] {50%} 甲\n- [x] {50%} 乙\n- [ ] {-50%} 丙\n- [ ] 丁")
    assert grade(q, picks) == pytest.approx(score)


def test_weighted_multiple_thirds_add_up_to_full_marks():
    q = one_question("multiple", "- [x] {33.333%} 甲\n- [x] {33.333%} 乙\n- [x] {33.333%} 丙\n- [ ] {-100%} 丁")
    assert grade(q, [0, 1, 2]) == pytest.approx(1.0, abs=1e-4) and grade(q, [0, 1, 2, 3]) == 0.0


def test_fill_partial_credit_wildcards_and_case():
    q = one_question("fill", "- 先查证后退费\n- {50%} 先查证*\n- {20%} *退费", stem="原则是____。")
    assert q.weights == (1.0, 0.5, 0.2)
    assert grade(q, "先查证，后退费") == 1.0  # the first answer that matches counts, in written order
    assert grade(q, "先查证再说") == 0.5 and grade(q, "直接退费") == 0.2 and grade(q, "不知道") == 0.0
    assert q.question_type.key_lines(q) == ["先查证后退费 (100%)", "先查证* (50%)", "*退费 (20%)"]
    cased = one_question("fill", "- iPhone", extra="case: sensitive", stem="____")
    assert grade(cased, "iPhone") == 1.0 and grade(cased, "iphone") == 0.0
    assert grade(one_question("fill", "- iPhone", stem="____"), "IPHONE") == 1.0


@pytest.mark.parametrize(("typed", "score"), [
    ("1.5", 1.0), ("1.6", 1.0), ("1.4", 1.0), ("1.61", 0.5), ("１．５", 1.0), ("1,5", 1.0), ("1.5元", 1.0),
    ("1.5 元", 1.0), ("1.5米", 0.0), ("2", 0.5), ("2.3", 0.0), ("abc", 0.0), ("", 0.0), ("15", 0.0)])
def test_numerical_tolerance_ranges_weights_and_units(typed, score):
    q = one_question("numerical", "- 1.5:0.1\n- {50%} 1..2", extra="units: [元]")
    assert (q.accepted, q.tolerances, q.weights, q.units) == (("1.5", "1.5"), (0.1, 0.5), (1.0, 0.5), ("元",))
    assert grade(q, answer(q, (), [typed])) == score


def test_numerical_first_matching_answer_counts_and_star_catches_any_number():
    q = one_question("numerical", "- 10\n- {30%} 10:5\n- {10%} *")
    assert [grade(q, value) for value in ("10", "12", "-99", "十")] == [1.0, 0.3, 0.1, 0.0]
    assert q.question_type.key_lines(q) == ["10 (100%)", "10 ± 5 (30%)", "* (10%)"]
    assert q.question_type.correct_answer(q) == "10"


def test_matching_with_extra_right_items():
    q = one_question("matching", "- 左一 => 右一\n- 左二 => 右二\n- => 干扰项")
    assert q.options == ("左一", "左二") and q.distractors == ("干扰项",)
    order = q.question_type.draw_order(q, random.Random(1), True)
    assert sorted(q.question_type.public_view(q, order)["choices"]) == sorted(["右一", "右二", "干扰项"])
    assert grade(q, [0, 1]) == 1.0 and grade(q, [2, 1]) == 0.5
