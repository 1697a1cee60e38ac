import threading
from datetime import timedelta
from pathlib import Path

import pytest

from tests.quizzes.answers import right_values, wrong_values
from tests.quizzes.builders import make_bank_text
from tests.quizzes.conftest import install, quiz_text
from webapp.content.sources import ContentFiles
from webapp.extensions import db
from webapp.quizzes import services, stats
from webapp.quizzes.kinds import BanksKind, ExamsKind
from webapp.quizzes.models import (
    GRADED, IN_PROGRESS, Attempt, AttemptAnswer, BankQuestion, QuestionVersion, Quiz,
)
from webapp.quizzes.policy import FULL, MARKS, SCORE_ONLY
from webapp.quizzes.questions import InvalidAnswer
from webapp.registry import progress_recorded

REPO = Path(__file__).resolve().parents[2]


def quiz(quiz_id="demo.quiz"):
    return db.session.get(Quiz, quiz_id)


def answer_all(attempt, now, values=right_values):
    answers = {}
    for slot in attempt.slots:
        question = services.question_of(slot.question_version)
        answers[slot.position] = values(question, slot.option_order)
    services.save_answers(attempt, answers, now)


@pytest.fixture
def signals(app):
    received = []

    def receiver(sender, user_id):
        received.append(user_id)

    progress_recorded.connect(receiver)
    yield received
    progress_recorded.disconnect(receiver)


# --- content ---------------------------------------------------------------------------------

def test_import_versions_questions_and_export_round_trips(app):
    install()
    assert db.session.scalar(db.select(db.func.count(BankQuestion.id))) == 6
    assert BanksKind().import_items(_parsed_bank(make_bank_text(count=6))) == {
        "created": 0, "updated": 0, "unchanged": 6, "retired": 0}
    edited = make_bank_text(count=5).replace("第1题的题干", "第一题的新题干")
    counts = BanksKind().import_items(_parsed_bank(edited))
    db.session.commit()
    assert counts == {"created": 0, "updated": 1, "unchanged": 4, "retired": 1}
    first = db.session.get(BankQuestion, "demo.q001")
    assert "新题干" in first.current_version.data["stem"]
    assert db.session.scalar(db.select(db.func.count(QuestionVersion.id))) == 7  # old text kept
    assert db.session.get(BankQuestion, "demo.q006").retired_at is not None
    assert len(BanksKind().published_files()) == 1 and len(ExamsKind().published_files()) == 1
    assert BanksKind().published_files()["quizzes/banks/demo.md"].decode("utf-8") == edited
    stats = BanksKind().stats()
    assert stats["questions"] == 5 and stats["retired_questions"] == 1 and stats["question_versions"] == 7
    assert stats["questions_by_type"]["single"] == 1


def _parsed_bank(text):
    path = "quizzes/banks/demo.md"
    return BanksKind().parse([path], ContentFiles({path: text.encode("utf-8")}))[0]


def test_repository_content_imports_and_every_quiz_can_be_started(app, make_user, clock):
    from webapp.content.services import import_content
    import_content(REPO, [REPO / "quizzes" / "banks", REPO / "quizzes" / "exams"])
    trainee = make_user()
    quizzes = services.current_quizzes()
    assert len(quizzes) == 11
    for row in quizzes:
        attempt = services.start_attempt(trainee.id, row, clock())
        blueprint = services.blueprint_of(row)
        assert len(attempt.slots) == blueprint.question_count
        assert len({slot.question_version.question_id for slot in attempt.slots}) == blueprint.question_count


# --- attempts --------------------------------------------------------------------------------

def test_start_draws_slots_with_a_server_deadline_and_resumes(app, trainee, clock):
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    assert (attempt.number, attempt.state, len(attempt.slots)) == (1, IN_PROGRESS, 6)
    assert attempt.ends_at == clock() + timedelta(minutes=30)
    assert attempt.deadline == clock() + timedelta(minutes=30, seconds=60)
    clock.advance(minutes=5)
    assert services.start_attempt(trainee.id, quiz(), clock()).id == attempt.id  # resume, same draw


