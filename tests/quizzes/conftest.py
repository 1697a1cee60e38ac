"""Fixtures for quiz tests that need the app: a movable clock and small installed content."""
from datetime import datetime, timedelta

import pytest

from tests.quizzes.builders import make_bank_text
from webapp.extensions import db
from webapp.quizzes.bank import parse_bank
from webapp.quizzes.blueprint import parse_blueprint
from webapp.quizzes.draw import BankIndex
from webapp.quizzes.kinds import BanksKind, ExamsKind, ParsedExams

START = datetime(2026, 3, 2, 9, 0, 0)


class Clock:
    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def quiz_text(quiz_id="demo.quiz", bank="demo", count=6, **settings) -> str:
    values = dict(mode="exam", time_limit_minutes=30, grace_seconds=60, pass_mark=80, attempts_allowed=3,
                  cooldown_minutes=10, shuffle_questions="true", shuffle_options="true", review="after_attempt")
    values.update(settings)
    lines = "\n".join(f"{key}: {value}" for key, value in values.items())
    return (f"---\nid: {quiz_id}\ntitle:\n  zh: 演示测验\n  en: Demo quiz\nmodule: complaint-handling\n{lines}\n"
            f"draw:\n  - bank: {bank}\n    count: {count}\n---\n测验说明。\n")


def install(bank_text: str | None = None, *quiz_texts: str) -> None:
    """Import a bank and quizzes through the content kinds, as ``flask content import`` does."""
    bank, problems = parse_bank("quizzes/banks/demo.md", bank_text or make_bank_text(count=6))
    assert not problems, problems
    blueprints = []
    for text in quiz_texts or (quiz_text(),):
        blueprint, problems = parse_blueprint("quizzes/exams/x.md", text)
        assert not problems, problems
        blueprints.append(blueprint)
    BanksKind().import_items([bank])
    ExamsKind().import_items([ParsedExams(blueprints, {bank.id: BankIndex(bank)})])
    db.session.commit()


@pytest.fixture
def clock(app):
    clock = Clock()
    app.config["QUIZZES_CLOCK"] = clock
    return clock


@pytest.fixture
def trainee(make_user):
    return make_user(role="trainee")
