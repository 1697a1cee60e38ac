"""Certification eligibility and state: a pure function of a post, a trainee's records, the
trainee's certificate events, the assignment and today's date.

Nothing here is stored. Certificates and their events are stored; the state (in progress,
certified, expiring, expired, revoked, overdue) is always computed from them, so "why is this
trainee expiring?" has an answer: the dates and events that made it so.

Rules
- Until a certificate is held, the post's initial ``requirements`` apply.
- A certificate is valid through ``valid_until`` (``issued`` + validity months, calendar-correct).
- The renewal window opens ``recertification_window_days`` before ``valid_until`` (or earlier,
  when HR assigns recertification); from then on the ``recertification`` requirements apply, and
  only evidence recorded since the window opened counts. Renewing inside the window extends the
  old ``valid_until``; renewing after expiry starts from the renewal day.
- A required module that changed significantly after the certificate was issued sets
  ``needs_recertification``: HR then assigns recertification, which opens the window at once.
- A revoked certificate is never renewed automatically: HR re-assigns the post, and then the
  initial requirements apply again with evidence recorded after the revocation.
- Without a valid certificate, an assignment whose due date has passed is overdue.
- HR may mark one requirement as met by override (recognised prior certification, an offline
  assessment …) with a reason. An override is evidence recorded when it was granted: it counts
  under the same freshness rule as any record (only from the window opening or the revocation on),
  and a revoked override is simply not passed in. Statuses say which requirements were met by
  override; the certificate's ``content_versions`` records them.
"""
from __future__ import annotations

import calendar
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from webapp.certification.posts import PostDefinition, QuizRequirement, Requirements, ScenarioRequirement

VERIFICATION_CODE_BYTES = 12  # 96 bits: 16 URL-safe characters, unguessable


# --- Records (inputs from courses, quizzes and roleplay; same fields as docs/integration.md) ---

@dataclass(frozen=True)
class ModuleCompletion:
    module_id: str
    completed_at: datetime
    lesson_versions: Mapping[str, str] = field(default_factory=dict)  # lesson id -> content hash


@dataclass(frozen=True)
class QuizResult:
    quiz_id: str
    best_score: float  # percent
    passed: bool
    last_graded_at: datetime
    attempts: int


@dataclass(frozen=True)
class ScenarioResult:
    scenario_id: str
    best_score: float  # percent
    passed: bool
    critical: bool  # a critical violation in the counted call
    finished_at: datetime
    tags: tuple[str, ...] = ()
    scenario_hash: str = ""


@dataclass(frozen=True)
class TraineeRecords:
    modules: Mapping[str, ModuleCompletion] = field(default_factory=dict)
    quizzes: Mapping[str, QuizResult] = field(default_factory=dict)
    scenarios: Mapping[str, ScenarioResult] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    assigned_at: datetime
    due_date: date | None = None


# --- Certificate events (stored; the state is computed from them) ---

@dataclass(frozen=True)
class CertificateIssued:
    cycle: int
    code: str
    issued_at: datetime
    valid_until: date
    content_versions: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class CertificateRevoked:
    cycle: int
    revoked_at: datetime
    revoked_by: str
    reason: str


@dataclass(frozen=True)
class RecertificationAssigned:
    """HR opens the renewal window now (e.g. after a significant content change)."""

    assigned_at: datetime
    assigned_by: str


@dataclass(frozen=True)
class SignificantChange:
    """A module's content changed enough that holders' evidence is out of date."""

    module_id: str
    changed_at: datetime
    note: str = ""


@dataclass(frozen=True)
class RequirementOverridden:
    """HR marked one requirement as met (``requirement_key``), with a reason. Only active
    (not revoked) overrides are passed to the engine."""

    requirement: str  # a requirement key: "module:<id>", "quiz:<id>" or "scenarios"
    granted_at: datetime
    granted_by: str
    reason: str


CertificateEvent = (CertificateIssued | CertificateRevoked | RecertificationAssigned | SignificantChange
                    | RequirementOverridden)

SCENARIOS_KEY = "scenarios"


def module_key(module_id: str) -> str:
    return f"module:{module_id}"


def quiz_key(quiz_id: str) -> str:
    return f"quiz:{quiz_id}"


def requirement_keys(requirements: Requirements) -> tuple[str, ...]:
    """Every key an override may name for these requirements, in display order."""
    keys = [module_key(module_id) for module_id in requirements.modules]
    keys += [quiz_key(quiz.quiz_id) for quiz in requirements.quizzes]
    if requirements.scenarios is not None:
        keys.append(SCENARIOS_KEY)
    return tuple(keys)


