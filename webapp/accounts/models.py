from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.extensions import db


class User(UserMixin, db.Model):
    """A person who signs in: trainee agent, trainer, HR officer or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The login name: the employee number HR rosters use (工号).
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(100), default="", index=True)
    team: Mapped[str] = mapped_column(String(100), default="")
    #: One of webapp.access.Role.
    role: Mapped[str] = mapped_column(String(16), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Set for passwords handed out by an admin or an import; cleared when the user picks their own.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    @property
    def is_active(self) -> bool:  # Flask-Login refuses to sign in inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.employee_no} {self.role}{'' if self.active else ' inactive'}>"


class LoginThrottle(db.Model):
    """Failed sign-in attempts per key ("account:<employee_no>" or "address:<ip>")."""

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
