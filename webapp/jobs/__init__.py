"""Background work that runs exactly once across nodes: a job table in the application database.

Domains register handlers at import time and queue jobs inside their own transaction::

    @jobs.handler("xapi.send", tries=12)
    def send_statement(payload: dict) -> None: ...      # raise to be retried later

    jobs.enqueue("xapi.send", {"statement_id": 3}, key="xapi:3")

    @jobs.periodic("certification.refresh", every=timedelta(hours=1))
    def refresh(now: datetime) -> None: ...             # once per period across all workers

Workers (``flask jobs work``, started by ``scripts/serve`` and ``scripts/cluster``) claim due jobs
with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional UPDATE everywhere, so two workers
never run one job at the same time; a claim is a lease, so the job of a worker that died runs
again once the lease ends (at-least-once: handlers make their effect idempotent by key).
"""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from flask import Flask
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.jobs.schedule import backoff, period_start

DEFAULT_LEASE = timedelta(minutes=5)
ERROR_CHARS = 2000


@dataclass(frozen=True)
class Handler:
    name: str
    run: Callable[[dict], None]
    tries: int
    lease: timedelta


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta


_handlers: dict[str, Handler] = {}
_periodic: dict[str, Periodic] = {}


def handler(name: str, tries: int = 10, lease: timedelta = DEFAULT_LEASE):
    """Register ``fn(payload)`` as the handler of jobs called ``name``. ``lease`` must exceed the
    longest run: past it, the job counts as abandoned and another worker takes it."""
    def register(fn: Callable[[dict], None]) -> Callable[[dict], None]:
        if name in _handlers and _handlers[name].run is not fn:
            raise ValueError(f"a job handler named {name!r} is already registered")
        _handlers[name] = Handler(name, fn, tries, lease)
        return fn
    return register


def periodic(name: str, every: timedelta, tries: int = 3, lease: timedelta = DEFAULT_LEASE):
    """Register ``fn(now)`` to run once per period of ``every``; ``now`` is the period's start."""
    def register(fn: Callable[[datetime], None]) -> Callable[[datetime], None]:
        handler(name, tries, lease)(lambda payload: fn(datetime.fromisoformat(payload["period"])))
        _periodic[name] = Periodic(name, every)
        return fn
    return register


def enqueue(name: str, payload: dict, key: str | None = None, run_at: datetime | None = None) -> None:
    """Queue a job in the caller's transaction (no commit). A job with the same ``key`` already
    queued, running or done makes this a no-op, on every node."""
    if name not in _handlers:
        raise KeyError(f"no job handler named {name!r}")
    now = utcnow()
    values = {"name": name, "key": key, "payload": payload, "state": Job.QUEUED, "tries": 0,
              "max_tries": _handlers[name].tries, "run_at": run_at or now, "created_at": now}
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(Job).values(**values).on_conflict_do_nothing(index_elements=["key"]))


def schedule_periodic(now: datetime) -> None:
    """Queue the current period of every periodic job (a no-op for periods already queued)."""
    for entry in _periodic.values():
        start = period_start(now, entry.every)
        enqueue(entry.name, {"period": start.isoformat()}, key=f"{entry.name}@{start.isoformat()}", run_at=start)
    db.session.commit()


def claim(now: datetime) -> Job | None:
    """Take the next due job for this worker, or None. Commits the claim."""
    due = db.or_(db.and_(Job.state == Job.QUEUED, Job.run_at <= now),
                 db.and_(Job.state == Job.RUNNING, Job.locked_until < now))
    while True:
        row = db.session.execute(db.select(Job.id, Job.name).where(due).order_by(Job.run_at, Job.id).limit(1)
                                 .with_for_update(skip_locked=True)).first()
        if row is None:
            db.session.commit()
            return None
        job_id, lease = row.id, _handlers[row.name].lease if row.name in _handlers else DEFAULT_LEASE
        taken = db.session.execute(
            db.update(Job).where(Job.id == job_id, due)
            .values(state=Job.RUNNING, tries=Job.tries + 1, locked_until=now + lease)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if taken:  # else another worker (SQLite has no row locks) took it between select and update
            return db.session.get(Job, job_id)


def run(job: Job, now: datetime) -> bool:
    """Run a claimed job; True when it succeeded. A failure is retried after a back-off until its
    tries are used up, then stays ``failed`` with its error for an administrator to see."""
    job_id, tries, entry = job.id, job.tries, _handlers.get(job.name)
    payload = dict(job.payload)
    try:
        if entry is None:
            raise LookupError(f"no job handler named {job.name!r} on this node")
        entry.run(payload)
        db.session.commit()
    except Exception as error:  # noqa: BLE001 — any failure of a handler is recorded and retried
        db.session.rollback()
        final = tries >= job.max_tries
        _settle(job_id, tries, state=Job.FAILED if final else Job.QUEUED,
                run_at=now + backoff(tries), locked_until=None, last_error=repr(error)[:ERROR_CHARS],
                finished_at=utcnow() if final else None)
        return False
    _settle(job_id, tries, state=Job.DONE, locked_until=None, finished_at=utcnow())
    return True


def _settle(job_id: int, tries: int, **values) -> None:
    # Only the worker holding this try settles it: after a lease ran out, another try owns the row.
    db.session.execute(db.update(Job).where(Job.id == job_id, Job.tries == tries, Job.state == Job.RUNNING)
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def run_pending(now: datetime | None = None, limit: int | None = None) -> int:
    """Run every job due at ``now`` (default: the current time), periodic ones included, in this
    process; the number run. Used by ``flask jobs work --burst`` and by tests."""
    now = now or utcnow()
    schedule_periodic(now)
    count = 0
    while limit is None or count < limit:
        job = claim(now)
        if job is None:
            break
        run(job, now)
        count += 1
    return count


def init_app(app: Flask) -> None:
    from webapp.jobs import cli

    app.cli.add_command(cli.jobs_cli)


@periodic("jobs.purge", every=timedelta(days=1))
def purge_finished(now: datetime) -> None:
    """Drop month-old finished runs of periodic and unkeyed jobs. Keyed one-off jobs stay: their
    key is what stops the same thing being queued again."""
    db.session.execute(db.delete(Job).where(
        Job.state == Job.DONE, Job.finished_at < now - timedelta(days=30),
        db.or_(Job.key.is_(None), Job.name.in_(list(_periodic)))))
