"""Quiz attempts and results: the database side, shared by the views, the CLI and other domains.

State changes of an attempt are single conditional UPDATEs (``... WHERE state = 'in_progress'``):
the request whose UPDATE changed no row did not make the change, so double clicks, two tabs and
retries give one graded attempt on SQLite and PostgreSQL alike. Saving an answer first touches
the attempt row under the same condition (and before the deadline); on PostgreSQL that row lock
orders a save and a concurrent submit, so an answer is either graded or refused, never lost.

Functions that change an attempt's state commit (they are whole units of work, also used by the
CLI) and send ``progress_recorded`` after a grading commits.
"""
from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache
from operator import itemgetter

from flask import abort, current_app
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from webapp.accounts.models import User
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.queries import PlainRead, ReadAlong
from webapp.registry import attempt_graded, progress_recorded

from .blueprint import Blueprint, parse_blueprint
from .draw import BankIndex, draw_attempt
from .bank import Bank
from . import stats
from .itemstats import SlotScore
from .models import (
    GRADED, IN_PROGRESS, OVERDUE, SUBMITTED, Attempt, AttemptAnswer, AttemptSlot, BankQuestion, QuestionBank,
    QuestionVersion, Quiz,
)
from .policy import (
    FULL, MARKS, PastAttempt, QuizResult, Standing, has_passed, is_answered, review_level, score_percent, standing,
)
from .questions import InvalidAnswer, Question, question_from_data


class QuizError(Exception):
    """A refused action; ``reason`` is one of the constants below (views turn it into a message)."""

    NO_ATTEMPTS_LEFT, COOLING_DOWN, CLOSED, RETIRED = "no_attempts_left", "cooling_down", "closed", "retired"

    def __init__(self, reason: str, until: datetime | None = None):
        super().__init__(reason)
        self.reason, self.until = reason, until


def clock() -> datetime:
    """Now, from ``QUIZZES_CLOCK`` when the app has one (tests move time without sleeping)."""
    return current_app.config.get("QUIZZES_CLOCK", utcnow)()


# --- content, cached by content hash -----------------------------------------------------------

_blueprints: dict[tuple[str, str], Blueprint] = {}  # (quiz id, content hash) -> parsed blueprint


def _blueprint_from(quiz_id: str, content_hash: str, source: str) -> Blueprint:
    blueprint = _blueprints.get((quiz_id, content_hash))
    if blueprint is None:
        blueprint, problems = parse_blueprint(f"quizzes/exams/{quiz_id}.md", source)
        if blueprint is None:
            raise ValueError(f"stored quiz {quiz_id} does not parse: {problems}")
        if len(_blueprints) >= 1024:
            _blueprints.clear()
        _blueprints[(quiz_id, content_hash)] = blueprint
    return blueprint


def blueprint_of(quiz: Quiz) -> Blueprint:
    return _blueprint_from(quiz.id, quiz.content_hash, quiz.source)


def _blueprint_by_hash(quiz_id: str, content_hash: str) -> Blueprint:
    """The blueprint of the quiz's current version, named by its hash: no source read when known."""
    blueprint = _blueprints.get((quiz_id, content_hash))
    if blueprint is None:
        quiz = db.session.get(Quiz, quiz_id)
        blueprint = blueprint_of(quiz)
    return blueprint


@dataclass(frozen=True)
class LoadedBank:
    """A bank's current questions, indexed for drawing, with the version row of each."""

    index: BankIndex
    version_ids: dict[str, int]

    def still_current(self) -> bool:
        """Cheap guard against a re-created database reusing the bank's content hash."""
        first = next(iter(self.version_ids.items()), None)
        return first is None or db.session.scalar(
            db.select(BankQuestion.current_version_id).where(BankQuestion.id == first[0])) == first[1]


_loaded_banks: dict[str, tuple[str, LoadedBank]] = {}  # bank id -> (content hash, loaded)
_questions: dict[str, Question] = {}  # version content hash -> question
_QUESTION_CACHE_SIZE = 50_000


