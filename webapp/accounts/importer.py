"""Importing HR rosters: all-or-nothing, in bulk, on the job queue when the file is big.

One transaction: parse every row, check every row against the account rules, then write with a
few bulk statements (existing accounts are read in chunks, new ones inserted at once, changed
ones updated by primary key, audit entries appended in one insert). New accounts get no password
(hashing 100,000 of them would take hours of scrypt): an administrator issues first passwords.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import insert, text, update

from webapp import jobs
from webapp.accounts import services
from webapp.accounts.models import RosterImportJob, User, new_session_stamp
from webapp.accounts.roster import RosterRow, RowProblem, parse_roster
from webapp.accounts.roster_plan import Account, Plan, plan_import
from webapp.audit.services import record, record_many
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.registry import roster_imported

#: Rosters with more lines than this run on the job queue (about a second of work inline).
BACKGROUND_LINES = 2000
#: Employee numbers per IN (...) query (SQLite allows 32,766 parameters).
CHUNK = 5000
#: Problems kept on a job for the page (problem_count has them all).
PROBLEMS_SHOWN = 200
#: An import run inline whose request has not reported for this long died with its node.
JOB_LOST_AFTER = timedelta(minutes=10)
#: The queue gives a big import this long before it counts its worker as dead and runs it again.
JOB_LEASE = timedelta(minutes=30)

#: progress(phase, percent): "reading", "checking", "saving".
Progress = Callable[[str, int], None]


@dataclass
class RosterImport:
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing_accounts(rows: list[RosterRow]) -> dict[str, Account]:
    columns = (User.id, User.employee_no, User.name, User.department, User.team, User.role, User.active, User.email)
    found = {}
    for chunk in _chunks([row.employee_no for row in rows]):
        for values in db.session.execute(db.select(*columns).where(User.employee_no.in_(chunk))):
            found[values.employee_no] = Account(*values)
    return found


def _write(plan: Plan, actor: User | None) -> None:
    now = utcnow()
    if plan.create:
        # A plain executemany, then the new ids in one query: RETURNING with rows matched to
        # their parameters costs several times more (insertmanyvalues, sorted).
        last_id = db.session.scalar(db.select(db.func.coalesce(db.func.max(User.id), 0)))
        db.session.execute(insert(User.__table__), [
            {"employee_no": row.employee_no, "name": row.name, "department": row.department, "team": row.team or "",
             "email": row.email or "", "role": role.value, "password_hash": None, "must_change_password": True, "active": True,
             "created_at": now} for row, role in plan.create])
        new_ids = dict(db.session.execute(db.select(User.employee_no, User.id).where(User.id > last_id)).all())
        for row, _role in plan.create:
            row.user_id = new_ids[row.employee_no]
    if plan.update:
        db.session.execute(update(User), [{"id": account.id, **{name: new for name, (_old, new) in changes.items()},
                                           **({"session_stamp": new_session_stamp()} if "role" in changes else {})}
                                          for _row, account, changes in plan.update])  # as User.end_sessions
    for row, account, *_changes in plan.update + plan.unchanged:
        row.user_id = account.id
    record_many(_audit_entries(plan), actor=actor)


def _audit_entries(plan: Plan):
    for row, role in plan.create:
        yield "user.create", f"user:{row.employee_no}", {"role": role.value}
    for row, account, changes in plan.update:
        other = sorted(name for name in changes if name != "role")
        if other:
            yield "user.update", f"user:{row.employee_no}", {"changed": other}
        if "role" in changes:
            old, new = changes["role"]
            yield "user.role", f"user:{row.employee_no}", {"from": old, "to": new}


def import_roster(data: bytes, actor: User | None = None, progress: Progress | None = None) -> RosterImport:
    """Check the whole file, then write it (flushed, not committed: the caller commits). With any
    problem nothing is written (what was flushed is rolled back) and every problem is reported."""
    report = progress or (lambda phase, percent: None)
    if db.session.get_bind().dialect.name == "postgresql":
        # The chunked IN (...) lists: psycopg prepares a statement once it has run five times,
        # and PostgreSQL's generic plan then compares every row with every list item (minutes
        # for 100,000 rows, quadratic). A custom plan per query hashes the list.
        db.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    report("reading", 5)
    rows, problems = parse_roster(data)
    result = RosterImport(problems=problems, rows=len(rows))
    if problems:
        return result
    report("checking", 30)
    existing, actor_role = _existing_accounts(rows), services.actor_role(actor)
    plan, result.problems = plan_import(rows, existing, actor_role, services.count_active_admins(lock=False))
    if not result.problems and plan.takes_admin_role:  # again, on locked rows (see count_active_admins)
        plan, result.problems = plan_import(rows, existing, actor_role, services.count_active_admins(lock=True))
    if result.problems:
        db.session.rollback()
        return result
    report("saving", 50)
    _write(plan, actor)
    for _receiver, receiver_problems in roster_imported.send(current_app._get_current_object(), rows=rows, actor=actor):
        result.problems.extend(receiver_problems or ())
    if result.problems:
        db.session.rollback()
        result.problems.sort(key=lambda problem: problem.row_number)
        return result
    result.created, result.updated, result.unchanged = len(plan.create), len(plan.update), len(plan.unchanged)
    record("roster.import", "users", {"rows": result.rows, "created": result.created, "updated": result.updated},
           actor=actor)
    return result


# --- web imports as jobs ----------------------------------------------------------------------

def _queue_key(job_id: int) -> str:
    return f"roster-import:{job_id}"


def running_job() -> RosterImportJob | None:
    """One import at a time: two would race for the same employee numbers."""
    unfinished = db.session.scalars(db.select(RosterImportJob).where(
        RosterImportJob.state.in_([RosterImportJob.QUEUED, RosterImportJob.RUNNING])))
    return next((job for job in unfinished if not job_lost(job)), None)


def job_lost(job: RosterImportJob) -> bool:
    """Unfinished, and nobody will finish it: the queue gave up on it, or (run inline) its request
    died with its node. A queued or leased import is not lost: a worker's death only delays it."""
    if job.finished:
        return False
    queued = db.session.scalar(db.select(Job.state).where(Job.key == _queue_key(job.id)))
    if queued is not None:
        return queued in (Job.FAILED, Job.DONE)
    return job.heartbeat_at <= utcnow() - JOB_LOST_AFTER


