"""Scheduled certification work, run by the job workers once per period across all nodes."""
from datetime import datetime, timedelta

from webapp import jobs

from . import services


@jobs.periodic("certification.issue_due", every=timedelta(hours=6), lease=timedelta(hours=2))
def issue_due(now: datetime) -> None:
    """A safety net behind the issue that follows each completion: a certificate earned while that
    step failed (a node died between the two commits) or through a path without a completion is
    issued here, without anyone running ``flask certification issue``."""
    services.issue_all_due()
