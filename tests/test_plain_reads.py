"""Plain reads (webapp/queries.py PlainRead) and the signed-in user read without the ORM for views
declared ``reads_user_plainly`` (the attempt page)."""
import re
from dataclasses import fields

import pytest
from flask_login import current_user
from sqlalchemy import exc

from tests.quizzes.conftest import install
from tests.test_outages import statements_failing
from webapp.accounts.models import SignedInUser, User
from webapp.extensions import db
from webapp.queries import PlainRead


def _load_user(app, path: str, user: User):
    with app.test_request_context(path):
        return app.login_manager._user_callback(user.get_id())


def test_a_plain_view_gets_the_users_plain_attributes_as_the_orm_reads_them(app, make_user):
    user = make_user(role="trainee", name="张伟")
    plain = _load_user(app, "/quizzes/attempts/1", user)
    assert isinstance(plain, SignedInUser)
    assert {field.name: getattr(plain, field.name) for field in fields(SignedInUser)} == {
        field.name: getattr(user, field.name) for field in fields(SignedInUser)}
    assert plain.get_id() == user.get_id() and plain == user
    assert plain.is_authenticated and plain.is_active and not plain.is_anonymous
    with pytest.raises(AttributeError):
        plain.department  # noqa: B018 - only what the layout and access checks use is there
    assert isinstance(_load_user(app, "/", user), User)  # other views keep the ORM user


def test_a_plain_read_refuses_ended_sessions_and_deactivated_accounts(app, make_user):
    ended, inactive = make_user(), make_user(active=False)
    old_id = ended.get_id()
    ended.end_sessions()
    db.session.commit()
    with app.test_request_context("/quizzes/attempts/1"):
        assert app.login_manager._user_callback(old_id) is None
        assert app.login_manager._user_callback(inactive.get_id()) is None
        assert app.login_manager._user_callback("not-a-number.x") is None


def test_the_attempt_page_reads_the_user_plainly_and_checks_roles(app, client, auth, make_user):
    install()
    trainee, trainer = make_user(role="trainee", name="李娜"), make_user(role="trainer")
    auth.login(trainee)
    assert client.post("/quizzes/demo.quiz/start").status_code == 302
    url = f"/quizzes/attempts/{_newest_attempt_id()}"
    with client:
        html = client.get(url).get_data(as_text=True)
        assert isinstance(current_user._get_current_object(), SignedInUser)
    assert "李娜" in html
    auth.logout()
    auth.login(trainer)
    assert client.get(url).status_code == 403


def test_the_attempt_page_reads_the_user_and_the_attempt_in_one_statement(app, client, auth, make_user):
    from tests.perf.test_page_queries import statements

    install()
    owner, other = make_user(), make_user()
    auth.login(owner)
    client.post("/quizzes/demo.quiz/start")
    url = f"/quizzes/attempts/{_newest_attempt_id()}"
    with statements() as seen:
        html = client.get(url).get_data(as_text=True)
    assert seen == ["SELECT"]
    assert [int(n) for n in re.findall(r'id="question-(\d+)"', html)] == list(range(6))  # in slot order
    with statements() as seen:
        assert client.get("/quizzes/attempts/999999").status_code == 404
    assert seen == ["SELECT"]
    auth.logout()
    auth.login(other)
    assert client.get(url).status_code == 404


def _newest_attempt_id() -> int:
    from webapp.quizzes.models import Attempt
    return db.session.scalar(db.select(Attempt.id).order_by(Attempt.id.desc()))


def test_plain_rows_are_the_rows_sqlalchemy_reads(app, make_user):
    user = make_user(name="王芳")
    read = PlainRead(db.select(User.id, User.name, User.active, User.created_at).where(User.id == db.bindparam("id")))
    orm = db.session.execute(read.select, {"id": user.id}).one()
    assert [tuple(row) for row in read.rows(id=user.id)] == [tuple(orm)]
    assert read.rows(id=-1) == []


def test_a_lost_connection_in_a_plain_read_is_a_database_error_and_the_page_is_retried(app, client, auth, make_user):
    install()
    auth.login(make_user(name="赵敏"))
    client.post("/quizzes/demo.quiz/start")
    url = f"/quizzes/attempts/{_newest_attempt_id()}"
    db.session.remove()
    with statements_failing(times=1):
        with pytest.raises(exc.OperationalError):
            PlainRead(db.select(User.id)).rows()
    with statements_failing(times=1):
        response = client.get(url)
    assert response.status_code == 200 and "赵敏" in response.get_data(as_text=True)
    with statements_failing():
        assert client.get(url).status_code == 503
