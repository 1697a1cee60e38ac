"""Signing in: throttled by account, by account at an address, and (for spraying) by address."""
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from werkzeug.security import generate_password_hash

from webapp.accounts import services, throttle
from webapp.audit.models import AuditEntry
from webapp.clock import utcnow
from webapp.extensions import db

from tests.conftest import TEST_PASSWORD

NAT = "10.1.1.1"  # a call centre behind one address


@pytest.fixture(params=["database", "redis"])
def app(request, make_app):
    """Every rule holds with either store of failures (webapp/accounts/throttle_store.py)."""
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        yield app
        if redis_url:
            services.failure_store().client.flushdb()


@pytest.fixture
def clock(monkeypatch):
    """The services' "now", moved by hand: waits pass without sleeping."""
    class Clock:
        now = utcnow()

        def advance(self, **delta):
            self.now += timedelta(**delta)

    fake = Clock()
    monkeypatch.setattr(services, "utcnow", lambda: fake.now)
    return fake


def sign_in(user_or_no, password, address=NAT):
    employee_no = getattr(user_or_no, "employee_no", user_or_no)
    return services.authenticate(employee_no, password, address)


def guess_until_locked(user, clock, between=lambda: None):
    """Guess as fast as the waits allow, until the account is locked; ``between`` runs after each try."""
    for _ in range(100):
        result = sign_in(user, "guess")
        between()
        if result.refused is not None and result.refused.locked_out:
            return
        clock.advance(seconds=result.refused.retry_after.total_seconds() if result.refused else 1)
    raise AssertionError("never locked")


def test_failed_sign_ins_are_slowed_then_locked_and_success_clears_them(app, make_user, clock):
    user = make_user()
    for _ in range(throttle.PAIR.free_failures):
        assert sign_in(user, "wrong").user is None
    slowed = sign_in(user, TEST_PASSWORD)
    assert slowed.user is None and slowed.refused.retry_after > timedelta(0) and not slowed.refused.locked_out
    clock.advance(minutes=1)
    assert sign_in(user, TEST_PASSWORD).user == user
    assert list(services.failure_store().read(user.employee_no, NAT)) == [("", NAT)]  # the address's count stays


def test_a_correct_password_still_signs_in_while_another_account_is_guessed_from_the_same_address(
        app, make_user, clock):
    victim, colleague = make_user(), make_user()

    def colleague_signs_in():
        assert sign_in(colleague, TEST_PASSWORD).user == colleague

    guess_until_locked(victim, clock, between=colleague_signs_in)
    assert sign_in(victim, TEST_PASSWORD).refused.locked_out  # only the attacked account is locked


def test_spraying_many_accounts_is_slowed_without_blocking_accounts_nobody_guessed(app, make_user, clock):
    sprayed = [make_user() for _ in range(throttle.ADDRESS.free_failures + 5)]
    bystander = make_user()
    for user in sprayed:
        sign_in(user, "Summer2026!")
    # A success of another account does not reset the address's count.
    assert sign_in(bystander, TEST_PASSWORD).user == bystander
    second_round = sign_in(sprayed[0], "Winter2026!")
    assert second_round.refused is not None and second_round.refused.scope == throttle.Scope.ADDRESS
    assert sign_in(bystander, TEST_PASSWORD).user == bystander
    assert sign_in(make_user(), TEST_PASSWORD).user is not None  # never failed: signs in at once
    # From elsewhere, the sprayed account is not held up by this address.
    assert sign_in(sprayed[0], TEST_PASSWORD, "10.2.2.2").user == sprayed[0]


def test_a_success_clears_only_that_accounts_counters(app, make_user, clock):
    first, second = make_user(), make_user()
    sign_in(first, "typo")
    sign_in(second, "typo")
    assert sign_in(first, TEST_PASSWORD).user == first
    store = services.failure_store()
    assert {key for key, _failures in store.account_counters()} == {(second.employee_no, ""), (second.employee_no, NAT)}
    assert {key: failures.count for key, failures in store.read(first.employee_no, NAT).items()} == {("", NAT): 2}


