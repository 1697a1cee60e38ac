"""HR API fixtures: tokens made through the service, certificates, graded attempts and calls."""
from datetime import timedelta

import pytest

from webapp.access import Role
from webapp.api import services
from webapp.certification.models import Certificate
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.quizzes.models import GRADED, Attempt, Quiz

from tests.certification.conftest import posts, records  # noqa: F401 - shared fixtures
from tests.roleplay.conftest import roleplay_content  # noqa: F401 - shared fixture


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.ADMIN)


@pytest.fixture
def make_token(admin):
    """A token's secret; ``scopes`` default to every scope."""
    def build(scopes=services.tokens.SCOPES, valid_days=30, name="HR system"):
        _token, secret = services.create_token(name, list(scopes), valid_days, admin)
        db.session.commit()
        return secret
    return build


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def make_certificate(posts):  # noqa: F811 - the shared fixture
    counter = iter(range(1, 100_000))

    def build(user, post_id="hotline-agent", valid_days=300, revoked=False, issued_days_ago=10):
        number = next(counter)
        issued = utcnow() - timedelta(days=issued_days_ago)
        certificate = Certificate(user_id=user.id, post_id=post_id, cycle=number, code=f"code{number:012d}",
                                  issued_at=issued, valid_until=(utcnow() + timedelta(days=valid_days)).date(),
                                  content_versions={}, exam_score=90.0, roleplay_average=88.0)
        if revoked:
            certificate.revoked_at, certificate.revocation_reason = utcnow(), "考试作弊"
        db.session.add(certificate)
        db.session.commit()
        return certificate
    return build


@pytest.fixture
def make_attempt(app):
    quiz = Quiz(id="api.quiz", title_zh="测验", title_en="Quiz", source="", content_hash="h")
    db.session.add(quiz)
    db.session.commit()
    counter = iter(range(1, 100_000))

    def build(user, score=80.0, passed=True):
        now = utcnow()
        attempt = Attempt(user_id=user.id, quiz_id=quiz.id, number=next(counter), seed=1, quiz_hash="h",
                          state=GRADED, started_at=now - timedelta(minutes=20), graded_at=now, score=score,
                          pass_mark=60.0, passed=passed)
        db.session.add(attempt)
        db.session.commit()
        return attempt
    return build
