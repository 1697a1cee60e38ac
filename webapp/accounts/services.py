"""Changes to accounts and signing in, shared by the views and the CLI. No commits, except
``authenticate`` (failed attempts must be counted even when the request goes no further)."""
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.access import Role
from webapp.accounts import ldap, rules, sso, throttle, throttle_store
from webapp.accounts.models import LOCAL, User
from webapp.accounts.roster import N_
from webapp.accounts.throttle_store import ANY
from webapp.audit.services import record
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.queries import distinct_values

MIN_PASSWORD_LENGTH = 8
#: First passwords issued per click: scrypt costs about 0.1 s each.
FIRST_PASSWORDS_AT_ONCE = 50

log = logging.getLogger(__name__)


class AccountError(Exception):
    """A request the account rules refuse; the message is shown to the user."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def temporary_password() -> str:
    return secrets.token_urlsafe(9)


def trainee_departments() -> list[str]:
    """Every trainees' department, in order (the filters of the roster and of quiz attempts)."""
    return distinct_values(User.department, User.role == Role.TRAINEE.value)


def find_user(employee_no: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(employee_no=employee_no.strip())).scalar_one_or_none()


def actor_role(actor: User | None) -> str:
    """Who acts, as the rules name them: a role, or the system for the command line."""
    return rules.SYSTEM if actor is None else actor.role


def count_active_admins(*, lock: bool) -> int:
    """With ``lock``, the administrators' rows stay locked until commit on PostgreSQL: two
    administrators demoting each other at the same moment must not both see the other one still
    there. Only changes that may take the role away lock (the lock stalls their sign-ins)."""
    query = db.select(User.id).where(User.role == Role.ADMIN, User.active)
    return len(db.session.scalars(query.with_for_update() if lock else query).all())


def create_user(employee_no, name, department, role, password, team="", actor=None) -> User:
    rules.check_role_change(actor_role(actor), None, role, active_admins=count_active_admins(lock=False))
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


def change_role(user: User, role: Role | str, actor: User | None) -> bool:
    """Returns whether the role changed."""
    role = Role(role)
    rules.check_role_change(actor_role(actor), user.role, role, target_active=user.active,
                            active_admins=count_active_admins(lock=user.role == Role.ADMIN))
    if user.role == role:
        return False
    record("user.role", f"user:{user.employee_no}", {"from": user.role, "to": role.value}, actor=actor)
    user.role = role.value
    user.end_sessions()
    return True


#: The account fields an edit may change besides the role, in the order the audit lists them.
EDITABLE_FIELDS = ("name", "department", "team", "email")


def update_account(user: User, actor: User | None, *, role: Role | str, **values: str) -> bool:
    """Edit an existing account's name, department, team, e-mail address and role. The account rule is asked first
    (HR never touches anyone but trainees), then the role rule; the field changes are audited as
    ``user.update`` with ``{field: {"from": old, "to": new}}``, a role change as ``user.role``.
    Returns whether anything changed."""
    rules.check_account_change(actor_role(actor), user.role)
    changes = {name: {"from": getattr(user, name), "to": (values[name] or "").strip()}
               for name in EDITABLE_FIELDS if (values[name] or "").strip() != getattr(user, name)}
    role_changed = change_role(user, role, actor)
    for name, change in changes.items():
        setattr(user, name, change["to"])
    if changes:
        record("user.update", f"user:{user.employee_no}", changes, actor=actor)
    return role_changed or bool(changes)


def set_active(user: User, active: bool, actor: User | None) -> None:
    if active:
        rules.check_account_change(actor_role(actor), user.role)
    elif user.active:
        rules.check_deactivation(actor_role(actor), user.role, is_self=actor is not None and user.id == actor.id,
                                 active_admins=count_active_admins(lock=user.role == Role.ADMIN))
    if user.active and not active:
        user.end_sessions()
    user.active = active
    record("user.activate" if active else "user.deactivate", f"user:{user.employee_no}", actor=actor)


def issue_password(user: User, actor: User | None) -> str:
    """A new temporary password, to be changed at next sign-in; also lifts any sign-in lock."""
    rules.check_password_issue(actor_role(actor))
    if not user.is_local:
        raise rules.Refused(N_("%(no)s signs in through the company directory and has no password here"),
                            {"no": user.employee_no})
    password = temporary_password()
    action = "user.reset_password" if user.has_password else "user.first_password"
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.end_sessions()
    failure_store().forget(user.employee_no)
    record(action, f"user:{user.employee_no}", actor=actor)
    return password


