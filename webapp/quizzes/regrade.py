"""Regrading after an answer key is fixed: graded attempts that drew an older version of a
question are scored again with its current version (Moodle's regrade). Attempts keep the version
they drew; only their scores change, and only for versions of the same question type."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from webapp.extensions import db

from .models import GRADED, Attempt, AttemptAnswer, AttemptSlot, BankQuestion, QuestionVersion
from .policy import has_passed, score_percent
from .services import question_of


@dataclass(frozen=True)
class Regraded:
    """One attempt whose score a regrade changes."""

    attempt_id: int
    user_id: int
    quiz_id: str
    old_score: float
    new_score: float
    old_passed: bool
    new_passed: bool
    slot_scores: dict[int, float]  # slot id -> new score, for the slots that change
    question_ids: tuple[str, ...]


def regrade_plan(question_ids: Iterable[str]) -> list[Regraded]:
    """The graded attempts whose score would change if these questions' older versions were
    graded by their current version (nothing is written)."""
    current = {question.id: question.current_version for question in db.session.scalars(
        db.select(BankQuestion).where(BankQuestion.id.in_(list(question_ids))))
        if question.current_version is not None}
    if not current:
        return []
    outdated = db.session.execute(
        db.select(AttemptSlot, QuestionVersion.question_id)
        .join(QuestionVersion, AttemptSlot.question_version_id == QuestionVersion.id)
        .join(Attempt, AttemptSlot.attempt_id == Attempt.id)
        .where(Attempt.state == GRADED, QuestionVersion.question_id.in_(list(current)),
               AttemptSlot.question_version_id.not_in([version.id for version in current.values()]))
        .order_by(AttemptSlot.attempt_id, AttemptSlot.position)).all()
    by_attempt: dict[int, list[tuple[AttemptSlot, str]]] = defaultdict(list)
    for slot, question_id in outdated:
        by_attempt[slot.attempt_id].append((slot, question_id))
    return [change for attempt_id, slots in by_attempt.items()
            if (change := _regraded(db.session.get(Attempt, attempt_id), slots, current)) is not None]


def _regraded(attempt: Attempt, slots: list[tuple[AttemptSlot, str]], current: dict) -> Regraded | None:
    answers = dict(db.session.execute(db.select(AttemptAnswer.position, AttemptAnswer.value)
                                      .where(AttemptAnswer.attempt_id == attempt.id)).all())
    changed: dict[int, float] = {}
    for slot, question_id in slots:
        version = current[question_id]
        if version.type != slot.question_version.type:
            continue  # another kind of question: its saved answer means something else
        question = question_of(version)
        try:
            score = question.question_type.grade(question, answers.get(slot.position))
        except (LookupError, ValueError, TypeError):  # InvalidAnswer is a ValueError
            continue  # the saved answer no longer fits (e.g. fewer options): left as graded
        if score != (slot.score or 0.0):
            changed[slot.id] = score
    if not changed:
        return None
    scores = [changed.get(slot.id, slot.score or 0.0) for slot in attempt.slots]
    new_score = score_percent(scores)
    return Regraded(attempt.id, attempt.user_id, attempt.quiz_id, attempt.score or 0.0, new_score,
                    bool(attempt.passed), has_passed(new_score, attempt.pass_mark), changed,
                    tuple(sorted({question_id for slot, question_id in slots if slot.id in changed})))


def apply_regrade(plan: list[Regraded]) -> None:
    """Write the planned scores (no commit: the caller audits in the same transaction)."""
    for change in plan:
        for slot_id, score in change.slot_scores.items():
            db.session.get(AttemptSlot, slot_id).score = score
        attempt = db.session.get(Attempt, change.attempt_id)
        attempt.score, attempt.passed = change.new_score, change.new_passed


def bank_question_ids(bank_id: str) -> list[str]:
    return list(db.session.scalars(db.select(BankQuestion.id).where(
        BankQuestion.bank_id == bank_id, BankQuestion.retired_at.is_(None)).order_by(BankQuestion.position)))
