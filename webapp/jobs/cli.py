"""``flask jobs work`` (the worker) and ``flask jobs status``."""
import logging
import signal
import time

import click
from flask.cli import AppGroup
from sqlalchemy import exc

from webapp import jobs
from webapp.extensions import db
from webapp.jobs.models import Job

jobs_cli = AppGroup("jobs", help="Background jobs: run a worker, see the queue.")
log = logging.getLogger("webapp.jobs")


@jobs_cli.command("work")
@click.option("--burst", is_flag=True, help="Run what is due now, then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks at an empty queue.")
def work_command(burst: bool, poll: float) -> None:
    """Run due jobs until stopped (SIGTERM/SIGINT finish the current job first)."""
    if burst:
        click.echo(f"{jobs.run_pending()} job(s) run")
        return
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    while not stopping:
        try:
            ran = jobs.run_pending(limit=100)
        except exc.OperationalError as error:  # database restarting or unreachable: wait, then go on
            db.session.rollback()
            log.warning("job worker: database unavailable (%s); retrying", error.orig)
            ran = 0
        if not ran:
            time.sleep(poll)


@jobs_cli.command("status")
def status_command() -> None:
    """Jobs per name and state, and the last error of failed ones."""
    rows = db.session.execute(db.select(Job.name, Job.state, db.func.count()).group_by(Job.name, Job.state)
                              .order_by(Job.name, Job.state)).all()
    for name, state, count in rows:
        click.echo(f"{name}\t{state}\t{count}")
    for job in db.session.scalars(db.select(Job).where(Job.state == Job.FAILED).order_by(Job.id.desc()).limit(10)):
        click.echo(f"failed #{job.id} {job.name}: {job.last_error}")
