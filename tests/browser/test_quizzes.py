"""A trainee takes a quiz in Chromium: answers are saved as they go, survive a reload, and the
result page shows the review the quiz's policy allows."""
import re

from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in
from tests.quizzes.conftest import install, quiz_text


def test_trainee_answers_reloads_submits_and_sees_the_review(page, live_server, live_app, make_user):
    install(None, quiz_text(review="after_attempt", attempts_allowed=3))
    trainee = make_user(name="李雷")
    sign_in(page, live_server, trainee.employee_no)
    page.goto(f"{live_server}/quizzes/")
    page.click("tr[data-quiz='demo.quiz'] [data-start]")  # a timed quiz: its briefing first
    expect(page.locator("#brief-time")).to_contain_text("30 分钟")
    page.click("#brief-start button")
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/\d+$"))
    expect(page.locator("#quiz-timer")).to_have_text(re.compile(r"^(30:00|29:5\d)$"))

    single = page.locator("fieldset[data-type=single]")
    single.locator("input[type=radio]").nth(1).check()
    expect(page.locator("#save-status")).to_have_text("所有答案已保存。")
    chosen_text = single.locator("label.quiz-choice").nth(1).inner_text()
    page.locator("fieldset[data-type=fill] input[type=text]").fill("先查证，后退费")
    expect(page.locator("fieldset[data-type=fill]")).to_have_attribute("data-saved", "yes", timeout=5000)
    ordering = page.locator("fieldset[data-type=ordering] select")
    ordering.nth(0).select_option(index=1)
    expect(page.locator("fieldset[data-type=ordering]")).to_have_attribute("data-saved", "yes")

    page.reload()
    single = page.locator("fieldset[data-type=single]")
    expect(single.locator("input[type=radio]").nth(1)).to_be_checked()
    expect(single.locator("label.quiz-choice").nth(1)).to_have_text(chosen_text)  # same option order
    expect(page.locator("fieldset[data-type=fill] input[type=text]")).to_have_value("先查证，后退费")
    expect(page.locator("fieldset[data-type=ordering] select").nth(0)).not_to_have_value("")

    page.once("dialog", lambda dialog: dialog.accept())  # three questions are left unanswered
    page.click("#submit-attempt")
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(page.locator("#attempt-result")).to_have_attribute("data-state", "graded")
    expect(page.locator(".quiz-review-item")).to_have_count(6)
    expect(page.locator("#review-marks-only")).to_be_visible()  # after_attempt with attempts left
    expect(page.locator(".quiz-correct-answer")).to_have_count(0)
    expect(page.locator(".quiz-explanation")).to_have_count(0)
    expect(page.locator(".quiz-your-answer").first).to_be_visible()