def _awaiting_first_password():
    """Active local accounts nobody has issued a password for yet (created by a roster import)."""
    return User.password_hash.is_(None), User.active, User.source == LOCAL


def first_passwords_by_department() -> list[tuple[str, int]]:
    query = (db.select(User.department, db.func.count()).where(*_awaiting_first_password())
             .group_by(User.department).order_by(User.department))
    return [tuple(row) for row in db.session.execute(query)]


def issue_first_passwords(department: str | None, actor: User | None,
                          limit: int = FIRST_PASSWORDS_AT_ONCE) -> list[tuple[User, str]]:
    query = db.select(User).where(*_awaiting_first_password())
    if department:
        query = query.where(User.department == department)
    users = db.session.scalars(query.order_by(User.employee_no).limit(limit)).all()
    return [(user, issue_password(user, actor)) for user in users]


def change_own_password(user: User, current: str, new: str) -> None:
    if not user.is_local:
        raise AccountError("directory accounts have no password here")
    if user.password_hash is None or not check_password_hash(user.password_hash, current):
        raise AccountError("the current password is wrong")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.end_sessions()  # the caller signs the current session in again


# --- signing in -------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    #: Set when the attempt was not even checked: the account or the address must wait.
    refused: throttle.Verdict | None = None
    #: The LDAP directory could not be asked (local accounts still sign in).
    directory_down: bool = False


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def failure_store() -> throttle_store.FailureStore:
    return current_app.extensions["accounts.failures"]


def _note_failure(employee_no: str, address: str, now: datetime) -> None:
    store = failure_store()
    store.add_failure((employee_no, ANY), throttle.ACCOUNT, now)
    store.add_failure((employee_no, address), throttle.PAIR, now)
    store.add_failure((ANY, address), throttle.ADDRESS, now)


def authenticate(employee_no: str, password: str, address: str) -> SignInResult:
    """Check credentials unless the account or the address must wait. Commits."""
    employee_no, address, now = employee_no.strip(), address[:64], utcnow()  # the column's width
    counters = failure_store().read(employee_no, address)
    verdict = throttle.sign_in_verdict(counters.get((employee_no, ANY)), counters.get((employee_no, address)),
                                       counters.get((ANY, address)), now)
    if not verdict.allowed:
        return SignInResult(refused=verdict)
    user = find_user(employee_no)
    directory = current_app.config["LDAP"]
    if directory is not None and (user is None or user.source == sso.LDAP or user.awaits_directory):
        return _authenticate_in_directory(directory, employee_no, password, address, now)
    usable = user is not None and user.active and user.has_password
    # Unknown, deactivated and password-less accounts cost the same hash check as real ones, so
    # the time an answer takes does not tell which employee numbers exist.
    stored = user.password_hash if usable else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    if not check_password_hash(stored, password) or not usable:
        _note_failure(employee_no, address, now)
        db.session.commit()
        return SignInResult()
    failure_store().forget(employee_no, address)
    user.last_login_at = now
    db.session.commit()
    return SignInResult(user=user)


def _authenticate_in_directory(settings: sso.LdapSettings, employee_no: str, password: str, address: str,
                               now: datetime) -> SignInResult:
    """The LDAP side of ``authenticate``: the same counters, the same answer for every refusal."""
    user = None
    try:
        answer = ldap.look_up(settings, employee_no, password)
        if answer.person is None:
            retire_from_directory(find_user(employee_no), sso.LDAP)
        elif answer.password_ok or answer.person.disabled:
            user = sign_in_person(answer.person, sso.LDAP, now)
    except ldap.DirectoryDown:
        return SignInResult(directory_down=True)
    except sso.Unusable as problem:  # an entry this site cannot map (settings?): refused, nothing changed
        log.warning("LDAP entry for %r unusable: %s", employee_no, problem.message % problem.params)
    except SignInRefused:
        pass
    if user is None:
        _note_failure(employee_no, address, now)
        db.session.commit()
        return SignInResult()
    failure_store().forget(employee_no, address)
    db.session.commit()
    return SignInResult(user=user)


# --- accounts from the company directory ------------------------------------------------------

