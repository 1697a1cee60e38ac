"""Learning records: domain events become statements, queued in the event's own transaction and
delivered to the LRS by the ``xapi.send`` job (retried with the job queue's back-off).

Receivers run inside the emitting transaction: they only add rows and never commit.
"""
from datetime import datetime

from flask import current_app
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from webapp import jobs
from webapp.accounts.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.roleplay import services as roleplay

from . import statements as xapi
from .lrs import Lrs, LrsError
from .models import ERROR_LENGTH, FAILING, QUEUED, SENT, Statement

JOB = "xapi.send"
#: The queue backs off to one try an hour: this keeps trying for about four days, so an LRS down
#: over a long weekend misses nothing.
TRIES = 100


def configured_lrs() -> Lrs | None:
    """The LRS from HOTLINE_LRS_URL / _USER / _PASSWORD; None (recording off) without a URL."""
    config = current_app.config
    if not config["LRS_URL"]:
        return None
    return Lrs(config["LRS_URL"], config["LRS_USER"], config["LRS_PASSWORD"])


def platform() -> xapi.Platform:
    return xapi.Platform(current_app.config["PUBLIC_BASE_URL"])


def learner(user: User) -> xapi.Learner:
    return xapi.Learner(user.id, user.employee_no)


def record(user_id: int, statement: dict) -> None:
    """Keep the statement and queue its delivery, in the caller's transaction (no commit)."""
    if db.session.get(Statement, statement["id"]) is not None:
        return
    verb = statement["verb"]["id"].rsplit("/", 1)[-1]
    db.session.add(Statement(id=statement["id"], user_id=user_id, verb=verb, statement=statement))
    jobs.enqueue(JOB, {"statement_id": statement["id"]}, key=f"xapi:{statement['id']}")


@jobs.handler(JOB, tries=TRIES)
def send_statement(payload: dict) -> None:
    """Deliver one statement. Raises while the LRS cannot take it: the queue retries later."""
    row = db.session.get(Statement, payload["statement_id"])
    if row is None or row.state == SENT:  # at-least-once queue: a repeat run has nothing to do
        return
    lrs = configured_lrs()
    row.attempts += 1
    row.last_attempt_at = utcnow()
    try:
        if lrs is None:
            raise LrsError("HOTLINE_LRS_URL is not set")
        lrs.put(row.statement)
    except LrsError as exc:
        row.state, row.last_error = FAILING, str(exc)[:ERROR_LENGTH]
        db.session.commit()
        raise
    row.state, row.sent_at = SENT, utcnow()
    db.session.commit()


# --- event receivers (connected in init_app) ---------------------------------------------------

def on_lesson_completed(sender, user_id: int, lesson, **_extra) -> None:
    if configured_lrs() is None:
        return
    user, module = db.session.get(User, user_id), lesson.module
    record(user_id, xapi.lesson_completed(
        platform(), learner(user), xapi.Named(lesson.id, lesson.title),
        xapi.Named(module.id, module.title_zh, module.title_en), utcnow(),
    ))


def on_attempt_graded(sender, attempt, **_extra) -> None:
    if configured_lrs() is None:
        return
    quiz = attempt.quiz
    record(attempt.user_id, xapi.quiz_graded(
        platform(), learner(attempt.user), xapi.Named(quiz.id, quiz.title_zh, quiz.title_en),
        attempt.id, attempt.number, attempt.score, attempt.pass_mark, bool(attempt.passed),
        attempt.graded_at or utcnow(),
    ))


def on_call_finished(sender, call, **_extra) -> None:
    if configured_lrs() is None:
        return
    db.session.expire(call, ["turns"])  # loaded before the last turn was stored
    _record_call(call)


def on_verdict_overridden(sender, call, override, **_extra) -> None:
    if configured_lrs() is None:
        return
    _record_call(call, (override.id, override.at or utcnow()))


def _record_call(call, override: tuple[int, datetime] | None = None) -> None:
    result = roleplay.call_result(call)  # with every trainer override so far
    scenario = roleplay.scenario_of(call.scenario_version)
    record(call.user_id, xapi.call_scored(
        platform(), learner(call.user), xapi.Named(scenario.id, scenario.title_zh, scenario.title_en),
        call.id, call.mode, result.percent, result.passed, call.state == roleplay.FINISHED,
        xapi.tally_criteria(criterion for turn in result.turns for criterion in turn.criteria),
        call.started_at, call.finished_at or utcnow(), override,
    ))


def on_certificate_issued(sender, certificate, **_extra) -> None:
    if configured_lrs() is None:
        return
    post = certificate.post
    db.session.flush()  # the number is made from the id, the issue time from its column default
    record(certificate.user_id, xapi.certificate_issued(
        platform(), learner(certificate.user), xapi.Named(post.id, post.title_zh, post.title_en),
        certificate.id, certificate.number, certificate.cycle, certificate.valid_until, certificate.issued_at,
    ))


# --- status for administrators -------------------------------------------------------------------

def state_counts() -> dict[str, int]:
    counts = dict(db.session.execute(db.select(Statement.state, func.count()).group_by(Statement.state)).all())
    return {state: counts.get(state, 0) for state in (QUEUED, FAILING, SENT)}


def undelivered_query():
    """Failing statements first (they need attention), then the queue, oldest first."""
    return (db.select(Statement).where(Statement.state != SENT).options(selectinload(Statement.user))
            .order_by((Statement.state == FAILING).desc(), Statement.created_at, Statement.id))
