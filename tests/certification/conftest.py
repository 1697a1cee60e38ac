"""Fixtures for certification tests with the app: the five posts imported, trainees' records
stubbed (the records of courses, quizzes and role-play are their domains' business)."""
from datetime import date, datetime, timedelta

import pytest

from webapp.content.registry import read_content_root
from webapp.certification import engine, services
from webapp.certification.kind import PostsKind
from webapp.certification.models import Post
from webapp.clock import utcnow
from webapp.extensions import db

from tests.conftest import ROOT


@pytest.fixture
def posts(app) -> dict[str, Post]:
    kind = PostsKind()
    files = read_content_root(ROOT)
    parsed, problems = kind.parse(kind.discover(files), files)
    assert problems == []
    kind.import_items(parsed)
    db.session.commit()
    return {post.id: post for post in db.session.scalars(db.select(Post))}


def records_meeting(definition, at: datetime | None = None, recertification: bool = False) -> engine.TraineeRecords:
    """Records that meet every requirement of the post (or of its recertification)."""
    at = at or utcnow() - timedelta(minutes=1)
    wanted = definition.recertification if recertification else definition.requirements
    scenario_ids = wanted.scenario_ids() or tuple(f"tagged-{n}" for n in range(wanted.scenarios.count)) \
        if wanted.scenarios else ()
    tags = (wanted.scenarios.tag,) if wanted.scenarios and wanted.scenarios.tag else ()
    return engine.TraineeRecords(
        modules={m: engine.ModuleCompletion(m, at, {f"{m}.lesson": "hash"}) for m in wanted.modules},
        quizzes={q.quiz_id: engine.QuizResult(q.quiz_id, min(100.0, q.min_score + 5), True, at, 1)
                 for q in wanted.quizzes},
        scenarios={s: engine.ScenarioResult(s, 92.0, True, False, at, tags, f"hash-{s}") for s in scenario_ids},
    )


class StubRecords:
    """Replaces services.trainee_records: records per user id (nothing done by default)."""

    def __init__(self):
        self.by_user: dict[int, engine.TraineeRecords] = {}

    def __call__(self, user_id: int) -> engine.TraineeRecords:
        return self.by_user.get(user_id, engine.TraineeRecords())

    def complete(self, user, post: Post, **options) -> None:
        self.by_user[user.id] = records_meeting(services.definition_of(post), **options)


@pytest.fixture
def records(monkeypatch) -> StubRecords:
    stub = StubRecords()
    monkeypatch.setattr(services, "trainee_records", stub)
    return stub


@pytest.fixture
def today(app) -> date:
    return services.local_today()
