"""Posts (岗位) as imported from quizzes/posts/, assignments, certificates and certificate events.

A certificate's state (certified, expiring, expired, revoked …) is computed by the engine from
these rows and today's date; each assignment row carries a copy of the engine's answer over time
(``standings``) for the roster's SQL.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.clock import utcnow
from webapp.extensions import db

ID_LENGTH = 200
CODE_LENGTH = 32  # room for verification codes (engine.new_verification_code makes 16 characters)


class Post(db.Model):
    """A post definition, keyed by its stable id (``quizzes/posts/<id>.md``)."""

    __tablename__ = "posts"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    # use_alter: posts and post_versions point at each other.
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey("post_versions.id", use_alter=True))

    current_version: Mapped[PostVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)

    def title_for(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh

    def __repr__(self) -> str:
        return f"<Post {self.id}>"


class PostVersion(db.Model):
    """One text of a post file, never changed after it is written."""

    __tablename__ = "post_versions"
    __table_args__ = (UniqueConstraint("post_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), index=True)
    #: sha256 of the canonical file text.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The file as imported (canonical text): parsed again to evaluate, exported byte for byte.
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PostVersion {self.post_id} {self.content_hash[:8]}>"


class PostAssignment(db.Model):
    """HR asked this trainee to certify for this post by the due date. Re-assigning updates the row."""

    __tablename__ = "post_assignments"
    __table_args__ = (UniqueConstraint("user_id", "post_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date | None]
    #: None when assigned by a roster import from the command line.
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Derived, never edited: the engine's state timeline (engine.state_timeline) and the latest
    # certificate, kept by ``standings`` whenever an input changes, so that HR counts, filters and
    # pages the roster in SQL. The state on a day is ``state`` until ``state_next_on``, then
    # ``state_next`` until ``state_later_on``, then ``state_later`` (see standings.state_on).
    state: Mapped[str] = mapped_column(String(16), default="in_progress")
    state_next: Mapped[str | None] = mapped_column(String(16))
    state_next_on: Mapped[date | None]
    state_later: Mapped[str | None] = mapped_column(String(16))
    state_later_on: Mapped[date | None]
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", use_alter=True))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    post: Mapped[Post] = relationship()

    def __repr__(self) -> str:
        return f"<PostAssignment user={self.user_id} {self.post_id}>"


class Certificate(db.Model):
    """One certification cycle of a trainee for a post.

    The unique (user, post, cycle) makes the second of two concurrent issues fail instead of
    creating a duplicate.
    """

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("user_id", "post_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), index=True)
    #: 1 for the first certificate, +1 for every renewal or re-certification after a revocation.
    cycle: Mapped[int]
    #: The unguessable code of the public verification URL.
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: Valid through this day.
    valid_until: Mapped[date] = mapped_column(index=True)
    #: What it was earned on: post hash, lesson versions, quiz scores, scenario hashes.
    content_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Best score of the post's final exam and average of the counted role-play calls, at issue.
    exam_score: Mapped[float | None]
    roleplay_average: Mapped[float | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    post: Mapped[Post] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def number(self) -> str:
        """The number printed on the certificate and in exports."""
        return certificate_number(self.issued_at, self.id)

    def __repr__(self) -> str:
        return f"<Certificate {self.number} user={self.user_id} {self.post_id} cycle={self.cycle}>"


def certificate_number(issued_at: datetime, certificate_id: int) -> str:
    return f"HA-{issued_at.year:04d}-{certificate_id:06d}"  # not %Y: strftime is slow in a million-row export


class CertificateEvent(db.Model):
    """Events about a trainee's certification for a post that are not certificate rows themselves.

    ``recertification_assigned``: HR opened the renewal window now (e.g. after a significant
    content change).
    """

    __tablename__ = "certificate_events"

    RECERTIFICATION_ASSIGNED = "recertification_assigned"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    def __repr__(self) -> str:
        return f"<CertificateEvent {self.kind} user={self.user_id} {self.post_id}>"


class RequirementOverride(db.Model):
    """HR or an admin marked one requirement of a post as met for a trainee (recognised prior
    certification, an offline assessment …). Evidence like any record: the engine counts it from
    ``granted_at`` on. Revoking it keeps the row (with who, when and why) and stops it counting.
    """

    __tablename__ = "requirement_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), index=True)
    #: engine.requirement_keys(): "module:<id>", "quiz:<id>" or "scenarios".
    requirement: Mapped[str] = mapped_column(String(ID_LENGTH + 10))
    reason: Mapped[str] = mapped_column(String(500))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    post: Mapped[Post] = relationship()
    granted_by: Mapped[User] = relationship(foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<RequirementOverride {self.requirement} user={self.user_id} {self.post_id}>"