def test_right_answers_score_100_and_record_the_result(app, trainee, clock, signals):
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    answer_all(attempt, clock.advance(minutes=3))
    assert services.finish_attempt(attempt, clock.advance(minutes=1)) is True
    assert (attempt.state, attempt.score, attempt.passed) == (GRADED, 100.0, True)
    assert all(slot.score == 1.0 for slot in attempt.slots)
    assert signals == [trainee.id]
    result = services.quiz_results(trainee.id)["demo.quiz"]
    assert (result.best_score, result.passed, result.attempts, result.last_graded_at) == (100.0, True, 1, clock())


def test_wrong_and_missing_answers(app, trainee, clock):
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    answer_all(attempt, clock(), values=wrong_values)
    services.finish_attempt(attempt, clock())
    assert (attempt.score, attempt.passed) == (0.0, False)


def test_answers_are_upserted_per_slot(app, trainee, clock):
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    slot = next(s for s in attempt.slots if services.question_of(s.question_version).type == "fill")
    services.save_answers(attempt, {slot.position: ["先退费"]}, clock())
    services.save_answers(attempt, {slot.position: ["先查证后退费"]}, clock())
    assert db.session.scalar(db.select(db.func.count(AttemptAnswer.id))) == 1
    assert services.saved_answers(attempt) == {slot.position: "先查证后退费"}
    with pytest.raises(InvalidAnswer):
        services.save_answers(attempt, {99: ["x"]}, clock())


def test_deadline_and_grace_are_enforced_on_the_server(app, trainee, clock):
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    fill = next(s for s in attempt.slots if services.question_of(s.question_version).type == "fill")
    other = next(s for s in attempt.slots if s is not fill)
    clock.advance(minutes=30, seconds=59)  # past the time limit, inside the grace period
    services.save_answers(attempt, {fill.position: ["先查证后退费"]}, clock())
    clock.advance(seconds=2)  # past the deadline
    with pytest.raises(services.QuizError) as refused:
        services.save_answers(attempt, {other.position: right_values(
            services.question_of(other.question_version), other.option_order)}, clock())
    assert refused.value.reason == services.QuizError.CLOSED
    db.session.refresh(attempt)
    assert attempt.state == GRADED and attempt.closed_at == attempt.deadline
    assert attempt.score == pytest.approx(100 / 6, abs=0.01)  # only the answer saved in time counts
    assert services.saved_answers(attempt) == {fill.position: "先查证后退费"}


def test_an_abandoned_attempt_is_graded_when_the_trainee_comes_back(app, trainee, clock):
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    answer_all(attempt, clock.advance(minutes=2))
    clock.advance(days=2)
    rows = services.overview(trainee.id, clock())
    db.session.refresh(attempt)
    assert attempt.state == GRADED and attempt.score == 100.0
    assert rows[0].standing.attempts_used == 1 and rows[0].open_attempt_id is None


def test_attempts_allowed_and_cooldown(app, trainee, clock):
    install(None, quiz_text(attempts_allowed=2, cooldown_minutes=10))
    first = services.start_attempt(trainee.id, quiz(), clock())
    services.finish_attempt(first, clock.advance(minutes=1))
    with pytest.raises(services.QuizError) as cooling:
        services.start_attempt(trainee.id, quiz(), clock.advance(minutes=9))
    assert cooling.value.reason == services.QuizError.COOLING_DOWN
    assert cooling.value.until == first.closed_at + timedelta(minutes=10)
    second = services.start_attempt(trainee.id, quiz(), clock.advance(minutes=1))
    assert second.number == 2
    services.finish_attempt(second, clock.advance(minutes=1))
    with pytest.raises(services.QuizError) as used_up:
        services.start_attempt(trainee.id, quiz(), clock.advance(days=1))
    assert used_up.value.reason == services.QuizError.NO_ATTEMPTS_LEFT