def start_job(data: bytes, filename: str, actor: User) -> RosterImportJob:
    """Run the import now, or queue it for a job worker when the file is big. Commits the job row
    (with the file and the queue entry, in one transaction)."""
    if running_job() is not None:
        raise services.AccountError("another roster import is running")
    job = RosterImportJob(actor_id=actor.id, filename=filename[:255])
    db.session.add(job)
    background = data.count(b"\n") > current_app.config.get("ROSTER_BACKGROUND_LINES", BACKGROUND_LINES)
    if background:
        job.source = data
        db.session.flush()
        jobs.enqueue("accounts.roster_import", {"job_id": job.id}, key=_queue_key(job.id))
    db.session.commit()
    if not background:
        run_job(job.id, data)
    return job


@jobs.handler("accounts.roster_import", tries=3, lease=JOB_LEASE)
def _run_queued(payload: dict) -> None:
    job = db.session.get(RosterImportJob, payload["job_id"])
    if job is not None and not job.finished:  # a retry after the import committed has nothing to do
        run_job(job.id, job.source)


def _progress_of(job_id: int) -> Progress:
    """Progress goes through its own connection and commits at once, so the page sees it while
    the import's transaction is still open. Only reported before the import writes: on SQLite
    a second writer would wait for the import's lock."""
    def report(phase: str, percent: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(RosterImportJob).where(RosterImportJob.id == job_id)
                               .values(state=RosterImportJob.RUNNING, phase=phase, percent=percent,
                                       heartbeat_at=utcnow()))
    return report


def run_job(job_id: int, data: bytes) -> None:
    job = db.session.get(RosterImportJob, job_id)
    try:
        result = import_roster(data, actor=job.actor, progress=_progress_of(job_id))
    except Exception:
        db.session.rollback()
        current_app.logger.exception("roster import %s failed", job_id)
        job.state = RosterImportJob.FAILED
    else:  # the job's outcome commits with the import itself
        job.state = RosterImportJob.REJECTED if result.problems else RosterImportJob.DONE
        job.rows, job.created, job.updated, job.unchanged = result.rows, result.created, result.updated, result.unchanged
        job.problem_count = len(result.problems)
        job.problems = [[problem.row_number, problem.message, problem.params]
                        for problem in result.problems[:PROBLEMS_SHOWN]]
    job.percent, job.finished_at, job.source = 100, utcnow(), None
    db.session.commit()
