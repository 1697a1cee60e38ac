"""The trainer's content room in Chromium: status, a lesson preview, then publishing."""
import shutil

import pytest
from playwright.sync_api import expect

from tests.authoring.conftest import FIXTURE_CONTENT
from tests.browser.test_accounts import sign_in
from webapp.courses.models import Lesson
from webapp.extensions import db

PREVIEW_TEXT = """\
## 开场
<script>window.__pwned = 1</script>
[危险链接](javascript:window.__pwned=2)
[下一课](02-closing.md)

::: 规范用语
“您好，很高兴为您服务。”
:::
"""


@pytest.fixture
def live_app(make_app, tmp_path):
    """The browser's app serves a copy of the small fixture content, never the repository's."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    app = make_app(WTF_CSRF_ENABLED=True, CONTENT_ROOT=str(root))
    with app.app_context():
        yield app


def test_trainer_checks_status_previews_a_lesson_and_publishes(page, live_server, live_app, make_user):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server, make_user(role="trainer").employee_no)
    expect(page.locator("#content-health #health-changes")).to_have_text("5")

    page.click("nav.mainnav >> text=内容")
    expect(page.locator("#problem-count")).to_have_text("0")
    expect(page.locator("#publish-plan code[data-outcome=created]", has_text="greeting-basics.opening")).to_be_visible()

    page.click("text=预览课程")
    page.select_option("#module_id", "greeting-basics")
    page.fill("#markdown", PREVIEW_TEXT)
    page.click("#preview-form [type=submit]")
    expect(page.locator("#lesson-toc li")).to_have_text(["开场"])
    expect(page.locator("#lesson-preview .callout-standard")).to_be_visible()
    expect(page.locator("#lesson-preview a", has_text="下一课")).to_have_attribute(
        "href", "/courses/lessons/greeting-basics.closing")
    expect(page.locator("#preview-problem-list li")).to_have_count(2)
    expect(page.locator("#preview-problem-list")).to_contain_text("preview.md 第 3 行：")
    assert page.locator("#lesson-preview script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"

    page.click(".breadcrumbs a")
    page.check("#confirm")
    page.click("#publish-form [type=submit]")
    expect(page.locator("#publish-changed")).to_be_visible()
    expect(page.locator("#result-table tr[data-kind=courses] td[data-outcome=created]")).to_have_text("3")
    assert db.session.get(Lesson, "greeting-basics.opening") is not None
    assert dialogs == []
