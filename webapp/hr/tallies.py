"""The roster tallies: how many assignments stand in each state, per department and post, by the
local month their latest certificate was issued and the month it expires. The roster's counts,
department shares and monthly bars add up these few thousand rows instead of reading every
assignment after each write.

The tallies count states on one day, the tally day (``roster_tally_days``). A transaction that
changed stored standings (``certification.standings`` records which assignments) or moved
trainees between departments recounts those departments and posts on the tally day just before
it commits, holding the tally day's row lock: the tallies change in the same transaction as
the assignments. States also change with time alone (a due date passes, a certificate
expires): a reader on another day adds the assignments whose stored timeline changes state
between the tally day and its own, and the hourly job adds them to the rows and moves the tally
day to today. Until the
job has counted once, ``tallied`` answers None and the roster computes from the assignments."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Date, String, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.certification import standings
from webapp.certification.models import Certificate, PostAssignment
from webapp.certification.services import local_date, local_datetime
from webapp.extensions import db

from .models import RosterTally, RosterTallyDay

Key = tuple[str, str, str, date | None, date | None]  # department, post, state, issued month, expires month
Slice = tuple[str, str | None]  # (department, post id), or a whole department: (department, None)
EVERYTHING = "everything"  # recount every slice
RECOUNT_ALL_ABOVE = 5000  # refreshed assignments past which one full recount beats looking up slices
INSERT_BATCH = 5000
TALLIES = RosterTally.__table__  # written by Core statements: no ORM objects to keep in step
_MOVED = "hr.tally_departments_moved"  # session.info: departments trainees left or joined, or EVERYTHING


def local_dates():
    """``local_date`` for a stream of moments: the zone's UTC offset is looked up once per UTC day
    (a day without a change of offset, else exactly), not converted moment by moment."""
    offsets: dict[date, timedelta | None] = {}

    def local_day(moment: datetime) -> date:
        day = moment.date()
        if day not in offsets:
            start = datetime.combine(day, datetime.min.time())
            first, last = (local_datetime(start).utcoffset(), local_datetime(start + timedelta(days=1)).utcoffset())
            offsets[day] = first if first == last else None
        offset = offsets[day]
        return (moment + offset).date() if offset is not None else local_date(moment)

    return local_day


def _assignments(criteria, *days: date):
    """Department, post, the state on each day, and the latest certificate's dates of the
    assignments meeting ``criteria``."""
    return (db.select(User.department, PostAssignment.post_id, *(standings.state_on(day) for day in days),
                      Certificate.issued_at, Certificate.valid_until)
            .select_from(PostAssignment).join(User, User.id == PostAssignment.user_id)
            .outerjoin(Certificate, Certificate.id == PostAssignment.certificate_id).where(criteria))


def _counted(rows: Iterable, local_day) -> Counter[Key]:
    """(department, post, state, issued_at, valid_until) rows as tally keys and counts."""
    found: Counter[Key] = Counter()
    for department, post_id, state, issued_at, valid_until in rows:
        found[department, post_id, state, issued_at and local_day(issued_at).replace(day=1),
              valid_until and valid_until.replace(day=1)] += 1
    return found


def _in_slices(department, post_id, slices: set[Slice]):
    whole = sorted({name for name, post in slices if post is None})
    parts = sorted((name, post) for name, post in slices if post is not None and name not in whole)
    # the plain IN first: the planner finds the departments by index, then checks the posts
    return db.and_(department.in_(sorted({name for name, _post in slices})),
                   db.or_(department.in_(whole), db.tuple_(department, post_id).in_(parts)))


def _recount(session: Session, slices: set[Slice] | str, day: date) -> None:
    """Replace the tallies of these slices (or of EVERYTHING) with a count on ``day``."""
    if slices == EVERYTHING:
        session.execute(db.delete(TALLIES))
        criteria = db.true()
    else:
        session.execute(db.delete(TALLIES).where(_in_slices(TALLIES.c.department, TALLIES.c.post_id, slices)))
        criteria = _in_slices(User.department, PostAssignment.post_id, slices)
    rows = session.execute(_assignments(criteria, day).execution_options(yield_per=INSERT_BATCH))
    values = [{"department": department, "post_id": post_id, "state": state, "issued_month": issued,
               "expires_month": expires, "assignments": count}
              for (department, post_id, state, issued, expires), count in _counted(rows, local_dates()).items()]
    for start in range(0, len(values), INSERT_BATCH):
        session.execute(db.insert(TALLIES), values[start:start + INSERT_BATCH])


def _changing(session: Session, criteria, since: date, until: date) -> Counter[Key]:
    """What the tallies on ``since`` need added to count states on ``until``: -1 for the old
    state and +1 for the new one of every assignment whose timeline changes state in between."""
    first, last = sorted((since, until))
    moved = db.or_(*(db.and_(column > first, column <= last)
                     for column in (PostAssignment.state_next_on, PostAssignment.state_later_on)))
    rows = session.execute(_assignments(db.and_(moved, criteria), since, until)).all()
    local_day, delta = local_dates(), Counter()
    delta.subtract(_counted(((d, p, old, issued, expires) for d, p, old, _new, issued, expires in rows), local_day))
    delta.update(_counted(((d, p, new, issued, expires) for d, p, _old, new, issued, expires in rows), local_day))
    return delta


def _apply(session: Session, delta: Counter[Key]) -> None:
    """Add ``delta`` to the stored tallies: only the rows of its keys are rewritten."""
    delta = Counter({key: count for key, count in delta.items() if count})
    if not delta:
        return
    columns = (TALLIES.c.department, TALLIES.c.post_id, TALLIES.c.state, TALLIES.c.issued_month,
               TALLIES.c.expires_month)
    rows = session.execute(db.select(TALLIES.c.id, *columns, TALLIES.c.assignments).where(
        _in_slices(TALLIES.c.department, TALLIES.c.post_id, {key[:2] for key in delta}))).all()
    stored = [row for row in rows if tuple(row[1:6]) in delta]
    for row in stored:
        delta[tuple(row[1:6])] += row.assignments
    session.execute(db.delete(TALLIES).where(TALLIES.c.id.in_([row.id for row in stored])))
    values = [dict(zip((column.name for column in columns), key), assignments=count)
              for key, count in delta.items() if count > 0]
    if values:
        session.execute(db.insert(TALLIES), values)


def _locked_day(session: Session) -> RosterTallyDay | None:
    return session.scalar(db.select(RosterTallyDay).where(RosterTallyDay.id == 1).with_for_update())


def bring_to(session: Session, today: date) -> None:
    """Count the tallies on ``today``: all of them the first time, then add what changed state
    since the tally day (the hourly job, a seeded database). No commit."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(RosterTallyDay).values(id=1, day=None).on_conflict_do_nothing(index_elements=["id"]))
    marker = _locked_day(session)
    if marker.day == today:
        return
    if marker.day is None:
        _recount(session, EVERYTHING, today)
    else:
        _apply(session, _changing(session, db.true(), marker.day, today))
    marker.day = today
    session.flush()