# --- Outputs ---

class State(StrEnum):
    IN_PROGRESS = "in_progress"
    CERTIFIED = "certified"
    EXPIRING = "expiring"  # renewal window open
    EXPIRED = "expired"
    REVOKED = "revoked"
    OVERDUE = "overdue"  # due date passed while not certified


class Validity(StrEnum):
    """What the public verification page says about one certificate."""

    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ItemKind(StrEnum):
    MODULE = "module"
    QUIZ = "quiz"
    SCENARIO = "scenario"  # finish (or redo) this scenario
    SCENARIO_TAG = "scenario_tag"  # finish ``count`` more scenarios carrying this tag


@dataclass(frozen=True)
class RemainingItem:
    """One thing left to do, with the id the page links to."""

    kind: ItemKind
    target_id: str
    count: int = 1  # SCENARIO_TAG: how many more
    reason: str = "missing"  # missing | score | average | critical


@dataclass(frozen=True)
class HeldCertificate:
    cycle: int
    code: str
    issued_at: datetime
    valid_until: date
    content_versions: Mapping
    revocation: CertificateRevoked | None = None


@dataclass(frozen=True)
class ModulesStatus:
    required: tuple[str, ...]
    done: tuple[str, ...]  # completed or met by override
    overrides: tuple[RequirementOverridden, ...] = ()  # the modules in ``done`` met by override

    @property
    def overridden(self) -> tuple[str, ...]:
        return tuple(override.requirement.removeprefix("module:") for override in self.overrides)

    @property
    def met(self) -> bool:
        return len(self.done) == len(self.required)

    @property
    def units(self) -> tuple[int, int]:
        return len(self.done), len(self.required)


@dataclass(frozen=True)
class QuizStatus:
    quiz_id: str
    min_score: float
    best_score: float | None  # None: no counted result yet
    override: RequirementOverridden | None = None

    @property
    def met(self) -> bool:
        return self.override is not None or (self.best_score is not None and self.best_score >= self.min_score)

    @property
    def units(self) -> tuple[int, int]:
        return int(self.met), 1


@dataclass(frozen=True)
class ScenariosStatus:
    requirement: ScenarioRequirement
    counted: tuple[ScenarioResult, ...]  # the results that count (best first for a tag)
    missing: tuple[str, ...]  # set members without a counted result
    override: RequirementOverridden | None = None

    @property
    def needed(self) -> int:
        return self.requirement.needed

    @property
    def average(self) -> float | None:
        return sum(r.best_score for r in self.counted) / len(self.counted) if self.counted else None

    @property
    def critical(self) -> tuple[str, ...]:
        return tuple(r.scenario_id for r in self.counted if r.critical) if self.requirement.no_critical else ()

    @property
    def enough(self) -> bool:
        return len(self.counted) >= self.needed

    @property
    def average_met(self) -> bool:
        minimum = self.requirement.min_average
        return minimum is None or (self.average is not None and self.average >= minimum)

    @property
    def met(self) -> bool:
        return self.override is not None or (self.enough and self.average_met and not self.critical)

    @property
    def has_quality_rule(self) -> bool:
        return self.requirement.min_average is not None or self.requirement.no_critical

    @property
    def units(self) -> tuple[int, int]:
        total = self.needed + int(self.has_quality_rule)
        if self.override is not None:
            return total, total
        done = min(len(self.counted), self.needed)
        if not self.has_quality_rule:
            return done, self.needed
        return done + int(self.met), total


RequirementStatus = ModulesStatus | QuizStatus | ScenariosStatus


@dataclass(frozen=True)
class Standing:
    """Where a trainee stands on a post from dates and events alone (no records needed)."""

    state: State
    certificate: HeldCertificate | None  # the latest certificate, whatever its state
    recertifying: bool  # the recertification requirements apply
    window_opens_on: date | None
    changed_modules: tuple[str, ...]  # required modules changed significantly since the issue
    evidence_since: datetime | None  # only records from then on count
    last_cycle: int  # highest cycle ever issued (0: none)

    @property
    def needs_recertification(self) -> bool:
        return bool(self.changed_modules)

    @property
    def may_earn(self) -> bool:
        """A new certificate may be issued once the applicable requirements are met."""
        return self.state in (State.IN_PROGRESS, State.OVERDUE, State.EXPIRING, State.EXPIRED)