def test_seen_questions_are_drawn_last(app, trainee, clock):
    install(make_bank_text(count=12), quiz_text(count=6, cooldown_minutes=0, attempts_allowed=0))
    first = services.start_attempt(trainee.id, quiz(), clock())
    services.finish_attempt(first, clock())
    second = services.start_attempt(trainee.id, quiz(), clock())
    ids = lambda attempt: {slot.question_version.question_id for slot in attempt.slots}  # noqa: E731
    assert ids(first).isdisjoint(ids(second)) and len(ids(first) | ids(second)) == 12


def test_a_graded_attempt_never_changes_when_the_bank_is_edited(app, trainee, clock):
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    answer_all(attempt, clock())
    services.finish_attempt(attempt, clock())
    before = [(item.question.stem, item.score, item.correct) for item in services.review_items(attempt, FULL)]
    edited = make_bank_text(count=6).replace("- [ ] 甲\n- [x] 乙", "- [x] 甲\n- [ ] 乙").replace("题干", "新题干")
    BanksKind().import_items(_parsed_bank(edited))
    db.session.commit()
    db.session.expire_all()
    after = [(item.question.stem, item.score, item.correct) for item in services.review_items(attempt, FULL)]
    assert after == before and attempt.score == 100.0
    assert all("新题干" not in stem for stem, _, _ in after)


@pytest.mark.parametrize(("policy", "attempts_allowed", "expected"), [
    ("immediately", 3, FULL), ("after_attempt", 3, MARKS), ("after_attempt", 1, FULL),
    ("after_pass", 3, SCORE_ONLY), ("after_last_attempt", 1, FULL), ("after_last_attempt", 3, SCORE_ONLY),
    ("never", 1, SCORE_ONLY),
])
def test_review_follows_the_policy(app, trainee, clock, policy, attempts_allowed, expected):
    install(None, quiz_text(review=policy, attempts_allowed=attempts_allowed))
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    answer_all(attempt, clock(), values=wrong_values)
    services.finish_attempt(attempt, clock())
    level = services.review_level_of(attempt, clock())
    assert level == expected
    items = services.review_items(attempt, level)
    assert bool(items) == (expected != SCORE_ONLY)
    assert all((item.correct is not None) == (expected == FULL) for item in items)
    assert all((item.explanation is not None) == (expected == FULL) for item in items)


def test_concurrent_submits_grade_exactly_once(app, trainee, clock, signals):
    """Double clicks, two tabs and retries: N simultaneous submits → one grading, one signal."""
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    answer_all(attempt, clock())
    attempt_id, now, threads = attempt.id, clock(), 6
    barrier, outcomes, errors = threading.Barrier(threads), [], []

    def submit():
        try:
            with app.app_context():
                mine = db.session.get(Attempt, attempt_id)
                barrier.wait(timeout=10)
                outcomes.append(services.finish_attempt(mine, now))
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=submit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert sorted(outcomes) == [False] * (threads - 1) + [True]
    assert signals == [trainee.id]
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).state == GRADED
    assert services.quiz_results(trainee.id)["demo.quiz"].attempts == 1


