"""In Chromium: a trainee completes a lesson while the LRS is down; the administrator's page shows
the statement failing with the LRS's error, then delivered once the LRS is back."""
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in
from tests.conftest import TEST_PASSWORD
from tests.xapi.conftest import import_one_module
from webapp import jobs
from webapp.clock import utcnow


def test_admin_follows_a_statement_through_an_lrs_outage(page, live_server, live_app, app, make_user, ralph,
                                                        lrs_config):
    for node in (live_app, app):  # the web server, and the worker that runs the queue here
        node.config.update(lrs_config)
    import_one_module()
    trainee, admin = make_user(), make_user(role="admin")
    sign_in(page, live_server, trainee.employee_no)
    page.goto(f"{live_server}/courses/lessons/role-awareness.role-and-duties")
    page.click("#complete-form [type=submit]")
    expect(page.locator(".flash, .alert, [role=status]").first).to_be_visible()
    page.click("#logout")

    ralph.halt()
    try:
        jobs.run_pending()
        # Straight to the page: the admin's home also checks all shipped content, slow on a busy machine.
        page.goto(f"{live_server}/login?next=/admin/learning-records/")
        page.fill("#employee_no", admin.employee_no)
        page.fill("#password", TEST_PASSWORD)
        page.click("#login-form [type=submit]")
        expect(page.locator("#statement-counts td[data-state=failing]")).to_have_text("1")
        row = page.locator("#undelivered tbody tr").first
        expect(row).to_contain_text(trainee.employee_no)
        expect(row).to_contain_text("已学完")
        expect(row.locator(".last-error")).to_contain_text("ConnectError")
    finally:
        ralph.start()
    jobs.run_pending(now=utcnow() + timedelta(hours=1))
    page.reload()
    expect(page.locator("#statement-counts td[data-state=sent]")).to_have_text("1")
    expect(page.locator("#undelivered")).to_contain_text("所有学习记录均已送达。")
