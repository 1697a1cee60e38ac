"""The role-play call engine: pure and deterministic (no Flask, no database).

A call walks a scenario's turns. Each turn the customer speaks the line of their current mood
band, the trainee replies, and the reply is scored by the norms scorer passed in (``score``:
reply text -> verdict with ``elements``/``violations`` hits and ``as_json()``). The verdict
decides three things:

* the turn's *criteria*: each requirement of the turn (met or not, with evidence) and each
  violation category found (with evidence); trainers may later override any criterion;
* the *points*: 10 per requirement met, minus 5 per violation category, minus the channel's
  late penalty for every started check-in period the reply came later than ``seconds_per_reply``
  (webapp.roleplay.channels: on the phone 2 points per 15 s, the seeds' check-in rhythm); a reply
  past the channel's wait limit (two minutes, the seeds' longest acceptable wait) scores nothing;
* the customer's *mood* (0 平静 … 4 失控): empathy and apology calm the customer, forbidden
  phrases, "你" and stacked questions anger them, and so does waiting. At 4 the customer demands
  a manager or hangs up and the call fails; a violation the scenario lists as critical ends and
  fails the call whatever the points.

The same scenario, scorer and replies always give the same result (``replay``).
"""
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from .channels import DEFAULT_CHANNEL, timing_policy
from .norms import VIOLATION_CATEGORIES
from .scenarios import Requirement, Scenario

MOOD_CALMEST, MOOD_LOST = 0, 4

REQUIREMENT_POINTS = 10
VIOLATION_PENALTY = 5

#: How a category found in a reply moves the customer's mood (once per category and reply).
MOOD_EFFECTS = {
    "empathy": -1,
    "apology": -1,
    "forbidden_phrase": +2,
    "informal_address": +1,
    "multiple_questions": +1,
}
LATE_REPLY_MOOD = +1
OVER_WAIT_LIMIT_MOOD = +2

#: What a customer says when the call is lost: an agitated caller escalates, others hang up.
DEMANDS_MANAGER_LINE = "你这是什么态度！我不想再跟你说了，马上让你们领导来接电话！"
HANGS_UP_LINE = "算了算了，跟你说不清楚，我挂了！"

CRITICAL_VIOLATION = "critical_violation"
CUSTOMER_LOST = "customer_lost"
COMPLETED = "completed"
BELOW_PASS_MARK = "below_pass_mark"
INCOMPLETE = "incomplete"

VIOLATION_KEY_PREFIX = "violation."


class Hit(Protocol):
    category: str
    evidence: str
    span: Any  # (start, end) character offsets in the reply
    by_model: bool  # found by the learned model alone


class KeyPointMatch(Protocol):
    met: bool
    evidence: tuple[int, int] | None
    closest: str
    contradicted: bool


class Verdict(Protocol):
    elements: list[Hit]
    violations: list[Hit]

    def as_json(self) -> dict: ...

    def key_point(self, examples: tuple[str, ...]) -> KeyPointMatch: ...


Score = Callable[[str], Verdict]
#: Trainer overrides: (turn index, criterion key) -> passed.
Overrides = Mapping[tuple[int, str], bool]


class CallOver(Exception):
    """A reply arrived for a call that has already ended."""


def mood_band(mood: int) -> str:
    """The customer-line variant spoken at this mood: calm (0–1), upset (2), angry (3)."""
    return ("calm", "calm", "upset", "angry")[min(mood, MOOD_LOST - 1)]


@dataclass(frozen=True)
class Evidence:
    text: str
    span: tuple[int, int]

    def as_json(self) -> dict:
        return {"text": self.text, "span": list(self.span)}

    @classmethod
    def from_json(cls, data: dict) -> "Evidence":
        return cls(data["text"], (data["span"][0], data["span"][1]))


