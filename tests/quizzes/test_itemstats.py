import pytest

from webapp.quizzes.itemstats import SlotScore, cronbach_alpha, quiz_statistics


def attempts_from(matrix, ids=("a", "b", "c", "d")):
    return [[SlotScore(pos, ids[pos], score) for pos, score in enumerate(row)] for row in matrix]


# Six trainees, four questions. "d" is answered right by the weaker trainees only.
MATRIX = [
    [1, 1, 1, 0],
    [1, 1, 1, 0],
    [1, 1, 0, 0],
    [1, 0, 0, 1],
    [0, 0, 0, 1],
    [1, 0, 1, 1],
]


def test_facility_and_discrimination_on_known_data():
    stats = quiz_statistics(attempts_from(MATRIX), min_responses=5)
    by_id = {item.question_id: item for item in stats.items}
    assert by_id["a"].facility == pytest.approx(5 / 6)
    assert by_id["b"].facility == pytest.approx(0.5)
    # values from statistics.correlation(item, rest of the attempt)
    assert by_id["a"].discrimination == pytest.approx(0.4472135954999579)
    assert by_id["b"].discrimination == pytest.approx(-0.24253562503633297)
    assert by_id["d"].discrimination == pytest.approx(-0.7808688094430304)
    assert [i.question_id for i in stats.flagged] == ["b", "d"]
    assert stats.attempts == 6 and stats.mean_score == pytest.approx(14 / 24)


def test_discrimination_matches_a_plain_pearson_computation():
    stats = quiz_statistics(attempts_from(MATRIX))
    item = {i.question_id: i for i in stats.items}["c"]
    xs = [row[2] for row in MATRIX]
    ys = [sum(row) - row[2] for row in MATRIX]
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    r = cov / (sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)) ** 0.5
    assert item.discrimination == pytest.approx(r)
    assert not item.flagged  # only 6 responses: below MIN_RESPONSES nothing is flagged


def test_cronbach_alpha_known_value():
    # By hand: item variances 2.0 + 0.56 + 2.24 = 4.8, total variance 13.04 → 1.5 × (1 − 4.8/13.04) = 0.94785
    rows = [[2, 3, 3], [4, 4, 5], [3, 3, 3], [5, 4, 5], [1, 2, 1]]
    k = 3
    def var(values):
        mean = sum(values) / len(values)
        return sum((v - mean) ** 2 for v in values) / len(values)
    expected = k / (k - 1) * (1 - sum(var([r[i] for r in rows]) for i in range(k)) / var([sum(r) for r in rows]))
    assert cronbach_alpha(rows) == pytest.approx(expected)
    assert cronbach_alpha(rows) == pytest.approx(0.94785, abs=1e-5)


def test_undefined_cases():
    assert cronbach_alpha([[1, 1], [1, 1]]) is None  # no variance
    assert cronbach_alpha([[1, 0]]) is None
    stats = quiz_statistics(attempts_from([[1, 1], [1, 0]], ids=("a", "b")))
    assert {i.question_id: i.discrimination for i in stats.items}["a"] is None  # everybody right
    empty = quiz_statistics([])
    assert (empty.attempts, empty.mean_score, empty.alpha, empty.items) == (0, None, None, ())


def test_alpha_uses_slot_positions_when_questions_are_drawn_at_random():
    attempts = [
        [SlotScore(0, "a", 1), SlotScore(1, "b", 1)],
        [SlotScore(0, "c", 0), SlotScore(1, "a", 0)],
        [SlotScore(0, "b", 1), SlotScore(1, "c", 0.5)],
        [SlotScore(0, "a", 0)],  # incomplete attempt: left out of alpha, kept for items
    ]
    stats = quiz_statistics(attempts)
    assert stats.alpha == pytest.approx(cronbach_alpha([[1, 1], [0, 0], [1, 0.5]]))
    assert {i.question_id: i.responses for i in stats.items} == {"a": 3, "b": 2, "c": 2}
