"""Role-play records: versioned scenarios and norms, calls, their turns and trainer overrides.

Version rows are immutable; an edited file adds a version and moves its item's ``current_version``
pointer. A call points at the exact scenario and norms versions it was played and scored with.
"""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.clock import utcnow
from webapp.extensions import db


class NormsSet(db.Model):
    """The service-language norms file (quizzes/roleplay/norms.yaml) as a versioned item."""

    __tablename__ = "norms_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable name of the norms file; one set today ("norms").
    name: Mapped[str] = mapped_column(String(60), unique=True)
    current_version_id: Mapped[int] = mapped_column(ForeignKey("norms_versions.id"))
    current_version: Mapped["NormsVersion"] = relationship()

    def __repr__(self) -> str:
        return f"<NormsSet {self.name}>"


class NormsVersion(db.Model):
    """One imported text of the norms file; never changed after it is written."""

    __tablename__ = "norms_versions"
    __table_args__ = (UniqueConstraint("name", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The ``NormsSet.name`` this is a version of.
    name: Mapped[str] = mapped_column(String(60), index=True)
    #: sha256 of the file text (``Norms.version``).
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<NormsVersion {self.id} {self.content_hash[:8]}>"


class RoleplayScenario(db.Model):
    """A scenario by its stable id (what posts and trainers refer to)."""

    __tablename__ = "roleplay_scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(100), unique=True)
    current_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"))
    current_version: Mapped["ScenarioVersion"] = relationship()

    def __repr__(self) -> str:
        return f"<RoleplayScenario {self.scenario_id}>"


class ScenarioVersion(db.Model):
    """One imported text of a scenario file; never changed after it is written."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The stable ``RoleplayScenario.scenario_id`` this is a version of.
    scenario_id: Mapped[str] = mapped_column(String(100), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The canonical file text; the scenario is parsed from it whenever it is played or shown.
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ScenarioVersion {self.id} {self.content_hash[:8]}>"


class Call(db.Model):
    """One role-play call of a trainee through a scenario."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    scenario_version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"), index=True)
    scenario_version: Mapped[ScenarioVersion] = relationship()
    norms_version_id: Mapped[int] = mapped_column(ForeignKey("norms_versions.id"), index=True)
    norms_version: Mapped[NormsVersion] = relationship()
    #: "practice" (mood and feedback after every reply) or "assessment" (feedback at the end; counts
    #: for certification).
    mode: Mapped[str] = mapped_column(String(12))
    #: in_progress → finished (every turn answered) or failed (critical violation, customer lost).
    state: Mapped[str] = mapped_column(String(12), default="in_progress", index=True)
    #: The customer's current mood, 0 平静 … 4 失控.
    mood: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the customer line now awaiting a reply was served; the reply time is measured from it.
    line_served_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(index=True)  # the review queue's order
    #: Percent of the scenario's points, with trainer overrides applied; set when the call ends.
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    critical: Mapped[bool] = mapped_column(default=False)
    #: When a trainer marked the ended call as reviewed ("gold"): its criteria then stand for the
    #: trainer's judgement (the machine verdict where not overridden, the override where it is), which
    #: the calibration page compares with the machine. Set once; the first trainer to mark it wins.
    reviewed_at: Mapped[datetime | None] = mapped_column(index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    turns: Mapped[list["CallTurn"]] = relationship(order_by="CallTurn.index", back_populates="call")

    @property
    def in_progress(self) -> bool:
        return self.state == "in_progress"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.mode} {self.state}>"


class CallTurn(db.Model):
    """A reply as it arrived, stored once per (call, turn index), with the machine's verdict."""

    __tablename__ = "call_turns"
    __table_args__ = (UniqueConstraint("call_id", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    call: Mapped[Call] = relationship(back_populates="turns")
    index: Mapped[int] = mapped_column()
    customer_line: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    #: Seconds between serving the customer line and the reply arriving (server clock).
    seconds: Mapped[float] = mapped_column()
    #: ``TurnResult.as_json()`` of the engine: criteria with evidence, timing, scorer verdict.
    verdict: Mapped[dict] = mapped_column(JSON)
    #: Machine points of the turn (overrides change the call's score, not this column).
    points: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CallTurn {self.call_id}#{self.index}>"


class VerdictOverride(db.Model):
    """A trainer's decision on one criterion of one turn. The latest one per criterion counts;
    earlier ones and the machine verdict (in ``CallTurn.verdict``) are kept."""

    __tablename__ = "verdict_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_turn_id: Mapped[int] = mapped_column(ForeignKey("call_turns.id"), index=True)
    call_turn: Mapped[CallTurn] = relationship()
    #: Criterion key within the turn: a requirement ("greeting", "key_point_1") or "violation.<category>".
    criterion: Mapped[str] = mapped_column(String(60))
    machine_passed: Mapped[bool] = mapped_column()
    passed: Mapped[bool] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    trainer: Mapped[User] = relationship()
    at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<VerdictOverride {self.call_turn_id} {self.criterion} {self.passed}>"
