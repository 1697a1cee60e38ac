"""Statements recorded for the LRS, each with its delivery state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.clock import utcnow
from webapp.extensions import db

QUEUED, SENT, FAILING = "queued", "sent", "failing"
ERROR_LENGTH = 500


class Statement(db.Model):
    """One xAPI statement, frozen when its event happened: a retry sends exactly these bytes, so
    the LRS sees the same statement under the same id (a different body would be a conflict).

    Delivery runs as the ``xapi.send`` job; this row only says how it went, for the admin page.
    """

    __tablename__ = "xapi_statements"

    #: The statement id (UUIDv5 of the event, statements.statement_id).
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The verb's last word (completed, passed, failed, scored, earned), for the admin page.
    verb: Mapped[str] = mapped_column(String(16))
    statement: Mapped[dict] = mapped_column(JSON)
    #: queued → sent, or failing (last_error says why) until a retry gets through.
    state: Mapped[str] = mapped_column(String(8), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def activity_name(self) -> str:
        names = self.statement["object"]["definition"]["name"]
        return names.get("zh-CN") or next(iter(names.values()), "")

    def __repr__(self) -> str:
        return f"<Statement {self.id} {self.verb} {self.state}>"
