"""In Chromium: the header shows the unread count, the centre links to what each notification is
about, marking read empties the count, and the settings page keeps what the user chose."""
from datetime import timedelta

from playwright.sync_api import expect

from webapp.certification import engine
from webapp.certification.models import Certificate, Post
from webapp.certification.services import local_today
from webapp.extensions import db
from webapp.notifications import services
from webapp.notifications.kinds import Kind

from tests.browser.test_accounts import sign_in
from tests.notifications.queue import run_jobs


def test_trainee_reads_notifications_and_mutes_one_kind(page, live_server, live_app, make_user):
    trainee = make_user(name="张伟")
    db.session.add(Post(id="hotline-agent", title_zh="10000号客服代表", title_en="10000 hotline agent"))
    certificate = Certificate(user_id=trainee.id, post_id="hotline-agent", cycle=1, code=engine.new_verification_code(),
                              valid_until=local_today() + timedelta(days=20))
    db.session.add(certificate)
    db.session.flush()
    services.notify(trainee.id, Kind.CERTIFICATE_ISSUED, f"certificate:{certificate.id}", post="hotline-agent",
                    until=certificate.valid_until.isoformat())
    db.session.commit()
    run_jobs()  # the issue notification and the 30-day expiry reminder

    sign_in(page, live_server, trainee.employee_no)
    expect(page.locator("#unread-count")).to_contain_text("2")
    page.click("#notifications-link")
    rows = page.locator("#notifications tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("10000号客服代表")
    page.click("#mark-all-read button")
    expect(page.locator("#unread-count")).to_have_count(0)
    expect(page.locator("#notifications tr.unread")).to_have_count(0)
    page.locator("#notifications tbody a").first.click()
    expect(page).to_have_url(f"{live_server}/certification/certificates/{certificate.id}")

    page.goto(f"{live_server}/notifications/settings")
    page.uncheck("input[value=certificate_issued]")
    page.check("#daily_digest")
    page.click("#notification-settings [type=submit]")
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("input[value=certificate_issued]")).not_to_be_checked()
    expect(page.locator("input[value=certificate_expiring]")).to_be_checked()
    expect(page.locator("#daily_digest")).to_be_checked()
