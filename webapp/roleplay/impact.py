"""What a draft scenario or draft norms would change on calls already played.

Pure: no Flask, no database. A stored call is replayed — the same replies with the same reply
times — through a (draft) scenario with a (draft) scorer, and the result is compared with the
machine verdicts stored for the call: the pass/fail outcome and every criterion, turn by turn.
Trainer overrides play no part on either side (both are machine verdicts); for a reviewed call
each change also says whether the new verdict agrees with the trainer's judgement.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .call import CallResult, Reply, Score, replay
from .scenarios import Scenario

REQUIREMENT, VIOLATION = "requirement", "violation"


@dataclass(frozen=True)
class CriterionChange:
    turn: int
    key: str
    label: str
    kind: str  # "requirement" | "violation"
    #: passed (requirement met / no violation of that category) before and after; None when the
    #: turn was not reached or the criterion does not exist on that side (a requirement the
    #: scenario version does not have).
    before: bool | None
    after: bool | None
    #: The trainer's judgement for a reviewed call, when they judged this criterion.
    trainer: bool | None = None

    @property
    def toward_trainer(self) -> bool | None:
        """True when the new verdict agrees with the trainer and the old one did not, False for
        the reverse, None when there is no trainer judgement or both agree (or disagree) alike."""
        if self.trainer is None or (self.before == self.trainer) == (self.after == self.trainer):
            return None
        return self.after == self.trainer


@dataclass(frozen=True)
class CallImpact:
    call_id: int
    before: CallResult
    after: CallResult
    changes: tuple[CriterionChange, ...]

    @property
    def outcome_changed(self) -> bool:
        return self.before.passed != self.after.passed

    @property
    def changed(self) -> bool:
        return self.outcome_changed or bool(self.changes)


@dataclass(frozen=True)
class ImpactSummary:
    checked: int  # calls replayed
    limited: bool  # more calls were stored than were replayed
    changed: tuple[CallImpact, ...]  # the calls with any change, in the order given

    @property
    def outcome_changes(self) -> int:
        return sum(impact.outcome_changed for impact in self.changed)

    @property
    def newly_passed(self) -> int:
        return sum(impact.outcome_changed and impact.after.passed for impact in self.changed)

    @property
    def newly_failed(self) -> int:
        return sum(impact.outcome_changed and not impact.after.passed for impact in self.changed)

    @property
    def criterion_changes(self) -> int:
        return sum(len(impact.changes) for impact in self.changed)

    @property
    def calls_with_criterion_changes(self) -> int:
        return sum(bool(impact.changes) for impact in self.changed)

    @property
    def toward_trainer(self) -> int:
        return sum(change.toward_trainer is True for impact in self.changed for change in impact.changes)

    @property
    def away_from_trainer(self) -> int:
        return sum(change.toward_trainer is False for impact in self.changed for change in impact.changes)


def criterion_changes(before: CallResult, after: CallResult,
                      trainer: Mapping[tuple[int, str], bool] | None = None) -> tuple[CriterionChange, ...]:
    """Every (turn, criterion) whose machine verdict differs between the two results.

    A violation category not found in a played turn counts as passed (nothing to dismiss); a
    requirement missing from a side, or any criterion of a turn not played there, is None.
    """
    trainer = trainer or {}
    sides = [_criteria_by_turn(before), _criteria_by_turn(after)]
    changes = []
    for turn in sorted(set(sides[0]) | set(sides[1])):
        keys: dict[str, tuple[str, str]] = {}
        for side in sides:
            for criterion in side.get(turn, {}).values():
                keys.setdefault(criterion.key, (criterion.label, criterion.kind))
        for key, (label, kind) in keys.items():
            verdicts = [_verdict(side, turn, key, kind) for side in sides]
            if verdicts[0] != verdicts[1]:
                changes.append(CriterionChange(turn, key, label, kind, verdicts[0], verdicts[1], trainer.get((turn, key))))
    return tuple(changes)


def _criteria_by_turn(result: CallResult) -> dict[int, dict]:
    return {turn.index: {criterion.key: criterion for criterion in turn.criteria} for turn in result.turns}


def _verdict(side: dict[int, dict], turn: int, key: str, kind: str) -> bool | None:
    if turn not in side:
        return None
    criterion = side[turn].get(key)
    if criterion is None:
        return True if kind == VIOLATION else None
    return criterion.machine_passed


def call_impact(call_id: int, before: CallResult, replies: Sequence[Reply], scenario: Scenario, score: Score,
                trainer: Mapping[tuple[int, str], bool] | None = None) -> CallImpact:
    """Replay a stored call's replies through ``scenario`` with ``score`` and compare with ``before``
    (the stored machine result)."""
    after = replay(scenario, replies, score)
    return CallImpact(call_id, before, after, criterion_changes(before, after, trainer))


def summarise(impacts: Iterable[CallImpact], limited: bool = False) -> ImpactSummary:
    impacts = list(impacts)
    return ImpactSummary(len(impacts), limited, tuple(impact for impact in impacts if impact.changed))


def memoized(score: Score) -> Score:
    """The same scorer, scoring each distinct reply text once (replayed calls repeat replies)."""
    cache: dict[str, object] = {}

    def cached(text: str):
        if text not in cache:
            cache[text] = score(text)
        return cache[text]

    return cached
