"""Question banks, quizzes and attempts.

Questions are keyed by their stable ids from the bank files; their text lives in immutable
QuestionVersion rows (one per content hash), and an edit adds a version and moves
``BankQuestion.current_version``. An attempt's slots point at the versions they drew, so grading
and review never see a later edit.

Attempt states: ``in_progress`` → ``submitted`` (the trainee submitted) or ``overdue`` (the
deadline passed first) → ``graded``. Every change of state is one conditional UPDATE in
``services`` (the request that changed no row did not make the change).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db

ID_LENGTH = 200

IN_PROGRESS, SUBMITTED, OVERDUE, GRADED = "in_progress", "submitted", "overdue", "graded"
ATTEMPT_STATES = (IN_PROGRESS, SUBMITTED, OVERDUE, GRADED)


class QuestionBank(db.Model):
    """A bank file (quizzes/banks/<id>.md) as last imported."""

    __tablename__ = "question_banks"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    module_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    #: The file as imported (canonical text), exported byte for byte; its sha256 is content_hash.
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questions: Mapped[list[BankQuestion]] = relationship(back_populates="bank", order_by="BankQuestion.position")

    def __repr__(self) -> str:
        return f"<QuestionBank {self.id}>"


class BankQuestion(db.Model):
    """A question's stable identity ("<bank>.qNNN"); what it says is in its versions."""

    __tablename__ = "questions"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("question_banks.id"), index=True)
    #: Place in the bank file.
    position: Mapped[int]
    current_version_id: Mapped[int | None] = mapped_column(ForeignKey("question_versions.id", use_alter=True))
    #: Set when the question disappeared from its bank file; attempts keep pointing at its versions.
    retired_at: Mapped[datetime | None]

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    current_version: Mapped[QuestionVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)

    def __repr__(self) -> str:
        return f"<BankQuestion {self.id}{' retired' if self.retired_at else ''}>"


class QuestionVersion(db.Model):
    """One immutable text of a question, identified by the sha256 of its canonical source."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(ForeignKey("questions.id"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    #: The question's section of the bank file (canonical source).
    source: Mapped[str] = mapped_column(Text)
    #: The parsed question (questions.Question fields), read by drawing, grading and review.
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionVersion {self.question_id} {self.content_hash[:8]}>"


class QuestionImage(db.Model):
    """An image questions show (``![](images/<hash>.png)`` in a bank, quizzes/banks/images/<hash>.png
    as a file), kept in the database so every app node serves it without a shared disk. Named by
    its content: a name always means the same bytes, so no version ever loses its image."""

    __tablename__ = "question_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "images/<first 16 hex digits of the sha256><suffix>", as banks write it.
    name: Mapped[str] = mapped_column(String(40), unique=True)
    mimetype: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionImage {self.name}>"


class Quiz(db.Model):
    """A quiz blueprint (quizzes/exams/<id>.md) as last imported; settings are read from source."""

    __tablename__ = "quizzes"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    module_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    post_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), index=True)
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def title_for(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh

    def __repr__(self) -> str:
        return f"<Quiz {self.id}>"


class Attempt(db.Model):
    """One trainee's attempt at a quiz: its draw (seed, slots), saved answers and result."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # numbering doubles as the guard against two concurrent starts
        UniqueConstraint("user_id", "quiz_id", "number"),
        Index("ix_quiz_attempts_quiz_id_state", "quiz_id", "state"),
        Index("ix_quiz_attempts_quiz_id_started_at", "quiz_id", "started_at"),  # the trainer's attempt list
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"))
    #: 1 for the trainee's first attempt at this quiz, 2 for the second, …
    number: Mapped[int]
    #: random.Random(seed) drew the slots: the draw is reproducible.
    seed: Mapped[int] = mapped_column(BigInteger)
    #: The blueprint version drawn from.
    quiz_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    started_at: Mapped[datetime]
    #: started_at + time limit (shown as the countdown); None when untimed.
    ends_at: Mapped[datetime | None]
    #: ends_at + grace: the last moment an answer or a submit is accepted; None when untimed.
    deadline: Mapped[datetime | None]
    #: When the attempt was submitted, or closed as overdue.
    closed_at: Mapped[datetime | None]
    graded_at: Mapped[datetime | None]
    #: Percent of the available marks; set when graded.
    score: Mapped[float | None]
    #: The mark that counted for the trainee when the attempt started: the post's min_score when an
    #: assigned post requires the quiz, else the quiz's own pass_mark (certification.plan).
    pass_mark: Mapped[float]
    passed: Mapped[bool | None]

    quiz: Mapped[Quiz] = relationship()
    user = relationship("User")
    slots: Mapped[list[AttemptSlot]] = relationship(back_populates="attempt", order_by="AttemptSlot.position")

    def __repr__(self) -> str:
        return f"<Attempt {self.id} {self.quiz_id} #{self.number} {self.state}>"


class AttemptSlot(db.Model):
    """A question drawn for an attempt: which version, and the option order shown."""

    __tablename__ = "attempt_slots"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    #: option_order[shown position] = written index of the option (questions.QuestionType.draw_order).
    option_order: Mapped[list[int]] = mapped_column(JSON)
    #: Fraction of the question's marks, set when the attempt is graded.
    score: Mapped[float | None]

    attempt: Mapped[Attempt] = relationship(back_populates="slots")
    question_version: Mapped[QuestionVersion] = relationship()


class AttemptAnswer(db.Model):
    """The trainee's latest answer to a slot, saved as they go (canonical form, see questions)."""

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"))
    position: Mapped[int]
    value: Mapped[object | None] = mapped_column(JSON)
    saved_at: Mapped[datetime]


class _Moments:
    """itemstats.Moments as columns: running sums, added to when an attempt is graded."""

    n: Mapped[float] = mapped_column(default=0.0)
    x: Mapped[float] = mapped_column(default=0.0)
    xx: Mapped[float] = mapped_column(default=0.0)
    y: Mapped[float] = mapped_column(default=0.0)
    yy: Mapped[float] = mapped_column(default=0.0)
    xy: Mapped[float] = mapped_column(default=0.0)


class QuestionScoreSums(_Moments, db.Model):
    """Per question of a quiz: its score (x) and the rest of the attempt (y), over graded attempts."""

    __tablename__ = "quiz_question_sums"

    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)


class PositionScoreSums(_Moments, db.Model):
    """Per slot position of the attempts with ``slot_count`` slots: the score there (x)."""

    __tablename__ = "quiz_position_sums"

    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    slot_count: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class TotalScoreSums(_Moments, db.Model):
    """Per slot count: the attempt total (x) and the total as a fraction of the slots (y)."""

    __tablename__ = "quiz_total_sums"

    quiz_id: Mapped[str] = mapped_column(ForeignKey("quizzes.id"), primary_key=True)
    slot_count: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
