"""Signing in against a real OpenLDAP directory (slapd started by the session fixture)."""
from webapp.access import Role
from webapp.accounts import sso, throttle
from webapp.accounts.models import LoginThrottle, User
from webapp.audit.models import AuditEntry
from webapp.extensions import db

from tests.conftest import TEST_PASSWORD
from tests.sso.servers import free_port

PASSWORD = "directory-pw-1"


def body(response) -> str:
    return response.get_data(as_text=True)


def sign_in(client, employee_no, password=PASSWORD):
    return client.post("/login", data={"employee_no": employee_no, "password": password}, follow_redirects=True)


def account(employee_no) -> User | None:
    db.session.expire_all()
    return db.session.execute(db.select(User).filter_by(employee_no=employee_no)).scalar_one_or_none()


def audit_actions(employee_no) -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.target == f"user:{employee_no}")
                                   .order_by(AuditEntry.id)))


def test_first_sign_in_creates_the_account_mapped_from_the_directory(ldap_app, directory):
    client, number = ldap_app.test_client(), directory.new_employee_no()
    directory.add_person(number, "赵敏", "d-unused", PASSWORD, groups=["trainers", "hall-east"])
    assert account(number) is None
    page = body(sign_in(client, number))
    assert "赵敏" in page and 'id="login-form"' not in page
    user = account(number)
    assert (user.source, user.role, user.department, user.name) == (sso.LDAP, Role.TRAINER, "东区营业厅", "赵敏")
    assert user.password_hash is None and user.last_login_at is not None and user.active
    assert audit_actions(number) == ["user.create"]


def test_second_sign_in_follows_the_directory_with_every_change_audited(ldap_app, directory):
    client, number = ldap_app.test_client(), directory.new_employee_no()
    dn = directory.add_person(number, "钱进", "10086-b", PASSWORD)
    sign_in(client, number)
    assert (account(number).role, account(number).department) == (Role.TRAINEE, "10086热线二部")
    client.post("/logout")
    directory.change(dn, cn="钱进宝", departmentNumber="投诉处理组")
    directory.join(dn, "hr-team")
    assert "钱进宝" in body(sign_in(client, number))
    user = account(number)
    assert (user.name, user.department, user.role) == ("钱进宝", "投诉处理组", Role.HR)
    assert audit_actions(number) == ["user.create", "user.role", "user.update"]
    update = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.update")).one()
    assert update.details["department"] == {"from": "10086热线二部", "to": "投诉处理组"}


def test_a_wrong_password_is_refused_and_counted_by_the_sign_in_throttle(ldap_app, directory):
    client, number = ldap_app.test_client(), directory.new_employee_no()
    directory.add_person(number, "孙立", "d1", PASSWORD)
    assert "工号或密码错误" in body(sign_in(client, number, "not-the-password"))
    assert account(number) is None  # nobody signed in: no account yet
    for _ in range(throttle.PAIR.free_failures - 1):
        sign_in(client, number, "still-wrong")
    assert db.session.scalar(db.select(LoginThrottle.failures).filter_by(employee_no=number, address="")) == \
        throttle.PAIR.free_failures
    # The right password now waits like a local account's would.
    assert "登录失败次数过多" in body(sign_in(client, number))
    assert account(number) is None


def test_a_person_disabled_or_removed_in_the_directory_is_refused_and_deactivated(ldap_app, directory):
    client = ldap_app.test_client()
    disabled_no, removed_no = directory.new_employee_no(), directory.new_employee_no()
    disabled_dn = directory.add_person(disabled_no, "李停", "d1", PASSWORD)
    removed_dn = directory.add_person(removed_no, "周走", "d1", PASSWORD)
    for number in (disabled_no, removed_no):
        sign_in(client, number)
        client.post("/logout")
        assert account(number).active
    directory.change(disabled_dn, employeeType="disabled")
    directory.remove(removed_dn)
    for number in (disabled_no, removed_no):
        assert "工号或密码错误" in body(sign_in(client, number))
        assert not account(number).active
        assert audit_actions(number)[-1] == "user.deactivate"


def test_an_account_deactivated_by_an_administrator_stays_refused(ldap_app, directory, make_user, auth):
    client, number = ldap_app.test_client(), directory.new_employee_no()
    directory.add_person(number, "吴静", "d1", PASSWORD)
    sign_in(client, number)
    client.post("/logout")
    admin = make_user(role=Role.ADMIN)
    admin_client = ldap_app.test_client()
    admin_client.post("/login", data={"employee_no": admin.employee_no, "password": TEST_PASSWORD})
    admin_client.post(f"/admin/users/{account(number).id}/deactivate")
    assert not account(number).active
    assert "工号或密码错误" in body(sign_in(client, number))
    assert not account(number).active