class SignInRefused(Exception):
    """The directory vouched for someone who may not sign in here; ``message`` is an English msgid."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.message, self.params = message, params or {}


def retire_from_directory(user: User | None, source: str) -> None:
    """The directory no longer knows this person (or disables them): deactivate their account, audited."""
    if user is not None and user.source == source and user.active:
        try:
            set_active(user, False, None)
        except rules.Refused as refusal:  # the last active administrator stays, and is logged
            log.warning("directory retired %s but: %s", user.employee_no, refusal)


def sign_in_person(person: sso.Person, source: str, now: datetime) -> User:
    """The account of someone the directory (``source``) has just vouched for: created at first
    sign-in, then kept in step with the directory's name, department and role (changes audited,
    role changes under the same rules as an administrator's). No commit.

    Refused — SignInRefused — when the person is disabled in the directory (the account is then
    deactivated), when an administrator deactivated the account, or when the employee number
    belongs to an account that signs in otherwise (a local password is never taken over; an account
    from a roster import that never had one is, keeping its post assignments and records)."""
    user = find_user(person.employee_no)
    if user is not None and user.awaits_directory:
        _adopt(user, source)
    if user is not None and user.source != source:
        raise SignInRefused(N_("the employee number %(no)s belongs to an account that signs in another way; ask an "
                               "administrator"), {"no": person.employee_no})
    if person.disabled:
        retire_from_directory(user, source)
        raise SignInRefused(N_("the company directory marks this account as disabled"))
    if user is None:
        user = _create_from_directory(person, source)
    else:
        _follow_directory(user, person)
    if not user.active:
        raise SignInRefused(N_("this account is deactivated; ask an administrator"))
    user.last_login_at = now
    return user


def _create_from_directory(person: sso.Person, source: str) -> User:
    user = User(employee_no=person.employee_no, name=person.name, department=person.department, team="",
                role=person.role.value, source=source, password_hash=None)
    db.session.add(user)
    db.session.flush()
    record("user.create", f"user:{user.employee_no}", {"role": user.role, "source": source})
    return user


def _adopt(user: User, source: str) -> None:
    record("user.source", f"user:{user.employee_no}", {"from": user.source, "to": source})
    user.source = source
    user.must_change_password = False  # there is no password here to change


def _follow_directory(user: User, person: sso.Person) -> None:
    # The directory gives name and department; what only this site knows stays as it is.
    values = {name: getattr(user, name) for name in EDITABLE_FIELDS} | {"name": person.name,
                                                                        "department": person.department}
    try:
        update_account(user, None, role=person.role, **values)
    except rules.Refused as refusal:  # the last active administrator keeps the role; the rest follows
        log.warning("directory role %s for %s not applied: %s", person.role, user.employee_no, refusal)
        update_account(user, None, role=user.role, **values)


@dataclass
class HeldAccount:
    """An account whose sign-ins are refused for now (too many failures), for the admin list."""

    user: User | None  # None while being gathered
    verdict: throttle.Verdict | None = None  # the longest refusal
    failures: int = 0  # within the account's window, from anywhere
    addresses: list[str] = field(default_factory=list)  # where it is refused from


def held_accounts(now: datetime) -> list[HeldAccount]:
    """Accounts refused somewhere now; counters of employee numbers nobody has are left out."""
    held: dict[str, HeldAccount] = {}
    for (employee_no, address), failures in sorted(failure_store().account_counters(), key=lambda counter: counter[0]):
        entry = held.setdefault(employee_no, HeldAccount(None))
        policy = throttle.ACCOUNT if address == ANY else throttle.PAIR
        verdict = throttle.check(failures, policy, now)
        if address == ANY:
            entry.failures = throttle.current_count(failures, policy, now)
        elif not verdict.allowed:
            entry.addresses.append(address)
        if not verdict.allowed and (entry.verdict is None or verdict.retry_after > entry.verdict.retry_after):
            entry.verdict = verdict
    held = {employee_no: entry for employee_no, entry in held.items() if entry.verdict is not None}
    users = db.session.scalars(db.select(User).where(User.employee_no.in_(held)).order_by(User.employee_no))
    for user in users:
        held[user.employee_no].user = user
    return [entry for entry in held.values() if entry.user is not None]


def unlock(user: User, actor: User | None) -> None:
    """Forget the account's failed sign-ins everywhere (its address counters are other people's)."""
    rules.check_account_change(actor_role(actor), user.role)
    failure_store().forget(user.employee_no)
    record("user.unlock", f"user:{user.employee_no}", actor=actor)
