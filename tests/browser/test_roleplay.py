"""Role-play in Chromium: a trainee plays a scenario to the end and reads the scorecard with the
evidence highlighted; a trainer overrides one verdict with a reason."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in
from tests.roleplay.builders import import_shipped_content
from webapp.roleplay import services


@pytest.fixture
def shipped_roleplay(live_app):
    import_shipped_content()


def test_trainee_plays_a_call_and_a_trainer_overrides_a_verdict(page, live_server, make_user, shipped_roleplay):
    trainee, trainer = make_user(name="张伟"), make_user(role="trainer", name="王芳")
    scenario = services.scenario_of(services.current_version_of("cannot-hear-you"))
    sign_in(page, live_server, trainee.employee_no)
    page.goto(f"{live_server}/roleplay/#cannot-hear-you")  # the link certification gives
    expect(page.locator("tr:target")).to_have_attribute("data-scenario", "cannot-hear-you")
    page.click('tr[data-scenario="cannot-hear-you"] button[data-mode="practice"]')
    expect(page.locator("#customer-line")).to_contain_text("喂？喂？有人吗")
    expect(page.locator("#mood")).to_be_visible()
    expect(page.locator("#reply-timer")).to_have_attribute("data-limit", str(scenario.seconds_per_reply))
    expect(page.locator("#late-warning")).to_be_hidden()

    replies = [turn.model_reply for turn in scenario.turns]
    replies[0] = "你好，10000号，您的电话已接通，请讲话。"  # 你 and no staff number
    for reply in replies:
        page.fill("#text", reply)
        page.click("#reply-form [type=submit]")

    expect(page).to_have_url(re.compile(r"/scorecard$"))
    expect(page.locator("#turn-1 .reply mark.evidence-violation")).to_have_text("你")
    expect(page.locator("#turn-1 .reply mark.evidence-met").first).to_be_visible()
    expect(page.locator('#turn-1 tr[data-criterion="self_identification"] .verdict')).to_contain_text("✘")
    expect(page.locator(".versions[data-scenario-version]")).to_have_attribute(
        "data-scenario-version", services.current_version_of("cannot-hear-you").content_hash)
    expect(page.locator("#turn-1 .feedback-list")).to_contain_text("您")
    score_before = page.locator("#score").inner_text()
    page.click("#logout")

    sign_in(page, live_server, trainer.employee_no)
    page.goto(f"{live_server}/roleplay/review")
    page.check('#review-filters input[name="unreviewed"]')
    page.fill('#review-filters input[name="trainee"]', trainee.employee_no)
    page.click("#review-filters button")
    expect(page.locator("#review-queue tr[data-call]")).to_have_count(1)
    page.click("#review-queue a.btn")
    row = page.locator('#turn-1 tr[data-criterion="self_identification"]')
    row.locator("summary").click()
    row.locator('input[name="passed"][value="1"]').check()
    row.locator('textarea[name="reason"]').fill("录音里报了工号，转写漏掉了")
    row.locator("button").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(row.locator(".verdict")).to_contain_text("✔")
    expect(row.locator(".machine")).to_contain_text("✘")
    expect(page.locator("#turn-1 .override-note")).to_contain_text("录音里报了工号，转写漏掉了")
    assert page.locator("#score").inner_text() != score_before
