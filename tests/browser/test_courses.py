"""Course pages in Chromium: hostile lesson text runs nothing; a trainee reads, completes and
resumes a lesson of the shipped courses."""
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in
from tests.courses.fixtures import register_only_the_courses_kind
from tests.courses.hostile import HOSTILE_LESSON_BODY
from webapp.content.services import import_content
from webapp.content.sources import content_hash
from webapp.courses.models import CourseModule, Lesson, LessonVersion
from webapp.extensions import db


def store_without_validation(lesson_id: str, body: str) -> None:
    """Rows as if hostile text had slipped past validation, so only the renderer stands in the way."""
    module_id = lesson_id.split(".")[0]
    source = f"---\nid: {lesson_id}\ntitle: 恶意内容\nminutes: 1\n---\n{body}"
    module = CourseModule(id=module_id, title_zh="测试", title_en="Test", summary="…", order=1, minutes=1,
                          tags=[], source="---\n---\n", content_hash=content_hash("---\n---\n"))
    lesson = Lesson(id=lesson_id, module=module, order=1, file_name="01-lesson.md", title="恶意内容", minutes=1)
    lesson.current_version = LessonVersion(lesson=lesson, source=source, content_hash=content_hash(source))
    db.session.add_all([module, lesson])
    db.session.commit()


def test_hostile_lesson_runs_no_script(page, live_server, live_app, make_user):
    store_without_validation("hostile.lesson", HOSTILE_LESSON_BODY)
    dialogs, policy_violations = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: "Content Security Policy" in message.text and policy_violations.append(message.text))
    sign_in(page, live_server, make_user().employee_no)
    page.goto(f"{live_server}/courses/lessons/hostile.lesson")
    expect(page.locator("#lesson h1")).to_have_text("恶意内容")
    body = page.locator(".lesson-body")
    for element in body.locator("*").all():
        if element.is_visible():
            element.hover()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert policy_violations == []  # nothing even tried to run and got blocked
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert body.locator("script, iframe, object, embed, svg").count() == 0
    dangerous = body.evaluate("""root => [...root.querySelectorAll('*')].flatMap(element =>
        [...element.attributes].filter(attribute => attribute.name.startsWith('on')
            || /^\\s*(javascript|vbscript|data):/i.test(attribute.value)).map(attribute => attribute.name))""")
    assert dangerous == []


def test_trainee_reads_completes_and_is_offered_to_resume(page, live_server, live_app, make_user, monkeypatch):
    register_only_the_courses_kind(monkeypatch)
    import_content(Path(live_app.config["CONTENT_ROOT"]))
    trainee = make_user(name="张伟")
    sign_in(page, live_server, trainee.employee_no)
    page.click("nav.mainnav >> text=课程")
    progress = page.locator("#module-catalogue .progress[data-module=role-awareness]")
    expect(progress).to_have_attribute("aria-valuenow", "0")

    page.click("#module-catalogue [data-module=role-awareness] h2 a")
    page.click("#lesson-list li[data-lesson='role-awareness.role-and-duties'] a")
    expect(page.locator("#lesson-toc li").first).to_be_visible()
    page.click("#complete-form [type=submit]")  # marked as read: on to the next lesson
    expect(page).to_have_url(re.compile(r"/courses/lessons/role-awareness\.service-mindset$"))
    expect(page.locator("#complete-form")).to_be_visible()

    page.click("nav.mainnav >> text=课程")
    expect(progress).not_to_have_attribute("aria-valuenow", "0")
    page.click("#logout")

    sign_in(page, live_server, trainee.employee_no)
    resume = page.locator("#resume-link")
    expect(resume).not_to_contain_text("客服代表的角色与职责")  # finished: the next unfinished lesson instead
    resume.click()
    expect(page).to_have_url(re.compile(r"/courses/lessons/role-awareness\.service-mindset$"))
    expect(page.locator("#lesson-completed")).to_have_count(0)
