"""Database outages (webapp/outages.py): 503 with Retry-After, a page in both languages or a JSON
error; a GET or HEAD that meets a dead connection is run once more on a fresh one."""
import logging
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event

from webapp import create_app
from webapp.extensions import db
from webapp.outages import RETRY_AFTER_SECONDS

from tests.conftest import TEST_DB, TEST_PASSWORD, _test_config
from tests.site import security_header_problems

LOST = "server closed the connection unexpectedly"


@contextmanager
def statements_failing(times: int | None = None):
    """The next ``times`` statements (None: every one) fail as on a connection the server dropped."""
    engine = db.engine
    left = [times]

    def fail(*_args):
        if left[0] is None or left[0] > 0:
            left[0] = None if left[0] is None else left[0] - 1
            raise engine.dialect.loaded_dbapi.OperationalError(LOST)

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def assert_unavailable(response, json=False):
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) >= RETRY_AFTER_SECONDS  # a rate limit's reset may be later
    assert security_header_problems(response) == []
    if json:
        assert response.json["error"] == "unavailable" and response.json["retry_after"] == RETRY_AFTER_SECONDS
    else:
        page = response.get_data(as_text=True)
        assert "暂时无法使用" in page and "Temporarily unavailable" in page


def test_a_read_that_meets_a_dead_connection_is_retried_once(client, auth, make_user, caplog):
    auth.login(make_user(name="张伟"))
    with statements_failing(times=1), caplog.at_level(logging.WARNING):
        response = client.get("/")
    assert response.status_code == 200 and "张伟" in response.get_data(as_text=True)
    assert "retrying GET /" in caplog.text


def test_reads_answer_503_while_the_database_stays_down(client, auth, make_user):
    auth.login(make_user())
    with statements_failing():
        assert_unavailable(client.get("/"))
        assert_unavailable(client.get("/quizzes/"))
    assert client.get("/").status_code == 200  # and the next request connects afresh


def test_a_write_is_not_retried(client, make_user):
    sign_in = {"employee_no": make_user().employee_no, "password": TEST_PASSWORD}
    with statements_failing(times=1):
        assert_unavailable(client.post("/login", data=sign_in))
    assert client.post("/login", data=sign_in).status_code == 302


def test_json_requests_get_a_json_503(client, auth, make_user):
    auth.login(make_user())
    with statements_failing():
        response = client.post("/quizzes/attempts/1/answers", json={"position": 1, "values": ["0"]})
    assert_unavailable(response, json=True)


def test_the_page_speaks_the_visitors_language_first(client):
    client.post("/language/en", data={"next": "/login"})
    with statements_failing():
        page = client.post("/login", data={"employee_no": "t1", "password": "x"}).get_data(as_text=True)
    assert page.index("Temporarily unavailable") < page.index("暂时无法使用")


def test_an_unreachable_sqlite_file_answers_503(_schema):
    app = create_app(_test_config("sqlite:////nonexistent-folder/hotline.db"))
    client = app.test_client()
    assert client.get("/login").status_code == 200  # a page that needs no database still works
    assert_unavailable(client.post("/login", data={"employee_no": "t1", "password": "x"}))
    assert_unavailable(client.get("/verify/abc"))


@pytest.mark.skipif(TEST_DB != "postgresql", reason="stops and restarts the suite's PostgreSQL server")
def test_postgresql_stopped_restarted_and_its_backends_killed(make_app, postgres_server, caplog):
    app = make_app()  # no app context around the requests: each has its own, as under gunicorn
    with app.app_context():
        user = _create_trainee()
        database = db.engine.url.database
    client = app.test_client()
    assert client.post("/login", data={"employee_no": user, "password": TEST_PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200

    postgres_server.halt()
    try:
        assert_unavailable(client.get("/"))
        assert_unavailable(client.post("/quizzes/attempts/1/answers", json={"position": 1, "values": ["0"]}), json=True)
    finally:
        postgres_server.start()
    assert client.get("/").status_code == 200

    _terminate_backends(postgres_server.port, database)  # the pooled connection dies between two requests
    with caplog.at_level(logging.WARNING):
        assert client.get("/").status_code == 200
    assert "retrying GET /" in caplog.text
    _terminate_backends(postgres_server.port, database)
    assert_unavailable(client.post("/logout"))  # a write is not retried


@pytest.mark.skipif(TEST_DB != "postgresql", reason="kills the suite's PostgreSQL backends")
def test_a_connection_that_dies_before_the_request_ends_costs_no_500(make_app, postgres_server, caplog):
    """PostgreSQL restarted after the view ran: ending the request's transaction fails, the
    response stands (found under a real ``pg_ctl restart`` by bench/cluster.py)."""
    app, restarting = make_app(), []

    @app.after_request
    def restart_meanwhile(response):
        if restarting:
            _terminate_backends(postgres_server.port, database)
        return response

    with app.app_context():
        user = _create_trainee()
        database = db.engine.url.database
    client = app.test_client()
    assert client.post("/login", data={"employee_no": user, "password": TEST_PASSWORD}).status_code == 302
    restarting.append(True)
    with caplog.at_level(logging.WARNING):
        # A form that does not validate: the request's reads leave its transaction open until the
        # teardown (a GET reads without one, webapp/transactions.py, and has nothing to end).
        assert client.post("/notifications/settings", data={"language": "?"}).status_code == 200
        assert "connection lost at the end of a request" in caplog.text
        assert client.get("/").status_code == 200  # a GET's response stands too
    restarting.clear()
    assert client.get("/").status_code == 200  # the next request connects afresh


def _create_trainee() -> str:
    from webapp.accounts.services import create_user
    create_user("t5001", "张伟", "10000号客服中心", "trainee", TEST_PASSWORD)
    db.session.commit()
    return "t5001"


def _terminate_backends(port: int, database: str) -> None:
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as admin:
        killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                               "WHERE datname = %s AND pid <> pg_backend_pid()", [database]).fetchone()[0]
    assert killed >= 1
