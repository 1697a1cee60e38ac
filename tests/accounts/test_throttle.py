"""Sign-in throttling rules, without an app."""
from datetime import datetime, timedelta

import pytest

from webapp.accounts import throttle
from webapp.accounts.throttle import ACCOUNT, ADDRESS, PAIR, Failures, Scope

T0 = datetime(2026, 11, 24, 9, 0, 0)


def failures(count, last=T0, started=None):
    return Failures(count, started or last, last)


def test_first_failures_are_free():
    for count in range(PAIR.free_failures):
        assert throttle.check(failures(count), PAIR, T0).allowed


def test_further_failures_are_slowed_with_growing_waits_then_locked():
    waits = [throttle.delay_after(n, PAIR) for n in range(PAIR.free_failures, PAIR.lockout_failures)]
    assert waits == sorted(waits) and waits[0] == timedelta(seconds=2)
    verdict = throttle.check(failures(PAIR.free_failures), PAIR, T0 + timedelta(seconds=1))
    assert not verdict.allowed and not verdict.locked_out and verdict.retry_after == timedelta(seconds=1)
    locked = throttle.check(failures(PAIR.lockout_failures), PAIR, T0 + timedelta(minutes=1))
    assert locked.locked_out and locked.retry_after == PAIR.lockout - timedelta(minutes=1)
    assert throttle.check(failures(PAIR.lockout_failures), PAIR, T0 + PAIR.lockout).allowed


def test_waits_without_lockout_stop_growing():
    assert throttle.delay_after(ADDRESS.free_failures + 100_000, ADDRESS) == ADDRESS.max_wait


def test_a_counter_starts_afresh_after_its_window():
    old = failures(ACCOUNT.lockout_failures, last=T0, started=T0 - ACCOUNT.window + timedelta(minutes=1))
    assert not throttle.check(old, ACCOUNT, T0).allowed
    assert throttle.check(old, ACCOUNT, T0 + timedelta(minutes=1)).allowed
    assert throttle.current_count(old, ACCOUNT, T0 + timedelta(minutes=1)) == 0


def test_a_sprayed_address_holds_back_only_accounts_that_already_failed():
    sprayed = failures(ADDRESS.free_failures + 10)
    fresh = throttle.sign_in_verdict(None, None, sprayed, T0 + timedelta(seconds=1))
    assert fresh.allowed
    guessed = throttle.sign_in_verdict(failures(1), failures(1), sprayed, T0 + timedelta(seconds=1))
    assert not guessed.allowed and guessed.scope == Scope.ADDRESS and not guessed.locked_out


def test_the_longest_wait_wins_and_says_where_it_comes_from():
    verdict = throttle.sign_in_verdict(failures(ACCOUNT.lockout_failures), failures(PAIR.free_failures),
                                       failures(ADDRESS.free_failures), T0)
    assert verdict.scope == Scope.ACCOUNT and verdict.locked_out and verdict.retry_after == ACCOUNT.lockout


@pytest.mark.parametrize("seconds, parts", [
    (0.2, (1, "seconds")), (1, (1, "seconds")), (1.01, (2, "seconds")), (59, (59, "seconds")),
    (60, (1, "minutes")), (61, (2, "minutes")), (899.5, (15, "minutes")), (900, (15, "minutes")),
    (1799.999, (30, "minutes")),
])
def test_waits_are_shown_rounded_up(seconds, parts):
    assert throttle.wait_parts(timedelta(seconds=seconds)) == parts
