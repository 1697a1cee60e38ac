"""Item statistics kept as running sums (itemstats.ScoreSums) in three small tables, added to
once per graded attempt, so the report reads a few hundred rows whatever the number of attempts."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.extensions import db

from .itemstats import Moments, QuizStatistics, ScoreSums, SlotScore, statistics_of
from .models import GRADED, Attempt, AttemptSlot, PositionScoreSums, QuestionScoreSums, QuestionVersion, TotalScoreSums

MOMENTS = ("n", "x", "xx", "y", "yy", "xy")


def _add(session: Session, model, rows: list[dict]) -> None:
    """INSERT … ON CONFLICT DO UPDATE adding the sums (both dialects spell it the same way)."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model)
    keys = [column.name for column in model.__table__.primary_key]
    session.execute(statement.on_conflict_do_update(
        index_elements=keys, set_={name: getattr(model, name) + statement.excluded[name] for name in MOMENTS}), rows)


def _moments(moments: Moments) -> dict:
    return {name: getattr(moments, name) for name in MOMENTS}


def add_sums(quiz_id: str, sums: ScoreSums, session: Session | None = None) -> None:
    session = session or db.session
    _add(session, QuestionScoreSums, [{"quiz_id": quiz_id, "question_id": question_id, **_moments(moments)}
                             for question_id, moments in sums.questions.items()])
    _add(session, PositionScoreSums, [{"quiz_id": quiz_id, "slot_count": slot_count, "position": position, **_moments(moments)}
                             for (slot_count, position), moments in sums.positions.items()])
    _add(session, TotalScoreSums, [{"quiz_id": quiz_id, "slot_count": slot_count, **_moments(moments)}
                          for slot_count, moments in sums.totals.items()])


def add_graded_attempt(quiz_id: str, slots: list[SlotScore]) -> None:
    """Called by the grading step, in its transaction (an attempt is graded exactly once)."""
    sums = ScoreSums()
    sums.add_attempt(slots)
    add_sums(quiz_id, sums)


def score_sums(quiz_id: str) -> ScoreSums:
    sums = ScoreSums()
    for row in db.session.scalars(db.select(QuestionScoreSums).where(QuestionScoreSums.quiz_id == quiz_id)):
        sums.questions[row.question_id] = Moments(*(getattr(row, name) for name in MOMENTS))
    for row in db.session.scalars(db.select(PositionScoreSums).where(PositionScoreSums.quiz_id == quiz_id)):
        sums.positions[row.slot_count, row.position] = Moments(*(getattr(row, name) for name in MOMENTS))
    for row in db.session.scalars(db.select(TotalScoreSums).where(TotalScoreSums.quiz_id == quiz_id)):
        sums.totals[row.slot_count] = Moments(*(getattr(row, name) for name in MOMENTS))
    return sums


def quiz_item_statistics(quiz_id: str) -> QuizStatistics:
    return statistics_of(score_sums(quiz_id))


def rebuild(session: Session | None = None) -> int:
    """Recompute every sum from the graded attempts in three INSERT … SELECT statements (after the
    tables are created, to check them, or after a bulk load); the same moments as
    ``ScoreSums.add_attempt`` for each graded attempt. Returns the number of attempts read. No commit."""
    session = session or db.session
    for model in (QuestionScoreSums, PositionScoreSums, TotalScoreSums):
        session.execute(db.delete(model))
    score = db.func.coalesce(AttemptSlot.score, 0.0)
    attempts = (db.select(Attempt.id.label("attempt_id"), Attempt.quiz_id, db.func.count().label("size"),
                          db.func.sum(score).label("total"))
                .join(AttemptSlot, AttemptSlot.attempt_id == Attempt.id).where(Attempt.state == GRADED)
                .group_by(Attempt.id, Attempt.quiz_id).cte("graded"))
    rest = attempts.c.total - score
    slots = db.select(AttemptSlot).join(attempts, attempts.c.attempt_id == AttemptSlot.attempt_id)
    share = attempts.c.total / attempts.c.size

    def moments(x, y=None):
        y = db.literal(0.0) if y is None else y
        return (db.func.count(), db.func.sum(x), db.func.sum(x * x), db.func.sum(y), db.func.sum(y * y),
                db.func.sum(x * y))

    question = QuestionVersion.question_id
    session.execute(db.insert(QuestionScoreSums).from_select(
        ("quiz_id", "question_id", *MOMENTS),
        slots.with_only_columns(attempts.c.quiz_id, question, *moments(score, rest))
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .group_by(attempts.c.quiz_id, question)))
    session.execute(db.insert(PositionScoreSums).from_select(
        ("quiz_id", "slot_count", "position", *MOMENTS),
        slots.with_only_columns(attempts.c.quiz_id, attempts.c.size, AttemptSlot.position, *moments(score))
        .group_by(attempts.c.quiz_id, attempts.c.size, AttemptSlot.position)))
    session.execute(db.insert(TotalScoreSums).from_select(
        ("quiz_id", "slot_count", *MOMENTS),
        db.select(attempts.c.quiz_id, attempts.c.size, *moments(attempts.c.total, share))
        .group_by(attempts.c.quiz_id, attempts.c.size)))
    return int(session.scalar(db.select(db.func.coalesce(db.func.sum(TotalScoreSums.n), 0.0))))
