import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.throttle import Failures
from webapp.clock import utcnow
from webapp.extensions import db


#: User.source of accounts whose password is kept here (the directory sources are in sso.py).
LOCAL = "local"


def new_session_stamp() -> str:
    return secrets.token_urlsafe(12)


def session_id(user_id: int, session_stamp: str) -> str:
    """The user id a session carries (``get_id``); the user loader splits it again."""
    return f"{user_id}.{session_stamp}"


class User(UserMixin, db.Model):
    """A person who signs in: trainee agent, trainer, HR officer or administrator."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_department_employee_no", "department", "employee_no"),)  # the roster's order

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The login name: the employee number HR rosters use (工号).
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(100), default="", index=True)
    team: Mapped[str] = mapped_column(String(100), default="")
    #: Where notifications are mailed; empty: in-app only.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    #: The language chosen for what is sent to the user (one of LANGUAGES); empty: the site default.
    language: Mapped[str] = mapped_column(String(8), default="", server_default="")
    #: One of webapp.access.Role.
    role: Mapped[str] = mapped_column(String(16), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: Where the person signs in: "local" (a password kept here), "ldap" or "oidc" (the company
    #: directory; such accounts never have a local password).
    source: Mapped[str] = mapped_column(String(8), default=LOCAL, server_default=LOCAL)
    #: None until an administrator issues a first password (accounts created by a roster import),
    #: and always for directory accounts.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Set for passwords handed out by an admin or an import; cleared when the user picks their own.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    #: Part of the user id every session carries (``get_id``), checked when the session's user is
    #: read: session cookies are signed, not stored, so a copy of one stays valid until it expires;
    #: a new stamp is what makes every earlier session of the account refused, on every node.
    session_stamp: Mapped[str] = mapped_column(String(24), default=new_session_stamp)

    def get_id(self) -> str:
        return session_id(self.id, self.session_stamp)

    def end_sessions(self) -> None:
        """Sign the account out everywhere: at signing out, a password change or reset, a role
        change, a deactivation."""
        self.session_stamp = new_session_stamp()

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def is_local(self) -> bool:
        return self.source == LOCAL

    @property
    def awaits_directory(self) -> bool:
        """A local account nobody can sign in to yet (a roster import made it, no password was
        issued): the directory may take it over at the person's first sign-in there."""
        return self.is_local and not self.has_password

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to sign in inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.employee_no} {self.role}{'' if self.active else ' inactive'}>"


@dataclass(frozen=True, slots=True, eq=False)  # eq: UserMixin's, by get_id()
class SignedInUser(UserMixin):
    """The signed-in, active user as a view that only reads it sees it (``access.reads_user_plainly``):
    what the layout and the access checks use, read without the ORM. Anything else is an
    AttributeError, never a stale or missing value."""

    id: int
    employee_no: str
    name: str
    role: str
    must_change_password: bool
    session_stamp: str

    def get_id(self) -> str:
        return session_id(self.id, self.session_stamp)


class LoginThrottle(db.Model):
    """Failed sign-ins counted for an account, an account at one address, or an address
    (see throttle.py); the empty string stands for "any"."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("employee_no", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: As typed at sign-in: unknown numbers are counted like real ones.
    employee_no: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int]
    #: The counter's window opened with its first failure.
    started_at: Mapped[datetime]
    last_failure_at: Mapped[datetime] = mapped_column(index=True)

    @property
    def as_failures(self) -> Failures:
        return Failures(self.failures, self.started_at, self.last_failure_at)


class RosterImportJob(db.Model):
    """One roster file imported from the web, with its progress while a job worker runs it."""

    __tablename__ = "roster_import_jobs"

    QUEUED, RUNNING, DONE, REJECTED, FAILED = "queued", "running", "done", "rejected", "failed"
    FINISHED = (DONE, REJECTED, FAILED)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    state: Mapped[str] = mapped_column(String(16), default=QUEUED)
    #: What the worker is doing: "reading", "checking", "saving" (shown with the progress bar).
    phase: Mapped[str] = mapped_column(String(16), default="")
    percent: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    #: The first problems as [row, msgid, params]; problem_count has them all.
    problems: Mapped[list] = mapped_column(JSON, default=list)
    problem_count: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Moved on at every progress step: a running job quiet for long lost its worker.
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    #: The uploaded file while it waits for a job worker (any node's); dropped once finished.
    source: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

    actor: Mapped[User] = relationship()

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    def __repr__(self) -> str:
        return f"<RosterImportJob {self.id} {self.state} {self.percent}%>"