def loaded_bank(bank_id: str) -> LoadedBank | None:
    """The bank as currently imported, indexed once per content hash (draws reuse the index)."""
    row = db.session.get(QuestionBank, bank_id)
    if row is None:
        return None
    cached = _loaded_banks.get(bank_id)
    if cached is not None and cached[0] == row.content_hash and cached[1].still_current():
        return cached[1]
    versions = db.session.execute(
        db.select(QuestionVersion)
        .join(BankQuestion, BankQuestion.current_version_id == QuestionVersion.id)
        .where(BankQuestion.bank_id == bank_id, BankQuestion.retired_at.is_(None))
        .order_by(BankQuestion.position)
    ).scalars().all()
    bank = Bank(row.id, row.title, row.module_id, f"quizzes/banks/{row.id}.md",
                tuple(question_of(version) for version in versions), "", row.content_hash)
    loaded = LoadedBank(BankIndex(bank), {version.question_id: version.id for version in versions})
    _loaded_banks[bank_id] = (row.content_hash, loaded)
    return loaded


def question_of(version: QuestionVersion) -> Question:
    """The pure question of an immutable version row (its content hash names its whole text)."""
    question = _questions.get(version.content_hash)
    if question is None:
        question = _remember_question(version.content_hash, version.data)
    return question


def _remember_question(content_hash: str, data: dict) -> Question:
    if len(_questions) >= _QUESTION_CACHE_SIZE:
        _questions.clear()
    question = _questions[content_hash] = question_from_data(data)
    return question


def questions_by_hash(versions: dict[str, int]) -> dict[str, Question]:
    """Questions of version rows named ``{content_hash: version id}``; only unknown texts are read.

    The hot paths (attempt page, saving an answer) select a slot's version id and content hash
    with the slot, so a warm worker reads no ``question_versions`` row at all.
    """
    found = {content_hash: _questions.get(content_hash) for content_hash in versions}
    missing = [versions[content_hash] for content_hash, question in found.items() if question is None]
    if missing:
        for content_hash, data in db.session.execute(
                db.select(QuestionVersion.content_hash, QuestionVersion.data).where(QuestionVersion.id.in_(missing))):
            found[content_hash] = _remember_question(content_hash, data)
    return found


# --- quizzes and standings ---------------------------------------------------------------------

def current_quizzes() -> list[Quiz]:
    """Module quizzes first, then final exams, each by id."""
    return list(db.session.scalars(db.select(Quiz).where(Quiz.retired_at.is_(None))
                                   .order_by(Quiz.post_id.is_not(None), Quiz.module_id, Quiz.id)))


def quiz_or_404(quiz_id: str) -> Quiz:
    quiz = db.get_or_404(Quiz, quiz_id)
    if quiz.retired_at is not None:
        abort(404)
    return quiz


def _attempts_of(user_id: int, quiz_id: str | None = None) -> list[Attempt]:
    query = db.select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.quiz_id, Attempt.number)
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    return list(db.session.scalars(query))


def _past(attempt: Attempt) -> PastAttempt:
    return PastAttempt(attempt.number, attempt.state, attempt.closed_at, attempt.score, attempt.passed)


def standing_of(user_id: int, quiz: Quiz, now: datetime) -> Standing:
    blueprint = blueprint_of(quiz)
    attempts = [_past(a) for a in _attempts_of(user_id, quiz.id)]
    return standing(blueprint.attempts_allowed, blueprint.cooldown_minutes, attempts, now)


@dataclass(frozen=True)
class QuizOverview:
    quiz: Quiz
    blueprint: Blueprint
    standing: Standing
    open_attempt_id: int | None
    attempts: list[Attempt]


