"""The engine's state timeline of every assignment, stored on its row, so that HR counts, filters
and pages the roster in SQL instead of evaluating 100,000 assignments per request.

The engine stays the one source of truth: ``refresh`` asks ``engine.state_timeline`` and stores
its answer (the first state and at most two later changes) with the latest certificate. It runs
whenever an input changes: any ORM flush of an assignment, a certificate, a certificate event or
a post (the session hooks below), and explicitly after the Core statements that bypass the ORM
(a revocation, a roster import). ``state_on(today)`` reads the stored timeline in SQL.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import bindparam, event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db

from . import engine
from .models import Certificate, CertificateEvent, Post, PostAssignment, RequirementOverride

CHUNK = 2000  # assignments per batch of loading and updating
COLUMNS = ("state", "state_next", "state_next_on", "state_later", "state_later_on", "certificate_id")
_STALE = "certification.stale_standings"
#: session.info key: the (user_id, post_id) pairs whose stored standing this transaction refreshed
#: (webapp.hr.tallies recounts them before the commit).
REFRESHED = "certification.refreshed_standings"

Pair = tuple[int, str]  # (user_id, post_id)


def state_on(today: date):
    """SQL expression: the stored state of an assignment on ``today``."""
    return db.case(
        (PostAssignment.state_later_on <= today, PostAssignment.state_later),
        (PostAssignment.state_next_on <= today, PostAssignment.state_next),
        else_=PostAssignment.state,
    )


def stored_timeline(assignment: PostAssignment) -> engine.StateTimeline:
    changes = [(day, engine.State(state)) for day, state in ((assignment.state_next_on, assignment.state_next),
                                                            (assignment.state_later_on, assignment.state_later))
               if day is not None]
    return engine.StateTimeline(engine.State(assignment.state), tuple(changes))


def _columns(timeline: engine.StateTimeline) -> dict:
    if len(timeline.changes) > 2:  # the engine's rules changed: the row needs more columns
        raise ValueError(f"a state timeline with {len(timeline.changes)} changes cannot be stored")
    (next_on, next_state), (later_on, later_state) = (list(timeline.changes) + [(None, None)] * 2)[:2]
    return {"state": timeline.first.value, "state_next": next_state and next_state.value, "state_next_on": next_on,
            "state_later": later_state and later_state.value, "state_later_on": later_on}


def events_of(session: Session, user_ids, overrides: bool = False) -> dict[Pair, list]:
    """What ``engine.standing`` reads, for the assignments of these users: certificates, their
    revocations and HR's recertification requests, and with ``overrides`` the active requirement
    overrides that ``engine.evaluate`` counts too. No labels (no rule depends on them) and no
    significant changes (they set ``needs_recertification`` only): for counting and progress."""
    user_ids = list(user_ids)
    events: dict[Pair, list] = defaultdict(list)
    certificates = session.execute(
        db.select(Certificate.user_id, Certificate.post_id, Certificate.id, Certificate.cycle, Certificate.code,
                  Certificate.issued_at, Certificate.valid_until, Certificate.revoked_at)
        .where(Certificate.user_id.in_(user_ids)))
    for user_id, post_id, certificate_id, cycle, code, issued_at, valid_until, revoked_at in certificates:
        events[user_id, post_id].append(engine.CertificateIssued(cycle, code, issued_at, valid_until,
                                                                 {"id": certificate_id}))
        if revoked_at is not None:
            events[user_id, post_id].append(engine.CertificateRevoked(cycle, revoked_at, "", ""))
    recertifications = session.execute(
        db.select(CertificateEvent.user_id, CertificateEvent.post_id, CertificateEvent.at)
        .where(CertificateEvent.user_id.in_(user_ids),
               CertificateEvent.kind == CertificateEvent.RECERTIFICATION_ASSIGNED))
    for user_id, post_id, at in recertifications:
        events[user_id, post_id].append(engine.RecertificationAssigned(at, ""))
    if overrides:
        for user_id, post_id, requirement, granted_at in session.execute(
                db.select(RequirementOverride.user_id, RequirementOverride.post_id, RequirementOverride.requirement,
                          RequirementOverride.granted_at)
                .where(RequirementOverride.user_id.in_(user_ids), RequirementOverride.revoked_at.is_(None))):
            events[user_id, post_id].append(engine.RequirementOverridden(requirement, granted_at, "", ""))
    return events


def _latest_certificate_id(events: list) -> int | None:
    issued = [event for event in events if isinstance(event, engine.CertificateIssued)]
    return max(issued, key=lambda event: event.cycle).content_versions["id"] if issued else None


def _refresh_where(session: Session, criteria) -> int:
    from .services import definition_of  # services imports this module

    definitions = {}
    refreshed = 0
    statement = (db.update(PostAssignment.__table__).where(PostAssignment.__table__.c.id == bindparam("b_id"))
                 .values({name: bindparam(f"b_{name}") for name in COLUMNS}))
    last_id = 0
    while True:
        rows = session.execute(
            db.select(PostAssignment.id, PostAssignment.user_id, PostAssignment.post_id, PostAssignment.assigned_at,
                      PostAssignment.due_date)
            .where(criteria, PostAssignment.id > last_id).order_by(PostAssignment.id).limit(CHUNK)).all()
        if not rows:
            return refreshed
        last_id = rows[-1].id
        events = events_of(session, sorted({row.user_id for row in rows}))
        values = []
        for row in rows:
            if row.post_id not in definitions:
                definitions[row.post_id] = definition_of(session.get(Post, row.post_id))
            pair_events = events.get((row.user_id, row.post_id), [])
            timeline = engine.state_timeline(definitions[row.post_id], pair_events,
                                             engine.Assignment(row.assigned_at, row.due_date))
            columns = _columns(timeline) | {"certificate_id": _latest_certificate_id(pair_events), "id": row.id}
            values.append({f"b_{name}": value for name, value in columns.items()})
            _update_loaded(session, row.id, columns)
        session.execute(statement, values)
        session.info.setdefault(REFRESHED, set()).update((row.user_id, row.post_id) for row in rows)
        refreshed += len(rows)


def _update_loaded(session: Session, assignment_id: int, columns: dict) -> None:
    """An assignment already in the session shows the stored values without a reload."""
    loaded = session.identity_map.get(session.identity_key(PostAssignment, assignment_id))
    if loaded is not None:
        for name, value in columns.items():
            if name != "id":
                set_committed_value(loaded, name, value)


def refresh(pairs: Iterable[Pair] = (), post_ids: Iterable[str] = (), session: Session | None = None) -> int:
    """Store the timeline of these assignments (by trainee and post) and of every assignment of
    these posts; returns how many rows were refreshed."""
    session = session or db.session
    pairs, post_ids = sorted(set(pairs)), sorted(set(post_ids))
    refreshed = 0
    with session.no_autoflush:
        if post_ids:
            refreshed += _refresh_where(session, PostAssignment.post_id.in_(post_ids))
        by_user = defaultdict(set)
        for user_id, post_id in pairs:
            if post_id not in post_ids:
                by_user[user_id].add(post_id)
        users = sorted(by_user)
        for start in range(0, len(users), CHUNK):
            chunk = users[start:start + CHUNK]
            wanted = db.tuple_(PostAssignment.user_id, PostAssignment.post_id).in_(
                [(user_id, post_id) for user_id in chunk for post_id in by_user[user_id]])
            refreshed += _refresh_where(session, wanted)
    return refreshed


def refresh_all(session: Session | None = None) -> int:
    return _refresh_where(session or db.session, db.true())


# --- keeping the rows current: every ORM flush that touches an input --------------------------

@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context) -> None:
    stale = session.info.setdefault(_STALE, (set(), set()))
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, PostAssignment | Certificate | CertificateEvent):
            if instance in session.new or isinstance(instance, Certificate | CertificateEvent) \
                    or session.is_modified(instance, include_collections=False):
                stale[0].add((instance.user_id, instance.post_id))
        elif isinstance(instance, Post) and instance not in session.new:
            stale[1].add(instance.id)


@event.listens_for(Session, "after_flush_postexec")
def _refresh_stale(session: Session, _context) -> None:
    pairs, post_ids = session.info.pop(_STALE, (set(), set()))
    if pairs or post_ids:
        refresh(pairs, post_ids, session)