def test_the_directory_down_gives_a_clear_message_and_local_accounts_still_sign_in(make_app, directory, make_user):
    app = make_app(LDAP=sso.ldap_settings(directory.env(HOTLINE_LDAP_URL=f"ldap://127.0.0.1:{free_port()}",
                                                        HOTLINE_LDAP_TIMEOUT="2")))
    local = make_user(name="本地用户")
    client = app.test_client()
    page = body(sign_in(client, "L9999"))
    assert "暂时无法连接公司目录" in page and 'id="login-form"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginThrottle)) == 0  # not the user's fault
    assert "本地用户" in body(sign_in(client, local.employee_no, TEST_PASSWORD))


def test_a_local_account_keeps_its_password_when_the_directory_has_the_same_number(ldap_app, directory, make_user):
    local = make_user(employee_no=directory.new_employee_no(), name="本地")
    directory.add_person(local.employee_no, "目录里的人", "d1", PASSWORD)
    client = ldap_app.test_client()
    assert "工号或密码错误" in body(sign_in(client, local.employee_no, PASSWORD))
    assert "本地" in body(sign_in(client, local.employee_no, TEST_PASSWORD))
    assert account(local.employee_no).source == "local"


def test_the_admin_sees_the_source_and_directory_accounts_have_no_local_password(ldap_app, directory, make_user):
    number = directory.new_employee_no()
    directory.add_person(number, "郑好", "d1", PASSWORD)
    person = ldap_app.test_client()
    sign_in(person, number)
    # No password here to change: the directory owns it.
    assert "请在那里修改" in body(person.get("/account/password", follow_redirects=True))
    admin = ldap_app.test_client()
    admin.post("/login", data={"employee_no": make_user(role=Role.ADMIN).employee_no, "password": TEST_PASSWORD})
    users = body(admin.get("/admin/users"))
    row = users[users.index(f'data-employee-no="{number}"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="source">LDAP 目录</td>' in row and "reset-password" not in row
    row_of_number = f'data-employee-no="{number}"'
    assert row_of_number not in body(admin.get("/admin/users?source=local"))
    assert row_of_number in body(admin.get("/admin/users?source=ldap"))
    assert row_of_number not in body(admin.get("/admin/users?status=no-password"))
    user = account(number)
    assert '<strong id="edit-source">LDAP 目录</strong>' in body(admin.get(f"/admin/users/{user.id}/edit"))
    refused = body(admin.post(f"/admin/users/{user.id}/reset-password", follow_redirects=True))
    assert "通过公司目录登录，在本系统没有密码" in refused
    assert account(number).password_hash is None


def test_an_entry_the_settings_cannot_map_is_refused_without_deactivating_anyone(ldap_app, make_app, directory):
    number = directory.new_employee_no()
    directory.add_person(number, "王错配", "d1", PASSWORD)
    sign_in(ldap_app.test_client(), number)
    # A mistaken attribute map (no such attribute on the entry) must not read as "left the company".
    misconfigured = make_app(LDAP=sso.ldap_settings(directory.env(HOTLINE_LDAP_ATTRIBUTES='{"employee_no": "title"}')))
    assert "工号或密码错误" in body(sign_in(misconfigured.test_client(), number))
    assert account(number).active


def test_a_roster_account_without_a_password_is_taken_over_at_the_first_directory_sign_in(ldap_app, directory,
                                                                                         make_user):
    imported = make_user(employee_no=directory.new_employee_no(), name="花名册里的人")
    imported.password_hash, imported.must_change_password = None, True  # as a roster import leaves it
    db.session.commit()
    directory.add_person(imported.employee_no, "卫东", "hall-a", PASSWORD, groups=["hall-east"])
    page = body(sign_in(ldap_app.test_client(), imported.employee_no))
    assert "卫东" in page and "请先设置您自己的密码" not in page
    user = account(imported.employee_no)
    assert (user.id, user.source, user.name, user.department) == (imported.id, sso.LDAP, "卫东", "东区营业厅")
    assert not user.must_change_password
    assert audit_actions(user.employee_no)[-2:] == ["user.source", "user.update"]
