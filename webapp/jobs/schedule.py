"""Pure timing rules of the queue: retry back-off and the period a periodic job belongs to."""
from datetime import datetime, timedelta

EPOCH = datetime(2000, 1, 1)
MAX_BACKOFF = timedelta(hours=1)


def backoff(tries: int, base: timedelta = timedelta(seconds=5)) -> timedelta:
    """Delay before the next try after ``tries`` failed ones: 5 s, 10 s, 20 s … capped at an hour,
    so a mail server or LRS that is down for a day is tried about once an hour, not hammered."""
    return min(base * (2 ** max(0, tries - 1)), MAX_BACKOFF)


def period_start(now: datetime, every: timedelta) -> datetime:
    """Start of the period of length ``every`` containing ``now``, aligned on a fixed epoch so
    every worker on every node computes the same period (and so the same job key)."""
    return now - (now - EPOCH) % every
