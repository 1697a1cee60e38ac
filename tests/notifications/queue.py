"""Running the job queue in tests until it is quiet."""
from datetime import datetime

from webapp import jobs


def run_jobs(now: datetime | None = None) -> None:
    """Run due jobs, then the jobs those queued, until none is due. Without ``now`` each round
    takes the current time (a job queued during a round is due at the next); a job that failed
    waits for its back-off beyond ``now``, so this ends."""
    while jobs.run_pending(now=now):
        pass