@dataclass
class Sums:
    """The tallies on one day added up three ways, each with the state (for the status filter)."""
    by_department: Counter[tuple[str, str]] = field(default_factory=Counter)  # (department, state)
    issued: Counter[tuple[str, date]] = field(default_factory=Counter)  # (state, month issued)
    expiring: Counter[tuple[str, date]] = field(default_factory=Counter)  # (state, month it expires)

    def add(self, found: Counter[Key], months: tuple[date, date]) -> None:
        for (department, _post_id, state, issued_month, expires_month), count in found.items():
            self.by_department[department, state] += count
            if issued_month and months[0] <= issued_month < months[1]:
                self.issued[state, issued_month] += count
            if expires_month and months[0] <= expires_month < months[1]:
                self.expiring[state, expires_month] += count


def tallied(today: date, months: tuple[date, date], department: str = "", post_id: str = "") -> Sums | None:
    """The tallies on ``today`` (of one department and/or post) summed per department and per
    month in ``months`` (first, after last), or None before the first count. The tally day and
    the sums are read by one statement (a few hundred rows), so a concurrent recount is seen whole."""
    scope = [RosterTally.department == department] if department else []
    scope += [RosterTally.post_id == post_id] if post_id else []

    def summed(kind: str, group, month, *within):
        return (db.select(RosterTallyDay.day, db.literal(kind, String), group, RosterTally.state, month,
                          db.func.sum(RosterTally.assignments))
                .select_from(RosterTallyDay).outerjoin(RosterTally, db.and_(db.true(), *scope, *within))
                .where(RosterTallyDay.id == 1).group_by(RosterTallyDay.day, group, RosterTally.state, month))

    no_department, no_month = db.cast(db.null(), String), db.cast(db.null(), Date)
    rows = db.session.execute(db.union_all(
        summed("department", RosterTally.department, no_month),
        *(summed(kind, no_department, column, column >= months[0], column < months[1])
          for kind, column in (("issued", RosterTally.issued_month), ("expiring", RosterTally.expires_month))))).all()
    if not rows or rows[0][0] is None:
        return None
    sums = Sums()
    for _day, kind, group, state, month, count in rows:
        if state is not None:
            if kind == "department":
                sums.by_department[group, state] += count
            else:
                getattr(sums, kind)[state, month] += count
    if rows[0][0] != today:
        criteria = db.and_(db.true(), *([User.department == department] if department else []),
                           *([PostAssignment.post_id == post_id] if post_id else []))
        sums.add(_changing(db.session, criteria, rows[0][0], today), months)
    return sums