@dataclass(frozen=True)
class Criterion:
    """One judged point of a turn: a requirement (passed = met) or a violation (passed = dismissed)."""

    key: str  # requirement key ("greeting", "key_point_1") or "violation.<category>"
    label: str
    kind: str  # "requirement" | "violation"
    machine_passed: bool
    passed: bool
    evidence: tuple[Evidence, ...] = ()
    critical: bool = False  # a violation of a category the scenario treats as critical
    #: For a key point: the trainer's phrasing it came closest to (shown when missed), and
    #: whether the reply said the opposite (its evidence is then what contradicted it).
    closest: str = ""
    contradicted: bool = False

    @property
    def overridden(self) -> bool:
        return self.passed != self.machine_passed

    @property
    def fails_call(self) -> bool:
        return self.critical and not self.passed

    def as_json(self) -> dict:
        return {
            "key": self.key, "label": self.label, "kind": self.kind,
            "machine_passed": self.machine_passed, "passed": self.passed,
            "evidence": [item.as_json() for item in self.evidence], "critical": self.critical,
            "closest": self.closest, "contradicted": self.contradicted,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Criterion":
        return cls(
            data["key"], data["label"], data["kind"], data["machine_passed"], data["passed"],
            tuple(Evidence.from_json(item) for item in data["evidence"]), data["critical"],
            data.get("closest", ""), data.get("contradicted", False),  # calls stored before key points by meaning
        )


@dataclass(frozen=True)
class Timing:
    seconds: float
    allowed: int
    late_penalty: int  # points lost for replying after ``allowed`` seconds
    over_wait_limit: bool  # past the channel's wait limit: the turn scores nothing
    channel: str = DEFAULT_CHANNEL  # whose timing rule judged it (webapp.roleplay.channels)

    @classmethod
    def assess(cls, seconds: float, allowed: int, channel: str = DEFAULT_CHANNEL) -> "Timing":
        policy = timing_policy(channel)
        late_by = max(0.0, seconds - allowed)
        check_ins_missed = math.ceil(late_by / policy.check_in_seconds)
        return cls(seconds, allowed, check_ins_missed * policy.late_penalty,
                   seconds > policy.wait_limit_seconds, channel)

    @property
    def late(self) -> bool:
        return self.seconds > self.allowed

    @property
    def mood_effect(self) -> int:
        return OVER_WAIT_LIMIT_MOOD if self.over_wait_limit else LATE_REPLY_MOOD if self.late else 0

    def as_json(self) -> dict:
        return {
            "seconds": self.seconds, "allowed": self.allowed,
            "late_penalty": self.late_penalty, "over_wait_limit": self.over_wait_limit,
            "channel": self.channel,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Timing":
        return cls(data["seconds"], data["allowed"], data["late_penalty"], data["over_wait_limit"],
                   data.get("channel", DEFAULT_CHANNEL))  # turns stored before channels were phone calls


def turn_points(criteria: Iterable[Criterion], timing: Timing) -> int:
    if timing.over_wait_limit:
        return 0
    criteria = tuple(criteria)
    met = sum(c.passed for c in criteria if c.kind == "requirement")
    violations = sum(not c.passed for c in criteria if c.kind == "violation")
    return max(0, met * REQUIREMENT_POINTS - violations * VIOLATION_PENALTY - timing.late_penalty)


@dataclass(frozen=True)
class TurnResult:
    index: int
    customer_line: str
    reply: str
    mood_before: int
    mood_after: int
    criteria: tuple[Criterion, ...]
    timing: Timing
    verdict: dict = field(compare=False)  # the scorer's own JSON, kept for inspection
    points: int
    max_points: int

    @property
    def critical(self) -> bool:
        return any(c.fails_call for c in self.criteria)

    def criterion(self, key: str) -> Criterion:
        return next(c for c in self.criteria if c.key == key)

    def with_overrides(self, passed_by_key: Mapping[str, bool], critical_categories: Iterable[str] = ()) -> "TurnResult":
        """This turn rescored with trainer decisions; the machine verdicts stay in the criteria. A
        violation the machine did not find but a trainer did is added (machine: dismissed)."""
        criteria = tuple(
            replace(c, passed=passed_by_key.get(c.key, c.machine_passed)) for c in self.criteria
        )
        found = {c.key for c in criteria}
        missed = tuple(
            Criterion(key, key.removeprefix(VIOLATION_KEY_PREFIX), "violation", True, False,
                      critical=key.removeprefix(VIOLATION_KEY_PREFIX) in set(critical_categories))
            for key, passed in sorted(passed_by_key.items())
            if key.startswith(VIOLATION_KEY_PREFIX) and key not in found and not passed
        )
        criteria += missed
        return replace(self, criteria=criteria, points=turn_points(criteria, self.timing))

    def as_json(self) -> dict:
        return {
            "index": self.index, "customer_line": self.customer_line, "reply": self.reply,
            "mood_before": self.mood_before, "mood_after": self.mood_after,
            "criteria": [c.as_json() for c in self.criteria], "timing": self.timing.as_json(),
            "verdict": self.verdict, "points": self.points, "max_points": self.max_points,
            "critical": self.critical,
        }

    @classmethod
    def from_json(cls, data: dict) -> "TurnResult":
        return cls(
            index=data["index"], customer_line=data["customer_line"], reply=data["reply"],
            mood_before=data["mood_before"], mood_after=data["mood_after"],
            criteria=tuple(Criterion.from_json(c) for c in data["criteria"]),
            timing=Timing.from_json(data["timing"]), verdict=data["verdict"],
            points=data["points"], max_points=data["max_points"],
        )


@dataclass(frozen=True)
class CallResult:
    scenario_id: str
    scenario_hash: str
    turns: tuple[TurnResult, ...]
    points: int
    max_points: int
    percent: float
    passed: bool
    critical: bool
    failed_reason: str | None  # critical_violation | customer_lost | below_pass_mark | incomplete
    mood_trace: tuple[int, ...]  # starting mood, then the mood after each reply
    final_customer_line: str | None  # what a lost customer said last

    def as_json(self) -> dict:
        return {
            "scenario_id": self.scenario_id, "scenario_hash": self.scenario_hash,
            "turns": [t.as_json() for t in self.turns], "points": self.points,
            "max_points": self.max_points, "percent": self.percent, "passed": self.passed,
            "critical": self.critical, "failed_reason": self.failed_reason,
            "mood_trace": list(self.mood_trace), "final_customer_line": self.final_customer_line,
        }


@dataclass(frozen=True)
class CallState:
    """A call in progress: the scenario and the turns answered so far."""

    scenario: Scenario
    turns: tuple[TurnResult, ...] = ()

    @property
    def mood(self) -> int:
        return self.turns[-1].mood_after if self.turns else self.scenario.starting_mood

    @property
    def end_reason(self) -> str | None:
        """Why the call is over (critical_violation, customer_lost, completed), or None."""
        if self.turns and self.turns[-1].critical:
            return CRITICAL_VIOLATION
        if self.mood >= MOOD_LOST:
            return CUSTOMER_LOST
        if len(self.turns) == len(self.scenario.turns):
            return COMPLETED
        return None

    @property
    def ended(self) -> bool:
        return self.end_reason is not None

    @property
    def next_turn_index(self) -> int | None:
        return None if self.ended else len(self.turns) + 1

    @property
    def customer_line(self) -> str | None:
        """What the customer says now: the next turn's line in the current mood band, or the
        words of a customer who was lost, or None once the call is otherwise over."""
        if self.end_reason == CUSTOMER_LOST:
            return DEMANDS_MANAGER_LINE if self.scenario.customer_type == "激动型" else HANGS_UP_LINE
        if self.ended:
            return None
        return self.scenario.turns[len(self.turns)].customer.variant(mood_band(self.mood))

    def answer(self, reply: str, seconds: float, score: Score) -> "CallState":
        """The state after the trainee's reply to the current customer line."""
        if self.ended:
            raise CallOver(self.end_reason)
        turn = self.scenario.turns[len(self.turns)]
        verdict = score(reply)
        criteria = judge_requirements(turn.requirements, reply, verdict) + judge_violations(
            verdict, self.scenario.critical_violations
        )
        timing = Timing.assess(seconds, self.scenario.seconds_per_reply, self.scenario.channel)
        result = TurnResult(
            index=turn.index, customer_line=self.customer_line, reply=reply,
            mood_before=self.mood, mood_after=next_mood(self.mood, verdict, timing),
            criteria=criteria, timing=timing, verdict=verdict.as_json(),
            points=turn_points(criteria, timing),
            max_points=REQUIREMENT_POINTS * len(turn.requirements),
        )
        return replace(self, turns=self.turns + (result,))

    def result(self, overrides: Overrides | None = None) -> CallResult:
        """Totals of the call so far, with trainer overrides applied (machine verdicts kept)."""
        overrides = overrides or {}
        turns = tuple(
            turn.with_overrides({key: passed for (index, key), passed in overrides.items() if index == turn.index},
                                self.scenario.critical_violations)
            for turn in self.turns
        )
        points = sum(turn.points for turn in turns)
        max_points = REQUIREMENT_POINTS * sum(len(turn.requirements) for turn in self.scenario.turns)
        percent = round(100 * points / max_points, 1)
        critical = any(turn.critical for turn in turns)
        if critical:
            failed_reason = CRITICAL_VIOLATION
        elif self.end_reason == CUSTOMER_LOST:
            failed_reason = CUSTOMER_LOST
        elif not self.ended:
            failed_reason = INCOMPLETE
        elif percent < self.scenario.pass_mark:
            failed_reason = BELOW_PASS_MARK
        else:
            failed_reason = None
        return CallResult(
            scenario_id=self.scenario.id, scenario_hash=self.scenario.content_hash, turns=turns,
            points=points, max_points=max_points, percent=percent, passed=failed_reason is None,
            critical=critical, failed_reason=failed_reason,
            mood_trace=(self.scenario.starting_mood,) + tuple(t.mood_after for t in self.turns),
            final_customer_line=self.customer_line if self.end_reason == CUSTOMER_LOST else None,
        )


def judge_requirements(requirements: Iterable[Requirement], reply: str, verdict: Verdict) -> tuple[Criterion, ...]:
    criteria = []
    for requirement in requirements:
        if requirement.is_key_point:
            match = verdict.key_point(requirement.examples)
            evidence = (Evidence(reply[match.evidence[0]:match.evidence[1]], match.evidence),) if match.evidence else ()
            criteria.append(Criterion(requirement.key, requirement.label, "requirement", match.met, match.met,
                                      evidence, closest=match.closest, contradicted=match.contradicted))
            continue
        evidence = tuple(hit_evidence(h) for h in verdict.elements if h.category == requirement.category)
        met = bool(evidence)
        criteria.append(Criterion(requirement.key, requirement.label, "requirement", met, met, evidence))
    return tuple(criteria)


def judge_violations(verdict: Verdict, critical_categories: Iterable[str]) -> tuple[Criterion, ...]:
    critical_categories = set(critical_categories)
    criteria = []
    for category in VIOLATION_CATEGORIES:
        hits = [h for h in verdict.violations if h.category == category]
        if hits:
            # A call fails on the spot only on words the norms name; a violation the learned
            # model alone sees costs its penalty and waits for a trainer's review.
            criteria.append(Criterion(
                VIOLATION_KEY_PREFIX + category, category, "violation", False, False,
                tuple(hit_evidence(h) for h in hits),
                critical=category in critical_categories and not all(h.by_model for h in hits),
            ))
    return tuple(criteria)


def next_mood(mood: int, verdict: Verdict, timing: Timing) -> int:
    found = {hit.category for hit in (*verdict.elements, *verdict.violations)}
    change = sum(MOOD_EFFECTS.get(category, 0) for category in found) + timing.mood_effect
    return min(MOOD_LOST, max(MOOD_CALMEST, mood + change))


def hit_evidence(hit: Hit) -> Evidence:
    start, end = hit.span
    return Evidence(hit.evidence, (start, end))


@dataclass(frozen=True)
class Reply:
    text: str
    seconds: float


def replay(scenario: Scenario, replies: Iterable[Reply], score: Score, overrides: Overrides | None = None) -> CallResult:
    """Play the replies through the scenario until they run out or the call ends."""
    state = CallState(scenario)
    for reply in replies:
        if state.ended:
            break
        state = state.answer(reply.text, reply.seconds, score)
    return state.result(overrides)