def test_concurrent_starts_create_one_attempt(app, trainee, clock):
    install()
    user_id, ids, errors = trainee.id, [], []
    barrier = threading.Barrier(4)

    def start():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                ids.append(services.start_attempt(user_id, db.session.get(Quiz, "demo.quiz"), clock()).id)
                db.session.remove()
        except Exception as error:  # pragma: no cover
            errors.append(error)

    workers = [threading.Thread(target=start) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == [] and len(set(ids)) == 1
    assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 1


def test_item_statistics_and_csv_export(app, make_user, clock):
    install(make_bank_text(count=6), quiz_text(attempts_allowed=0, cooldown_minutes=0))
    for number in range(4):
        trainee = make_user()
        attempt = services.start_attempt(trainee.id, quiz(), clock())
        answer_all(attempt, clock(), values=right_values if number % 2 else wrong_values)
        services.finish_attempt(attempt, clock())
    statistics = stats.quiz_item_statistics("demo.quiz")
    assert statistics.attempts == 4 and len(statistics.items) == 6
    assert all(item.facility == 0.5 for item in statistics.items)
    kept = stats.score_sums("demo.quiz")
    stats.rebuild()  # the sums added at each grading equal those recomputed from the attempts
    assert stats.score_sums("demo.quiz") == kept
    text = "".join(services.responses_csv("demo.quiz"))
    assert text.startswith("\ufeffattempt_id,employee_no")
    assert len(text.strip().splitlines()) == 1 + 4 * 6


def test_rebuilt_sums_equal_the_sums_grading_added_with_mixed_scores(app, make_user, clock):
    """stats.rebuild (three INSERT … SELECT, also the bulk seeder's) against the sums added one
    graded attempt at a time, on attempts scoring differently question by question."""
    install(make_bank_text(count=6), quiz_text(attempts_allowed=0, cooldown_minutes=0))
    for number in range(7):
        trainee = make_user()
        attempt = services.start_attempt(trainee.id, quiz(), clock())
        picks = iter([(number + position) % 3 == 0 for position in range(len(attempt.slots))])
        answer_all(attempt, clock(), values=lambda question, order: (right_values if next(picks) else wrong_values)(
            question, order))
        services.finish_attempt(attempt, clock())
    kept = stats.score_sums("demo.quiz")
    assert stats.rebuild() == 7
    rebuilt = stats.score_sums("demo.quiz")
    for part in ("questions", "positions", "totals"):
        mine, theirs = getattr(kept, part), getattr(rebuilt, part)
        assert mine and mine.keys() == theirs.keys()
        for key, moments in mine.items():
            assert vars(theirs[key]) == pytest.approx(vars(moments)), (part, key)


def test_csv_cells_cannot_start_formulas():
    assert services._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert services._cell("-1") == "'-1" and services._cell("先查证") == "先查证" and services._cell(None) == ""


def test_a_save_racing_a_submit_is_refused_not_lost(app, trainee, clock):
    """The page read the attempt as open, then another tab submitted: the late save is refused."""
    install()
    attempt = services.start_attempt(trainee.id, quiz(), clock())
    slot = attempt.slots[0]
    values = right_values(services.question_of(slot.question_version), slot.option_order)
    attempt_id, now = attempt.id, clock()

    def submit_elsewhere():
        with app.app_context():
            services.finish_attempt(db.session.get(Attempt, attempt_id), now)
            db.session.remove()

    worker = threading.Thread(target=submit_elsewhere)
    worker.start()
    worker.join(timeout=30)
    assert attempt.state == IN_PROGRESS  # this session still holds the stale state
    with pytest.raises(services.QuizError):
        services.save_answers(attempt, {slot.position: values}, now)
    assert services.saved_answers(attempt) == {} and attempt.state == GRADED and attempt.score == 0.0


def test_grading_is_sent_once_with_the_graded_attempt(app, trainee, clock):
    from webapp.registry import attempt_graded

    install()
    seen = []
    receiver = lambda sender, attempt: seen.append((attempt.id, attempt.state, attempt.score))  # noqa: E731
    attempt_graded.connect(receiver)
    try:
        attempt = services.start_attempt(trainee.id, quiz(), clock())
        answer_all(attempt, clock.advance(minutes=3))
        services.finish_attempt(attempt, clock.advance(minutes=1))
        services.finish_attempt(attempt, clock.advance(minutes=1))
    finally:
        attempt_graded.disconnect(receiver)
    assert seen == [(attempt.id, GRADED, 100.0)]