def overview(user_id: int, now: datetime) -> list[QuizOverview]:
    """Every current quiz with the trainee's standing (overdue attempts are graded first)."""
    close_overdue_attempts(now, user_id=user_id)
    attempts_by_quiz: dict[str, list[Attempt]] = {}
    for attempt in _attempts_of(user_id):
        attempts_by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    rows = []
    for quiz in current_quizzes():
        blueprint, attempts = blueprint_of(quiz), attempts_by_quiz.get(quiz.id, [])
        rows.append(QuizOverview(
            quiz, blueprint,
            standing(blueprint.attempts_allowed, blueprint.cooldown_minutes, [_past(a) for a in attempts], now),
            next((a.id for a in attempts if a.state == IN_PROGRESS), None),
            attempts,
        ))
    return rows


# --- the attempt lifecycle ---------------------------------------------------------------------

def seen_question_ids(user_id: int) -> set[str]:
    """Every question the trainee was shown in any earlier attempt (the draw prefers others)."""
    return set(db.session.scalars(
        db.select(QuestionVersion.question_id).distinct()
        .join(AttemptSlot, AttemptSlot.question_version_id == QuestionVersion.id)
        .join(Attempt, Attempt.id == AttemptSlot.attempt_id)
        .where(Attempt.user_id == user_id)))


def start_attempt(user_id: int, quiz: Quiz, now: datetime, pass_mark: float | None = None) -> Attempt:
    """The trainee's open attempt at this quiz, or a new one drawn now; raises QuizError.
    ``pass_mark``: the mark that counts for this trainee (default: the quiz's own)."""
    close_overdue_attempts(now, user_id=user_id, quiz_id=quiz.id)
    attempts = _attempts_of(user_id, quiz.id)
    open_attempt = next((a for a in attempts if a.state == IN_PROGRESS), None)
    if open_attempt is not None:
        return open_attempt
    blueprint = blueprint_of(quiz)
    position = standing(blueprint.attempts_allowed, blueprint.cooldown_minutes, [_past(a) for a in attempts], now)
    if position.attempts_left == 0:
        raise QuizError(QuizError.NO_ATTEMPTS_LEFT)
    if position.cooldown_until is not None:
        raise QuizError(QuizError.COOLING_DOWN, position.cooldown_until)

    banks = {bank_id: loaded_bank(bank_id) for bank_id in blueprint.banks}
    if any(bank is None for bank in banks.values()):
        raise QuizError(QuizError.RETIRED)
    seed = secrets.randbits(63)
    drawn = draw_attempt(seed, blueprint, {bank_id: bank.index for bank_id, bank in banks.items()},
                         seen_question_ids(user_id))
    ends_at = now + timedelta(minutes=blueprint.time_limit_minutes) if blueprint.time_limit_minutes else None
    attempt = Attempt(
        user_id=user_id, quiz_id=quiz.id, number=len(attempts) + 1, seed=seed, quiz_hash=quiz.content_hash,
        state=IN_PROGRESS, started_at=now, ends_at=ends_at,
        deadline=ends_at + timedelta(seconds=blueprint.grace_seconds) if ends_at else None,
        pass_mark=blueprint.pass_mark if pass_mark is None else pass_mark,
    )
    attempt.slots = [
        AttemptSlot(position=slot.position, option_order=list(slot.option_order),
                    question_version_id=banks[_bank_of(slot.question.id)].version_ids[slot.question.id])
        for slot in drawn
    ]
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # another tab started the same attempt number a moment ago
        db.session.rollback()
        return next(a for a in _attempts_of(user_id, quiz.id) if a.state == IN_PROGRESS)
    return attempt


def _bank_of(question_id: str) -> str:
    return question_id.rsplit(".", 1)[0]


