"""Certification in Chromium: a trainee completes the last lesson and finds the certificate; HR
filters the roster and downloads the CSV; the public verification page says valid, then revoked."""
import csv
import io
import re

from playwright.sync_api import expect

from tests.browser.test_accounts import sign_in
from tests.certification.conftest import StubRecords, records_meeting
from tests.conftest import ROOT
from webapp.content.registry import read_content_root
from webapp.certification import engine, services
from webapp.certification.kind import PostsKind
from webapp.certification.models import Certificate
from webapp.courses import services as courses
from webapp.courses.kind import CoursesKind
from webapp.courses.models import CourseModule
from webapp.extensions import db
from webapp.hr import tallies

POST_ID = "telemarketer"
LAST_MODULE = "role-awareness"


def import_posts_and_one_module() -> None:
    files = read_content_root(ROOT)
    for kind, paths in ((CoursesKind(), files.matching(f"courses/{LAST_MODULE}/*.md")),
                        (PostsKind(), [f"quizzes/posts/{POST_ID}.md"])):
        parsed, problems = kind.parse(paths, files)
        assert problems == []
        kind.import_items(parsed)
    db.session.commit()


def records_with_real_lessons(monkeypatch) -> None:
    """Quizzes, calls and the other modules are done (stubbed); role-awareness comes from real lessons."""
    definition = services.definition_of(services.posts_in_order()[0])
    done = records_meeting(definition)

    def trainee_records(user_id: int) -> engine.TraineeRecords:
        modules = {m: c for m, c in done.modules.items() if m != LAST_MODULE}
        completed = courses.completed_modules(user_id)
        if LAST_MODULE in completed:
            real = completed[LAST_MODULE]
            modules[LAST_MODULE] = engine.ModuleCompletion(real.module_id, real.completed_at, real.lesson_versions)
        return engine.TraineeRecords(modules, done.quizzes, done.scenarios)

    monkeypatch.setattr(services, "trainee_records", trainee_records)


def test_trainee_completes_the_last_lesson_and_gets_the_certificate(page, live_server, make_user, monkeypatch):
    import_posts_and_one_module()
    records_with_real_lessons(monkeypatch)
    trainee = make_user(name="周婷")
    services.assign_post(trainee, services.posts_in_order()[0], None, None)
    db.session.commit()
    *earlier, last = db.session.get(CourseModule, LAST_MODULE).current_lessons
    for lesson in earlier:
        courses.mark_complete(trainee.id, lesson)

    sign_in(page, live_server, trainee.employee_no)
    page.goto(f"{live_server}/certification/")
    remaining = page.locator(f"#post-{POST_ID} .remaining li")
    expect(remaining).to_have_count(1)
    expect(remaining.first).to_have_attribute("data-target", LAST_MODULE)

    page.goto(f"{live_server}/courses/lessons/{last.id}")
    page.click("#complete-form [type=submit]")  # the module's last lesson: nothing left in the plan
    expect(page.locator(f"#lesson-list li[data-lesson='{last.id}'].done")).to_be_visible()

    page.goto(f"{live_server}/certification/")
    expect(page.locator(f"#post-{POST_ID} .badge[data-state]")).to_have_attribute("data-state", "certified")
    page.click(f"#post-{POST_ID} a.btn-primary")
    expect(page.locator("#certificate h1")).to_have_text("电话营销专员")
    with page.expect_download() as download:
        page.click("#download-pdf")
    assert download.value.suggested_filename.endswith(".pdf")
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1


