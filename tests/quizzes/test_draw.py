from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.quizzes.builders import indexes, make_bank, make_blueprint, synthetic_bank
from webapp.quizzes.blueprint import DrawRule
from webapp.quizzes.draw import DrawError, draw_attempt

BIG = indexes(synthetic_bank(10_000))
BIG_REBUILT = indexes(synthetic_bank(10_000))  # same content, fresh objects and caches


def ids(slots):
    return [slot.question.id for slot in slots]


@given(st.integers(min_value=0, max_value=2**63 - 1), st.integers(min_value=1, max_value=40))
def test_the_seed_reproduces_the_draw(seed, count):
    blueprint = make_blueprint(DrawRule("big", count, tags=("甲",)), DrawRule("big", 5, difficulty=2))
    first = draw_attempt(seed, blueprint, BIG)
    assert first == draw_attempt(seed, blueprint, BIG_REBUILT)
    assert len(first) == count + 5
    assert len(set(ids(first))) == count + 5  # no repeats within an attempt


@given(st.integers(min_value=0, max_value=2**32), st.sets(st.integers(0, 59), max_size=60))
def test_unseen_questions_come_first(seed, seen_numbers):
    bank = synthetic_bank(60, bank="mid")
    seen = {f"mid.q{n:05d}" for n in seen_numbers}
    slots = draw_attempt(seed, make_blueprint(DrawRule("mid", 20)), indexes(bank), seen)
    fresh = [i for i in ids(slots) if i not in seen]
    assert len(fresh) == min(20, 60 - len(seen))
    assert len(set(ids(slots))) == 20


@pytest.mark.parametrize("size, count", [(30, 7), (12, 4), (1000, 20)])
def test_no_repeats_until_the_bank_is_exhausted(size, count):
    """A trainee who keeps attempting sees every question once before any comes back."""
    bank = indexes(synthetic_bank(size, bank="cyc"))
    blueprint = make_blueprint(DrawRule("cyc", count))
    seen: set[str] = set()
    shown: list[str] = []
    for attempt in range(size // count):
        drawn = ids(draw_attempt(attempt, blueprint, bank, seen))
        assert seen.isdisjoint(drawn)
        seen.update(drawn)
        shown += drawn
    assert len(shown) == len(set(shown)) == (size // count) * count


def test_every_question_is_reachable_and_draws_are_roughly_uniform():
    bank = synthetic_bank(40, bank="uni")
    blueprint = make_blueprint(DrawRule("uni", 5))
    counts = Counter(i for seed in range(4000) for i in ids(draw_attempt(seed, blueprint, indexes(bank))))
    assert len(counts) == 40
    expected = 4000 * 5 / 40  # 500
    assert all(abs(n - expected) < 0.25 * expected for n in counts.values())


def test_filters_and_rule_order_without_shuffle():
    bank = make_bank(count=12)
    blueprint = make_blueprint(DrawRule("demo", 2, type="single"), DrawRule("demo", 4), shuffle_questions=False, shuffle_options=False)
    for seed in range(30):
        slots = draw_attempt(seed, blueprint, indexes(bank))
        assert [s.question.type for s in slots[:2]] == ["single", "single"]
        assert [s.position for s in slots] == list(range(6))
        rest = [s.question.line for s in slots[2:]]
        assert rest == sorted(rest)
        assert all(s.option_order == tuple(range(len(s.question.options))) for s in slots if s.question.type in ("single", "multiple"))


def test_option_orders_are_recorded_per_slot_and_vary():
    bank = make_bank(count=12)
    blueprint = make_blueprint(DrawRule("demo", 12))
    orders = Counter()
    for seed in range(50):
        for slot in draw_attempt(seed, blueprint, indexes(bank)):
            size = {"fill": 0, "truefalse": 0, "matching": 3}.get(slot.question.type, len(slot.question.options))
            assert sorted(slot.option_order) == list(range(size))
            if slot.question.type == "single":
                orders[slot.option_order] += 1
    assert len(orders) == 6  # every permutation of three options shows up


def test_a_pool_too_small_raises():
    with pytest.raises(DrawError):
        draw_attempt(1, make_blueprint(DrawRule("demo", 3, type="single")), indexes(make_bank(count=6)))
    with pytest.raises(DrawError):
        draw_attempt(1, make_blueprint(DrawRule("nope", 1)), indexes(make_bank(count=6)))


@settings(max_examples=50)
@given(st.integers(0, 2**32), st.sets(st.integers(0, 9_999), max_size=9_000))
def test_large_seen_sets_still_prefer_unseen(seed, seen_numbers):
    seen = {f"big.q{n:05d}" for n in seen_numbers}
    drawn = ids(draw_attempt(seed, make_blueprint(DrawRule("big", 20)), BIG, seen))
    assert seen.isdisjoint(drawn) and len(set(drawn)) == 20
