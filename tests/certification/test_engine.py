"""Eligibility and state: every state, every transition, progress and date arithmetic (no app)."""
from datetime import date, datetime

import pytest

from webapp.certification.engine import (
    Assignment, CertificateIssued, CertificateRevoked, ItemKind, ModuleCompletion, ModulesStatus, QuizResult,
    QuizStatus, RecertificationAssigned, RemainingItem, RequirementOverridden, ScenarioResult, ScenariosStatus, SignificantChange, State,
    TraineeRecords, Validity, add_months, draft_certificate, evaluate, new_verification_code, requirement_keys,
    validity_on,
)
from webapp.certification.posts import PostDefinition, QuizRequirement, Requirements, ScenarioRequirement

ASSIGNED = Assignment(assigned_at=datetime(2024, 1, 2, 9), due_date=date(2024, 3, 31))
SET = ScenarioRequirement(("unexpected-fee", "cannot-hear-you", "nuisance-caller"), None, 3, 75, True)


def make_post(scenarios=SET, recertification=None, validity_months=24, window_days=60) -> PostDefinition:
    requirements = Requirements(
        modules=("role-awareness", "telephone-etiquette", "complaint-handling"),
        quizzes=(QuizRequirement("telephone-etiquette.quiz", 80),),
        scenarios=scenarios,
    )
    recertification = recertification or Requirements(quizzes=(QuizRequirement("hotline-agent.final", 85),))
    return PostDefinition("hotline-agent", "10000号客服代表", "10000 hotline agent", validity_months, window_days,
                          requirements, recertification, "岗位说明", "quizzes/posts/hotline-agent.md", "", "post-hash", {})


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour)


def module(module_id: str, day: str = "2024-02-01") -> ModuleCompletion:
    return ModuleCompletion(module_id, at(day), {f"{module_id}.intro": f"hash-{module_id}"})


def quiz(quiz_id: str, score: float, day: str = "2024-02-10") -> QuizResult:
    return QuizResult(quiz_id, score, score >= 80, at(day), attempts=1)


def call(scenario_id: str, score: float, day: str = "2024-02-20", critical=False, tags=()) -> ScenarioResult:
    return ScenarioResult(scenario_id, score, score >= 70, critical, at(day), tuple(tags), f"hash-{scenario_id}")


def records(modules=(), quizzes=(), scenarios=()) -> TraineeRecords:
    return TraineeRecords({m.module_id: m for m in modules}, {q.quiz_id: q for q in quizzes},
                          {s.scenario_id: s for s in scenarios})


def complete_records(day: str = "2024-02-20") -> TraineeRecords:
    return records(
        [module(m, day) for m in ("role-awareness", "telephone-etiquette", "complaint-handling")],
        [quiz("telephone-etiquette.quiz", 86, day)],
        [call("unexpected-fee", 80, day), call("cannot-hear-you", 78, day), call("nuisance-caller", 75, day)],
    )


def issued(cycle=1, on="2024-02-21", until=date(2026, 2, 21)) -> CertificateIssued:
    return CertificateIssued(cycle, f"code-{cycle}", at(on), until, {"post": "post-hash"})


# --- Dates and codes ---

@pytest.mark.parametrize("start, months, expected", [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),   # leap year
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 3, 31), 1, date(2024, 4, 30)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 24, date(2026, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2024, 11, 15), 2, date(2025, 1, 15)),   # across the year end
    (date(2024, 12, 31), 18, date(2026, 6, 30)),
    (date(2024, 5, 10), 0, date(2024, 5, 10)),
])
def test_add_months_is_calendar_correct(start, months, expected):
    assert add_months(start, months) == expected


