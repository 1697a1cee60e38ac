"""When a sign-in must wait after failures (pure: counts and times in, a verdict out).

Three counters of failed sign-ins, each counting within a window that opens at its first failure:

- the account (the employee number typed, whether it exists or not, so the answers reveal
  nothing): guessing at one account from many addresses is slowed, then locked;
- the account at one address: the same, sooner, for guessing from one place;
- the address: every failure from it. It holds back only attempts at accounts that already have
  recent failures. Spraying a password across a call centre's accounts from behind its shared
  NAT gets one guess per account and is then slowed, while a colleague whose account nobody is
  guessing signs in at once.

A successful sign-in clears its own account's counters, never the address counter (or a success
of one's own account would reset an attacker's spraying count).
"""
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Scope(StrEnum):
    ACCOUNT = "account"  # the account, or the account at this address
    ADDRESS = "address"


@dataclass(frozen=True)
class Policy:
    free_failures: int
    #: A counter starts again from zero once its window (from its first failure) has passed.
    window: timedelta
    #: Beyond the free failures, each attempt waits 2 s, 4 s, 8 s… after the last failure, at most this.
    max_wait: timedelta
    #: From this many failures on, each failure locks the counter for ``lockout`` (None: never).
    lockout_failures: int | None = None
    lockout: timedelta = timedelta(0)


ACCOUNT = Policy(free_failures=5, window=timedelta(hours=24), max_wait=timedelta(minutes=5),
                 lockout_failures=10, lockout=timedelta(minutes=30))
PAIR = Policy(free_failures=3, window=timedelta(hours=24), max_wait=timedelta(minutes=5),
              lockout_failures=8, lockout=timedelta(minutes=15))
# A call centre's typos stay well below this in 15 minutes; a spray does not.
ADDRESS = Policy(free_failures=30, window=timedelta(minutes=15), max_wait=timedelta(minutes=5))


@dataclass(frozen=True)
class Failures:
    count: int
    started_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: timedelta = timedelta(0)
    locked_out: bool = False
    scope: Scope = Scope.ACCOUNT


ALLOWED = Verdict(allowed=True)


def current_count(failures: Failures | None, policy: Policy, now: datetime) -> int:
    if failures is None or now >= failures.started_at + policy.window:
        return 0
    return failures.count


def delay_after(count: int, policy: Policy) -> timedelta:
    """The wait after the last of ``count`` failures."""
    if count < policy.free_failures:
        return timedelta(0)
    if policy.lockout_failures is not None and count >= policy.lockout_failures:
        return policy.lockout
    doublings = min(count - policy.free_failures + 1, 30)  # a sprayed address counts into the thousands
    return min(timedelta(seconds=2 ** doublings), policy.max_wait)


def check(failures: Failures | None, policy: Policy, now: datetime, scope: Scope = Scope.ACCOUNT) -> Verdict:
    count = current_count(failures, policy, now)
    wait_until = failures.last_at + delay_after(count, policy) if count else now
    if now >= wait_until:
        return ALLOWED
    locked = policy.lockout_failures is not None and count >= policy.lockout_failures
    return Verdict(allowed=False, retry_after=wait_until - now, locked_out=locked, scope=scope)


def sign_in_verdict(account: Failures | None, pair: Failures | None, address: Failures | None,
                    now: datetime) -> Verdict:
    """May this account be tried from this address now? The longest wait wins."""
    verdicts = [check(account, ACCOUNT, now), check(pair, PAIR, now)]
    if current_count(account, ACCOUNT, now):  # an account nobody has failed on is never held up by its address
        verdicts.append(check(address, ADDRESS, now, Scope.ADDRESS))
    refused = [verdict for verdict in verdicts if not verdict.allowed]
    return max(refused, key=lambda verdict: verdict.retry_after) if refused else ALLOWED


def wait_parts(retry_after: timedelta) -> tuple[int, str]:
    """(number, "seconds" | "minutes") to show, rounded up: 61 s is "2 minutes", never "1 minute"."""
    seconds = max(1, math.ceil(retry_after.total_seconds()))
    if seconds < 60:
        return seconds, "seconds"
    return math.ceil(seconds / 60), "minutes"
