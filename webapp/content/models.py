"""What the content framework stores beside each kind's own rows: the published history of every
content file, the trainers' drafts, and the change sets that publish them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db

PATH_LENGTH = 300
MESSAGE_LENGTH = 500


class ContentChangeSet(db.Model):
    """Drafts of one author published together, all or nothing, with a message.

    ``items`` is ``[{"path", "text", "base_hash"}]``; the state is "pending" while a second trainer
    must approve it, then "published" or "withdrawn"."""

    __tablename__ = "content_change_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    message: Mapped[str] = mapped_column(String(MESSAGE_LENGTH))
    #: Whether the trainer said the change alters what certificate holders know (recertification).
    significant: Mapped[bool] = mapped_column(default=False)
    items: Mapped[list[dict]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]

    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def paths(self) -> list[str]:
        return [item["path"] for item in self.items]

    def __repr__(self) -> str:
        return f"<ContentChangeSet {self.id} {self.state}>"


class ContentRevision(db.Model):
    """One published state of one content file (root-relative path): who, when, why. Written by
    every import and publish whose result changed the file; ``text`` is None once it is removed."""

    __tablename__ = "content_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH), index=True)
    text: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    #: "import" (files), "publish" (a change set) or "rollback".
    action: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(String(MESSAGE_LENGTH), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    change_set_id: Mapped[int | None] = mapped_column(ForeignKey("content_change_sets.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The revision this one follows (None for a path's first). Unique: a revision has one
    #: successor, so of two nodes publishing over the same revision at once the second's insert
    #: fails in the database (PostgreSQL or SQLite alike) and it gets the conflict.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("content_revisions.id"), unique=True)

    author = relationship("User")

    def __repr__(self) -> str:
        return f"<ContentRevision {self.id} {self.path}>"


class ContentDraft(db.Model):
    """A trainer's unpublished text of one content file, autosaved; only trainers see drafts.

    ``base_hash`` is the published version the editor was opened on (None for a new file): a save
    or publish is refused once the published file has moved on from it."""

    __tablename__ = "content_drafts"
    __table_args__ = (UniqueConstraint("author_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    path: Mapped[str] = mapped_column(String(PATH_LENGTH))
    text: Mapped[str] = mapped_column(Text)
    base_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<ContentDraft {self.author_id} {self.path}>"
