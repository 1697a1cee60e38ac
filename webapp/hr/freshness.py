"""The roster's aggregates (counts per state, department shares, monthly bars) add up the roster
tallies (webapp.hr.tallies), or read every assignment under a filter the tallies do not count by
(search, dates, users): each process keeps its last answers per filter set and day, valid while
the roster stamp has not changed. The stamp changes after every commit of a session that wrote
assignments, certificates, certificate events, posts or the trainees' names, numbers or
departments — through the ORM or a statement — so a reader that read the stamp before
computing never keeps an answer older than the data it names. Reading it is one primary-key
lookup."""
from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.extensions import db

from .models import RosterStamp

WATCHED = frozenset({"post_assignments", "certificates", "certificate_events", "posts", "users"})
USER_FIELDS = ("employee_no", "name", "department")  # what the roster's filters and groups read of a user
CACHE_SIZE = 64  # filter sets kept per process
_CHANGED = "hr.roster_changed"
_CACHE = "hr.roster_aggregates"


def _writes_roster(session: Session, instance) -> bool:
    table = getattr(instance, "__tablename__", None)
    if table not in WATCHED:
        return False
    if table != "users" or instance in session.new or instance in session.deleted:
        return True
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in USER_FIELDS)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    if any(_writes_roster(session, instance) for instance in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update or state.is_delete) and getattr(table, "name", None) in WATCHED:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        bump(session.get_bind())


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def bump(bind) -> None:
    """A new stamp, in its own short transaction (no row lock held by the writer's transaction)."""
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RosterStamp).values(id=1, value=secrets.randbits(62))
    with bind.engine.begin() as connection:
        connection.execute(statement.on_conflict_do_update(index_elements=["id"],
                                                           set_={"value": statement.excluded.value}))


def cached(key: Hashable, compute: Callable):
    """``compute()``, or this process's answer for ``key`` while the stamp has not changed."""
    stamp = db.session.scalar(db.select(RosterStamp.value).where(RosterStamp.id == 1))
    if stamp is None:  # nothing written since the table was created: nothing to tell changes by
        return compute()
    kept = current_app.extensions.setdefault(_CACHE, OrderedDict())
    found = kept.get(key)
    if found is not None and found[0] == stamp:
        kept.move_to_end(key)
        return found[1]
    value = compute()
    kept[key] = (stamp, value)
    if len(kept) > CACHE_SIZE:
        kept.popitem(last=False)
    return value
