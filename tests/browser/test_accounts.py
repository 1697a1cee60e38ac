"""Real-browser flows in Debian's Chromium: sign in, switch language, sign out; an admin creates a
user who then signs in and must choose their own password."""
import re

from playwright.sync_api import expect

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