@dataclass(frozen=True)
class Evaluation:
    standing: Standing
    requirements: tuple[RequirementStatus, ...]
    remaining: tuple[RemainingItem, ...]
    progress: float  # 0..1

    @property
    def state(self) -> State:
        return self.standing.state

    @property
    def all_met(self) -> bool:
        return all(status.met for status in self.requirements)

    @property
    def can_issue(self) -> bool:
        return self.standing.may_earn and self.all_met


@dataclass(frozen=True)
class CertificateDraft:
    """What the issuing step stores for a new certificate."""

    cycle: int
    code: str
    issued_on: date
    valid_until: date
    content_versions: dict
    exam_score: float | None  # the post's final exam (``<post>.final``), when required
    roleplay_average: float | None


# --- Dates and codes ---

def add_months(day: date, months: int) -> date:
    """Calendar-correct: Jan 31 + 1 month = Feb 28 (29 in leap years)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_verification_code() -> str:
    return secrets.token_urlsafe(VERIFICATION_CODE_BYTES)


def validity_on(valid_until: date, revoked: bool, today: date) -> Validity:
    if revoked:
        return Validity.REVOKED
    return Validity.EXPIRED if today > valid_until else Validity.VALID


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _counts(moment: datetime, since: datetime | None) -> bool:
    return since is None or moment >= since


# --- Folding events ---

def _latest_certificate(events: Sequence[CertificateEvent]) -> HeldCertificate | None:
    issued = [event for event in events if isinstance(event, CertificateIssued)]
    if not issued:
        return None
    latest = max(issued, key=lambda event: event.cycle)
    revocation = next((event for event in events
                       if isinstance(event, CertificateRevoked) and event.cycle == latest.cycle), None)
    return HeldCertificate(latest.cycle, latest.code, latest.issued_at, latest.valid_until,
                           latest.content_versions, revocation)


def _window_opens_at(post: PostDefinition, certificate: HeldCertificate,
                     events: Sequence[CertificateEvent]) -> datetime:
    """The natural opening (window days before expiry) or HR's recertification, whichever is first."""
    natural = _start_of(certificate.valid_until - timedelta(days=post.recertification_window_days))
    assigned = [event.assigned_at for event in events
                if isinstance(event, RecertificationAssigned) and event.assigned_at >= certificate.issued_at]
    return min([natural, *assigned])


def _changed_modules(post: PostDefinition, certificate: HeldCertificate,
                     events: Sequence[CertificateEvent]) -> dict[str, datetime]:
    """Required modules that changed significantly after the certificate was issued."""
    required = set(post.requirements.modules) | set(post.recertification.modules)
    changed: dict[str, datetime] = {}
    for event in events:
        if (isinstance(event, SignificantChange) and event.module_id in required
                and event.changed_at > certificate.issued_at):
            changed[event.module_id] = max(event.changed_at, changed.get(event.module_id, event.changed_at))
    return changed


# --- Requirements against records ---

Overrides = Mapping[str, RequirementOverridden]


def _overrides(events: Sequence[CertificateEvent], since: datetime | None) -> dict[str, RequirementOverridden]:
    """The counted overrides by requirement key (the latest grant when one was granted twice)."""
    found: dict[str, RequirementOverridden] = {}
    for event in sorted((e for e in events if isinstance(e, RequirementOverridden)), key=lambda e: e.granted_at):
        if _counts(event.granted_at, since):
            found[event.requirement] = event
    return found


def _modules_status(module_ids: Sequence[str], records: TraineeRecords, since: datetime | None,
                    overrides: Overrides) -> ModulesStatus:
    completed = {module_id for module_id in module_ids
                 if module_id in records.modules and _counts(records.modules[module_id].completed_at, since)}
    # A completed module is met by its record; the override only fills what the records do not.
    by_override = tuple(overrides[module_key(module_id)] for module_id in module_ids
                        if module_id not in completed and module_key(module_id) in overrides)
    overridden = {override.requirement.removeprefix("module:") for override in by_override}
    done = tuple(module_id for module_id in module_ids if module_id in completed or module_id in overridden)
    return ModulesStatus(tuple(module_ids), done, by_override)


def _quiz_status(requirement: QuizRequirement, records: TraineeRecords, since: datetime | None,
                 overrides: Overrides) -> QuizStatus:
    result = records.quizzes.get(requirement.quiz_id)
    counted = result is not None and result.attempts > 0 and _counts(result.last_graded_at, since)
    status = QuizStatus(requirement.quiz_id, requirement.min_score, result.best_score if counted else None)
    if not status.met and quiz_key(requirement.quiz_id) in overrides:
        status = replace(status, override=overrides[quiz_key(requirement.quiz_id)])
    return status


