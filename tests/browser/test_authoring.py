"""The trainers' editor in Chromium: a lesson from a template, live preview and problems, a draft,
publishing, and a trainee reading the result."""
import shutil

import pytest
from playwright.sync_api import expect

from tests.authoring.conftest import FIXTURE_CONTENT
from tests.browser.test_accounts import sign_in
from webapp.content.services import import_content

LESSON = "courses/greeting-basics/03-hold-on.md"


@pytest.fixture
def live_app(make_app, tmp_path):
    """The browser's app on the small fixture content, imported into its database."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    app = make_app(WTF_CSRF_ENABLED=True, CONTENT_ROOT=str(root))
    with app.app_context():
        import_content(root)
        yield app


def test_trainer_writes_a_lesson_from_a_template_and_a_trainee_reads_it(page, live_server, live_app, make_user):
    sign_in(page, live_server, make_user(role="trainer").employee_no)
    page.click("nav.mainnav >> text=内容")
    page.select_option("#what", "lesson")
    page.select_option("#module", "greeting-basics")
    page.fill("#order", "3")
    page.fill("#slug", "hold-on")
    page.click("#create")
    expect(page.locator(".editor-title code")).to_have_text(LESSON)
    editor = page.locator(".cm-content")
    expect(editor).to_be_visible()  # CodeMirror took over the textarea
    expect(page.locator("#editor-preview h1")).to_have_text("新课标题")

    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n## 请客户稍等\n\n请稍等，我帮您查询一下。\n")
    expect(page.locator("#editor-preview h2", has_text="请客户稍等")).to_be_visible()

    page.keyboard.press("Control+Home")
    for _line in range(3):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End")
    page.keyboard.type("x")  # line 4 now reads "minutes: 10x"
    problem = page.locator('#editor-problems li[data-line="4"]')
    expect(problem).to_contain_text('"minutes" must be a whole number above 0')
    expect(problem).to_contain_text(f"{LESSON} 第 4 行")
    expect(page.locator(".cm-lint-marker-error")).to_have_count(1)
    page.keyboard.press("Backspace")
    expect(page.locator("#problem-count")).to_have_text("0")

    expect(page.locator("#autosave-state")).to_have_text("草稿已保存")
    page.click("#save")
    expect(page.locator(".flash-success")).to_contain_text("草稿已保存")
    page.click("#publish-link") if page.locator("#publish-link").count() else page.click(".breadcrumbs >> text=发布我的草稿")
    expect(page.locator(f'#paths input[value="{LESSON}"]')).to_be_checked()
    page.fill("#message", "新增一课：请客户稍等")
    page.click("#publish-form [type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("已发布")

    page.click("#logout")
    sign_in(page, live_server, make_user(name="张伟").employee_no)
    page.goto(f"{live_server}/courses/lessons/greeting-basics.hold-on")
    expect(page.locator("#lesson h1")).to_have_text("新课标题")
    expect(page.locator(".lesson-body")).to_contain_text("请稍等，我帮您查询一下。")