def test_verification_codes_are_unguessable_and_url_safe():
    codes = {new_verification_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(len(code) == 16 and code.replace("-", "").replace("_", "").isalnum() for code in codes)


@pytest.mark.parametrize("today, revoked, expected", [
    (date(2026, 2, 21), False, Validity.VALID),   # valid through the valid-until day
    (date(2026, 2, 22), False, Validity.EXPIRED),
    (date(2025, 1, 1), True, Validity.REVOKED),
])
def test_validity_on(today, revoked, expected):
    assert validity_on(date(2026, 2, 21), revoked, today) is expected


# --- States ---

def test_a_new_assignment_is_in_progress_with_everything_left():
    evaluation = evaluate(make_post(), records(), [], ASSIGNED, date(2024, 1, 10))
    assert evaluation.state is State.IN_PROGRESS
    assert evaluation.progress == 0
    assert not evaluation.can_issue
    assert evaluation.remaining == (
        RemainingItem(ItemKind.MODULE, "role-awareness"),
        RemainingItem(ItemKind.MODULE, "telephone-etiquette"),
        RemainingItem(ItemKind.MODULE, "complaint-handling"),
        RemainingItem(ItemKind.QUIZ, "telephone-etiquette.quiz"),
        RemainingItem(ItemKind.SCENARIO, "unexpected-fee"),
        RemainingItem(ItemKind.SCENARIO, "cannot-hear-you"),
        RemainingItem(ItemKind.SCENARIO, "nuisance-caller"),
    )


def test_progress_reports_each_requirement():
    partial = records([module("role-awareness"), module("telephone-etiquette")],
                      [quiz("telephone-etiquette.quiz", 76)],
                      [call("unexpected-fee", 90), call("cannot-hear-you", 70)])
    evaluation = evaluate(make_post(), partial, [], ASSIGNED, date(2024, 2, 25))
    modules, quiz_status, scenarios = evaluation.requirements
    assert modules == ModulesStatus(("role-awareness", "telephone-etiquette", "complaint-handling"),
                                    ("role-awareness", "telephone-etiquette"))
    assert modules.units == (2, 3) and not modules.met
    assert quiz_status == QuizStatus("telephone-etiquette.quiz", 80, 76) and not quiz_status.met
    assert isinstance(scenarios, ScenariosStatus)
    assert [r.scenario_id for r in scenarios.counted] == ["unexpected-fee", "cannot-hear-you"]
    assert scenarios.average == 80 and scenarios.units == (2, 4)
    # 2 modules + 0 quiz + 2 calls of 3 + quality rule not yet = 4 of 8 units
    assert evaluation.progress == pytest.approx(4 / 8)
    assert evaluation.remaining == (
        RemainingItem(ItemKind.MODULE, "complaint-handling"),
        RemainingItem(ItemKind.QUIZ, "telephone-etiquette.quiz", reason="score"),
        RemainingItem(ItemKind.SCENARIO, "nuisance-caller"),
    )


def test_all_requirements_met_means_a_certificate_may_be_issued():
    evaluation = evaluate(make_post(), complete_records(), [], ASSIGNED, date(2024, 2, 21))
    assert evaluation.state is State.IN_PROGRESS
    assert evaluation.all_met and evaluation.can_issue
    assert evaluation.progress == 1 and evaluation.remaining == ()


def test_overdue_when_the_due_date_passed_without_a_certificate():
    assert evaluate(make_post(), records(), [], ASSIGNED, date(2024, 3, 31)).state is State.IN_PROGRESS
    overdue = evaluate(make_post(), records(), [], ASSIGNED, date(2024, 4, 1))
    assert overdue.state is State.OVERDUE
    # overdue trainees can still finish and be certified
    late = evaluate(make_post(), complete_records("2024-04-02"), [], ASSIGNED, date(2024, 4, 3))
    assert late.state is State.OVERDUE and late.can_issue


def test_no_due_date_never_overdue():
    evaluation = evaluate(make_post(), records(), [], Assignment(at("2024-01-02")), date(2030, 1, 1))
    assert evaluation.state is State.IN_PROGRESS


def test_certified_until_the_window_opens_then_expiring_then_expired():
    post, events = make_post(), [issued()]
    certified = evaluate(post, complete_records(), events, ASSIGNED, date(2025, 12, 22))
    assert certified.state is State.CERTIFIED
    assert certified.standing.window_opens_on == date(2025, 12, 23)   # 60 days before 2026-02-21
    assert certified.progress == 1 and certified.remaining == () and not certified.can_issue

    expiring = evaluate(post, complete_records(), events, ASSIGNED, date(2025, 12, 23))
    assert expiring.state is State.EXPIRING and expiring.standing.recertifying
    # the recertification requirements apply, with evidence from the window on
    assert expiring.remaining == (RemainingItem(ItemKind.QUIZ, "hotline-agent.final"),)

    assert evaluate(post, complete_records(), events, ASSIGNED, date(2026, 2, 21)).state is State.EXPIRING
    expired = evaluate(post, complete_records(), events, ASSIGNED, date(2026, 2, 22))
    assert expired.state is State.EXPIRED and expired.standing.recertifying


def test_certified_holder_is_not_overdue_after_the_due_date():
    evaluation = evaluate(make_post(), complete_records(), [issued()], ASSIGNED, date(2024, 6, 1))
    assert evaluation.state is State.CERTIFIED


def test_recertification_counts_only_evidence_from_the_window_on():
    post, events = make_post(), [issued()]
    old_final = records(quizzes=[quiz("hotline-agent.final", 95, "2025-06-01")])
    stale = evaluate(post, old_final, events, ASSIGNED, date(2026, 1, 5))
    assert stale.requirements == (QuizStatus("hotline-agent.final", 85, None),)
    assert not stale.can_issue

    fresh = records(quizzes=[quiz("hotline-agent.final", 88, "2026-01-04")])
    renewal = evaluate(post, fresh, events, ASSIGNED, date(2026, 1, 5))
    assert renewal.state is State.EXPIRING and renewal.can_issue


def test_renewing_in_the_window_extends_the_old_validity():
    post = make_post()
    fresh = records(quizzes=[quiz("hotline-agent.final", 88, "2026-01-04")])
    evaluation = evaluate(post, fresh, [issued()], ASSIGNED, date(2026, 1, 5))
    draft = draft_certificate(post, evaluation, fresh, date(2026, 1, 5))
    assert draft.cycle == 2 and draft.issued_on == date(2026, 1, 5)
    assert draft.valid_until == date(2028, 2, 21)
    assert draft.exam_score == 88 and draft.roleplay_average is None  # the renewal asked for no calls


def test_renewing_after_expiry_starts_from_the_renewal_day():
    post = make_post()
    fresh = records(quizzes=[quiz("hotline-agent.final", 90, "2026-03-09")])
    evaluation = evaluate(post, fresh, [issued()], ASSIGNED, date(2026, 3, 10))
    assert evaluation.state is State.EXPIRED and evaluation.can_issue
    assert draft_certificate(post, evaluation, fresh, date(2026, 3, 10)).valid_until == date(2028, 3, 10)


def test_after_renewal_the_new_cycle_is_certified():
    events = [issued(), issued(cycle=2, on="2026-01-05", until=date(2028, 2, 21))]
    evaluation = evaluate(make_post(), records(), events, ASSIGNED, date(2026, 3, 1))
    assert evaluation.state is State.CERTIFIED and evaluation.standing.certificate.cycle == 2
    assert evaluation.standing.last_cycle == 2


def test_first_certificate_draft():
    post, done = make_post(), complete_records()
    evaluation = evaluate(post, done, [], ASSIGNED, date(2024, 1, 31))
    draft = draft_certificate(post, evaluation, done, date(2024, 1, 31))
    assert draft.cycle == 1 and draft.valid_until == date(2026, 1, 31)
    assert draft.exam_score is None and draft.roleplay_average == pytest.approx((80 + 78 + 75) / 3)
    assert draft.content_versions == {
        "post": "post-hash",
        "modules": {m: {f"{m}.intro": f"hash-{m}"} for m in ("role-awareness", "telephone-etiquette",
                                                               "complaint-handling")},
        "quizzes": {"telephone-etiquette.quiz": 86},
        "scenarios": {"unexpected-fee": "hash-unexpected-fee", "cannot-hear-you": "hash-cannot-hear-you",
                      "nuisance-caller": "hash-nuisance-caller"},
    }


def test_no_draft_when_requirements_are_not_met():
    post = make_post()
    evaluation = evaluate(post, records(), [], ASSIGNED, date(2024, 1, 31))
    with pytest.raises(ValueError):
        draft_certificate(post, evaluation, records(), date(2024, 1, 31))


def test_revocation_then_reassignment():
    post, done = make_post(), complete_records()
    revoked = CertificateRevoked(1, at("2024-05-01"), "H001 人事王", "服务质量抽检不合格")
    events = [issued(), revoked]
    evaluation = evaluate(post, done, events, ASSIGNED, date(2024, 5, 2))
    assert evaluation.state is State.REVOKED
    assert evaluation.standing.certificate.revocation == revoked
    assert not evaluation.can_issue and evaluation.remaining == ()  # never renewed automatically

    # HR assigns the post again: the initial requirements apply, evidence must postdate the revocation
    again = Assignment(at("2024-05-03"), date(2024, 7, 1))
    reassigned = evaluate(post, done, events, again, date(2024, 5, 4))
    assert reassigned.state is State.IN_PROGRESS and not reassigned.can_issue
    assert reassigned.progress == 0
    redone = complete_records("2024-05-10")
    ready = evaluate(post, redone, events, again, date(2024, 5, 11))
    assert ready.can_issue
    assert draft_certificate(post, ready, redone, date(2024, 5, 11)).cycle == 2
    assert evaluate(post, records(), events, again, date(2024, 7, 2)).state is State.OVERDUE


def test_revocation_of_an_expired_certificate_shows_revoked():
    events = [issued(), CertificateRevoked(1, at("2026-03-01"), "H001", "离岗")]
    assert evaluate(make_post(), records(), events, ASSIGNED, date(2026, 3, 2)).state is State.REVOKED


def test_recertification_assigned_opens_the_window_early():
    events = [issued(), RecertificationAssigned(at("2025-03-01"), "H001 人事王")]
    before = evaluate(make_post(), records(), events, ASSIGNED, date(2025, 2, 28))
    assert before.standing.window_opens_on == date(2025, 3, 1) and before.state is State.CERTIFIED
    opened = evaluate(make_post(), records(), events, ASSIGNED, date(2025, 3, 1))
    assert opened.state is State.EXPIRING and opened.standing.recertifying


def test_recertification_assigned_before_the_current_cycle_is_ignored():
    events = [issued(), RecertificationAssigned(at("2025-03-01"), "H001"),
              issued(cycle=2, on="2025-04-01", until=date(2027, 4, 1))]
    evaluation = evaluate(make_post(), records(), events, ASSIGNED, date(2025, 5, 1))
    assert evaluation.state is State.CERTIFIED and evaluation.standing.window_opens_on == date(2027, 1, 31)


def test_significant_change_flags_holders_until_they_renew():
    post = make_post()
    change = SignificantChange("complaint-handling", at("2025-06-01"), "退费口径调整")
    events = [issued(), change]
    flagged = evaluate(post, complete_records(), events, ASSIGNED, date(2025, 6, 2))
    assert flagged.state is State.CERTIFIED
    assert flagged.standing.needs_recertification and flagged.standing.changed_modules == ("complaint-handling",)
    # HR assigns recertification: the window opens at once
    events.append(RecertificationAssigned(at("2025-06-03"), "H001 人事王"))
    assert evaluate(post, complete_records(), events, ASSIGNED, date(2025, 6, 3)).state is State.EXPIRING
    events.append(issued(cycle=2, on="2025-06-10", until=date(2028, 2, 21)))
    renewed = evaluate(post, complete_records(), events, ASSIGNED, date(2025, 6, 11))
    assert renewed.state is State.CERTIFIED and not renewed.standing.needs_recertification


def test_changes_before_issue_or_to_other_modules_do_not_flag():
    events = [SignificantChange("complaint-handling", at("2024-01-15")), issued(),
              SignificantChange("telemarketing", at("2025-01-01"))]
    evaluation = evaluate(make_post(), records(), events, ASSIGNED, date(2025, 2, 1))
    assert not evaluation.standing.needs_recertification and evaluation.standing.changed_modules == ()


# --- Scenario rules ---

def test_critical_violation_blocks_and_is_listed():
    calls = complete_records().scenarios | {"cannot-hear-you": call("cannot-hear-you", 95, critical=True)}
    done = TraineeRecords(complete_records().modules, complete_records().quizzes, calls)
    evaluation = evaluate(make_post(), done, [], ASSIGNED, date(2024, 2, 21))
    assert not evaluation.can_issue
    assert evaluation.remaining == (RemainingItem(ItemKind.SCENARIO, "cannot-hear-you", reason="critical"),)


def test_low_average_points_at_the_weakest_call():
    calls = {"unexpected-fee": call("unexpected-fee", 72), "cannot-hear-you": call("cannot-hear-you", 70),
             "nuisance-caller": call("nuisance-caller", 80)}
    done = TraineeRecords(complete_records().modules, complete_records().quizzes, calls)
    evaluation = evaluate(make_post(), done, [], ASSIGNED, date(2024, 2, 21))
    scenarios = evaluation.requirements[-1]
    assert scenarios.average == pytest.approx(74) and not scenarios.met
    assert evaluation.remaining == (RemainingItem(ItemKind.SCENARIO, "cannot-hear-you", reason="average"),)
    assert evaluation.progress == pytest.approx(7 / 8)


def test_tag_and_count_takes_the_best_non_critical_calls():
    by_tag = ScenarioRequirement((), "资费", 2, 75, True)
    post = make_post(scenarios=by_tag)
    base = complete_records()
    calls = [call("unexpected-fee", 95, critical=True, tags=["资费"]), call("wrong-charge-refund", 70, tags=["资费"]),
             call("call-forwarding-confused", 99, tags=["业务"])]
    one = TraineeRecords(base.modules, base.quizzes, {c.scenario_id: c for c in calls})
    evaluation = evaluate(post, one, [], ASSIGNED, date(2024, 2, 21))
    status = evaluation.requirements[-1]
    assert [r.scenario_id for r in status.counted] == ["wrong-charge-refund", "unexpected-fee"]
    assert status.critical == ("unexpected-fee",)
    assert RemainingItem(ItemKind.SCENARIO, "unexpected-fee", reason="critical") in evaluation.remaining

    calls.append(call("no-id-documents", 85, tags=["资费", "营业厅"]))
    two = TraineeRecords(base.modules, base.quizzes, {c.scenario_id: c for c in calls})
    status = evaluate(post, two, [], ASSIGNED, date(2024, 2, 21)).requirements[-1]
    assert [r.scenario_id for r in status.counted] == ["no-id-documents", "wrong-charge-refund"]
    assert status.met  # average 77.5, no critical among the counted calls


def test_tag_shortfall_is_one_remaining_item_with_a_count():
    post = make_post(scenarios=ScenarioRequirement((), "资费", 3))
    evaluation = evaluate(post, records(scenarios=[call("unexpected-fee", 90, tags=["资费"])]), [],
                          ASSIGNED, date(2024, 2, 1))
    assert RemainingItem(ItemKind.SCENARIO_TAG, "资费", count=2) in evaluation.remaining
    assert evaluation.requirements[-1].units == (1, 3)  # no quality rule: no extra unit


def test_quiz_without_attempts_does_not_count():
    never = records(quizzes=[QuizResult("telephone-etiquette.quiz", 0, False, at("2024-02-01"), attempts=0)])
    status = evaluate(make_post(), never, [], ASSIGNED, date(2024, 2, 2)).requirements[1]
    assert status.best_score is None


# --- Overrides: HR marks a requirement as met ---

def override(requirement: str, day: str = "2024-02-15", reason: str = "持有集团认证 2023") -> RequirementOverridden:
    return RequirementOverridden(requirement, at(day), "H001 人事王", reason)


def test_requirement_keys_name_every_requirement():
    assert requirement_keys(make_post().requirements) == (
        "module:role-awareness", "module:telephone-etiquette", "module:complaint-handling",
        "quiz:telephone-etiquette.quiz", "scenarios")


def test_overrides_meet_modules_quizzes_and_scenarios_and_issue():
    post = make_post()
    partial = records([module("role-awareness"), module("telephone-etiquette")], [quiz("telephone-etiquette.quiz", 60)],
                      [call("unexpected-fee", 80)])
    before = evaluate(post, partial, [], ASSIGNED, date(2024, 2, 25))
    assert not before.can_issue
    events = [override("module:complaint-handling"), override("quiz:telephone-etiquette.quiz"),
              override("scenarios", reason="线下考核通过")]
    after = evaluate(post, partial, events, ASSIGNED, date(2024, 2, 25))
    modules_status, quiz_status, scenarios_status = after.requirements
    assert modules_status.met and modules_status.overridden == ("complaint-handling",)
    assert quiz_status.met and quiz_status.best_score == 60 and quiz_status.override == events[1]
    assert scenarios_status.met and scenarios_status.override.reason == "线下考核通过"
    assert after.remaining == () and after.progress == 1.0 and after.can_issue
    draft = draft_certificate(post, after, partial, date(2024, 2, 25))
    assert set(draft.content_versions["modules"]) == {"role-awareness", "telephone-etiquette"}
    assert draft.content_versions["overrides"]["scenarios"]["reason"] == "线下考核通过"
    assert set(draft.content_versions["overrides"]) == {"module:complaint-handling", "quiz:telephone-etiquette.quiz",
                                                        "scenarios"}


def test_a_requirement_met_by_its_record_is_not_shown_as_overridden():
    post = make_post()
    done = complete_records()
    evaluation = evaluate(post, done, [override("module:role-awareness"), override("scenarios")], ASSIGNED,
                          date(2024, 2, 25))
    assert evaluation.requirements[0].overrides == () and evaluation.requirements[2].override is None
    assert "overrides" not in draft_certificate(post, evaluation, done, date(2024, 2, 25)).content_versions


def test_an_override_only_counts_for_the_renewal_when_granted_after_the_window_opened():
    post, events = make_post(), [issued()]  # window opens 2025-12-23
    stale = evaluate(post, records(), [*events, override("quiz:hotline-agent.final", "2025-06-01")], ASSIGNED,
                     date(2026, 1, 5))
    assert stale.state is State.EXPIRING and not stale.can_issue
    fresh = evaluate(post, records(), [*events, override("quiz:hotline-agent.final", "2026-01-02")], ASSIGNED,
                     date(2026, 1, 5))
    assert fresh.can_issue and fresh.requirements[0].override is not None


def test_an_override_before_a_revocation_does_not_count_after_reassignment():
    post = make_post()
    events = [override("scenarios", "2024-02-01"), issued(), CertificateRevoked(1, at("2024-05-01"), "H001", "违规")]
    again = Assignment(at("2024-05-03"))
    evaluation = evaluate(post, complete_records("2024-05-10"), events, again, date(2024, 5, 11))
    assert evaluation.can_issue and evaluation.requirements[2].override is None  # met by the new calls
    without_calls = records([module(m, "2024-05-10") for m in ("role-awareness", "telephone-etiquette",
                                                               "complaint-handling")],
                            [quiz("telephone-etiquette.quiz", 90, "2024-05-10")])
    assert not evaluate(post, without_calls, events, again, date(2024, 5, 11)).can_issue


def test_overrides_do_not_change_the_state_of_a_holder():
    evaluation = evaluate(make_post(), records(), [issued(), override("scenarios", "2024-03-01")], ASSIGNED,
                          date(2024, 6, 1))
    assert evaluation.state is State.CERTIFIED
