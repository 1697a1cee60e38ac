import io

from webapp.accounts import services
from webapp.accounts.models import User
from webapp.extensions import db

from tests.conftest import TEST_PASSWORD


def body(response) -> str:
    return response.get_data(as_text=True)


def test_login_shows_field_errors_for_empty_fields(client):
    page = body(client.post("/login", data={}))
    assert page.count('class="field-error"') == 2


def test_wrong_password_is_refused_with_a_clear_message(client, make_user):
    user = make_user()
    page = body(client.post("/login", data={"employee_no": user.employee_no, "password": "nope"}, follow_redirects=True))
    assert "工号或密码错误" in page


def test_login_lands_on_the_role_home_and_logout_ends_the_session(client, make_user, auth):
    user = make_user(name="张伟")
    assert auth.login(user).location == "/"
    assert "张伟" in body(client.get("/"))
    auth.logout()
    assert client.get("/").status_code == 302


def test_login_never_redirects_off_site(client, make_user):
    user = make_user()
    response = client.post("/login?next=//evil.example/x", data={"employee_no": user.employee_no, "password": TEST_PASSWORD})
    assert response.location == "/"


def test_throttled_login_explains_the_wait(client, make_user):
    user = make_user()
    for _ in range(3):
        client.post("/login", data={"employee_no": user.employee_no, "password": "nope"})
    page = body(client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD}))
    assert "登录失败次数过多" in page


def test_admin_creates_a_user_with_field_level_errors_first(client, make_user, auth):
    admin = make_user(role="admin")
    auth.login(admin)
    page = body(client.post("/admin/users/new", data={"employee_no": "bad no!", "name": "", "department": "客服",
                                                        "role": "trainee", "new_password": "short", "confirm": "other"}))
    errors = page.count('class="field-error"')
    assert errors >= 4 and db.session.execute(db.select(db.func.count()).select_from(User)).scalar() == 1
    response = client.post("/admin/users/new", data={"employee_no": "T9001", "name": "新学员", "department": "客服",
                                                      "team": "", "role": "trainee", "new_password": "long-enough-1",
                                                      "confirm": "long-enough-1"})
    assert response.status_code == 302
    created = services.find_user("T9001")
    assert created.role == "trainee" and created.must_change_password
    duplicate = body(client.post("/admin/users/new", data={"employee_no": "T9001", "name": "x", "department": "y",
                                                            "role": "trainee", "new_password": "long-enough-1",
                                                            "confirm": "long-enough-1"}))
    assert "该工号已被使用" in duplicate


def test_deactivated_users_cannot_sign_in_and_admin_cannot_deactivate_self(client, make_user, auth):
    admin, user = make_user(role="admin"), make_user()
    auth.login(admin)
    client.post(f"/admin/users/{user.id}/deactivate")
    client.post(f"/admin/users/{admin.id}/deactivate")
    db.session.expire_all()
    assert not user.active and admin.active
    other = client.application.test_client()
    response = other.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD})
    assert response.status_code == 200  # stays on the login page


def test_reset_password_then_the_user_must_choose_a_new_one(client, make_user, auth):
    admin, user = make_user(role="admin"), make_user()
    auth.login(admin)
    page = body(client.post(f"/admin/users/{user.id}/reset-password", follow_redirects=True))
    temporary = page.split("的临时密码：")[1].split(" ")[0]
    auth.logout()
    auth.login(user, password=temporary)
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/account/password")
    client.post("/account/password", data={"current_password": temporary, "new_password": "my-own-password",
                                           "confirm": "my-own-password"})
    assert client.get("/").status_code == 200


def test_change_password_reports_a_wrong_current_password_on_its_field(client, make_user, auth):
    auth.login(make_user())
    page = body(client.post("/account/password", data={"current_password": "wrong", "new_password": "new-password-1",
                                                         "confirm": "new-password-1"}))
    assert 'data-field="current_password"' in page


def test_web_roster_import_reports_rows_and_imports_nothing_on_error(client, make_user, auth):
    auth.login(make_user(role="hr"))
    bad = "工号,姓名,部门,角色\nB001,赵六,客服,学员\nB002,,客服,学员\n".encode("gb18030")
    page = body(client.post("/admin/users/import", data={"roster": (io.BytesIO(bad), "roster.csv")}))
    assert "第 3 行" in page and services.find_user("B001") is None
    good = "工号,姓名,部门,角色\nB001,赵六,客服,学员\n".encode("utf-8-sig")
    page = body(client.post("/admin/users/import", data={"roster": (io.BytesIO(good), "roster.csv")}))
    assert "B001" in page and services.find_user("B001") is not None


def test_user_list_filters(client, make_user, auth):
    auth.login(make_user(role="admin", department="信息中心"))
    make_user(name="营业厅甲", department="营业厅")
    make_user(name="客服乙", department="10000号")
    page = body(client.get("/admin/users?department=营业厅"))
    assert "营业厅甲" in page and "客服乙" not in page


def test_deactivating_a_signed_in_user_ends_their_access_at_the_next_request(client, make_user, auth):
    admin, user = make_user(role="admin"), make_user()
    trainee_client = client.application.test_client()
    trainee_client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD})
    assert trainee_client.get("/").status_code == 200
    auth.login(admin)
    client.post(f"/admin/users/{user.id}/deactivate")
    response = trainee_client.get("/")
    assert response.status_code == 302 and "/login" in response.location
