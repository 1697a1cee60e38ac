"""Course modules and lessons as imported from courses/, their versions, and trainee progress.

Modules and lessons are keyed by their stable ids from the content files, so progress recorded
on a lesson survives every edit of it. Lesson text lives in immutable LessonVersion rows; an edit
adds a version and moves ``Lesson.current_version``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db

ID_LENGTH = 200


class CourseModule(db.Model):
    """A module (courses/<id>/module.md): the unit a post's requirements and quizzes refer to."""

    __tablename__ = "course_modules"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    #: Position in the catalogue.
    order: Mapped[int]
    #: Estimated study time of the whole module.
    minutes: Mapped[int]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: module.md as imported (canonical text), exported byte for byte; its sha256 is content_hash.
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: When a lesson version marked ``significant_change: true`` was last imported: certificates
    #: earned on older versions need review.
    significant_changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(back_populates="module", order_by="Lesson.order")

    @property
    def current_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.retired_at is None]

    def title_for(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh

    def __repr__(self) -> str:
        return f"<CourseModule {self.id}>"


class Lesson(db.Model):
    """A lesson (courses/<module>/NN-<slug>.md), keyed by its stable id "<module>.<slug>"."""

    __tablename__ = "lessons"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    module_id: Mapped[str] = mapped_column(ForeignKey("course_modules.id"), index=True)
    #: The NN of the file name.
    order: Mapped[int]
    file_name: Mapped[str] = mapped_column(String(ID_LENGTH))
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    # use_alter: lessons and lesson_versions point at each other.
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey("lesson_versions.id", use_alter=True))
    #: Set when the file disappeared from its module; progress on it is kept.
    retired_at: Mapped[datetime | None]

    module: Mapped[CourseModule] = relationship(back_populates="lessons")
    current_version: Mapped[LessonVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)

    def __repr__(self) -> str:
        return f"<Lesson {self.id}>"


class LessonVersion(db.Model):
    """One text of a lesson, never changed after it is written."""

    __tablename__ = "lesson_versions"
    __table_args__ = (UniqueConstraint("lesson_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id"), index=True)
    #: sha256 of the canonical file text.
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    #: The author marked this version ``significant_change: true``.
    significant: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    lesson: Mapped[Lesson] = relationship(foreign_keys=[lesson_id])

    def __repr__(self) -> str:
        return f"<LessonVersion {self.lesson_id} {self.content_hash[:8]}>"


class LessonProgress(db.Model):
    """A trainee marked a lesson complete (once; later edits of the lesson keep it complete)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id"), index=True)
    #: The version the trainee read when completing, the evidence certification records.
    lesson_version_id: Mapped[int] = mapped_column(ForeignKey("lesson_versions.id"))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)

    lesson_version: Mapped[LessonVersion] = relationship()

    def __repr__(self) -> str:
        return f"<LessonProgress user={self.user_id} {self.lesson_id}>"


class LastRead(db.Model):
    """The lesson a trainee opened last, offered as "resume where you left off"."""

    __tablename__ = "last_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(ForeignKey("lessons.id"))
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

    lesson: Mapped[Lesson] = relationship()


class LessonImage(db.Model):
    """An image lessons of a module show (courses/<module>/<name>), kept in the database so every
    app node serves it without a shared disk. Editor uploads are named by their hash, so their URL
    never changes meaning and can be cached for good."""

    __tablename__ = "lesson_images"
    __table_args__ = (UniqueConstraint("module_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    #: Path inside the module folder, e.g. "images/3f2a9c0e1b7d4a65.png".
    name: Mapped[str] = mapped_column(String(300))
    mimetype: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<LessonImage {self.module_id}/{self.name}>"
