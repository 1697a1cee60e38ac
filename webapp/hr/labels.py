"""What HR reads in exports: column headers and status labels in the interface language, or the
stable machine names integrations rely on (``?headers=machine``, see docs/integration.md)."""
from flask_babel import lazy_gettext as _l

from webapp.certification.engine import State

from .export import COLUMNS

#: The query value that keeps the machine headers and status codes.
MACHINE = "machine"

COLUMN_LABELS = {
    "employee_no": _l("Employee number"),
    "name": _l("Name"),
    "department": _l("Department"),
    "post": _l("Post"),
    "status": _l("Status"),
    "certificate_no": _l("Certificate number"),
    "issued_at": _l("Issued on"),
    "valid_until": _l("Valid until"),
    "last_exam_score": _l("Final exam score"),
    "roleplay_average": _l("Role-play average"),
    "verify_url": _l("Verification link"),
    "revocation_reason": _l("Revocation reason"),
}

STATE_LABELS = {
    State.IN_PROGRESS: _l("In training"),
    State.CERTIFIED: _l("Certified"),
    State.EXPIRING: _l("Expiring"),
    State.EXPIRED: _l("Expired"),
    State.REVOKED: _l("Revoked"),
    State.OVERDUE: _l("Past due"),
}


def export_headers(machine: bool) -> tuple[str, ...]:
    return COLUMNS if machine else tuple(str(COLUMN_LABELS[column]) for column in COLUMNS)


def status_labels(machine: bool) -> dict[str, str]:
    """Status code → what the export writes (the code itself for machines)."""
    return {state.value: state.value if machine else str(label) for state, label in STATE_LABELS.items()}
