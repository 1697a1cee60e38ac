"""A session ends for good: a copy of its cookie, replayed on any node after the user signed out,
changed their password, had it reset, had their role changed or was deactivated, signs no one in
(User.session_stamp). Each node keeps the cookies it verified (webapp/sessions.py): that memory
must not outlive the session."""
import pytest

from webapp.accounts import importer
from webapp.accounts.models import User
from webapp.extensions import db

from tests.conftest import TEST_PASSWORD

PAGE = "/"  # a signed-in page: anyone else is sent to the login page


@pytest.fixture
def nodes(app, make_app):
    """Two app nodes on one database and key: the one of the ``client`` fixture and another."""
    return app, make_app()


def signed_in_cookie(app, user, **form) -> tuple:
    """A client of ``app`` signed in through the login form, and a copy of its session cookie."""
    client = app.test_client()
    client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD, **form})
    assert client.get(PAGE).status_code == 200
    return client, client.get_cookie("session").value


def replay(app, cookie: str, name: str = "session"):
    client = app.test_client()
    client.set_cookie(name, cookie)
    return client.get(PAGE)


def refused(response) -> bool:
    return response.status_code == 302 and "/login" in response.location


def test_a_cookie_copied_before_signing_out_signs_no_one_in_on_any_node(nodes, make_user):
    first, second = nodes
    user = make_user()
    client, cookie = signed_in_cookie(first, user)
    assert replay(second, cookie).status_code == 200  # the other node has verified it too
    client.post("/logout")
    assert refused(client.get(PAGE))
    for node in (first, second):
        assert refused(replay(node, cookie))


def test_signing_out_ends_the_remembered_sign_in_too(app, make_user):
    user = make_user()
    client, _cookie = signed_in_cookie(app, user, remember="y")
    remembered = client.get_cookie("remember_token").value
    assert replay(app, remembered, "remember_token").status_code == 200
    client.post("/logout")
    assert refused(replay(app, remembered, "remember_token"))


def test_a_password_change_ends_other_sessions_and_keeps_the_one_that_made_it(app, make_user):
    user = make_user()
    client, _ = signed_in_cookie(app, user)
    _other, elsewhere = signed_in_cookie(app, user)
    client.post("/account/password", data={"current_password": TEST_PASSWORD, "new_password": "my-new-password",
                                           "confirm": "my-new-password"})
    assert client.get(PAGE).status_code == 200
    assert refused(replay(app, elsewhere))


@pytest.mark.parametrize("change", ["reset-password", "role", "deactivate", "deactivate-activate"])
def test_an_administrators_change_ends_the_accounts_sessions(app, make_user, change):
    admin, user = make_user(role="admin"), make_user()
    _client, cookie = signed_in_cookie(app, user)
    admin_client, _ = signed_in_cookie(app, admin)
    if change == "role":
        admin_client.post(f"/admin/users/{user.id}/role", data={"role": "trainer"})
    else:
        for step in change.split("-", 1) if change.startswith("deactivate") else [change]:
            admin_client.post(f"/admin/users/{user.id}/{step}")
    db.session.expire_all()
    assert db.session.get(User, user.id).active == (change != "deactivate")
    assert refused(replay(app, cookie))


def test_a_roster_import_that_changes_a_role_ends_the_accounts_sessions_and_one_that_renames_keeps_them(
        app, make_user):
    admin = make_user(role="admin")
    renamed, promoted = make_user(employee_no="t0001"), make_user(employee_no="t0002")
    cookies = {user.employee_no: signed_in_cookie(app, user)[1] for user in (renamed, promoted)}
    importer.import_roster(f"工号,姓名,部门,角色\nt0001,新名字,{renamed.department},学员\n"
                           f"t0002,{promoted.name},{promoted.department},培训师\n".encode(), actor=admin)
    db.session.commit()
    assert replay(app, cookies["t0001"]).status_code == 200
    assert refused(replay(app, cookies["t0002"]))


def test_a_session_from_before_the_stamp_signs_no_one_in(app, make_user):
    """A session that names the bare user id (as before session stamps) is not the account's."""
    user = make_user()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(user.id), True
    assert refused(client.get(PAGE))