def _scenarios_status(requirement: ScenarioRequirement, records: TraineeRecords,
                      since: datetime | None, overrides: Overrides) -> ScenariosStatus:
    fresh = [result for result in records.scenarios.values() if _counts(result.finished_at, since)]
    if requirement.scenario_ids:
        by_id = {result.scenario_id: result for result in fresh}
        counted = tuple(by_id[sid] for sid in requirement.scenario_ids if sid in by_id)
        missing = tuple(sid for sid in requirement.scenario_ids if sid not in by_id)
        status = ScenariosStatus(requirement, counted, missing)
    else:
        tagged = [result for result in fresh if requirement.tag in result.tags]
        # The trainee's best calls count; a call with a critical violation only when nothing else is left.
        tagged.sort(key=lambda r: (requirement.no_critical and r.critical, -r.best_score, r.scenario_id))
        status = ScenariosStatus(requirement, tuple(tagged[:requirement.count]), ())
    if not status.met and SCENARIOS_KEY in overrides:
        status = replace(status, override=overrides[SCENARIOS_KEY])
    return status


def _statuses(requirements: Requirements, records: TraineeRecords, since: datetime | None,
              overrides: Overrides | None = None) -> tuple[RequirementStatus, ...]:
    overrides = overrides or {}
    statuses: list[RequirementStatus] = []
    if requirements.modules:
        statuses.append(_modules_status(requirements.modules, records, since, overrides))
    statuses += [_quiz_status(quiz, records, since, overrides) for quiz in requirements.quizzes]
    if requirements.scenarios is not None:
        statuses.append(_scenarios_status(requirements.scenarios, records, since, overrides))
    return tuple(statuses)


def _remaining(statuses: Sequence[RequirementStatus]) -> tuple[RemainingItem, ...]:
    items: list[RemainingItem] = []
    for status in statuses:
        match status:
            case ModulesStatus():
                items += [RemainingItem(ItemKind.MODULE, module_id)
                          for module_id in status.required if module_id not in status.done]
            case QuizStatus() if not status.met:
                items.append(RemainingItem(ItemKind.QUIZ, status.quiz_id,
                                           reason="missing" if status.best_score is None else "score"))
            case ScenariosStatus() if not status.met:
                items += _remaining_scenarios(status)
    return tuple(items)


def _remaining_scenarios(status: ScenariosStatus) -> list[RemainingItem]:
    items = [RemainingItem(ItemKind.SCENARIO, sid) for sid in status.missing]
    shortfall = status.needed - len(status.counted)
    if status.requirement.tag is not None and shortfall > 0:
        items.append(RemainingItem(ItemKind.SCENARIO_TAG, status.requirement.tag, count=shortfall))
    items += [RemainingItem(ItemKind.SCENARIO, sid, reason="critical") for sid in status.critical]
    if status.enough and not status.average_met:
        weakest = min((r for r in status.counted if r.scenario_id not in status.critical),
                      key=lambda r: r.best_score, default=None)
        if weakest is not None:
            items.append(RemainingItem(ItemKind.SCENARIO, weakest.scenario_id, reason="average"))
    return items


def _progress(statuses: Sequence[RequirementStatus]) -> float:
    done = sum(status.units[0] for status in statuses)
    total = sum(status.units[1] for status in statuses)
    return done / total if total else 1.0


# --- The evaluation ---

def standing(post: PostDefinition, events: Sequence[CertificateEvent], assignment: Assignment,
             today: date) -> Standing:
    certificate = _latest_certificate(events)
    last_cycle = certificate.cycle if certificate else 0
    if certificate is not None and certificate.revocation is not None:
        if certificate.revocation.revoked_at >= assignment.assigned_at:
            return Standing(State.REVOKED, certificate, False, None, (), certificate.revocation.revoked_at,
                            last_cycle)
        # Re-assigned after the revocation: start again, with evidence newer than the revocation.
        since = certificate.revocation.revoked_at
    elif certificate is not None:
        opens_at = _window_opens_at(post, certificate, events)
        recertifying = today >= opens_at.date()
        if today > certificate.valid_until:
            state = State.EXPIRED
        else:
            state = State.EXPIRING if recertifying else State.CERTIFIED
        return Standing(state, certificate, recertifying, opens_at.date(),
                        tuple(_changed_modules(post, certificate, events)),
                        opens_at if recertifying else None, last_cycle)
    else:
        since = None
    overdue = assignment.due_date is not None and today > assignment.due_date
    return Standing(State.OVERDUE if overdue else State.IN_PROGRESS, certificate, False, None, (), since,
                    last_cycle)


