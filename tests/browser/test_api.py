"""In Chromium: an admin creates an API token (shown once), an HR system uses it, the admin sees
its last use and revokes it; the reference page lists the endpoints."""
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in


def call_api(base_url: str, path: str, secret: str) -> int:
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_admin_creates_a_token_that_works_until_revoked(page, live_server, make_user):
    admin = make_user(role="admin")
    sign_in(page, live_server, admin.employee_no)
    page.goto(f"{live_server}/admin/api/tokens")
    page.fill("#name", "人力资源系统")
    page.check("input[name=scopes][value='roster:read']")
    page.select_option("#valid_days", "30")
    page.click("#token-form [type=submit]")
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("hla_")

    assert call_api(live_server, "/api/v1/roster", secret) == 200
    assert call_api(live_server, "/api/v1/certificates", secret) == 403
    page.goto(f"{live_server}/admin/api/tokens")
    expect(page.locator("#token-secret")).to_have_count(0)  # shown once only
    row = page.locator("#tokens-table tr", has_text="人力资源系统")
    expect(row.locator(".token-status")).to_contain_text("启用")
    expect(row).not_to_contain_text("从未使用")

    row.get_by_role("button", name="撤销 人力资源系统").click()
    expect(page.locator("#tokens-table tr", has_text="人力资源系统").locator(".token-status")).to_contain_text("已撤销")
    assert call_api(live_server, "/api/v1/roster", secret) == 401

    page.goto(f"{live_server}/api/docs")
    expect(page.locator("#listRoster h2")).to_contain_text("/api/v1/roster")
