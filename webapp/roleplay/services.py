"""Role-play work on the database, shared by views, CLI and other domains. No commits here:
the caller commits (and sends ``progress_recorded`` after a call ends)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache, partial

from flask import current_app
from flask_babel import to_user_timezone
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from webapp.accounts.models import User
from webapp.audit.services import record
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.registry import call_finished, verdict_overridden

from .calibration import Calibration, calibrate, month_of, ratings_of_call
from .call import COMPLETED, VIOLATION_KEY_PREFIX, CallResult, CallState, Criterion, Reply, Score, TurnResult
from .impact import ImpactSummary, call_impact, memoized, summarise
from .kinds import NORMS_NAME
from .models import Call, CallTurn, NormsSet, NormsVersion, RoleplayScenario, ScenarioVersion, VerdictOverride
from .norms import VIOLATION_CATEGORIES, Norms, parse_norms
from .scenarios import Scenario, parse_scenario
from .scoring import score_reply

MODES = ("practice", "assessment")
IN_PROGRESS, FINISHED, FAILED = "in_progress", "finished", "failed"
#: Only assessment calls count for certification; practice calls show feedback after every reply.
CERTIFYING_MODE = "assessment"
MAX_REPLY_CHARS = 2000


class RoleplayError(Exception):
    """A request the current state does not allow (the message is for people)."""


@dataclass(frozen=True)
class ScenarioResult:
    scenario_id: str
    best_score: float  # percent
    passed: bool
    critical: bool  # the best call ended with a critical violation
    finished_at: datetime
    tags: list[str]
    scenario_hash: str  # the version the best call was played on


# --- versions -----------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _parse_version(scenario_id: str, content_hash: str, source: str) -> Scenario:
    scenario, problems = parse_scenario(f"{scenario_id}.md", source, expected_id=scenario_id, stored=True)
    if scenario is None:  # stored versions were valid when imported
        raise RoleplayError("; ".join(map(str, problems)))
    return scenario


def scenario_of(version: ScenarioVersion) -> Scenario:
    return _parse_version(version.scenario_id, version.content_hash, version.source)


@lru_cache(maxsize=8)
def _parse_norms(content_hash: str, source: str) -> Norms:
    norms, problems = parse_norms(source, f"norms@{content_hash[:8]}")
    if norms is None:
        raise RoleplayError("; ".join(map(str, problems)))
    return norms


def scorer_for(version: NormsVersion) -> Score:
    return partial(score_reply, norms=_parse_norms(version.content_hash, version.source))


def draft_scorer(source: str, path: str = "norms-draft.yaml") -> tuple[Score | None, str | None, list]:
    """A scorer for a pasted, unpublished norms text (the test bench, the editor): ``(score,
    sha256, problems)``; ``score`` is None when the text has problems. Nothing is stored."""
    norms, problems = parse_norms(source, path)
    if norms is None:
        return None, None, problems
    return partial(score_reply, norms=norms), norms.version, []


def current_norms_version() -> NormsVersion | None:
    norms_set = db.session.scalar(db.select(NormsSet).where(NormsSet.name == NORMS_NAME))
    return norms_set.current_version if norms_set else None


def current_scenarios() -> list[Scenario]:
    versions = db.session.scalars(
        db.select(ScenarioVersion).join(RoleplayScenario, RoleplayScenario.current_version_id == ScenarioVersion.id)
    )
    return sorted((scenario_of(v) for v in versions), key=lambda s: (s.module, s.difficulty, s.id))


def current_version_of(scenario_id: str) -> ScenarioVersion | None:
    item = db.session.scalar(db.select(RoleplayScenario).where(RoleplayScenario.scenario_id == scenario_id))
    return item.current_version if item else None


# --- playing a call -----------------------------------------------------------------------------

def start_call(user_id: int, scenario_id: str, mode: str) -> Call:
    if mode not in MODES:
        raise RoleplayError(f"unknown mode {mode!r}")
    version, norms_version = current_version_of(scenario_id), current_norms_version()
    if version is None or norms_version is None:
        raise RoleplayError("scenario or norms not imported")
    now = utcnow()
    call = Call(user_id=user_id, scenario_version=version, norms_version=norms_version, mode=mode,
                state=IN_PROGRESS, mood=scenario_of(version).starting_mood, started_at=now, line_served_at=now)
    db.session.add(call)
    db.session.flush()
    return call


def call_state(call: Call) -> CallState:
    return CallState(scenario_of(call.scenario_version), tuple(TurnResult.from_json(t.verdict) for t in call.turns))


def submit_reply(call: Call, turn_index: int, text: str) -> CallTurn:
    """Store and score the reply to turn ``turn_index`` once: a retried or doubled post returns the
    turn already stored for that index (the first arrival wins), never a second one."""
    stored = _stored_turn(call.id, turn_index)
    if stored is not None:
        return stored
    state = call_state(call)
    if state.ended or turn_index != state.next_turn_index:
        raise RoleplayError("this turn is not awaiting a reply")
    now = utcnow()
    seconds = round((now - call.line_served_at).total_seconds(), 1)
    state = state.answer(text.strip()[:MAX_REPLY_CHARS], seconds, scorer_for(call.norms_version))
    result = state.turns[-1]
    turn = CallTurn(call_id=call.id, index=turn_index, customer_line=result.customer_line, reply=result.reply,
                    seconds=seconds, verdict=result.as_json(), points=result.points, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(turn)
    except IntegrityError:  # a concurrent request stored this turn first
        db.session.expire(call)
        return _stored_turn(call.id, turn_index)
    call.mood, call.line_served_at = state.mood, now
    if state.ended:
        call.state = FINISHED if state.end_reason == COMPLETED else FAILED
        call.finished_at = now
        _store_result(call, state.result())
        call_finished.send(current_app._get_current_object(), call=call)
    db.session.expire(call, ["turns"])
    return turn


def _stored_turn(call_id: int, turn_index: int) -> CallTurn | None:
    return db.session.scalar(db.select(CallTurn).where(CallTurn.call_id == call_id, CallTurn.index == turn_index))


def _store_result(call: Call, result: CallResult) -> None:
    call.score, call.passed, call.critical = result.percent, result.passed, result.critical


# --- results and review ---------------------------------------------------------------------------

def overrides_of(call: Call) -> dict[tuple[int, str], bool]:
    """The latest trainer decision per (turn index, criterion)."""
    rows = db.session.execute(
        db.select(CallTurn.index, VerdictOverride.criterion, VerdictOverride.passed)
        .join(CallTurn, VerdictOverride.call_turn_id == CallTurn.id)
        .where(CallTurn.call_id == call.id).order_by(VerdictOverride.id)
    )
    return {(index, criterion): passed for index, criterion, passed in rows}


def call_result(call: Call) -> CallResult:
    return call_state(call).result(overrides_of(call))


def override_history(call: Call) -> list[VerdictOverride]:
    return list(db.session.scalars(
        db.select(VerdictOverride).join(CallTurn).where(CallTurn.call_id == call.id).order_by(VerdictOverride.id)
    ))


def override_criterion(call: Call, turn_index: int, criterion: str, passed: bool, reason: str, trainer) -> VerdictOverride:
    """Record a trainer's verdict on one criterion (the machine verdict stays in the turn) and
    rescore the call."""
    if call.in_progress:
        raise RoleplayError("the call has not ended")
    if not reason.strip():
        raise RoleplayError("a reason is required")
    turn = _stored_turn(call.id, turn_index)
    machine = next((c for c in TurnResult.from_json(turn.verdict).criteria if c.key == criterion), None) if turn else None
    if machine is None and turn is not None and criterion.removeprefix(VIOLATION_KEY_PREFIX) in VIOLATION_CATEGORIES \
            and criterion.startswith(VIOLATION_KEY_PREFIX):
        machine_passed = True  # a violation the machine missed: its verdict was "none found"
    elif machine is None:
        raise RoleplayError("no such criterion")
    else:
        machine_passed = machine.machine_passed
    override = VerdictOverride(call_turn_id=turn.id, criterion=criterion, machine_passed=machine_passed,
                               passed=passed, reason=reason.strip(), trainer_id=trainer.id)
    db.session.add(override)
    db.session.flush()
    before = (call.score, call.passed)
    _store_result(call, call_result(call))
    record("roleplay.override", f"call:{call.id}", {
        "turn": turn_index, "criterion": criterion, "machine_passed": machine_passed, "passed": passed,
        "reason": override.reason, "score_before": before[0], "score_after": call.score,
        "passed_before": before[1], "passed_after": call.passed,
    }, actor=trainer)
    verdict_overridden.send(current_app._get_current_object(), call=call, override=override)
    return override


REVIEW_OUTCOMES = ("passed", "failed")


def ended_calls_query(scenario_id: str | None = None, trainee: str | None = None, outcome: str | None = None,
                      unreviewed: bool = False):
    """Ended calls, newest first (the trainer's review queue), optionally narrowed to one scenario,
    a trainee (employee number or part of the name), passed or failed calls, or calls no trainer has
    marked as reviewed yet ("unreviewed")."""
    query = (db.select(Call).where(Call.state != IN_PROGRESS)
             .options(selectinload(Call.user), selectinload(Call.scenario_version), selectinload(Call.norms_version)))
    if scenario_id:
        query = query.join(Call.scenario_version).where(ScenarioVersion.scenario_id == scenario_id)
    if trainee and trainee.strip():
        needle = trainee.strip()
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.join(Call.user).where(db.or_(User.employee_no == needle,
                                                    User.name.like(pattern, escape="\\")))
    if outcome == "passed":
        query = query.where(Call.passed.is_(True))
    elif outcome == "failed":
        query = query.where(db.or_(Call.passed.is_(False), Call.passed.is_(None)))
    if unreviewed:
        query = query.where(Call.reviewed_at.is_(None))
    return query.order_by(Call.finished_at.desc(), Call.id.desc())


#: How long a trainee is told about a verdict a trainer changed on one of their calls.
OVERRIDE_NOTICE_DAYS = 30


@dataclass(frozen=True)
class AdjustedCall:
    """A trainee's call on which a trainer changed at least one verdict, with the latest change."""

    call: Call
    latest: VerdictOverride
    overrides: int


def recently_adjusted_calls(user_id: int, now: datetime) -> list[AdjustedCall]:
    """The trainee's calls with a trainer override in the last ``OVERRIDE_NOTICE_DAYS`` days,
    latest change first (for the notice on their home page and call list)."""
    rows = db.session.execute(
        db.select(Call, VerdictOverride).join(CallTurn, CallTurn.call_id == Call.id)
        .join(VerdictOverride, VerdictOverride.call_turn_id == CallTurn.id)
        .where(Call.user_id == user_id, VerdictOverride.at >= now - timedelta(days=OVERRIDE_NOTICE_DAYS))
        .order_by(VerdictOverride.at.desc(), VerdictOverride.id.desc()))
    adjusted: dict[int, AdjustedCall] = {}
    for call, override in rows:
        found = adjusted.get(call.id)
        adjusted[call.id] = AdjustedCall(call, found.latest if found else override, (found.overrides if found else 0) + 1)
    return list(adjusted.values())


def overridden_call_ids(call_ids: list[int]) -> set[int]:
    """Which of these calls carry at least one trainer override."""
    if not call_ids:
        return set()
    return set(db.session.scalars(
        db.select(CallTurn.call_id).join(VerdictOverride, VerdictOverride.call_turn_id == CallTurn.id)
        .where(CallTurn.call_id.in_(call_ids)).distinct()
    ))


def mark_reviewed(call: Call, trainer) -> bool:
    """Mark an ended call as reviewed by ``trainer``: from now on its criteria count as the trainer's
    judgement (the machine verdict where not overridden, the override where overridden) when the
    machine is calibrated against the trainers. One conditional update: the first trainer to mark a
    call wins and a second mark (another tab, a double click) changes nothing and returns False.
    Audited with the overrides the call carries at that moment."""
    if call.in_progress:
        raise RoleplayError("the call has not ended")
    now = utcnow()
    marked = db.session.execute(
        db.update(Call).where(Call.id == call.id, Call.reviewed_at.is_(None), Call.state != IN_PROGRESS)
        .values(reviewed_at=now, reviewed_by_id=trainer.id).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(call, ["reviewed_at", "reviewed_by_id", "reviewed_by"])
    if not marked:
        return False
    overrides = overrides_of(call)
    record("roleplay.review", f"call:{call.id}", {
        "overrides": [{"turn": turn, "criterion": key, "passed": passed} for (turn, key), passed in sorted(overrides.items())],
        "score": call.score, "passed": call.passed,
    }, actor=trainer)
    return True


def recent_ended_calls(limit: int) -> list[Call]:
    return list(db.session.scalars(ended_calls_query().limit(limit)))


def user_calls(user_id: int) -> list[Call]:
    return list(db.session.scalars(db.select(Call).where(Call.user_id == user_id).order_by(Call.id.desc())))


def scenario_results(user_id: int) -> dict[str, ScenarioResult]:
    """Best ended assessment call per scenario (passed first, then score, then the earliest)."""
    return scenario_results_of([user_id])[user_id]


def scenario_results_of(user_ids) -> dict[int, dict[str, ScenarioResult]]:
    """``scenario_results`` of several trainees in one query."""
    best: dict[int, dict[str, Call]] = {user_id: {} for user_id in user_ids}
    calls = db.session.scalars(
        db.select(Call).join(Call.scenario_version).options(contains_eager(Call.scenario_version))
        .where(Call.user_id.in_(list(best)), Call.mode == CERTIFYING_MODE, Call.state != IN_PROGRESS)
        .order_by(Call.finished_at)
    )
    for call in calls:
        scenario_id = call.scenario_version.scenario_id
        current = best[call.user_id].get(scenario_id)
        if current is None or (call.passed, call.score) > (current.passed, current.score):
            best[call.user_id][scenario_id] = call
    return {
        user_id: {
            scenario_id: ScenarioResult(
                scenario_id=scenario_id, best_score=call.score, passed=call.passed, critical=call.critical,
                finished_at=call.finished_at, tags=list(scenario_of(call.scenario_version).tags),
                scenario_hash=call.scenario_version.content_hash,
            )
            for scenario_id, call in calls_by_scenario.items()
        }
        for user_id, calls_by_scenario in best.items()
    }


# --- calibration: machine against trainers ------------------------------------------------------

def calibration(threshold: float | None = None, min_n: int | None = None) -> Calibration:
    """Cohen's kappa between the machine and the trainers per criterion, over every reviewed call,
    overall and per calendar month of review (in the app's time zone); thresholds from the
    configuration unless given.

    Trainers see the flagged criteria on their home page, so the result is kept per process and
    recomputed only when a call is marked reviewed or an override is added (one small query tells)."""
    threshold = current_app.config["CALIBRATION_KAPPA"] if threshold is None else threshold
    min_n = current_app.config["CALIBRATION_MIN_N"] if min_n is None else min_n
    # reviewed calls only: an index-only scan of ix_calls_reviewed_at, not every call
    changes = db.session.execute(db.select(
        db.func.count(), db.func.max(Call.reviewed_at),
        db.select(db.func.max(VerdictOverride.id)).scalar_subquery(),
    ).where(Call.reviewed_at.is_not(None))).one()
    key = (tuple(changes), threshold, min_n)
    cached = current_app.extensions.get(_CALIBRATION_CACHE)
    if cached is None or cached[0] != key:
        cached = (key, _calibration(threshold, min_n))
        current_app.extensions[_CALIBRATION_CACHE] = cached
    return cached[1]


_CALIBRATION_CACHE = "roleplay.calibration"


def _calibration(threshold: float, min_n: int) -> Calibration:
    """Three queries whatever the number of calls; only the criteria are read from the verdicts."""
    reviewed = Call.reviewed_at.is_not(None)
    calls = db.session.execute(
        db.select(Call.id, Call.reviewed_at, ScenarioVersion.scenario_id)
        .join(ScenarioVersion, Call.scenario_version_id == ScenarioVersion.id).where(reviewed)
    ).all()
    turns: dict[int, list] = defaultdict(list)
    overrides: dict[int, dict] = defaultdict(dict)
    if calls:
        for call_id, index, criteria in db.session.execute(
            db.select(CallTurn.call_id, CallTurn.index, CallTurn.verdict["criteria"])
            .join(Call, CallTurn.call_id == Call.id).where(reviewed)
        ):
            turns[call_id].append((index, [Criterion.from_json(item) for item in criteria or ()]))
        for call_id, index, key, passed in db.session.execute(
            db.select(CallTurn.call_id, CallTurn.index, VerdictOverride.criterion, VerdictOverride.passed)
            .join(CallTurn, VerdictOverride.call_turn_id == CallTurn.id).join(Call, CallTurn.call_id == Call.id)
            .where(reviewed).order_by(VerdictOverride.id)
        ):
            overrides[call_id][(index, key)] = passed  # the latest decision wins
    ratings = []
    for call_id, reviewed_at, scenario_id in calls:
        month = month_of(to_user_timezone(reviewed_at))
        ratings += ratings_of_call(scenario_id, month, sorted(turns[call_id], key=lambda turn: turn[0]), overrides[call_id])
    return calibrate(ratings, threshold, min_n)


# --- the bench: impact of a draft on stored calls ------------------------------------------------

#: The bench replays at most this many calls (the latest), so that the page stays fast.
IMPACT_CALL_LIMIT = 500


def bench_impact(scenario: Scenario, score: Score, limit: int = IMPACT_CALL_LIMIT) -> tuple[ImpactSummary, dict[int, Call]]:
    """Replay the latest ``limit`` ended calls of ``scenario.id`` (their replies and reply times)
    through ``scenario`` with ``score`` and compare with their stored machine verdicts. Returns the
    summary and the replayed calls by id. Nothing is stored."""
    calls = list(db.session.scalars(
        db.select(Call).join(ScenarioVersion, Call.scenario_version_id == ScenarioVersion.id)
        .where(ScenarioVersion.scenario_id == scenario.id, Call.state != IN_PROGRESS)
        .options(selectinload(Call.scenario_version), selectinload(Call.user), selectinload(Call.turns))
        .order_by(Call.finished_at.desc(), Call.id.desc()).limit(limit + 1)
    ))
    limited, calls = len(calls) > limit, calls[:limit]
    overrides: dict[int, dict] = defaultdict(dict)
    reviewed_ids = [call.id for call in calls if call.reviewed]
    if reviewed_ids:
        for call_id, index, key, passed in db.session.execute(
            db.select(CallTurn.call_id, CallTurn.index, VerdictOverride.criterion, VerdictOverride.passed)
            .join(CallTurn, VerdictOverride.call_turn_id == CallTurn.id)
            .where(CallTurn.call_id.in_(reviewed_ids)).order_by(VerdictOverride.id)
        ):
            overrides[call_id][(index, key)] = passed
    score = memoized(score)
    impacts = []
    for call in calls:
        before = call_state(call).result()
        trainer = {(turn.index, c.key): overrides[call.id].get((turn.index, c.key), c.machine_passed)
                   for turn in before.turns for c in turn.criteria} if call.reviewed else None
        replies = [Reply(turn.reply, turn.seconds) for turn in call.turns]
        impacts.append(call_impact(call.id, before, replies, scenario, score, trainer))
    return summarise(impacts, limited), {call.id: call for call in calls}
