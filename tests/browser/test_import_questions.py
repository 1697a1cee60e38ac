"""A trainer imports a small mixed GIFT file in Chromium: three statuses, a draft bank, then publishing."""
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in
from tests.browser.test_authoring import live_app  # noqa: F401 (the app on a copy of the fixture content)
from webapp.extensions import db
from webapp.quizzes.models import BankQuestion

MIXED = Path(__file__).parent.parent / "authoring" / "fixtures" / "imports" / "mixed.gift"


def test_trainer_previews_a_mixed_file_imports_a_draft_and_publishes(page, live_server, live_app, make_user):
    sign_in(page, live_server, make_user(role="trainer").employee_no)
    page.click("nav.mainnav >> text=内容")
    page.click("#import-questions-link")
    page.set_input_files("#upload", str(MIXED))
    page.select_option("#file_format", "gift")
    page.click("#preview")

    items = page.locator(".import-item")
    expect(items).to_have_count(3)
    expect(page.locator('.import-item[data-status="converted"]')).to_contain_text("已转换")
    expect(page.locator('.import-item[data-status="changed"]')).to_contain_text("HTML tags dropped")
    expect(page.locator('.import-item[data-status="not_converted"]')).to_contain_text("第 6 行")
    expect(page.locator('.import-item[data-status="not_converted"]')).to_contain_text("essay")
    expect(page.locator(".import-item .quiz-question input[type=radio]")).to_have_count(5)
    expect(page.locator(".import-item .quiz-question input:checked")).to_have_count(0)

    page.fill("#bank_id", "moodle-greeting")
    page.fill("#title", "Moodle 导入")
    page.select_option("#lesson", "greeting-basics.opening")
    page.click("#save")
    expect(page.locator(".editor-title code")).to_have_text("quizzes/banks/moodle-greeting.md")
    expect(page.locator("#problem-count")).to_have_text("0")

    page.click(".breadcrumbs >> text=发布我的草稿")
    page.fill("#message", "从 Moodle 导入")
    page.click("#publish-form [type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("已发布")
    assert db.session.get(BankQuestion, "moodle-greeting.q001") is not None


PICTURED = Path(__file__).parent.parent / "quizzes" / "data" / "pictured.xml"


def test_trainer_imports_a_moodle_xml_file_whose_image_is_previewed_and_published(page, live_server, live_app, make_user):
    sign_in(page, live_server, make_user(role="trainer").employee_no)
    page.goto(f"{live_server}/authoring/questions/import")
    page.set_input_files("#upload", str(PICTURED))
    page.select_option("#file_format", "moodle-xml")
    page.click("#preview")

    image = page.locator('.import-item[data-status="converted"] img[alt="话机按键"]')
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 24  # served from the database
    expect(page.locator('.import-item[data-status="not_converted"]')).to_contain_text(
        "posture.png not converted: the file is not a PNG, JPEG, GIF or WebP image")

    page.fill("#bank_id", "pictured")
    page.fill("#title", "看图识键")
    page.select_option("#lesson", "greeting-basics.opening")
    page.click("#save")
    expect(page.locator("#problem-count")).to_have_text("0")
    page.click(".breadcrumbs >> text=发布我的草稿")
    page.fill("#message", "从 Moodle 导入带图的题")
    page.click("#publish-form [type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("已发布")

    page.goto(f"{live_server}/quizzes/manage/questions/pictured.q001")
    published = page.locator('img[alt="话机按键"]')
    expect(published).to_be_visible()
    assert published.evaluate("img => img.complete && img.naturalWidth") == 24
