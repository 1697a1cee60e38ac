"""Changes to accounts, shared by the views and the CLI."""
import secrets
from dataclasses import dataclass, field

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.access import Role
from webapp.accounts import throttle
from webapp.accounts.models import LoginThrottle, User
from webapp.accounts.roster import RosterRow, RowProblem, parse_roster
from webapp.audit.services import record
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.registry import roster_imported

MIN_PASSWORD_LENGTH = 8


class AccountError(Exception):
    """A request the account rules refuse; the message is shown to the user."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def temporary_password() -> str:
    return secrets.token_urlsafe(9)


def find_user(employee_no: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(employee_no=employee_no.strip())).scalar_one_or_none()


def create_user(employee_no, name, department, role, password, team="", actor=None) -> User:
    if find_user(employee_no) is not None:
        raise AccountError(f"employee number {employee_no} is already taken")
    user = User(
        employee_no=employee_no.strip(),
        name=name.strip(),
        department=department.strip(),
        team=(team or "").strip(),
        role=Role(role).value,
        password_hash=hash_password(password),
        must_change_password=actor is not None,  # someone else chose it: the user must replace it
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", f"user:{user.employee_no}", {"role": user.role}, actor=actor)
    return user


def set_active(user: User, active: bool, actor: User) -> None:
    if user.id == actor.id and not active:
        raise AccountError("you cannot deactivate your own account")
    user.active = active
    record("user.activate" if active else "user.deactivate", f"user:{user.employee_no}", actor=actor)


def reset_password(user: User, actor: User) -> str:
    """Give the user a new temporary password, which they must change at next sign-in."""
    password = temporary_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    _clear_throttle(f"account:{user.employee_no}")
    record("user.reset_password", f"user:{user.employee_no}", actor=actor)
    return password


def change_own_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("the current password is wrong")
    user.password_hash = hash_password(new)
    user.must_change_password = False


# --- signing in -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    retry_after_seconds: int = 0
    locked_out: bool = False


def _throttle_row(key: str) -> LoginThrottle | None:
    return db.session.execute(db.select(LoginThrottle).filter_by(key=key)).scalar_one_or_none()


def _clear_throttle(key: str) -> None:
    row = _throttle_row(key)
    if row is not None:
        db.session.delete(row)


def _note_failure(key: str, now) -> None:
    row = _throttle_row(key)
    if row is None:
        db.session.add(LoginThrottle(key=key, failures=1, last_failure_at=now))
    else:
        row.failures += 1
        row.last_failure_at = now


def authenticate(employee_no: str, password: str, address: str) -> SignInResult:
    """Check credentials unless the account or the address is being throttled. Commits."""
    now = utcnow()
    keys = (f"account:{employee_no.strip()}", f"address:{address}")
    for key in keys:
        row = _throttle_row(key)
        verdict = throttle.check(row.failures, row.last_failure_at, now) if row else throttle.Verdict(True)
        if not verdict.allowed:
            return SignInResult(retry_after_seconds=max(1, int(verdict.retry_after.total_seconds())),
                                locked_out=verdict.locked_out)
    user = find_user(employee_no)
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        for key in keys:
            _note_failure(key, now)
        db.session.commit()
        return SignInResult()
    for key in keys:
        _clear_throttle(key)
    user.last_login_at = now
    db.session.commit()
    return SignInResult(user=user)


# --- roster import ----------------------------------------------------------------------------

@dataclass
class RosterImport:
    problems: list[RowProblem] = field(default_factory=list)
    created: list[tuple[User, str]] = field(default_factory=list)  # (user, temporary password)
    updated: int = 0
    unchanged: int = 0


def _apply_row(row: RosterRow, result: RosterImport, actor) -> None:
    user = find_user(row.employee_no)
    if user is None:
        password = temporary_password()
        user = create_user(row.employee_no, row.name, row.department, row.role, password, row.team, actor=actor)
        user.must_change_password = True
        result.created.append((user, password))
    else:
        wanted = {"name": row.name, "department": row.department, "team": row.team, "role": row.role.value}
        changed = {key: value for key, value in wanted.items() if getattr(user, key) != value}
        for key, value in changed.items():
            setattr(user, key, value)
        if changed:
            result.updated += 1
            record("user.update", f"user:{user.employee_no}", {"changed": sorted(changed)}, actor=actor)
        else:
            result.unchanged += 1
    row.user = user


def import_roster(data: bytes, actor: User | None = None) -> RosterImport:
    """All-or-nothing: any bad row means nothing is written and every bad row is reported."""
    rows, problems = parse_roster(data)
    result = RosterImport(problems=problems)
    if problems:
        return result
    try:
        for row in rows:
            _apply_row(row, result, actor)
        db.session.flush()
        for _receiver, receiver_problems in roster_imported.send(current_app._get_current_object(), rows=rows):
            result.problems.extend(receiver_problems or ())
        if result.problems:
            result.problems.sort(key=lambda problem: problem.row_number)
            raise AccountError("roster rejected")
        record("roster.import", "users", {"created": len(result.created), "updated": result.updated}, actor=actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        if not result.problems:
            raise
        result.created.clear()
        result.updated = result.unchanged = 0
    return result