def test_unknown_accounts_are_throttled_like_real_ones(app, make_user, clock):
    for _ in range(throttle.PAIR.free_failures):
        assert sign_in("nobody", "x").refused is None
    assert sign_in("nobody", "x").refused is not None


def test_inactive_and_password_less_accounts_cannot_sign_in(app, make_user, clock):
    inactive = make_user(active=False)
    assert sign_in(inactive, TEST_PASSWORD).user is None
    waiting = make_user()
    waiting.password_hash = None
    db.session.commit()
    assert sign_in(waiting, "").user is None and sign_in(waiting, "anything").user is None


def timed(attempt) -> float:
    # CPU time of this process: the work done, which is what leaks; wall time on a shared
    # machine mostly measures the other processes.
    start = time.process_time()
    attempt()
    return time.process_time() - start


def test_unknown_accounts_take_as_long_as_known_ones_with_the_real_hash(make_app, make_user):
    app = make_app(PASSWORD_HASH_METHOD="scrypt")
    with app.app_context():
        user = make_user()
        user.password_hash = generate_password_hash(TEST_PASSWORD, method="scrypt")
        db.session.commit()
        services.authenticate("warm-up", "x", NAT)  # the dummy hash is made once per process
        attempts = {user.employee_no: [], "nobody-here": []}

        def attempt(employee_no):
            services.failure_store().forget(employee_no)  # every try reaches the hash check
            db.session.commit()
            return timed(lambda: services.authenticate(employee_no, "wrong", NAT))

        for turn in range(15):  # interleaved, in turns, so both see the same load on a shared machine
            for employee_no in sorted(attempts, reverse=turn % 2 == 1):
                attempts[employee_no].append(attempt(employee_no))
        # the fastest of each: what the work costs when the shared machine is not in the way
        known, unknown = (min(times) for times in attempts.values())
        assert known > 0.02  # really scrypt
        assert abs(unknown - known) / known < 0.2, (known, unknown)


def test_an_administrator_sees_locked_accounts_and_unlocks_them(app, make_user, clock):
    admin, user, fine = make_user(role="admin"), make_user(), make_user()
    guess_until_locked(user, clock)
    sign_in(fine, "typo")
    held = services.held_accounts(clock.now)
    assert [(entry.user, entry.verdict.locked_out, entry.addresses) for entry in held] == [(user, True, [NAT])]
    services.unlock(user, admin)
    db.session.commit()
    assert services.held_accounts(clock.now) == []
    assert sign_in(user, TEST_PASSWORD).user == user
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.unlock")).one()
    assert (entry.target, entry.actor_id) == (f"user:{user.employee_no}", admin.id)


def test_concurrent_failures_are_all_counted(app, make_user):
    """Nodes count at once: no failure is lost between a read and a write (the store increments
    atomically), so parallel guessing gets no more free tries than sequential guessing."""
    store, now = services.failure_store(), utcnow()
    user = make_user()

    def fail(_):
        with app.app_context():
            store.add_failure((user.employee_no, ""), throttle.ACCOUNT, now)
            db.session.commit()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fail, range(40)))
    assert store.read(user.employee_no, NAT)[(user.employee_no, "")].count == 40


def test_a_counter_past_its_window_starts_again_from_one(app):
    store, start = services.failure_store(), utcnow()
    for _ in range(3):
        store.add_failure(("u1", NAT), throttle.PAIR, start)
    db.session.commit()
    later = start + throttle.PAIR.window + timedelta(seconds=1)
    store.add_failure(("u1", NAT), throttle.PAIR, later)
    db.session.commit()
    failures = store.read("u1", NAT)[("u1", NAT)]
    assert (failures.count, failures.started_at, failures.last_at) == (1, later, later)
