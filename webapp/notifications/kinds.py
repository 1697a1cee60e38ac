"""What the academy tells people, and when: notification kinds, reminder thresholds, keys and who
gets an e-mail. Pure: no Flask, no database.

Mandatory kinds are mailed whatever the user's settings: an assignment (work someone must do),
a revoked certificate and an expired one (the agent may no longer take calls for that post).
Everything else can be turned off for e-mail; every kind always appears in the in-app centre.
"""
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    ASSIGNMENT_GIVEN = "assignment_given"
    DUE_SOON = "due_soon"
    VERDICT_OVERRIDDEN = "verdict_overridden"
    CERTIFICATE_ISSUED = "certificate_issued"
    CERTIFICATE_EXPIRING = "certificate_expiring"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_REVOKED = "certificate_revoked"


MANDATORY = frozenset({Kind.ASSIGNMENT_GIVEN, Kind.CERTIFICATE_EXPIRED, Kind.CERTIFICATE_REVOKED})
OPTIONAL = tuple(kind for kind in Kind if kind not in MANDATORY)

#: Days before an assignment's due date at which the trainee is reminded.
DUE_THRESHOLDS = (7, 1)
#: Days before a certificate's last valid day at which its holder is reminded.
EXPIRY_THRESHOLDS = (30, 7)
#: An expiry found later than this (workers were down, the feature was just turned on) is not
#: announced any more: nobody needs news of a certificate that lapsed months ago.
EXPIRED_LOOKBACK_DAYS = 7


def _bucket(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The smallest threshold the remaining days have crossed: 5 days left with (30, 7) is 7, so a
    reminder missed at 30 days is not sent late next to the 7-day one."""
    crossed = [threshold for threshold in thresholds if days_left <= threshold]
    return min(crossed) if crossed else None


def due_threshold(due_date: date, today: date) -> int | None:
    """The due-date reminder owed today (7 or 1), None when none is (far off, or already past)."""
    days_left = (due_date - today).days
    return None if days_left < 0 else _bucket(days_left, DUE_THRESHOLDS)


@dataclass(frozen=True)
class ExpiryReminder:
    kind: Kind
    threshold: int  # days before expiry; 0 for "expired"


def expiry_reminder(valid_until: date, today: date) -> ExpiryReminder | None:
    """The reminder owed today for a certificate valid through ``valid_until``."""
    days_left = (valid_until - today).days
    if days_left < 0:
        return ExpiryReminder(Kind.CERTIFICATE_EXPIRED, 0) if -days_left <= EXPIRED_LOOKBACK_DAYS else None
    threshold = _bucket(days_left, EXPIRY_THRESHOLDS)
    return None if threshold is None else ExpiryReminder(Kind.CERTIFICATE_EXPIRING, threshold)


def subject(kind_of_thing: str, thing_id: int, variant: str = "") -> str:
    """What a notification is about, e.g. ``certificate:12``; ``variant`` tells apart versions of
    the same thing that deserve news of their own (an assignment re-given with another due date)."""
    return f"{kind_of_thing}:{thing_id}" + (f"@{variant}" if variant else "")


def parse_subject(text: str) -> tuple[str, int] | None:
    """``certificate:12@…`` -> ("certificate", 12)."""
    thing, _sep, rest = text.partition(":")
    number = rest.partition("@")[0]
    return (thing, int(number)) if thing and number.isdigit() else None


def notification_key(user_id: int, kind: Kind, about: str, threshold: int = 0) -> str:
    """The same (user, kind, subject, threshold) is notified at most once."""
    return f"{kind}:{user_id}:{about}:{threshold}"


def mailed(kind: Kind, muted: frozenset[str]) -> bool:
    """Whether the user wants this kind by e-mail at all (mandatory kinds cannot be muted)."""
    return kind in MANDATORY or kind not in muted


def mailed_at_once(kind: Kind, muted: frozenset[str], daily_digest: bool) -> bool:
    """A mail of its own now, rather than a line in tomorrow's digest (or nothing)."""
    return mailed(kind, muted) and not daily_digest
