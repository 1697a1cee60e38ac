"""The job queue on the test database: once per key, retries with back-off, leases, periodic
work once per period, and two worker processes never running one job twice."""
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import pytest

from webapp import jobs
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.jobs.models import Job
from webapp.jobs.schedule import backoff, period_start

RAN: list[dict] = []
FAILURES = {"left": 0}


@jobs.handler("test.record", tries=3)
def record_run(payload: dict) -> None:
    if FAILURES["left"]:
        FAILURES["left"] -= 1
        raise ConnectionError("server down")
    RAN.append(payload)


@jobs.periodic("test.hourly", every=timedelta(hours=1))
def hourly(now: datetime) -> None:
    RAN.append({"period": now})


@pytest.fixture(autouse=True)
def _fresh():
    RAN.clear()
    FAILURES["left"] = 0


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert backoff(40) == timedelta(hours=1)


def test_periods_are_aligned_whatever_the_moment_of_asking():
    every = timedelta(hours=1)
    assert period_start(datetime(2026, 12, 3, 14, 59, 59), every) == datetime(2026, 12, 3, 14)
    assert period_start(datetime(2026, 12, 3, 14), every) == datetime(2026, 12, 3, 14)


def test_a_job_runs_once_and_a_repeated_key_is_ignored(app):
    jobs.enqueue("test.record", {"n": 1}, key="same")
    jobs.enqueue("test.record", {"n": 2}, key="same")
    jobs.enqueue("test.record", {"n": 3})
    db.session.commit()
    assert jobs.run_pending() >= 2
    assert [p["n"] for p in RAN if "n" in p] == [1, 3]
    assert jobs.run_pending() == 0  # nothing left, and this hour's periodic run is done
    assert db.session.scalar(db.select(db.func.count()).select_from(Job).where(Job.state != Job.DONE)) == 0


def test_a_rolled_back_transaction_queues_nothing(app):
    jobs.enqueue("test.record", {"n": 1})
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 0


def test_an_unknown_job_name_is_refused_at_once(app):
    with pytest.raises(KeyError):
        jobs.enqueue("test.nobody", {})


def test_a_failing_job_waits_then_runs_and_gives_up_after_its_tries(app):
    FAILURES["left"] = 1
    jobs.enqueue("test.record", {"n": 1}, key="flaky")
    db.session.commit()
    now = utcnow()
    jobs.run_pending(now)
    job = db.session.scalar(db.select(Job).where(Job.key == "flaky"))
    assert (job.state, job.tries, RAN) == (Job.QUEUED, 1, [{"period": period_start(now, timedelta(hours=1))}])
    assert "server down" in job.last_error
    assert jobs.run_pending(now) == 0  # not before its back-off
    jobs.run_pending(now + timedelta(seconds=6))
    db.session.refresh(job)
    assert (job.state, RAN[-1]) == (Job.DONE, {"n": 1})

    FAILURES["left"] = 5
    jobs.enqueue("test.record", {"n": 2}, key="hopeless")
    db.session.commit()
    for minutes in range(0, 60, 5):
        jobs.run_pending(now + timedelta(minutes=minutes))
    job = db.session.scalar(db.select(Job).where(Job.key == "hopeless"))
    assert (job.state, job.tries) == (Job.FAILED, 3)


def test_the_job_of_a_worker_that_died_runs_again_when_its_lease_ends(app):
    jobs.enqueue("test.record", {"n": 7}, key="orphan")
    db.session.commit()
    now = utcnow()
    claimed = jobs.claim(now)  # a worker claims it ... and dies
    assert claimed.key == "orphan" or claimed.name == "test.hourly"
    while claimed.key != "orphan":
        jobs.run(claimed, now)
        claimed = jobs.claim(now)
    assert jobs.claim(now) is None
    assert jobs.run_pending(now + jobs.DEFAULT_LEASE + timedelta(seconds=1)) >= 1
    assert {"n": 7} in RAN


def test_a_periodic_job_runs_once_per_period(app):
    start = datetime(2026, 12, 3, 9)
    for minutes in (0, 10, 59):
        jobs.run_pending(start + timedelta(minutes=minutes))
    jobs.run_pending(start + timedelta(hours=1, minutes=1))
    assert [p["period"] for p in RAN if "period" in p] == [start, start + timedelta(hours=1)]


WORKER = textwrap.dedent("""
    import sys
    from datetime import datetime, timedelta
    from webapp import create_app, jobs

    url, log, now = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])

    def write(line):
        with open(log, "a") as out:
            out.write(line + "\\n")

    jobs.handler("test.record")(lambda payload: write(str(payload["n"])))
    jobs.periodic("test.hourly", every=timedelta(hours=1))(lambda period: write("tick " + period.isoformat()))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        jobs.run_pending(now)
""")


def test_two_worker_processes_run_each_job_and_each_period_exactly_once(app, tmp_path):
    for n in range(60):
        jobs.enqueue("test.record", {"n": n}, key=f"job-{n}")
    db.session.commit()
    log, now = tmp_path / "runs.log", utcnow().isoformat()
    url = db.engine.url.render_as_string(hide_password=False)
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(log), now]) for _ in range(2)]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    lines = log.read_text().split()
    runs = [line for line in lines if line.isdigit()]
    assert sorted(map(int, runs)) == list(range(60))
    assert log.read_text().count("tick") == 1
