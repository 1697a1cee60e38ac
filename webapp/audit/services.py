"""Writing and checking the append-only, hash-chained audit log."""
import hashlib
import json

from sqlalchemy import text

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


def record(action: str, target: str, details: dict | None = None, actor=None) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the change)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Two writers must not both extend the same last entry; the lock lasts until commit.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _CHAIN_LOCK_ID})
    last = db.session.execute(db.select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    previous_hash = last or GENESIS
    at = utcnow()
    actor_label = f"{actor.employee_no} {actor.name}" if actor is not None else "system"
    details = details or {}
    entry = AuditEntry(
        at=at,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label,
        action=action,
        target=target,
        details=details,
        previous_hash=previous_hash,
        entry_hash=_entry_hash(previous_hash, at, actor_label, action, target, details),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def verify_chain() -> int | None:
    """Return the id of the first entry whose chain is broken, or None when the log is intact."""
    previous_hash = GENESIS
    for entry in db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars():
        expected = _entry_hash(previous_hash, entry.at, entry.actor_label, entry.action, entry.target, entry.details)
        if entry.previous_hash != previous_hash or entry.entry_hash != expected:
            return entry.id
        previous_hash = entry.entry_hash
    return None
