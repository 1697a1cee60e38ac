"""Real-browser flows in Debian's Chromium: sign in, switch language, sign out; an admin creates a
user who then signs in and must choose their own password; a big roster import shows its progress."""
import re

from playwright.sync_api import expect

from webapp import jobs

from tests.conftest import TEST_PASSWORD


def sign_in(page, base_url, employee_no, password=TEST_PASSWORD):
    page.goto(f"{base_url}/login")
    page.fill("#employee_no", employee_no)
    page.fill("#password", password)
    page.click("#login-form [type=submit]")


def test_trainee_signs_in_switches_language_and_signs_out(page, live_server, make_user):
    trainee = make_user(name="张伟")
    sign_in(page, live_server, trainee.employee_no)
    expect(page.locator("#welcome h1")).to_have_text("欢迎，张伟")
    page.click("button[data-locale=en]")
    expect(page.locator("#welcome h1")).to_have_text("Welcome, 张伟")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))


def test_admin_creates_a_user_who_then_signs_in(page, live_server, make_user):
    admin = make_user(role="admin")
    sign_in(page, live_server, admin.employee_no)
    page.goto(f"{live_server}/admin/users/new")
    page.fill("#employee_no", "N7001")
    page.fill("#name", "新同事")
    page.fill("#department", "营业厅")
    page.select_option("#role", "trainee")
    page.fill("#new_password", "short")
    page.fill("#confirm", "short")
    page.click("#user-form [type=submit]")
    expect(page.locator('.field-error[data-field="new_password"]')).to_be_visible()
    page.fill("#new_password", "first-password-1")
    page.fill("#confirm", "first-password-1")
    page.click("#user-form [type=submit]")
    expect(page.locator("#users-table tr[data-employee-no=N7001]")).to_contain_text("新同事")
    page.click("#logout")

    sign_in(page, live_server, "N7001", "first-password-1")
    expect(page).to_have_url(re.compile(r"/account/password$"))
    page.fill("#current_password", "first-password-1")
    page.fill("#new_password", "my-own-secret-9")
    page.fill("#confirm", "my-own-secret-9")
    page.click("form [type=submit]")
    expect(page.locator("#welcome h1")).to_have_text("欢迎，新同事")


def test_a_big_roster_import_shows_progress_then_its_result(page, live_server, live_app, make_user):
    live_app.config["ROSTER_BACKGROUND_LINES"] = 5  # any file over five lines goes to the job queue
    hr = make_user(role="hr")
    sign_in(page, live_server, hr.employee_no)
    page.goto(f"{live_server}/admin/users/import")
    roster = "工号,姓名,部门\n" + "".join(f"P{number:04d},学员{number},营业厅\n" for number in range(300))
    page.set_input_files("#roster", files=[{"name": "roster.csv", "mimeType": "text/csv",
                                            "buffer": roster.encode("utf-8-sig")}])
    page.click("#roster-form [type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/users/import/\d+$"))
    expect(page.locator("#import-progress .progress")).to_be_visible()
    assert jobs.run_pending() >= 1  # a job worker takes it
    # The page polls the job's status and reloads itself with the result (CSP: script from 'self').
    expect(page.locator("#roster-result")).to_contain_text("新建 300 个")
    expect(page.locator("#roster-result")).to_contain_text("管理员发放初始密码")


def test_admin_finds_a_user_edits_them_and_resets_the_password_after_confirming(page, live_server, make_user):
    admin = make_user(role="admin")
    make_user(name="赵一", employee_no="Z100", department="营业厅", team="早班")
    make_user(name="钱二", employee_no="Q200", department="10000号", team="夜班")
    sign_in(page, live_server, admin.employee_no)
    page.goto(f"{live_server}/admin/users")
    page.fill("input[name=q]", "早班")
    page.click("form.filters button")
    expect(page.locator("#users-table tbody tr")).to_have_count(1)
    row = page.locator("#users-table tr[data-employee-no=Z100]")
    row.locator("a.edit-user").click()
    expect(page.locator("#edit-employee-no")).to_have_text("Z100")
    page.fill("#name", "")
    page.click("#edit-user-form [type=submit]")
    expect(page.locator('.field-error[data-field="name"]')).to_be_visible()
    page.fill("#name", "赵一鸣")
    page.fill("#team", "晚班")
    page.select_option("#role", "trainer")
    page.click("#edit-user-form [type=submit]")
    expect(page.locator(".flash")).to_contain_text("Z100 的修改已保存")
    row = page.locator("#users-table tr[data-employee-no=Z100]")
    expect(row).to_contain_text("赵一鸣")
    expect(row).to_contain_text("晚班")
    expect(row.locator("select[name=role]")).to_have_value("trainer")

    row.locator("a.reset-password").click()
    expect(page.locator("#reset-password h1")).to_have_text("重置密码")
    page.click("#reset-password a.btn:has-text('取消')")
    expect(page.locator(".flash")).to_have_count(0)
    page.locator("#users-table tr[data-employee-no=Z100] a.reset-password").click()
    page.click("#confirm-reset")
    expect(page.locator(".flash")).to_contain_text("Z100 的临时密码")

    page.goto(f"{live_server}/hr/audit?target=Z100")
    expect(page.locator("#audit-table")).to_contain_text("赵一鸣")
