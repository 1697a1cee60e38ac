"""Quiz engine speed, as figures and as ratios to baselines measured in the same run.

    .venv/bin/python bench/quizzes.py [--past-attempts 100000] [--skip-db]

1. Draw 20 questions (and 50) from a 10,000-question bank, with nothing seen and with 5,000 seen;
   baseline: ``random.Random(seed).sample(range(10000), 20)`` (the least a draw must do).
2. Grade a 50-question attempt of every question type; baseline: 50 dict lookups comparing an
   answer with a stored key (what the most naive grader does).
3. Start an attempt (draw + insert the attempt and its slots + commit) in an SQLite file holding
   ``--past-attempts`` graded attempts of 20 slots; the trainee has 50 past attempts, so the
   "seen questions" query has work to do. Baseline: a primary-key SELECT of a user.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.quizzes.builders import make_bank, synthetic_bank  # noqa: E402
from webapp.quizzes.blueprint import Blueprint, DrawRule  # noqa: E402
from webapp.quizzes.draw import BankIndex, draw_attempt  # noqa: E402


def per_call(function, repeat: int) -> float:
    """Median seconds per call over 5 rounds of ``repeat`` calls."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for index in range(repeat):
            function(index)
        rounds.append((time.perf_counter() - started) / repeat)
    return statistics.median(rounds)


def blueprint(*rules: DrawRule) -> Blueprint:
    return Blueprint(
        id="bench.quiz", title={"zh": "基准", "en": "Bench"}, module=None, post="bench", mode="exam",
        time_limit_minutes=30, grace_seconds=60, pass_mark=80, attempts_allowed=0, cooldown_minutes=0,
        shuffle_questions=True, shuffle_options=True, review="after_attempt", draw=rules, intro="",
        path="bench.md", source="", content_hash="bench",
    )


def report(name: str, seconds: float, baseline: float) -> None:
    print(f"{name:<58} {seconds * 1e6:>10.1f} µs   ×{seconds / baseline:>7.1f} baseline")


def bench_draw() -> None:
    bank = synthetic_bank(10_000)
    started = time.perf_counter()
    banks = {"big": BankIndex(bank)}
    twenty, fifty = blueprint(DrawRule("big", 20)), blueprint(DrawRule("big", 30), DrawRule("big", 20, tags=("甲",)))
    draw_attempt(0, twenty, banks)
    draw_attempt(0, fifty, banks)
    print(f"index the 10,000-question bank (first draw, once per bank version): {(time.perf_counter() - started) * 1e3:.1f} ms")
    seen = {question.id for question in random.Random(1).sample(bank.questions, 5_000)}
    baseline = per_call(lambda i: random.Random(i).sample(range(10_000), 20), 2_000)
    print(f"{'baseline: Random(seed).sample(range(10000), 20)':<58} {baseline * 1e6:>10.1f} µs")
    report("draw 20 of 10,000, nothing seen", per_call(lambda i: draw_attempt(i, twenty, banks), 2_000), baseline)
    report("draw 50 of 10,000 (two rules), nothing seen", per_call(lambda i: draw_attempt(i, fifty, banks), 1_000), baseline)
    report("draw 20 of 10,000, 5,000 seen", per_call(lambda i: draw_attempt(i, twenty, banks, seen), 200), baseline)


def bench_grading() -> None:
    bank = make_bank(count=60)
    slots = draw_attempt(7, blueprint(DrawRule("demo", 50)), {"demo": BankIndex(bank)})
    from tests.quizzes.answers import right_values

    answers = [(slot.question, slot.question.question_type.normalise(
        slot.question, slot.option_order, right_values(slot.question, slot.option_order))) for slot in slots]
    keys = {index: (index % 4,) for index in range(50)}
    naive_answers = {index: index % 4 for index in range(50)}
    baseline = per_call(lambda _: sum(naive_answers[i] in keys[i] for i in range(50)), 20_000)
    print(f"{'baseline: 50 dict lookups comparing answer and key':<58} {baseline * 1e6:>10.1f} µs")
    report("grade a 50-question attempt (all six types)",
           per_call(lambda _: sum(q.question_type.grade(q, a) for q, a in answers), 5_000), baseline)


