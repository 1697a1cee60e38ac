from datetime import datetime, timedelta

from webapp.accounts import throttle

T0 = datetime(2026, 11, 24, 9, 0, 0)


def test_first_failures_are_free():
    for failures in range(throttle.FREE_FAILURES):
        assert throttle.check(failures, T0, T0).allowed


def test_further_failures_are_slowed_with_growing_waits():
    waits = [throttle.delay_after(n) for n in range(throttle.FREE_FAILURES, throttle.LOCKOUT_FAILURES)]
    assert waits == sorted(waits) and waits[0] > timedelta(0)
    verdict = throttle.check(throttle.FREE_FAILURES, T0, T0 + timedelta(seconds=1))
    assert not verdict.allowed and not verdict.locked_out
    assert verdict.retry_after == waits[0] - timedelta(seconds=1)
    assert throttle.check(throttle.FREE_FAILURES, T0, T0 + waits[0]).allowed


def test_many_failures_lock_the_key_out_for_the_lockout_period():
    verdict = throttle.check(throttle.LOCKOUT_FAILURES, T0, T0 + timedelta(minutes=1))
    assert verdict.locked_out and not verdict.allowed
    assert verdict.retry_after == throttle.LOCKOUT - timedelta(minutes=1)
    assert throttle.check(throttle.LOCKOUT_FAILURES, T0, T0 + throttle.LOCKOUT).allowed
