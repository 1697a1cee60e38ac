"""GET and HEAD requests read without BEGIN … ROLLBACK on PostgreSQL; their writes, and every
other request's statements, stay in a transaction (webapp/transactions.py)."""
import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event

from tests.conftest import TEST_DB, TEST_PASSWORD
from webapp.accounts import services as account_services
from webapp.accounts.models import User
from webapp.extensions import db

postgresql_only = pytest.mark.skipif(TEST_DB != "postgresql", reason="PostgreSQL round trips (HOTLINE_TEST_DB=postgresql)")


@pytest.fixture
def served(make_app):
    """An app whose requests each get their own app context and session, as under gunicorn, with
    the transaction status seen after every statement; a view that writes, then fails."""
    app = make_app()

    @app.get("/test/rename-then-fail/<int:user_id>")
    def rename_then_fail(user_id):
        db.session.execute(db.select(User.name).where(User.id == user_id)).one()
        db.session.execute(db.update(User).where(User.id == user_id).values(name="改名"))
        raise RuntimeError("after the write")

    with app.app_context():
        user = account_services.create_user("t0001", "张伟", "10000号客服中心", "trainee", TEST_PASSWORD, "一班")
        db.session.commit()
        user_id = user.id
        seen: list[tuple[str, TransactionStatus]] = []

        def after(connection, cursor, statement, parameters, context, executemany):
            seen.append((statement.split()[0].upper(), connection.connection.driver_connection.info.transaction_status))

        event.listen(db.engine, "after_cursor_execute", after)
        db.session.remove()
    client = app.test_client()
    assert client.post("/login", data={"employee_no": "t0001", "password": TEST_PASSWORD}).status_code == 302
    seen.clear()
    return app, client, user_id, seen


@postgresql_only
def test_a_signed_in_page_reads_outside_any_transaction(served):
    app, client, _, seen = served
    assert client.get("/").status_code == 200
    assert seen and all(kind == "SELECT" for kind, _ in seen)
    assert {status for _, status in seen} == {TransactionStatus.IDLE}  # no BEGIN was sent
    seen.clear()
    assert client.head("/healthz").status_code == 200
    assert seen and {status for _, status in seen} == {TransactionStatus.IDLE}


@postgresql_only
def test_a_post_runs_in_a_transaction(served):
    app, client, _, seen = served
    assert client.post("/notifications/settings", data={}).status_code in (200, 302)
    assert seen and {status for _, status in seen} == {TransactionStatus.INTRANS}


@postgresql_only
def test_a_write_during_a_get_is_a_transaction_that_rolls_back_on_error(served):
    app, client, user_id, seen = served
    with pytest.raises(RuntimeError, match="after the write"):
        client.get(f"/test/rename-then-fail/{user_id}")
    kinds = [kind for kind, _ in seen]
    assert kinds[-1] == "UPDATE" and seen[-1][1] == TransactionStatus.INTRANS
    assert seen[-2] == ("SELECT", TransactionStatus.IDLE)  # the read before it needed no transaction
    with app.app_context():
        assert db.session.get(User, user_id).name == "张伟"  # rolled back, not autocommitted
        # The pool hands out transactional connections again (CLI, jobs, the next POST).
        with db.engine.connect() as connection:
            assert connection.connection.driver_connection.autocommit is False


def test_only_plain_selects_read_outside_a_transaction():
    from sqlalchemy.dialects import postgresql

    from webapp.transactions import _plain_read

    users = User.__table__

    class Context:
        def __init__(self, statement, **options):
            self.compiled = statement.compile(dialect=postgresql.dialect())
            self.execution_options = options

    assert _plain_read(Context(db.select(users.c.id).union(db.select(users.c.id))))
    assert not _plain_read(Context(db.select(users.c.id).with_for_update()))
    assert not _plain_read(Context(db.select(users.c.id), stream_results=True))
    renamed = db.update(users).values(name="x").returning(users.c.id).cte("renamed")
    assert not _plain_read(Context(db.select(renamed.c.id)))
    assert not _plain_read(Context(db.text("SELECT pg_advisory_xact_lock(1)")))


@postgresql_only
def test_plain_reads_of_a_get_use_a_connection_of_their_own_and_give_it_back(served):
    from tests.quizzes.conftest import install

    app, client, user_id, seen = served
    with app.app_context():
        install()
        db.session.remove()
    assert client.post("/quizzes/demo.quiz/start").status_code == 302
    with app.app_context():
        url = f"/quizzes/attempts/{db.session.scalar(db.text('SELECT max(id) FROM quiz_attempts'))}"
        db.session.remove()
        seen.clear()
        assert client.get(url).status_code == 200
        assert [kind for kind, _ in seen] == ["SELECT"]  # the user and the attempt, in one statement
        assert {status for _, status in seen} == {TransactionStatus.IDLE}
        assert db.engine.pool.checkedout() == 0
        with db.engine.connect() as connection:
            assert connection.connection.driver_connection.autocommit is False
