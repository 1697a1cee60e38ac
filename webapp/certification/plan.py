"""A trainee's plan for the assigned posts, and the pass mark that counts (pure: no Flask, no db).

The pass-mark rule (docs/formats.md, posts): the mark that counts for a trainee is the post's.
For a quiz that a post assigned to the trainee requires, it is that post's ``min_score`` (the
highest one when several assigned posts require the quiz); for a quiz no assigned post requires,
the quiz's own ``pass_mark`` (practice: it counts toward nothing). Every page that shows a mark
or a pass/fail for a quiz asks :func:`counting_mark`.

The plan lists what an evaluated post requires in the order a trainee does it: the lessons of the
required modules, the module quizzes, the role-play calls, the final exams, then the certificate.
The first step not done is what "Continue" leads to.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .engine import Evaluation, ModulesStatus, QuizStatus, ScenariosStatus, State
from .posts import Requirements, ScenarioRequirement


# --- pass marks ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CountingMark:
    """The mark that counts for one trainee on one quiz."""

    mark: float  # percent
    post_ids: tuple[str, ...]  # the assigned posts that require the quiz; () = optional practice

    @property
    def required(self) -> bool:
        return bool(self.post_ids)

    def met_by(self, score: float | None) -> bool:
        return score is not None and score >= self.mark


def counting_mark(quiz_id: str, own_pass_mark: float, applicable: Mapping[str, Requirements]) -> CountingMark:
    """The pass-mark rule; ``applicable`` maps each assigned post to the requirements that apply now."""
    marks = {post_id: quiz.min_score for post_id, requirements in applicable.items()
             for quiz in requirements.quizzes if quiz.quiz_id == quiz_id}
    if not marks:
        return CountingMark(float(own_pass_mark), ())
    return CountingMark(max(marks.values()), tuple(sorted(marks)))


@dataclass(frozen=True)
class ScenarioCount:
    """A post requirement one scenario counts toward."""

    post_id: str
    requirement: ScenarioRequirement


def scenario_counts(scenario_id: str, tags: Collection[str],
                    applicable: Mapping[str, Requirements]) -> tuple[ScenarioCount, ...]:
    """The assigned posts' scenario requirements that an assessment call of this scenario counts toward."""
    found = []
    for post_id, requirements in sorted(applicable.items()):
        wanted = requirements.scenarios
        if wanted is not None and (scenario_id in wanted.scenario_ids or (wanted.tag is not None and wanted.tag in tags)):
            found.append(ScenarioCount(post_id, wanted))
    return tuple(found)


@dataclass(frozen=True)
class PostRules:
    """The requirements that apply now for every post assigned to one trainee (post id -> requirements)."""

    applicable: Mapping[str, Requirements]

    def quiz_mark(self, quiz_id: str, own_pass_mark: float) -> CountingMark:
        return counting_mark(quiz_id, own_pass_mark, self.applicable)

    def scenario_counts(self, scenario_id: str, tags: Collection[str]) -> tuple[ScenarioCount, ...]:
        return scenario_counts(scenario_id, tags, self.applicable)

    def required_modules(self) -> set[str]:
        return {module_id for requirements in self.applicable.values() for module_id in requirements.modules}


# --- the plan -----------------------------------------------------------------------------------

class StepKind(StrEnum):
    LESSON = "lesson"
    QUIZ = "quiz"
    SCENARIO = "scenario"  # finish (or redo) this scenario in an assessment call
    SCENARIO_TAG = "scenario_tag"  # finish ``count`` assessment calls of scenarios carrying this tag
    CERTIFICATE = "certificate"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    target_id: str  # lesson, quiz or scenario id, scenario tag, or the post id for the certificate
    done: bool
    module_id: str | None = None  # a lesson's module
    mark: float | None = None  # a quiz's counting mark
    best_score: float | None = None  # a quiz's best counted score
    count: int = 1  # SCENARIO_TAG: calls needed
    reason: str = "missing"  # SCENARIO not done: missing | critical | average


@dataclass(frozen=True)
class Plan:
    post_id: str
    steps: tuple[Step, ...]
    blocked: bool = False  # revoked: nothing to do until HR assigns the post again
    certified: bool = False  # a valid certificate outside its renewal window: nothing left

    @property
    def next_step(self) -> Step | None:
        if self.blocked or self.certified:
            return None
        return next((step for step in self.steps if not step.done), None)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)


def plan(post_id: str, evaluation: Evaluation, module_lessons: Mapping[str, Sequence[str]],
         completed_lessons: Collection[str], module_quiz_ids: Collection[str]) -> Plan:
    """The evaluated post's steps in order. ``module_lessons``: module id -> its current lesson ids in
    order; ``module_quiz_ids``: quizzes that belong to a module (the other required quizzes are
    final exams and come after the calls)."""
    lessons: list[Step] = []
    module_quizzes: list[Step] = []
    scenarios: list[Step] = []
    finals: list[Step] = []
    for status in evaluation.requirements:
        match status:
            case ModulesStatus():
                lessons += [Step(StepKind.LESSON, lesson_id, module_id in status.done or lesson_id in completed_lessons,
                                 module_id=module_id)
                            for module_id in status.required for lesson_id in module_lessons.get(module_id, ())]
            case QuizStatus():
                step = Step(StepKind.QUIZ, status.quiz_id, status.met, mark=status.min_score,
                            best_score=status.best_score)
                (module_quizzes if status.quiz_id in module_quiz_ids else finals).append(step)
            case ScenariosStatus():
                scenarios += _scenario_steps(status, evaluation)
    certified = evaluation.state is State.CERTIFIED
    steps = (*lessons, *module_quizzes, *scenarios, *finals, Step(StepKind.CERTIFICATE, post_id, certified))
    return Plan(post_id, steps, blocked=evaluation.state is State.REVOKED, certified=certified)


def _scenario_steps(status: ScenariosStatus, evaluation: Evaluation) -> list[Step]:
    met = status.override is not None
    counted = {result.scenario_id for result in status.counted}
    steps = []
    for scenario_id in status.requirement.scenario_ids:
        critical = scenario_id in status.critical
        steps.append(Step(StepKind.SCENARIO, scenario_id, met or (scenario_id in counted and not critical),
                          reason="critical" if critical else "missing"))
    if status.requirement.tag is not None:
        steps.append(Step(StepKind.SCENARIO_TAG, status.requirement.tag, met or status.enough,
                          count=status.needed - min(len(status.counted), status.needed)))
        steps += [Step(StepKind.SCENARIO, scenario_id, met, reason="critical") for scenario_id in status.critical]
    if not met and status.enough and not status.critical and not status.average_met:
        # The engine names the weakest counted call to redo; its step is what is left.
        steps += [Step(StepKind.SCENARIO, item.target_id, False, reason="average")
                  for item in evaluation.remaining if item.reason == "average"]
    return steps