def bench_start(past_attempts: int) -> None:
    from webapp import create_app
    from webapp.accounts.models import User
    from webapp.clock import utcnow
    from webapp.content.services import import_content
    from webapp.extensions import db
    from webapp.quizzes import services
    from webapp.quizzes.models import Attempt, AttemptSlot, Quiz

    folder = tempfile.mkdtemp(prefix="hotline-bench-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        import_content(ROOT, [ROOT / "quizzes" / "banks", ROOT / "quizzes" / "exams"])
        started = time.perf_counter()
        users_needed = max(past_attempts // 50, 40)
        db.session.execute(db.insert(User), [
            {"employee_no": f"B{n:06d}", "name": f"学员{n}", "department": "10000号客服中心", "team": "",
             "role": "trainee", "active": True, "password_hash": "x", "must_change_password": False}
            for n in range(users_needed)])
        user_ids = list(db.session.scalars(db.select(User.id).order_by(User.id)))
        quizzes = [quiz for quiz in services.current_quizzes() if quiz.id != "complaint-handling.quiz"]
        pools = {quiz.id: _version_ids(services, quiz) for quiz in quizzes}
        now = utcnow()
        rng = random.Random(3)
        attempt_rows, slot_rows = [], []
        next_id = 1
        for n in range(past_attempts):
            quiz = quizzes[n % len(quizzes)]
            attempt_rows.append({
                "id": next_id, "user_id": user_ids[(n // 50) % len(user_ids)], "quiz_id": quiz.id, "number": n,
                "seed": n, "quiz_hash": quiz.content_hash, "state": "graded", "started_at": now - timedelta(days=30),
                "ends_at": None, "deadline": None, "closed_at": now - timedelta(days=30), "graded_at": now - timedelta(days=30),
                "score": 80.0, "pass_mark": 80.0, "passed": True})
            slot_rows += [{"attempt_id": next_id, "position": p, "question_version_id": v, "option_order": [], "score": 1.0}
                          for p, v in enumerate(rng.sample(pools[quiz.id], 20))]
            next_id += 1
            if len(slot_rows) >= 200_000:
                _flush(db, Attempt, AttemptSlot, attempt_rows, slot_rows)
        _flush(db, Attempt, AttemptSlot, attempt_rows, slot_rows)
        db.session.commit()
        print(f"stored {past_attempts:,} past attempts with {past_attempts * 20:,} slots in {time.perf_counter() - started:.1f} s")

        target = db.session.get(Quiz, "complaint-handling.quiz")
        services.loaded_bank("complaint-handling")  # indexed once per bank version, like a warm worker
        candidates = iter(user_ids[: users_needed])

        def start_one(_):
            services.start_attempt(next(candidates), target, now)
            db.session.expunge_all()

        def select_user(index):
            db.session.execute(db.select(User).where(User.id == user_ids[index % len(user_ids)])).scalar_one()
            db.session.expunge_all()

        baseline = per_call(select_user, 200)
        print(f"{'baseline: SELECT a user by primary key':<58} {baseline * 1e6:>10.1f} µs")
        report(f"start an attempt (20 questions), {past_attempts:,} past attempts in the db",
               per_call(start_one, min(6, users_needed // 5)), baseline)


def _version_ids(services, quiz) -> list[int]:
    ids = []
    for bank_id in services.blueprint_of(quiz).banks:
        ids += services.loaded_bank(bank_id).version_ids.values()
    return ids


def _flush(db, attempt_model, slot_model, attempt_rows: list, slot_rows: list) -> None:
    if attempt_rows:
        db.session.execute(db.insert(attempt_model), attempt_rows)
        db.session.execute(db.insert(slot_model), slot_rows)
    attempt_rows.clear()
    slot_rows.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--past-attempts", type=int, default=100_000)
    parser.add_argument("--skip-db", action="store_true", help="only the pure draw and grading figures")
    arguments = parser.parse_args()
    bench_draw()
    bench_grading()
    if not arguments.skip_db:
        bench_start(arguments.past_attempts)


if __name__ == "__main__":
    main()
