"""Where failed sign-ins are counted: one interface, two stores.

Every node of a cluster must see the same counters, or an attacker would get each node's free
failures. The database store (the default: ``./scripts/serve`` needs nothing else) keeps them in
``login_throttles`` and writes inside the caller's transaction; the Redis store (``HOTLINE_REDIS_URL``)
keeps them in Redis and writes at once. The rules stay in throttle.py; a store only counts.

A counter is keyed by (employee number, address), the empty string standing for "any".
"""
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Protocol

import redis
from sqlalchemy import and_, case, or_
from sqlalchemy.dialects import postgresql, sqlite

from webapp.accounts.models import LoginThrottle
from webapp.accounts.throttle import ACCOUNT, ADDRESS, PAIR, Failures, Policy
from webapp.extensions import db

ANY = ""
#: Counters quiet for longer than every window are dead weight (sprayed unknown numbers).
LONGEST_WINDOW = max(ACCOUNT.window, PAIR.window, ADDRESS.window)

Key = tuple[str, str]


class FailureStore(Protocol):
    def read(self, employee_no: str, address: str) -> dict[Key, Failures]:
        """The account's counter, the account-at-address counter and the address counter (those that exist)."""

    def add_failure(self, key: Key, policy: Policy, now: datetime) -> None:
        """One more failure, atomically (concurrent attempts each count); a counter whose window
        has passed starts again from one."""

    def forget(self, employee_no: str, address: str | None = None) -> None:
        """The account's own counters: at one address (with the account's) or everywhere."""

    def account_counters(self) -> Iterator[tuple[Key, Failures]]:
        """Every counter tied to an account (for the administrators' list of held accounts)."""


class DatabaseFailureStore:
    def read(self, employee_no: str, address: str) -> dict[Key, Failures]:
        rows = db.session.scalars(db.select(LoginThrottle).where(or_(
            and_(LoginThrottle.employee_no == employee_no, LoginThrottle.address.in_([ANY, address])),
            and_(LoginThrottle.employee_no == ANY, LoginThrottle.address == address))))
        return {(row.employee_no, row.address): row.as_failures for row in rows}

    def add_failure(self, key: Key, policy: Policy, now: datetime) -> None:
        insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        table = LoginThrottle.__table__
        expired = table.c.started_at <= now - policy.window
        employee_no, address = key
        statement = insert(table).values(employee_no=employee_no, address=address, failures=1, started_at=now,
                                         last_failure_at=now)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[table.c.employee_no, table.c.address],
            set_={"failures": case((expired, 1), else_=table.c.failures + 1),
                  "started_at": case((expired, now), else_=table.c.started_at),
                  "last_failure_at": now}))
        db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - LONGEST_WINDOW))

    def forget(self, employee_no: str, address: str | None = None) -> None:
        query = db.delete(LoginThrottle).where(LoginThrottle.employee_no == employee_no)
        if address is not None:
            query = query.where(LoginThrottle.address.in_([ANY, address]))
        db.session.execute(query)

    def account_counters(self) -> Iterator[tuple[Key, Failures]]:
        for row in db.session.scalars(db.select(LoginThrottle).where(LoginThrottle.employee_no != ANY)):
            yield (row.employee_no, row.address), row.as_failures


# One Redis hash per account (fields: addresses, "" for the account's own counter) and one per
# address (field ""), each expiring LONGEST_WINDOW after its last failure. A field holds
# "count started last", times in microseconds since the epoch (exact in Lua's doubles).
_ADD_FAILURE = """
local now = tonumber(ARGV[2])
local count, started = 1, ARGV[2]
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local c, s = string.match(current, '^(%d+) (%d+)')
  if tonumber(s) > now - tonumber(ARGV[3]) then count, started = tonumber(c) + 1, s end
end
redis.call('HSET', KEYS[1], ARGV[1], count .. ' ' .. started .. ' ' .. ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
"""
_EPOCH = datetime(1970, 1, 1)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _failures(field: bytes) -> Failures:
    count, started, last = (int(part) for part in field.split())
    return Failures(count, _EPOCH + started * _MICROSECOND, _EPOCH + last * _MICROSECOND)


class RedisFailureStore:
    def __init__(self, client, prefix: str = "hotline:throttle:"):
        self.client = client
        self.prefix = prefix
        self._add_failure = client.register_script(_ADD_FAILURE)

    def _hash(self, key: Key) -> tuple[str, str]:
        """(Redis key, field) of a counter."""
        employee_no, address = key
        if employee_no == ANY:
            return f"{self.prefix}address:{address}", ANY
        return f"{self.prefix}account:{employee_no}", address

    def read(self, employee_no: str, address: str) -> dict[Key, Failures]:
        keys = [(employee_no, ANY), (employee_no, address), (ANY, address)]
        with self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.hget(*self._hash(key))
            values = pipe.execute()
        return {key: _failures(value) for key, value in zip(keys, values) if value is not None}

    def add_failure(self, key: Key, policy: Policy, now: datetime) -> None:
        name, field = self._hash(key)
        self._add_failure(keys=[name], args=[field, _micros(now), policy.window // _MICROSECOND,
                                             int(LONGEST_WINDOW.total_seconds())])

    def forget(self, employee_no: str, address: str | None = None) -> None:
        name, _field = self._hash((employee_no, ANY))
        if address is None:
            self.client.delete(name)
        else:
            self.client.hdel(name, ANY, address)

    def account_counters(self) -> Iterator[tuple[Key, Failures]]:
        account_prefix = f"{self.prefix}account:"
        for name in self.client.scan_iter(match=_glob_escape(account_prefix) + "*", count=1000):
            employee_no = name.decode()[len(account_prefix):]
            for address, value in self.client.hgetall(name).items():
                yield (employee_no, address.decode()), _failures(value)


def _glob_escape(text: str) -> str:
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


def store_for(redis_url: str | None) -> FailureStore:
    return RedisFailureStore(redis.Redis.from_url(redis_url)) if redis_url else DatabaseFailureStore()
