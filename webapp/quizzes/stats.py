"""Item statistics kept as running sums (itemstats.ScoreSums) in three small tables, added to
once per graded attempt, so the report reads a few hundred rows whatever the number of attempts."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.extensions import db

from .itemstats import Moments, QuizStatistics, ScoreSums, SlotScore, statistics_of
from .models import GRADED, Attempt, AttemptSlot, PositionScoreSums, QuestionScoreSums, QuestionVersion, TotalScoreSums

MOMENTS = ("n", "x", "xx", "y", "yy", "xy")
REBUILD_BATCH = 2000


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
    """Recompute every sum from the graded attempts (after the tables are created, or to check
    them); returns the number of attempts read. No commit."""
    session = session or db.session
    for model in (QuestionScoreSums, PositionScoreSums, TotalScoreSums):
        session.execute(db.delete(model))
    rows = session.execute(
        db.select(Attempt.quiz_id, AttemptSlot.attempt_id, AttemptSlot.position, QuestionVersion.question_id,
                  AttemptSlot.score)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(Attempt.state == GRADED).order_by(Attempt.quiz_id, AttemptSlot.attempt_id, AttemptSlot.position)
        .execution_options(yield_per=REBUILD_BATCH))
    by_quiz: dict[str, ScoreSums] = {}
    current, slots, attempts = None, [], 0
    for quiz_id, attempt_id, position, question_id, score in rows:
        if (quiz_id, attempt_id) != current:
            if slots:
                by_quiz.setdefault(current[0], ScoreSums()).add_attempt(slots)
                attempts += 1
            current, slots = (quiz_id, attempt_id), []
        slots.append(SlotScore(position, question_id, score or 0.0))
    if slots:
        by_quiz.setdefault(current[0], ScoreSums()).add_attempt(slots)
        attempts += 1
    for quiz_id, sums in by_quiz.items():
        add_sums(quiz_id, sums, session)
    return attempts
