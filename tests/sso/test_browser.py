"""In Debian's Chromium: the OpenID Connect redirect flow through the real provider's pages."""
import re

from playwright.sync_api import expect


def test_sign_in_with_the_provider_in_a_real_browser(page, live_server, provider):
    provider.set_user("sub-browser", employee_number="OB001", name="褚云", department="east-hall")
    page.goto(f"{live_server}/login")
    page.click("#sso-button")
    expect(page).to_have_url(re.compile(rf"^{re.escape(provider.issuer)}/oauth2/authorize"))
    page.fill("input[name=sub]", "sub-browser")
    page.get_by_role("button", name="Authorize").click()
    expect(page.locator("#welcome h1")).to_have_text("欢迎，褚云")
    assert page.url.startswith(live_server)