def test_hr_filters_downloads_and_revokes_and_the_public_page_follows(page, live_server, make_user, monkeypatch):
    import_posts_and_one_module()
    stub = StubRecords()
    monkeypatch.setattr(services, "trainee_records", stub)
    post = services.posts_in_order()[0]
    hr = make_user(role="hr")
    holder = make_user(name="赵雪", department="电话营销中心")
    other = make_user(department="营业厅")
    for trainee in (holder, other):
        services.assign_post(trainee, post, None, hr)
    db.session.commit()
    stub.complete(holder, post)
    (certificate,) = services.issue_due_certificates(holder.id)
    tallies.bring_to(db.session, services.local_today())  # the roster's counts add up the tallies
    db.session.commit()

    page.goto(f"{live_server}/verify/{certificate.code}")
    expect(page.locator("#verification .badge")).to_have_attribute("data-validity", "valid")
    expect(page.locator("#verification")).to_contain_text("赵*")

    sign_in(page, live_server, hr.employee_no)
    page.goto(f"{live_server}/hr/")
    page.select_option("#roster-filters select[name=department]", "电话营销中心")
    page.click("#roster-filters button")
    expect(page).to_have_url(re.compile(r"department="))
    expect(page.locator("#roster-table tbody tr")).to_have_count(1)
    expect(page.locator("#roster-table tbody tr").first).to_have_attribute("data-employee-no", holder.employee_no)
    with page.expect_download() as download:
        page.click("#export-csv")
    data = download.value.path().read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [(row["工号"], row["状态"]) for row in rows] == [(holder.employee_no, "已认证")]
    with page.expect_download() as download:
        page.click("#export-csv-machine")
    data = download.value.path().read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [(row["employee_no"], row["status"]) for row in rows] == [(holder.employee_no, "certified")]
    assert rows[0]["verify_url"].endswith(f"/verify/{certificate.code}")

    page.click(f"#roster-table tr[data-employee-no='{holder.employee_no}'] a.btn-danger")
    page.fill("#reason", "转岗，不再从事电话营销")
    page.click("#revoke-form [type=submit]")
    expect(page.locator(f"#roster-table tr[data-employee-no='{holder.employee_no}']")).to_have_attribute(
        "data-state", "revoked")
    page.goto(f"{live_server}/hr/")  # the revocation recounted the tallies it touched
    expect(page.locator("a[data-state=revoked] strong")).to_have_text("1")
    expect(page.locator("a[data-state=certified] strong")).to_have_text("0")

    page.goto(f"{live_server}/verify/{certificate.code}")
    expect(page.locator("#verification .badge")).to_have_attribute("data-validity", "revoked")


def test_hr_marks_a_requirement_as_met_and_revokes_the_override(page, live_server, make_user, monkeypatch):
    """With CSRF on: the override form, the trainee's dashboard showing it, and revoking it."""
    import_posts_and_one_module()
    stub = StubRecords()
    monkeypatch.setattr(services, "trainee_records", stub)
    post = services.posts_in_order()[0]
    hr = make_user(role="hr", name="人事李娜")
    trainee = make_user(name="何苗", department="电话营销中心")
    services.assign_post(trainee, post, None, hr)
    db.session.commit()
    done = records_meeting(services.definition_of(post))
    stub.by_user[trainee.id] = engine.TraineeRecords(done.modules, done.quizzes, {})  # calls missing

    sign_in(page, live_server, hr.employee_no)
    page.goto(f"{live_server}/hr/")
    page.click(f"#roster-table tr[data-employee-no='{trainee.employee_no}'] a.assignment-link")
    expect(page.locator("#assignment .badge[data-state]")).to_have_attribute("data-state", "in_progress")
    page.select_option("#override-form select[name=requirement]", "scenarios")
    page.fill("#override-form textarea[name=reason]", "线下情景考核通过（2026年11月）")
    page.click("#override-form [type=submit]")
    expect(page.locator("#assignment .badge[data-state]")).to_have_attribute("data-state", "certified")
    expect(page.locator("#override-table tr[data-requirement=scenarios]")).to_have_attribute("data-active", "yes")
    page.goto(f"{live_server}/hr/")
    expect(page.locator(f"#roster-table tr[data-employee-no='{trainee.employee_no}'] [data-overrides]")).to_be_visible()

    page.goto(f"{live_server}/hr/audit?action=requirement.")
    expect(page.locator("#audit-table tr[data-action='requirement.override']")).to_have_count(1)
    page.goto(f"{live_server}/hr/")
    page.click(f"#roster-table tr[data-employee-no='{trainee.employee_no}'] a.assignment-link")
    row = page.locator("#override-table tr[data-requirement=scenarios]")
    row.locator("input[name$=reason]").fill("考核记录有误")
    row.locator("[type=submit]").click()
    expect(page.locator("#override-table tr[data-requirement=scenarios]")).to_have_attribute("data-active", "no")

    page.context.clear_cookies()  # sign out
    sign_in(page, live_server, trainee.employee_no)
    page.goto(f"{live_server}/certification/")
    expect(page.locator(f"#post-{POST_ID} .badge[data-state]")).to_have_attribute("data-state", "certified")
    expect(page.locator(f"#post-{POST_ID} [data-override]")).to_have_count(0)  # revoked: no longer shown
