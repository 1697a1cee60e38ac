"""The pass-mark rule and the order of a trainee's plan (no app)."""
from datetime import date, datetime

import pytest

from tests.certification.test_engine import ASSIGNED, make_post, module, quiz
from webapp.certification.engine import (
    CertificateIssued, CertificateRevoked, RequirementOverridden, ScenarioResult, TraineeRecords, evaluate,
)
from webapp.certification.plan import PostRules, StepKind, counting_mark, plan, scenario_counts
from webapp.certification.posts import QuizRequirement, Requirements, ScenarioRequirement

HOTLINE = Requirements(quizzes=(QuizRequirement("business-knowledge.quiz", 75), QuizRequirement("hotline-agent.final", 80)))
HALL = Requirements(quizzes=(QuizRequirement("business-knowledge.quiz", 80), QuizRequirement("hall-consultant.final", 80)))
TODAY = date(2024, 2, 20)
LESSONS = {"role-awareness": ("role-awareness.a", "role-awareness.b"),
           "telephone-etiquette": ("telephone-etiquette.a",), "complaint-handling": ("complaint-handling.a",)}
MODULE_QUIZZES = {"telephone-etiquette.quiz"}


@pytest.mark.parametrize("quiz_id, own, applicable, mark, posts", [
    ("hall-consultant.final", 85, {"hall-consultant": HALL}, 80, ("hall-consultant",)),  # post below own mark
    ("business-knowledge.quiz", 70, {"hotline-agent": HOTLINE}, 75, ("hotline-agent",)),  # post above own mark
    ("business-knowledge.quiz", 70, {"hotline-agent": HOTLINE, "hall-consultant": HALL}, 80,
     ("hall-consultant", "hotline-agent")),  # the highest of several posts
    ("telemarketer.final", 85, {"hotline-agent": HOTLINE}, 85, ()),  # required by no assigned post
    ("hotline-agent.final", 85, {}, 85, ()),  # no post assigned
])
def test_the_mark_that_counts_is_the_posts(quiz_id, own, applicable, mark, posts):
    counting = counting_mark(quiz_id, own, applicable)
    assert (counting.mark, counting.post_ids, counting.required) == (mark, posts, bool(posts))
    assert counting.met_by(mark) and not counting.met_by(mark - 0.5) and not counting.met_by(None)
    assert PostRules(applicable).quiz_mark(quiz_id, own) == counting


def test_scenarios_count_toward_a_set_or_a_tag():
    by_set = Requirements(scenarios=ScenarioRequirement(("a", "b"), None, 2, 75, True))
    by_tag = Requirements(scenarios=ScenarioRequirement((), "营销", 2))
    applicable = {"p1": by_set, "p2": by_tag, "p3": Requirements(modules=("m",))}
    assert [c.post_id for c in scenario_counts("a", (), applicable)] == ["p1"]
    assert [c.post_id for c in scenario_counts("a", ("营销",), applicable)] == ["p1", "p2"]
    assert scenario_counts("z", ("投诉",), applicable) == ()
    assert PostRules(applicable).required_modules() == {"m"}


def call(scenario_id: str, score: float, critical: bool = False, day: str = "2024-02-15") -> ScenarioResult:
    return ScenarioResult(scenario_id, score, score >= 70 and not critical, critical, datetime.fromisoformat(day))


def plan_for(records: TraineeRecords, completed=(), events=(), post=None):
    post = post or make_post()
    evaluation = evaluate(post, records, events, ASSIGNED, TODAY)
    return plan(post.post_id, evaluation, LESSONS, set(completed), MODULE_QUIZZES)


def test_a_new_trainee_starts_with_the_first_lesson_and_the_steps_follow_the_post():
    result = plan_for(TraineeRecords())
    assert [(s.kind, s.target_id) for s in result.steps] == [
        (StepKind.LESSON, "role-awareness.a"), (StepKind.LESSON, "role-awareness.b"),
        (StepKind.LESSON, "telephone-etiquette.a"), (StepKind.LESSON, "complaint-handling.a"),
        (StepKind.QUIZ, "telephone-etiquette.quiz"),
        (StepKind.SCENARIO, "unexpected-fee"), (StepKind.SCENARIO, "cannot-hear-you"),
        (StepKind.SCENARIO, "nuisance-caller"), (StepKind.CERTIFICATE, "hotline-agent")]
    assert result.next_step.target_id == "role-awareness.a" and result.done_count == 0
    assert result.steps[4].mark == 80


