"""Login throttling policy (pure): how long a key must wait after its failures.

The first few failures cost nothing (typos happen); then each attempt must wait longer
("slowed"); after many failures the key is refused for a fixed period.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 3
LOCKOUT_FAILURES = 8
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: timedelta = timedelta(0)
    locked_out: bool = False


def delay_after(failures: int) -> timedelta:
    """Wait required after ``failures`` consecutive failures: 0, then 2, 4, 8… seconds, then lockout."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    if failures >= LOCKOUT_FAILURES:
        return LOCKOUT
    return timedelta(seconds=2 ** (failures - FREE_FAILURES + 1))


def check(failures: int, last_failure_at: datetime | None, now: datetime) -> Verdict:
    if last_failure_at is None or failures < FREE_FAILURES:
        return Verdict(allowed=True)
    wait_until = last_failure_at + delay_after(failures)
    if now >= wait_until:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after=wait_until - now, locked_out=failures >= LOCKOUT_FAILURES)
