"""Editing an account from the browser (admin and HR), the password-reset confirmation step and
the user search."""
from webapp.audit.models import AuditEntry
from webapp.extensions import db


def body(response) -> str:
    return response.get_data(as_text=True)


def audit_rows(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def edit(client, user, **changes):
    data = {"name": user.name, "department": user.department, "team": user.team, "role": user.role, **changes}
    return client.post(f"/admin/users/{user.id}/edit", data=data)


def test_admin_edits_name_department_team_and_role_with_before_and_after_audited(client, make_user, auth):
    admin, trainee = make_user(role="admin", name="管理员"), make_user(name="张伟", department="营业厅", team="一班")
    auth.login(admin)
    page = body(client.get(f"/admin/users/{trainee.id}/edit"))
    assert 'id="edit-user-form"' in page and 'name="csrf_token"' in page and "张伟" in page
    response = edit(client, trainee, name="张伟华", department="10000号", team="", role="trainer")
    assert response.status_code == 302 and response.location == "/admin/users"
    db.session.expire_all()
    assert (trainee.name, trainee.department, trainee.team, trainee.role) == ("张伟华", "10000号", "", "trainer")
    [update] = audit_rows("user.update")
    assert update.target == f"user:{trainee.employee_no}" and update.actor_id == admin.id
    assert update.details == {"name": {"from": "张伟", "to": "张伟华"}, "department": {"from": "营业厅", "to": "10000号"},
                              "team": {"from": "一班", "to": ""}}
    [role] = audit_rows("user.role")
    assert role.details == {"from": "trainee", "to": "trainer"}


def test_an_edit_that_changes_nothing_writes_no_audit_row(client, make_user, auth):
    admin, trainee = make_user(role="admin"), make_user()
    auth.login(admin)
    page = body(client.post(f"/admin/users/{trainee.id}/edit", follow_redirects=True,
                            data={"name": trainee.name, "department": trainee.department, "team": trainee.team,
                                  "role": "trainee"}))
    assert "没有任何改动" in page
    assert audit_rows("user.update") == [] and audit_rows("user.role") == []


def test_bad_input_names_the_field_and_changes_nothing(client, make_user, auth):
    admin, trainee = make_user(role="admin"), make_user(name="原名")
    auth.login(admin)
    response = edit(client, trainee, name="", role="chief")
    page = body(response)
    assert response.status_code == 200
    assert 'data-field="name"' in page and 'data-field="role"' in page
    db.session.expire_all()
    assert trainee.name == "原名" and trainee.role == "trainee"


def test_the_last_administrator_keeps_the_role_with_the_reason_on_the_role_field(client, make_user, auth):
    admin = make_user(role="admin")
    auth.login(admin)
    page = body(edit(client, admin, name="新名字", role="trainee"))
    assert 'data-field="role"' in page and "最后一位" in page
    db.session.expire_all()
    assert admin.role == "admin" and admin.name != "新名字"  # the whole edit is refused
    assert audit_rows("user.update") == []


def test_hr_edits_a_trainee_but_cannot_grant_a_role(client, make_user, auth):
    hr, trainee = make_user(role="hr"), make_user(name="学员甲")
    auth.login(hr)
    page = body(client.get(f"/admin/users/{trainee.id}/edit"))
    assert '<option disabled value="admin">' in page or 'value="admin" disabled' in page or \
        "disabled" in page.split('value="admin"')[0].rsplit("<option", 1)[1]
    assert edit(client, trainee, team="二班").location == "/hr/"
    page = body(edit(client, trainee, role="admin"))
    assert 'data-field="role"' in page and "只有管理员" in page
    db.session.expire_all()
    assert trainee.team == "二班" and trainee.role == "trainee"
    assert [row.actor_id for row in audit_rows("user.update")] == [hr.id] and audit_rows("user.role") == []


def test_hr_cannot_edit_an_administrator_or_a_trainer(client, make_user, auth):
    hr, admin, trainer = make_user(role="hr"), make_user(role="admin", name="管理员"), make_user(role="trainer")
    auth.login(hr)
    for target in (admin, trainer):
        response = client.get(f"/admin/users/{target.id}/edit")
        assert response.status_code == 302 and response.location == "/hr/"
        response = edit(client, target, name="被改了", role="trainee")
        assert response.status_code == 302
    page = body(client.get("/hr/"))
    assert "只有管理员可以修改" in page
    db.session.expire_all()
    assert admin.name == "管理员" and admin.role == "admin" and trainer.role == "trainer"
    assert audit_rows("user.update") == [] and audit_rows("user.role") == []


def test_trainers_and_trainees_cannot_open_the_edit_form(client, make_user, auth):
    trainee = make_user()
    for role in ("trainer", "trainee"):
        auth.login(make_user(role=role))
        assert client.get(f"/admin/users/{trainee.id}/edit").status_code == 403
        auth.logout()


def test_reset_password_asks_for_confirmation_first(client, make_user, auth):
    admin, user = make_user(role="admin"), make_user(name="王五")
    auth.login(admin)
    before = user.password_hash
    page = body(client.get(f"/admin/users/{user.id}/reset-password?next=/admin/users?q=王"))
    assert 'id="reset-password-form"' in page and "王五" in page and 'name="csrf_token"' in page
    assert 'value="/admin/users?q=王"' in page
    db.session.expire_all()
    assert user.password_hash == before and audit_rows("user.reset_password") == []
    users = body(client.get("/admin/users"))
    assert f'href="/admin/users/{user.id}/reset-password?next=' in users  # a link to the confirmation, not a POST
    response = client.post(f"/admin/users/{user.id}/reset-password", data={"next": "/admin/users?q=王"})
    assert response.location == "/admin/users?q=%E7%8E%8B"
    db.session.expire_all()
    assert user.password_hash != before and len(audit_rows("user.reset_password")) == 1


def test_reset_confirmation_never_goes_back_off_site(client, make_user, auth):
    admin, user = make_user(role="admin"), make_user()
    auth.login(admin)
    page = body(client.get(f"/admin/users/{user.id}/reset-password?next=//evil.example/"))
    assert 'value="//evil.example/"' not in page and 'href="//evil.example/"' not in page
    assert '<input type="hidden" name="next" value="/">' in page


def test_user_search_covers_name_employee_no_department_and_team(client, make_user, auth):
    auth.login(make_user(role="admin", department="信息中心", team=""))
    make_user(name="赵一", employee_no="Z100", department="营业厅", team="早班")
    make_user(name="钱二", employee_no="Q200", department="10000号", team="夜班")
    for query, found, absent in (("赵", "赵一", "钱二"), ("Q200", "钱二", "赵一"), ("营业", "赵一", "钱二"),
                                 ("夜班", "钱二", "赵一")):
        page = body(client.get("/admin/users", query_string={"q": query}))
        assert found in page and absent not in page, query