def test_final_exams_come_after_the_calls():
    post = make_post()
    post = type(post)(**{**post.__dict__, "requirements": Requirements(
        modules=("role-awareness",),
        quizzes=(QuizRequirement("hotline-agent.final", 80), QuizRequirement("telephone-etiquette.quiz", 80)),
        scenarios=ScenarioRequirement(("a",), None, 1))})
    kinds = [(s.kind, s.target_id) for s in plan_for(TraineeRecords(), post=post).steps]
    assert kinds.index((StepKind.QUIZ, "telephone-etiquette.quiz")) < kinds.index((StepKind.SCENARIO, "a")) \
        < kinds.index((StepKind.QUIZ, "hotline-agent.final"))


def test_next_is_the_first_unfinished_step_and_a_low_score_keeps_the_quiz_open():
    modules = {m: module(m) for m in LESSONS}
    done = plan_for(TraineeRecords(modules=modules, quizzes={"telephone-etiquette.quiz": quiz("telephone-etiquette.quiz", 79)}))
    step = done.next_step
    assert (step.kind, step.target_id, step.best_score, step.mark) == (StepKind.QUIZ, "telephone-etiquette.quiz", 79, 80)
    partial = plan_for(TraineeRecords(), completed={"role-awareness.a", "telephone-etiquette.a"})
    assert partial.next_step.target_id == "role-awareness.b" and partial.done_count == 2


def test_calls_with_a_critical_violation_or_a_low_average_are_steps_again():
    records = TraineeRecords(
        modules={m: module(m) for m in LESSONS}, quizzes={"telephone-etiquette.quiz": quiz("telephone-etiquette.quiz", 90)},
        scenarios={"unexpected-fee": call("unexpected-fee", 90), "cannot-hear-you": call("cannot-hear-you", 88, True),
                   "nuisance-caller": call("nuisance-caller", 80)})
    step = plan_for(records).next_step
    assert (step.kind, step.target_id, step.reason) == (StepKind.SCENARIO, "cannot-hear-you", "critical")
    records = TraineeRecords(records.modules, records.quizzes, {
        "unexpected-fee": call("unexpected-fee", 70), "cannot-hear-you": call("cannot-hear-you", 72),
        "nuisance-caller": call("nuisance-caller", 74)})
    step = plan_for(records).next_step
    assert (step.kind, step.target_id, step.reason) == (StepKind.SCENARIO, "unexpected-fee", "average")


def test_a_tag_requirement_is_one_step_and_overrides_count_as_done():
    post = make_post(scenarios=ScenarioRequirement((), "营销", 2))
    result = plan_for(TraineeRecords(), post=post)
    tag_step = next(s for s in result.steps if s.kind is StepKind.SCENARIO_TAG)
    assert (tag_step.target_id, tag_step.count, tag_step.done) == ("营销", 2, False)
    override = RequirementOverridden("module:role-awareness", datetime(2024, 2, 1), "hr", "已有证书")
    result = plan_for(TraineeRecords(), events=[override], post=post)
    assert [s.done for s in result.steps[:2]] == [True, True]


def test_everything_met_leads_to_the_certificate_and_a_revoked_post_has_no_next_step():
    post = make_post()
    records = TraineeRecords(
        modules={m: module(m) for m in LESSONS}, quizzes={"telephone-etiquette.quiz": quiz("telephone-etiquette.quiz", 90)},
        scenarios={s: call(s, 90) for s in post.requirements.scenario_ids()})
    step = plan_for(records).next_step
    assert (step.kind, step.target_id) == (StepKind.CERTIFICATE, "hotline-agent")
    issued = CertificateIssued(1, "code", datetime(2024, 2, 16), date(2026, 2, 16))
    certified = plan_for(records, events=[issued])
    assert certified.next_step is None and certified.steps[-1].done
    revoked = plan_for(records, events=[issued, CertificateRevoked(1, datetime(2024, 2, 17), "hr", "作弊")])
    assert revoked.blocked and revoked.next_step is None