def attempt_of(user_id: int, attempt_id: int) -> Attempt:
    """The trainee's own attempt; anyone else's is a 404 (its existence is not revealed)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        abort(404)
    return attempt


def is_open(attempt: Attempt, now: datetime) -> bool:
    return attempt.state == IN_PROGRESS and (attempt.deadline is None or now <= attempt.deadline)


def save_answers(attempt: Attempt, answers: dict[int, list[str]], now: datetime) -> None:
    """Upsert answers (position -> submitted values) while the attempt is open, in one commit.

    Raises InvalidAnswer for values that do not fit their question (nothing is saved), and
    QuizError(CLOSED) once the attempt is closed or past its deadline (it is graded then).
    """
    if not is_open(attempt, now):
        finish_attempt(attempt, now)
        raise QuizError(QuizError.CLOSED)
    slots = _slots_at(attempt.id, list(answers)) if answers else {}
    canonical = {}
    for position, values in answers.items():
        if position not in slots:
            raise InvalidAnswer(f"no question at position {position}")
        question, option_order = slots[position]
        canonical[position] = question.question_type.normalise(question, option_order, values)
    _store_answers(attempt.id, canonical, now)


def save_answer(user_id: int, attempt_id: int, position: int, values: list[str], now: datetime) -> None:
    """Save one answer of the trainee's attempt (the page's JSON save); as ``save_answers``.

    The attempt's owner, state and deadline and the slot's question come in one query; 404 for
    anyone else's attempt.
    """
    row = db.session.execute(_hot_statements().save_slot, {"p_attempt_id": attempt_id, "p_position": position}).first()
    if row is None or row[0] != user_id:
        abort(404)
    _, state, deadline, option_order, content_hash, version_id = row
    if state != IN_PROGRESS or (deadline is not None and now > deadline):
        finish_attempt(db.session.get(Attempt, attempt_id), now)
        raise QuizError(QuizError.CLOSED)
    if content_hash is None:
        raise InvalidAnswer(f"no question at position {position}")
    question = questions_by_hash({content_hash: version_id})[content_hash]
    _store_answers(attempt_id, {position: question.question_type.normalise(question, option_order, values)}, now)


def _store_answers(attempt_id: int, canonical: dict[int, object], now: datetime) -> None:
    """Upsert canonical answers of an attempt that was open when read, and commit; QuizError(CLOSED)
    when a concurrent submit or the deadline closed it in between."""
    statements = _hot_statements()
    touched = db.session.execute(statements.touch_open_attempt, {"p_attempt_id": attempt_id, "p_now": now}).rowcount
    if not touched:  # closed by a concurrent request since this one read the attempt
        db.session.rollback()
        finish_attempt(db.session.get(Attempt, attempt_id), now)
        raise QuizError(QuizError.CLOSED)
    for position, value in canonical.items():
        updated = db.session.execute(statements.update_answer, {
            "p_attempt_id": attempt_id, "p_position": position, "p_value": value, "p_now": now}).rowcount
        if not updated:
            db.session.add(AttemptAnswer(attempt_id=attempt_id, position=position, value=value, saved_at=now))
    db.session.commit()


def _slots_at(attempt_id: int, positions: list[int]) -> dict[int, tuple[Question, list[int]]]:
    """position -> (question, option order) of the attempt's slots at ``positions``, in one query."""
    rows = db.session.execute(
        db.select(AttemptSlot.position, AttemptSlot.option_order, QuestionVersion.content_hash, QuestionVersion.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
        .where(AttemptSlot.attempt_id == attempt_id, AttemptSlot.position.in_(positions))).all()
    questions = questions_by_hash({content_hash: version_id for _, _, content_hash, version_id in rows})
    return {position: (questions[content_hash], order) for position, order, content_hash, _ in rows}


def unanswered_positions(attempt: Attempt) -> list[int]:
    """Positions of the attempt's questions without an answer saved, in order."""
    answers = saved_answers(attempt)
    return [slot.position for slot in attempt.slots if not is_answered(answers.get(slot.position))]


def saved_answers(attempt: Attempt) -> dict[int, object]:
    rows = db.session.execute(db.select(AttemptAnswer.position, AttemptAnswer.value)
                              .where(AttemptAnswer.attempt_id == attempt.id))
    return dict(rows.all())


def finish_attempt(attempt: Attempt, now: datetime) -> bool:
    """Close the attempt (submitted, or overdue after its deadline) and grade it.

    Idempotent: returns True only for the call that graded it. A late submit closes the attempt
    as overdue and grades what was saved.
    """
    late = attempt.deadline is not None and now > attempt.deadline
    db.session.execute(
        db.update(Attempt).where(Attempt.id == attempt.id, Attempt.state == IN_PROGRESS)
        .values(state=OVERDUE if late else SUBMITTED, closed_at=attempt.deadline if late else now)
        .execution_options(synchronize_session=False)
    )
    graded = _grade(attempt.id, now)
    if graded:
        db.session.refresh(attempt)
        attempt_graded.send(current_app._get_current_object(), attempt=attempt)
    db.session.commit()
    db.session.refresh(attempt)
    if graded:
        progress_recorded.send(current_app._get_current_object(), user_id=attempt.user_id)
    return graded


def _grade(attempt_id: int, now: datetime) -> bool:
    """Score the saved answers of a closed attempt; True when this call moved it to graded."""
    slots = db.session.scalars(db.select(AttemptSlot).where(AttemptSlot.attempt_id == attempt_id)
                               .options(selectinload(AttemptSlot.question_version))
                               .order_by(AttemptSlot.position)).all()
    answers = dict(db.session.execute(db.select(AttemptAnswer.position, AttemptAnswer.value)
                                      .where(AttemptAnswer.attempt_id == attempt_id)).all())
    scores = {}
    for slot in slots:
        question = question_of(slot.question_version)
        scores[slot.id] = question.question_type.grade(question, answers.get(slot.position))
    score = score_percent(list(scores.values()))
    pass_mark, quiz_id = db.session.execute(db.select(Attempt.pass_mark, Attempt.quiz_id)
                                            .where(Attempt.id == attempt_id)).one()
    moved = db.session.execute(
        db.update(Attempt).where(Attempt.id == attempt_id, Attempt.state.in_((SUBMITTED, OVERDUE)))
        .values(state=GRADED, score=score, passed=has_passed(score, pass_mark), graded_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        for slot in slots:
            slot.score = scores[slot.id]
        if slots:  # the item statistics count attempts that drew questions
            stats.add_graded_attempt(quiz_id, [SlotScore(slot.position, slot.question_version.question_id,
                                                         scores[slot.id]) for slot in slots])
    return bool(moved)


def close_overdue_attempts(now: datetime, user_id: int | None = None, quiz_id: str | None = None) -> int:
    """Grade the open attempts whose deadline has passed (also left over 'submitted' ones)."""
    query = db.select(Attempt).where(db.or_(
        db.and_(Attempt.state == IN_PROGRESS, Attempt.deadline < now),
        Attempt.state.in_((SUBMITTED, OVERDUE))))
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    if quiz_id is not None:
        query = query.where(Attempt.quiz_id == quiz_id)
    return sum(finish_attempt(attempt, now) for attempt in db.session.scalars(query).all())


# --- what pages show ---------------------------------------------------------------------------

@dataclass(frozen=True)
class AttemptPage:
    """An open attempt as its page shows it, read in one query (no ORM objects)."""

    attempt_id: int
    number: int
    quiz_id: str
    title: dict[str, str]  # {"zh": …, "en": …}
    ends_at: datetime | None
    blueprint: Blueprint
    slots: list[PageSlot]

    def title_for(self, language: str) -> str:
        return self.title["en"] if language == "en" else self.title["zh"]


def open_attempt_page(user_id: int, attempt_id: int, now: datetime, rows: list[tuple] | None = None
                      ) -> AttemptPage | None:
    """The trainee's open attempt with its slots, questions and saved answers; None once it is closed
    or past its deadline (the caller then grades it). Anyone else's attempt is a 404.

    The attempt page is what trainees load most: one query (attempt, quiz hash and titles, slots,
    version hashes, answers; ``ATTEMPT_PAGE_ROWS``, given as ``rows`` when the page read them with
    the signed-in user) and the per-worker caches of questions and blueprints serve it.
    """
    if rows is None:
        rows = _hot_statements().attempt_page.rows(p_attempt_id=attempt_id)
    if not rows or rows[0][0] != user_id:
        abort(404)
    _, number, quiz_id, state, ends_at, deadline, quiz_hash, title_zh, title_en = rows[0][:9]
    if state != IN_PROGRESS or (deadline is not None and now > deadline):
        return None
    slot_rows = sorted((row[9:] for row in rows if row[9] is not None), key=itemgetter(0))
    questions = questions_by_hash({content_hash: version_id for _, _, content_hash, version_id, _ in slot_rows})
    return AttemptPage(
        attempt_id, number, quiz_id, {"zh": title_zh, "en": title_en}, ends_at, _blueprint_by_hash(quiz_id, quiz_hash),
        [PageSlot(position, questions[content_hash], _option_order(order), value)
         for position, order, content_hash, _, value in slot_rows])


#: The attempt page's rows, read with the signed-in user (access.reads_user_plainly): as a joined
#: subquery they come in no particular order, so open_attempt_page orders the slots itself.
ATTEMPT_PAGE_ROWS = ReadAlong(lambda: _hot_statements().attempt_page.select,
                              lambda view_args: {"p_attempt_id": view_args["attempt_id"]})


@lru_cache(maxsize=4096)
def _option_order(text: str) -> tuple[int, ...]:
    """A slot's option order from its JSON text; the few distinct orders are parsed once."""
    return tuple(json.loads(text))


@dataclass(frozen=True)
class _HotStatements:
    attempt_page: PlainRead
    save_slot: object
    touch_open_attempt: object
    update_answer: object


@cache
def _hot_statements() -> _HotStatements:
    """The attempt page's and the answer save's statements, built once with bound parameters.

    Building a select of fourteen columns and four joins costs more than running it on a warm
    SQLite; built once, a statement also keeps its cache key, so each request only binds values.
    The attempt page reads option orders and answers as JSON text: the driver would decode two
    JSON values per slot, the page's largest cost on PostgreSQL, while the page needs decoded
    only what it has not seen before (``_option_order``, ``fragments.saved_marks``).
    """
    return _HotStatements(
        attempt_page=PlainRead(
            db.select(Attempt.user_id, Attempt.number, Attempt.quiz_id, Attempt.state, Attempt.ends_at,
                      Attempt.deadline, Quiz.content_hash, Quiz.title_zh, Quiz.title_en,
                      AttemptSlot.position, db.cast(AttemptSlot.option_order, db.Text),
                      QuestionVersion.content_hash, QuestionVersion.id, db.cast(AttemptAnswer.value, db.Text))
            .join(Quiz, Quiz.id == Attempt.quiz_id)
            .outerjoin(AttemptSlot, AttemptSlot.attempt_id == Attempt.id)
            .outerjoin(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
            .outerjoin(AttemptAnswer, db.and_(AttemptAnswer.attempt_id == Attempt.id,
                                              AttemptAnswer.position == AttemptSlot.position))
            .where(Attempt.id == bindparam("p_attempt_id"))),  # in any order: see ATTEMPT_PAGE_ROWS
        save_slot=(
            db.select(Attempt.user_id, Attempt.state, Attempt.deadline, AttemptSlot.option_order,
                      QuestionVersion.content_hash, QuestionVersion.id)
            .outerjoin(AttemptSlot, db.and_(AttemptSlot.attempt_id == Attempt.id,
                                            AttemptSlot.position == bindparam("p_position")))
            .outerjoin(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
            .where(Attempt.id == bindparam("p_attempt_id"))),
        touch_open_attempt=(
            db.update(Attempt)
            .where(Attempt.id == bindparam("p_attempt_id"), Attempt.state == IN_PROGRESS,
                   db.or_(Attempt.deadline.is_(None), Attempt.deadline >= bindparam("p_now")))
            .values(state=IN_PROGRESS)  # no change, but the row lock orders this save and a submit
            .execution_options(synchronize_session=False)),
        update_answer=(
            db.update(AttemptAnswer)
            .where(AttemptAnswer.attempt_id == bindparam("p_attempt_id"),
                   AttemptAnswer.position == bindparam("p_position"))
            .values(value=bindparam("p_value", type_=AttemptAnswer.__table__.c.value.type),
                    saved_at=bindparam("p_now", type_=AttemptAnswer.__table__.c.saved_at.type))
            .execution_options(synchronize_session=False)),
    )


@dataclass(frozen=True)
class PageSlot:
    """A slot of an open attempt as the attempt page needs it (the page shows only public_view)."""

    position: int
    question: Question
    option_order: tuple[int, ...]
    answer_json: str | None  # the canonical saved answer as stored (JSON text), None when unanswered


@dataclass(frozen=True)
class ReviewItem:
    position: int
    question: Question
    score: float
    answer: list[str]  # the trainee's answer, lines of inline Markdown
    correct: list[str] | None  # None unless the review level shows keys
    explanation: str | None
    lesson: str | None


def review_level_of(attempt: Attempt, now: datetime) -> str:
    position = standing_of(attempt.user_id, attempt.quiz, now)
    return review_level(blueprint_of(attempt.quiz).review, position.passed, position.attempts_left)


def review_items(attempt: Attempt, level: str) -> list[ReviewItem]:
    """The graded attempt as the review level allows (MARKS: answers and marks; FULL: everything)."""
    if attempt.state != GRADED or level not in (MARKS, FULL):
        return []
    answers = saved_answers(attempt)
    items = []
    slots = db.session.scalars(db.select(AttemptSlot).where(AttemptSlot.attempt_id == attempt.id)
                               .options(selectinload(AttemptSlot.question_version)).order_by(AttemptSlot.position))
    for slot in slots:
        question = question_of(slot.question_version)
        kind = question.question_type
        full = level == FULL
        correct = kind.key_lines(question) if full else None
        items.append(ReviewItem(
            slot.position, question, slot.score or 0.0, kind.describe(question, answers.get(slot.position)),
            # A wrong answer always points at its lesson; that gives no key away before the full review.
            correct, question.explanation if full else None,
            question.lesson if full or (slot.score or 0.0) < 1 else None,
        ))
    return items


def quiz_results(user_id: int) -> dict[str, QuizResult]:
    """Best score, passed, last grading and number of graded attempts per quiz (certification).

    Practice quizzes (``mode: practice``) are left out: they never count towards a certificate."""
    return quiz_results_of([user_id])[user_id]


def quiz_results_of(user_ids) -> dict[int, dict[str, QuizResult]]:
    """``quiz_results`` of several trainees in two queries."""
    found: dict[int, dict[str, QuizResult]] = {user_id: {} for user_id in user_ids}
    rows = db.session.execute(
        db.select(Attempt.user_id, Attempt.quiz_id, Attempt.score, Attempt.passed, Attempt.graded_at)
        .where(Attempt.user_id.in_(list(found)), Attempt.state == GRADED).order_by(Attempt.graded_at)).all()
    practice = _practice_quiz_ids({quiz_id for _user_id, quiz_id, *_ in rows})
    for user_id, quiz_id, score, passed, graded_at in rows:
        if quiz_id in practice:
            continue
        results = found[user_id]
        before = results.get(quiz_id)
        results[quiz_id] = QuizResult(
            quiz_id=quiz_id,
            best_score=max(score, before.best_score) if before else score,
            passed=bool(passed) or (before.passed if before else False),
            last_graded_at=graded_at,
            attempts=(before.attempts if before else 0) + 1,
        )
    return found


def _practice_quiz_ids(quiz_ids: set[str]) -> set[str]:
    if not quiz_ids:
        return set()
    quizzes = db.session.scalars(db.select(Quiz).where(Quiz.id.in_(quiz_ids)))
    return {quiz.id for quiz in quizzes if blueprint_of(quiz).mode == "practice"}


# --- trainers ----------------------------------------------------------------------------------

ATTEMPTS_PER_PAGE = 50


def attempt_counts_by_quiz() -> dict[str, int]:
    return dict(db.session.execute(db.select(Attempt.quiz_id, db.func.count()).group_by(Attempt.quiz_id)).all())


def attempts_query(quiz_id: str, state: str = "", department: str = "", search: str = "", passed: str = ""):
    query = (db.select(Attempt).join(User, User.id == Attempt.user_id).options(contains_eager(Attempt.user))
             .where(Attempt.quiz_id == quiz_id).order_by(Attempt.started_at.desc(), Attempt.id.desc()))
    if state:
        query = query.where(Attempt.state == state)
    if department:
        query = query.where(User.department == department)
    if search:
        pattern = f"%{search}%"
        query = query.where(db.or_(User.employee_no.ilike(pattern), User.name.ilike(pattern)))
    if passed in ("yes", "no"):
        query = query.where(Attempt.passed.is_(passed == "yes"))
    return query


def current_questions(question_ids) -> dict[str, Question]:
    """The current text of each question (retired ones keep their last version)."""
    rows = db.session.scalars(db.select(QuestionVersion).join(
        BankQuestion, BankQuestion.current_version_id == QuestionVersion.id).where(BankQuestion.id.in_(question_ids)))
    return {version.question_id: question_of(version) for version in rows}


def question_or_404(question_id: str) -> tuple[BankQuestion, Question]:
    found = db.get_or_404(BankQuestion, question_id)
    if found.current_version is None:
        abort(404)
    return found, question_of(found.current_version)


RESPONSE_HEADERS = ("attempt_id", "employee_no", "name", "department", "team", "attempt_number", "state",
                    "started_at", "graded_at", "attempt_score", "passed", "position", "question_id",
                    "question_version", "type", "answer", "question_score")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text  # no formula injection in Excel


def response_rows(quiz_id: str) -> Iterator[tuple]:
    """One row per question of every attempt at the quiz, for the CSV export."""
    query = (db.select(Attempt, User, AttemptSlot, QuestionVersion, AttemptAnswer.value)
             .join(User, User.id == Attempt.user_id)
             .join(AttemptSlot, AttemptSlot.attempt_id == Attempt.id)
             .join(QuestionVersion, QuestionVersion.id == AttemptSlot.question_version_id)
             .outerjoin(AttemptAnswer, db.and_(AttemptAnswer.attempt_id == Attempt.id,
                                               AttemptAnswer.position == AttemptSlot.position))
             .where(Attempt.quiz_id == quiz_id).order_by(Attempt.id, AttemptSlot.position))
    for attempt, user, slot, version, value in db.session.execute(query.execution_options(yield_per=500)):
        question = question_of(version)
        yield (attempt.id, user.employee_no, user.name, user.department, user.team, attempt.number, attempt.state,
               attempt.started_at.isoformat(timespec="seconds"),
               attempt.graded_at.isoformat(timespec="seconds") if attempt.graded_at else "",
               attempt.score, attempt.passed, slot.position + 1, version.question_id, version.content_hash[:12],
               version.type, " | ".join(question.question_type.describe(question, value)), slot.score)


def responses_csv(quiz_id: str) -> Iterator[str]:
    """The export as CSV text chunks, with a BOM so that Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    writer.writerow(RESPONSE_HEADERS)
    for row in response_rows(quiz_id):
        writer.writerow([_cell(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
