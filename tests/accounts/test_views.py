import io
from datetime import timedelta

import pytest
from flask_babel import force_locale

from webapp import jobs
from webapp.accounts import services, throttle
from webapp.accounts.models import User
from webapp.accounts.views import refusal_message
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
    assert "登录失败次数过多" in page and "2 秒" in page


def message(app, locale, seconds, scope=throttle.Scope.ACCOUNT, locked=False) -> str:
    verdict = throttle.Verdict(False, timedelta(seconds=seconds), locked, scope)
    with app.test_request_context(), force_locale(locale):
        return refusal_message(verdict)


@pytest.mark.parametrize("seconds, english, chinese", [
    (0.3, "wait 1 second before", "1 秒"), (1.5, "wait 2 seconds before", "2 秒"),
    (60, "wait 1 minute before", "1 分钟"), (61, "wait 2 minutes before", "2 分钟"),
])
def test_waits_are_told_in_words_that_agree_with_the_number(app, seconds, english, chinese):
    assert english in message(app, "en", seconds)
    assert chinese in message(app, "zh_CN", seconds)


def test_a_lockout_counts_its_minutes_up_and_only_account_locks_mention_the_administrator(app):
    locked = message(app, "en", throttle.ACCOUNT.lockout.total_seconds() - 0.5, locked=True)
    assert "locked for 30 minutes" in locked and "administrator" in locked
    assert "锁定 30 分钟" in message(app, "zh_CN", 1799.5, locked=True)
    network = message(app, "en", 45, throttle.Scope.ADDRESS)
    assert "from your network" in network and "password" not in network and "administrator" not in network
    assert "网络" in message(app, "zh_CN", 45, throttle.Scope.ADDRESS)


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


def test_admin_changes_a_role_and_the_last_administrator_keeps_hers(client, make_user, auth):
    admin, trainee = make_user(role="admin"), make_user()
    auth.login(admin)
    response = client.post(f"/admin/users/{trainee.id}/role", data={"role": "trainer", "next": "/admin/users?page=1"})
    assert response.location == "/admin/users?page=1"
    page = body(client.post(f"/admin/users/{admin.id}/role", data={"role": "trainee"}, follow_redirects=True))
    assert "最后一位" in page
    db.session.expire_all()
    assert (trainee.role, admin.role) == ("trainer", "admin")


def test_an_administrator_unlocks_a_locked_account_from_the_list(client, make_user, auth):
    admin, user = make_user(role="admin"), make_user()
    for _ in range(throttle.PAIR.lockout_failures):
        services._note_failure(user.employee_no, "10.0.0.9", services.utcnow())
    db.session.commit()
    auth.login(admin)
    page = body(client.get("/admin/users/held"))
    assert f'data-employee-no="{user.employee_no}"' in page and "已锁定" in page
    client.post(f"/admin/users/{user.id}/unlock")
    assert f'data-employee-no="{user.employee_no}"' not in body(client.get("/admin/users/held"))
    assert services.authenticate(user.employee_no, TEST_PASSWORD, "10.0.0.9").user == user


def test_unlocking_needs_the_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin, user = make_user(role="admin"), make_user()
        client = app.test_client()
        page = body(client.get("/login"))
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"employee_no": admin.employee_no, "password": TEST_PASSWORD, "csrf_token": token})
        assert client.post(f"/admin/users/{user.id}/unlock").status_code == 400


def upload(client, text: str, encoding="utf-8-sig"):
    return client.post("/admin/users/import", data={"roster": (io.BytesIO(text.encode(encoding)), "roster.csv")},
                       follow_redirects=True)


def test_web_roster_import_reports_rows_and_imports_nothing_on_error(client, make_user, auth):
    auth.login(make_user(role="hr"))
    page = body(upload(client, "工号,姓名,部门,角色\nB001,赵六,客服,学员\nB002,,客服,学员\n", "gb18030"))
    assert "第 3 行" in page and services.find_user("B001") is None
    page = body(upload(client, "工号,姓名,部门,角色\nB001,赵六,客服,学员\n"))
    assert "新建 1 个" in page and "管理员" in page and services.find_user("B001") is not None


def test_hr_escalation_through_the_web_is_refused_and_shows_no_password(client, make_user, auth):
    make_user(role="admin")
    hr = make_user(role="hr", employee_no="hr01")
    auth.login(hr)
    page = body(upload(client, "工号,姓名,部门,角色\nhr01,李娜,人力资源部,admin\nn9001,新人,客服,admin\n"))
    assert "第 2 行" in page and "第 3 行" in page and "未导入任何数据" in page
    db.session.expire_all()
    assert hr.role == "hr" and services.find_user("n9001") is None
    page = body(upload(client, "工号,姓名,部门\nn9002,新人,客服\n"))
    assert "临时密码" not in page and not services.find_user("n9002").has_password


def test_a_big_roster_runs_on_the_job_queue_with_a_progress_page(make_app, make_user):
    app = make_app(ROSTER_BACKGROUND_LINES=10)
    with app.app_context():
        hr = make_user(role="hr")
        client = app.test_client()
        client.post("/login", data={"employee_no": hr.employee_no, "password": TEST_PASSWORD})
        roster = "工号,姓名,部门\n" + "".join(f"G{n:03d},学员{n},客服\n" for n in range(50))
        response = client.post("/admin/users/import", data={"roster": (io.BytesIO(roster.encode()), "big.csv")})
        job_url = response.location
        assert "import-progress.js" in body(client.get(job_url))
        assert client.get(f"{job_url}/status").get_json() == {"state": "queued", "phase": "", "percent": 0,
                                                              "finished": False}
        assert jobs.run_pending() >= 1  # a job worker, on any node
        status = client.get(f"{job_url}/status").get_json()
        assert status["state"] == "done" and status["percent"] == 100
        assert "新建 50 个" in body(client.get(job_url))
        other_hr = make_user(role="hr")
        other = app.test_client()
        other.post("/login", data={"employee_no": other_hr.employee_no, "password": TEST_PASSWORD})
        assert other.get(job_url).status_code == 404  # HR sees its own imports only


def test_admin_issues_first_passwords_for_a_department(client, make_user, auth):
    admin = make_user(role="admin")
    auth.login(make_user(role="hr"))
    upload(client, "工号,姓名,部门\nn1,甲,营业厅\nn2,乙,营业厅\nn3,丙,客服\n")
    auth.logout()
    auth.login(admin)
    page = body(client.get("/admin/users/first-passwords"))
    assert 'data-department="营业厅"' in page
    page = body(client.post("/admin/users/first-passwords", data={"department": "营业厅"}))
    issued = page.split('id="issued-passwords"')[1]
    assert "n1" in issued and "n2" in issued and "n3" not in issued and issued.count("<code>") == 2
    assert 'data-department="营业厅"' not in page  # nothing left to issue there
