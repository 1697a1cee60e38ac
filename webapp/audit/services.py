"""Writing and checking the append-only, hash-chained audit log."""
import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import insert, text

from webapp.audit.models import AuditEntry
from webapp.clock import utcnow
from webapp.extensions import db

GENESIS = "0" * 64
# Any constant: the PostgreSQL advisory lock that serialises writers of the chain.
_CHAIN_LOCK_ID = 7_100_001


def _entry_hash(previous_hash: str, at, actor_label: str, action: str, target: str, details: dict) -> str:
    payload = json.dumps([previous_hash, at.isoformat(), actor_label, action, target, details],
                         ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _last_hash() -> str:
    if db.session.get_bind().dialect.name == "postgresql":
        # Two writers must not both extend the same last entry; the lock lasts until commit.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _CHAIN_LOCK_ID})
    last = db.session.execute(db.select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    return last or GENESIS


def _actor_fields(actor) -> dict:
    return {"actor_id": actor.id if actor is not None else None,
            "actor_label": f"{actor.employee_no} {actor.name}" if actor is not None else "system"}


def record(action: str, target: str, details: dict | None = None, actor=None) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the change)."""
    previous_hash, at, details = _last_hash(), utcnow(), details or {}
    fields = _actor_fields(actor)
    entry = AuditEntry(at=at, action=action, target=target, details=details, previous_hash=previous_hash,
                       entry_hash=_entry_hash(previous_hash, at, fields["actor_label"], action, target, details),
                       **fields)
    db.session.add(entry)
    db.session.flush()
    return entry


def record_many(entries: Iterable[tuple[str, str, dict]], actor=None) -> int:
    """Append (action, target, details) entries by one actor in one bulk insert (roster imports
    write one per account); the chain is the same as entry by entry. Returns how many."""
    previous_hash, at = _last_hash(), utcnow()
    fields = _actor_fields(actor)
    rows = []
    for action, target, details in entries:
        entry_hash = _entry_hash(previous_hash, at, fields["actor_label"], action, target, details)
        rows.append({"at": at, "action": action, "target": target, "details": details,
                     "previous_hash": previous_hash, "entry_hash": entry_hash, **fields})
        previous_hash = entry_hash
    if rows:  # inserted in list order, so ids follow the chain
        db.session.execute(insert(AuditEntry.__table__), rows)
    return len(rows)


def verify_chain() -> int | None:
    """Return the id of the first entry whose chain is broken, or None when the log is intact."""
    previous_hash = GENESIS
    for entry in db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars():
        expected = _entry_hash(previous_hash, entry.at, entry.actor_label, entry.action, entry.target, entry.details)
        if entry.previous_hash != previous_hash or entry.entry_hash != expected:
            return entry.id
        previous_hash = entry.entry_hash
    return None