@dataclass(frozen=True)
class StateTimeline:
    """``standing(...).state`` on every day for fixed events: ``first`` until the first change,
    then each ``(day, state)`` from that day on. HR stores it on the assignment row so that the
    roster counts and filters states in SQL without evaluating anyone."""

    first: State
    changes: tuple[tuple[date, State], ...]

    def state_on(self, today: date) -> State:
        state = self.first
        for day, changed in self.changes:
            if today >= day:
                state = changed
        return state


def state_timeline(post: PostDefinition, events: Sequence[CertificateEvent], assignment: Assignment) -> StateTimeline:
    """The state changes only on these days (the due date passing, the renewal window opening,
    the certificate expiring); between them ``standing`` is asked, so the rule stays in one place."""
    certificate = _latest_certificate(events)
    days = set()
    if assignment.due_date is not None and assignment.due_date < date.max:
        days.add(assignment.due_date + timedelta(days=1))
    if certificate is not None:
        days.add(_window_opens_at(post, certificate, events).date())
        if certificate.valid_until < date.max:
            days.add(certificate.valid_until + timedelta(days=1))
    first = current = standing(post, events, assignment, date.min).state
    changes = []
    for day in sorted(days):
        state = standing(post, events, assignment, day).state
        if state != current:
            changes.append((day, state))
            current = state
    return StateTimeline(first, tuple(changes))


def evaluate(post: PostDefinition, records: TraineeRecords, events: Sequence[CertificateEvent],
             assignment: Assignment, today: date) -> Evaluation:
    where = standing(post, events, assignment, today)
    requirements = post.recertification if where.recertifying else post.requirements
    statuses = _statuses(requirements, records, where.evidence_since, _overrides(events, where.evidence_since))
    if where.state is State.CERTIFIED:
        return Evaluation(where, statuses, (), 1.0)
    remaining = () if where.state is State.REVOKED else _remaining(statuses)
    return Evaluation(where, statuses, remaining, _progress(statuses))


def draft_certificate(post: PostDefinition, evaluation: Evaluation, records: TraineeRecords,
                      today: date) -> CertificateDraft:
    """The next certificate for a trainee whose evaluation says it may be issued."""
    if not evaluation.can_issue:
        raise ValueError(f"post {post.post_id}: requirements not met or a certificate is already held")
    renewing_in_window = evaluation.state is State.EXPIRING
    start = evaluation.standing.certificate.valid_until if renewing_in_window else today
    final_exam = next((status for status in evaluation.requirements
                       if isinstance(status, QuizStatus) and status.quiz_id == f"{post.post_id}.final"), None)
    scenarios = next((status for status in evaluation.requirements if isinstance(status, ScenariosStatus)), None)
    return CertificateDraft(
        cycle=evaluation.standing.last_cycle + 1,
        code=new_verification_code(),
        issued_on=today,
        valid_until=add_months(start, post.validity_months),
        content_versions=earned_on(post, evaluation, records),
        exam_score=final_exam.best_score if final_exam else None,
        roleplay_average=scenarios.average if scenarios else None,
    )


def earned_on(post: PostDefinition, evaluation: Evaluation, records: TraineeRecords) -> dict:
    """The content versions the certificate was earned on (JSON-able)."""
    versions: dict = {"post": post.content_hash, "modules": {}, "quizzes": {}, "scenarios": {}}
    overrides: list[RequirementOverridden] = []
    for status in evaluation.requirements:
        match status:
            case ModulesStatus():
                versions["modules"] = {module_id: dict(records.modules[module_id].lesson_versions)
                                       for module_id in status.done if module_id not in status.overridden}
                overrides += status.overrides
            case QuizStatus():
                versions["quizzes"][status.quiz_id] = status.best_score
                overrides += [status.override] if status.override else []
            case ScenariosStatus():
                versions["scenarios"].update({r.scenario_id: r.scenario_hash for r in status.counted})
                overrides += [status.override] if status.override else []
    if overrides:
        versions["overrides"] = {override.requirement: {"at": override.granted_at.isoformat(timespec="seconds"),
                                                        "by": override.granted_by, "reason": override.reason}
                                 for override in overrides}
    return versions