# --- keeping them current: every commit that changed a standing or a trainee's department -----

@event.listens_for(Session, "before_flush")
def _departments_moved(session: Session, _context, _instances) -> None:
    moved = session.info.setdefault(_MOVED, set())
    for instance in session.dirty:
        if not isinstance(instance, User) or moved == EVERYTHING:
            continue
        history = db.inspect(instance).attrs.department.history
        if history.added:
            left = history.deleted
            if not left:  # set on an expired object: the department it leaves is the stored one
                with session.no_autoflush:
                    left = [session.scalar(db.select(User.department).where(User.id == instance.id))]
            moved.update(name for name in (*left, *history.added) if name is not None)


@event.listens_for(Session, "do_orm_execute")
def _departments_moved_in_bulk(state) -> None:
    """An UPDATE or DELETE statement on users: which trainees moved is not known, recount everything
    (unless a bulk UPDATE by primary key leaves the department alone)."""
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) != "users" or not (state.is_update or state.is_delete):
        return
    rows = state.parameters if isinstance(state.parameters, list) else None
    if state.is_delete or not rows or any("department" in row for row in rows):
        state.session.info[_MOVED] = EVERYTHING


@event.listens_for(Session, "before_commit")
def _recount_before_commit(session: Session) -> None:
    session.flush()  # the last changes refresh their standings now, before the recount
    pairs = session.info.pop(standings.REFRESHED, set())
    moved = session.info.pop(_MOVED, set())
    if not pairs and not moved:
        return
    marker = _locked_day(session)
    if marker is None or marker.day is None:  # not counted yet: the first count will see this commit
        return
    if moved == EVERYTHING or len(pairs) > RECOUNT_ALL_ABOVE:
        _recount(session, EVERYTHING, marker.day)
        return
    slices: set[Slice] = {(name, None) for name in moved}
    if pairs:
        departments = dict(session.execute(db.select(User.id, User.department).where(
            User.id.in_(sorted({user_id for user_id, _post in pairs})))).all())
        slices |= {(departments[user_id], post_id) for user_id, post_id in pairs if user_id in departments}
    _recount(session, slices, marker.day)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(standings.REFRESHED, None)
    session.info.pop(_MOVED, None)
