"""Role-play in Chromium: a trainee plays a scenario to the end and reads the scorecard with the
evidence highlighted; a trainer overrides one verdict with a reason; a trainer marks a call
reviewed and sees the calibration change."""
import re

import pytest
from flask_babel import to_user_timezone
from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in
from tests.roleplay.builders import import_shipped_content
from tests.roleplay.played import NO_STAFF_NUMBER, disagreeing_reviews, finished_call
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
    expect(page.locator(".versions")).to_have_count(0)  # trainees are not shown version hashes
    expect(page.locator("#practice-note")).to_contain_text("不计入岗位认证")
    expect(page.locator("#take-assessment")).to_have_attribute("href", "/roleplay/cannot-hear-you/brief")
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


def test_a_trainer_marks_a_call_reviewed_and_reads_the_calibration(page, live_server, live_app, make_user,
                                                                 shipped_roleplay):
    trainee, trainer = make_user(name="刘洋"), make_user(role="trainer", name="王芳")
    disagreeing_reviews(trainee, trainer)  # 4 staff-number judgements, κ = 0
    call = finished_call(trainee, first_reply=NO_STAFF_NUMBER)  # the machine misses the staff number
    live_app.config["CALIBRATION_MIN_N"] = 5  # flagged once this fifth call is reviewed

    sign_in(page, live_server, trainer.employee_no)
    page.goto(f"{live_server}/roleplay/calibration")
    expect(page.locator('#calibration-criteria tr[data-criterion="self_identification"] .n')).to_have_text("4")
    expect(page.locator("#calibration-criteria tr.flagged")).to_have_count(0)

    page.goto(f"{live_server}/roleplay/review?unreviewed=1")
    expect(page.locator("#review-queue tr[data-call]")).to_have_count(1)
    expect(page.locator(f'#review-queue tr[data-call="{call.id}"] .unreviewed')).to_be_visible()
    page.click("#review-queue a.btn")
    expect(page.locator('#turn-1 tr[data-criterion="self_identification"] .machine')).to_contain_text("✘")
    page.click("#mark-reviewed [type=submit]")  # a CSRF-protected form post
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#reviewed-by")).to_contain_text("王芳")
    expect(page.locator("#mark-reviewed")).to_have_count(0)

    page.click('.mainnav a[href$="/roleplay/calibration"]')
    row = page.locator('#calibration-criteria tr[data-criterion="self_identification"]')
    expect(row.locator(".n")).to_have_text("5")
    expect(row).to_have_class(re.compile(r"\bflagged\b"))
    expect(row.locator(".kappa")).to_have_text("0.17")  # p_o = .6, p_e = .52: κ = .08 / .48
    this_month = to_user_timezone(services.utcnow()).strftime("%Y-%m")  # the review just made, Shanghai time
    expect(page.locator("#calibration-criteria th.month")).to_have_text(["2026-03", "2026-04", this_month])
    page.goto(f"{live_server}/")
    expect(page.locator('#calibration-flags li[data-criterion="self_identification"]')).to_contain_text("κ 0.17")
