"""Notifications shown in the app (and mailed), and each user's notification settings."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.extensions import db


class Notification(db.Model):
    """One piece of news for one user. Created at most once per ``key``
    (kinds.notification_key: user, kind, subject, threshold)."""

    __tablename__ = "notifications"
    # The header's unread count on every page is one lookup in this index.
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: kinds.Kind.
    kind: Mapped[str] = mapped_column(String(32))
    #: What it is about (kinds.subject): "certificate:12", "assignment:3@2026-12-31", "call:7@…".
    subject: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    #: What the text needs (post id, dates, reason …), rendered in the reader's language.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    #: When it went out by e-mail, alone or in a digest; None: not (yet) mailed.
    emailed_at: Mapped[datetime | None]

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def __repr__(self) -> str:
        return f"<Notification {self.key}{'' if self.read_at else ' unread'}>"


class NotificationSettings(db.Model):
    """A user's e-mail choices; no row means the defaults (every kind mailed at once)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    #: Optional kinds the user does not want by e-mail (still shown in the app).
    muted: Mapped[list] = mapped_column(JSON, default=list)
    #: One mail a day with the previous day's notifications instead of one mail each.
    daily_digest: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<NotificationSettings user={self.user_id}{' digest' if self.daily_digest else ''}>"
