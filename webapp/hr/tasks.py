"""Scheduled HR work, run by the job workers once per period across all nodes."""
from datetime import datetime, timedelta

from webapp import jobs
from webapp.certification.services import local_today
from webapp.extensions import db

from . import tallies


@jobs.periodic("hr.roster_tallies", every=timedelta(hours=1))
def count_roster_tallies(now: datetime) -> None:
    """The first count of the roster tallies, then each day's: states that change with the date
    (a due date passed, a certificate expired) are counted within the hour after midnight."""
    tallies.bring_to(db.session, local_today())
    db.session.commit()
