"""State two app nodes must share when HOTLINE_REDIS_URL is set: failed sign-ins and rate limits.
Two apps on one database and one Redis stand for two nodes."""
from pathlib import Path

import pytest
import redis

from webapp.accounts import throttle
from webapp.certification.views import VERIFY_RATE_LIMIT
from webapp.config import settings_from_environment

from tests.conftest import TEST_PASSWORD


def test_redis_backs_the_rate_limits_unless_they_are_set_apart(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("HOTLINE_REDIS_URL", raising=False)
    assert settings_from_environment(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("HOTLINE_REDIS_URL", "redis://cache.internal:6379/0")
    settings = settings_from_environment(tmp_path)
    assert settings["REDIS_URL"] == settings["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/0"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    assert settings_from_environment(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.fixture
def nodes(make_app, redis_url):
    yield [make_app(REDIS_URL=redis_url, RATELIMIT_STORAGE_URI=redis_url) for _ in range(2)]
    redis.Redis.from_url(redis_url).flushdb()


def test_failed_sign_ins_on_one_node_hold_the_account_back_on_the_other(nodes, make_user):
    first, second = nodes
    with first.app_context():
        employee_no = make_user().employee_no
    with first.app_context(), first.test_client() as client:
        for _ in range(throttle.PAIR.free_failures):
            client.post("/login", data={"employee_no": employee_no, "password": "wrong"})
    with second.app_context(), second.test_client() as client:
        refused = client.post("/login", data={"employee_no": employee_no, "password": TEST_PASSWORD})
        assert refused.status_code == 200 and "登录失败次数过多" in refused.get_data(as_text=True)


def test_the_certificate_check_limit_counts_across_nodes(nodes):
    limit = int(VERIFY_RATE_LIMIT.split()[0])
    answers = []
    for number in range(limit + 1):
        node = nodes[number % 2]
        with node.app_context(), node.test_client() as client:
            answers.append(client.get("/verify/NOSUCHCODE").status_code)
    assert 429 not in answers[:limit] and answers[limit] == 429
