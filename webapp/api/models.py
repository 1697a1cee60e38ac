"""API tokens, webhook subscriptions and their delivery log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.clock import utcnow
from webapp.extensions import db


class ApiToken(db.Model):
    """A bearer token an administrator created for another system (HR, a badge wallet …).

    Only the sha256 of the secret is kept: the secret is shown once, when the token is created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    #: sha256 hex of the whole secret; the lookup key of every API request.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The secret's first characters, shown in the list so an admin can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    #: tokens.SCOPES values.
    scopes: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    last_used_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name}>"


class Webhook(db.Model):
    """A URL that receives certificate events, signed with its own secret."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    #: The HMAC key shared with the receiver (it needs it in clear to sign each delivery).
    secret: Mapped[str] = mapped_column(String(200))
    #: signing.EVENTS values this URL receives.
    events: Mapped[list] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"<Webhook {self.id} {self.url}>"


class WebhookDelivery(db.Model):
    """One event for one webhook: its body is fixed when the event happens; each attempt is
    signed anew (the timestamp is part of the signature)."""

    __tablename__ = "webhook_deliveries"

    PENDING, DELIVERED = "pending", "delivered"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    #: The receiver's HTTP status of the last attempt, or None when it could not be reached.
    last_status: Mapped[int | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    webhook: Mapped[Webhook] = relationship()

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event} {self.state}>"
