"""Cohen's kappa per criterion, machine against trainer: hand-computed examples (no app)."""
from datetime import datetime

import pytest

from webapp.roleplay.calibration import (
    KEY_POINT, Agreement, KeyPointRef, Rating, calibrate, criterion_of, month_of, ratings_of_call,
)
from webapp.roleplay.call import Criterion
from webapp.roleplay.norms import VIOLATION_CATEGORIES

T, F = True, False


def pairs(**counts) -> list[tuple[bool, bool]]:
    """``tt=4, tf=1`` → four (machine passed, trainer passed) and one (passed, not passed)."""
    table = {"tt": (T, T), "tf": (T, F), "ft": (F, T), "ff": (F, F)}
    return [table[cell] for cell, count in counts.items() for _ in range(count)]


def test_kappa_of_a_balanced_table():
    # p_o = 8/10; both sides say "passed" half the time: p_e = .5·.5 + .5·.5 = .5; κ = .3/.5 = .6
    agreement = Agreement.of(pairs(tt=4, tf=1, ft=1, ff=4))
    assert (agreement.n, agreement.agreed, agreement.observed, agreement.expected) == (10, 8, 0.8, 0.5)
    assert agreement.kappa == 0.6  # exactly: computed in integers, so not flagged at a 0.6 threshold
    assert not agreement.flagged(0.6, 10) and agreement.flagged(0.61, 10)


def test_kappa_of_an_unbalanced_table():
    # 50 judgements: machine passes 25 (.5), trainer 30 (.6); p_o = 35/50 = .7;
    # p_e = .5·.6 + .5·.4 = .5; κ = (.7 − .5) / (1 − .5) = .4
    agreement = Agreement.of(pairs(tt=20, tf=5, ft=10, ff=15))
    assert agreement.observed == 0.7 and agreement.expected == pytest.approx(0.5)
    assert agreement.kappa == pytest.approx(0.4)
    assert agreement.flagged(0.6, 10) and not agreement.flagged(0.6, 51)  # too few judgements


def test_perfect_agreement_and_perfect_disagreement():
    assert Agreement.of(pairs(tt=3, ff=2)).kappa == 1.0
    # p_o = 0, p_e = .5: κ = −.5/.5 = −1
    assert Agreement.of(pairs(tf=5, ft=5)).kappa == -1.0


def test_one_sided_tables_have_no_kappa_only_agreement():
    # The machine found a violation every time (machine "passed" = 0) and trainers dismissed one:
    # κ would be 0 whatever the agreement, so it is undefined and never flagged.
    violations = Agreement.of(pairs(ff=9, ft=1))
    assert violations.one_sided and violations.kappa is None and violations.observed == 0.9
    assert not violations.flagged(0.6, 10)
    # Both sides "passed" every time: p_e = 1, 0/0.
    assert Agreement.of(pairs(tt=12)).kappa is None and Agreement.of(pairs(tt=12)).observed == 1.0
    empty = Agreement()
    assert (empty.n, empty.observed, empty.expected, empty.kappa) == (0, None, None, None)


def test_agreements_add_up():
    assert Agreement.of(pairs(tt=2, tf=1)) + Agreement.of(pairs(ft=1, ff=2)) == Agreement.of(pairs(tt=2, tf=1, ft=1, ff=2))


def test_criteria_of_turn_keys():
    assert criterion_of("greeting") == "greeting"
    assert criterion_of("key_point_2") == KEY_POINT
    assert criterion_of("violation.forbidden_phrase") == "violation.forbidden_phrase"
    assert month_of(datetime(2026, 3, 31, 23, 59)) == "2026-03"


def criterion(key, machine, label=None, kind="requirement"):
    return Criterion(key, label or key, kind, machine, machine)


def test_a_reviewed_call_is_the_machine_verdict_unless_overridden():
    turns = [
        (1, [criterion("greeting", T), criterion("key_point_1", F, "询问号码")]),
        (2, [criterion("empathy", F), criterion("violation.forbidden_phrase", F, "forbidden_phrase", "violation")]),
    ]
    overrides = {(1, "key_point_1"): T, (2, "violation.forbidden_phrase"): T, (2, "empathy"): F}
    overrides[2, "violation.jargon"] = F  # a trainer found jargon the machine missed
    ratings = ratings_of_call("unexpected-fee", "2026-03", turns, overrides)
    assert [(r.criterion, r.machine, r.trainer) for r in ratings if not (r.machine and r.trainer)] == [
        (KEY_POINT, F, T), ("empathy", F, F), ("violation.forbidden_phrase", F, T), ("violation.jargon", T, F),
    ]
    # every turn is rated once per violation category, whether the machine found it or not
    assert sum(r.criterion.startswith("violation.") for r in ratings) == 2 * len(VIOLATION_CATEGORIES)
    assert ratings[1].key_point == KeyPointRef("unexpected-fee", 1, "key_point_1", "询问号码")
    assert {r.month for r in ratings} == {"2026-03"} and ratings[0].key_point is None


def test_calibrate_groups_by_criterion_and_month_and_flags():
    march = [Rating("greeting", m, t, "2026-03") for m, t in pairs(tt=4, tf=1, ft=1, ff=4)]  # κ .6
    april = [Rating("greeting", m, t, "2026-04") for m, t in pairs(tt=2, tf=2, ft=2, ff=2)]  # κ 0
    forbidden = [Rating("violation.forbidden_phrase", m, t, "2026-04") for m, t in pairs(ff=8, ft=4)]
    ref = KeyPointRef("unexpected-fee", 1, "key_point_1", "询问号码")
    key_points = [Rating(KEY_POINT, m, t, "2026-04", ref) for m, t in pairs(tt=1, ft=1)]
    report = calibrate(march + april + forbidden + key_points, threshold=0.6, min_n=10)
    assert report.months == ("2026-03", "2026-04")
    assert [c.criterion for c in report.criteria] == ["greeting", KEY_POINT, "violation.forbidden_phrase"]
    greeting = report.criteria[0]
    assert greeting.month("2026-03").kappa == 0.6 and greeting.month("2026-04").kappa == 0.0
    # overall: 18 judgements, 12 agreed, 9 passed each side: p_o = 2/3, p_e = .5, κ = 1/3
    assert greeting.overall == Agreement(18, 12, 9, 9) and greeting.overall.kappa == pytest.approx(1 / 3)
    assert greeting.flagged and not greeting.month("2026-04").flagged(0.6, 10)  # April alone: 8 < 10
    assert greeting.month("2026-04").flagged(0.6, 8)
    forbidden_row = report.criteria[2]
    assert forbidden_row.is_violation and forbidden_row.category == "forbidden_phrase"
    assert forbidden_row.overall.kappa is None and forbidden_row.overall.observed == pytest.approx(8 / 12)
    assert not forbidden_row.flagged
    assert [row.key_point for row in report.key_points] == [ref] and report.key_points[0].overall.n == 2
    assert report.flagged == (greeting,) and report.n == 32
    assert report.criteria[0].month("2025-12") == Agreement()


def test_nothing_reviewed_gives_an_empty_report():
    report = calibrate([])
    assert (report.criteria, report.key_points, report.months, report.flagged, report.n) == ((), (), (), (), 0)
    assert (report.threshold, report.min_n) == (0.6, 10)
