import pytest

from webapp.audit.models import AuditEntry
from webapp.authoring import services
from webapp.content.problems import ContentProblems
from webapp.content.services import content_stats, import_content
from webapp.courses.models import CourseModule, Lesson
from webapp.extensions import db
from webapp.quizzes.kinds import BanksKind

from .conftest import MODULE, replace_in


def plan_of(status, kind):
    return next(plan for plan in status.plans if plan.kind == kind)


def publish_entries() -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == services.PUBLISH_ACTION)))


def stored_counts() -> dict:
    return {kind: stats for kind, stats in content_stats().items() if kind in ("courses", "banks")}


def break_closing_lesson(content_root):
    """Line 10 of 02-closing.md opens a callout of an unknown type (the bank then misses the module)."""
    replace_in(content_root / MODULE / "02-closing.md", "::: 要点", "::: 提示")


def test_status_lists_every_problem_as_path_line_and_plans_nothing(app, content_root):
    break_closing_lesson(content_root)
    status = services.content_status()
    shown = [str(problem) for problem in status.problems]
    assert f'{MODULE}/02-closing.md:10: unknown callout type "提示" (use 规范用语, 禁用语, 案例 or 要点)' in shown
    assert 'quizzes/banks/greeting-basics.md:2: unknown module "greeting-basics"' in shown
    assert not status.publishable and status.plans == []
    assert status.files == 4


def test_status_plans_new_items_with_ids_without_writing(app):
    before = stored_counts()
    status = services.content_status()
    courses, banks = plan_of(status, "courses"), plan_of(status, "banks")
    assert courses.counts == {"created": 3, "updated": 0, "unchanged": 0, "retired": 0}
    assert courses.ids["created"] == ["greeting-basics", "greeting-basics.closing", "greeting-basics.opening"]
    assert banks.counts["created"] == 2
    assert set(banks.ids["created"]) >= {"greeting-basics.q001", "greeting-basics.q002"}
    assert plan_of(status, "posts").files == 0
    assert status.pending_changes == 5
    assert stored_counts() == before  # the dry run was rolled back
    assert db.session.get(CourseModule, "greeting-basics") is None


def test_status_after_edits_shows_changed_retired_and_unchanged_ids(app, content_root):
    import_content(content_root)
    replace_in(content_root / MODULE / "01-opening.md", "接起电话先问好", "接起电话先主动问好")
    (content_root / MODULE / "02-closing.md").unlink()
    replace_in(content_root / MODULE / "01-opening.md", "[结束语](02-closing.md)", "结束语")
    replace_in(content_root / "quizzes/banks/greeting-basics.md", "lesson: greeting-basics.closing",
               "lesson: greeting-basics.opening")
    courses = plan_of(services.content_status(), "courses")
    assert courses.counts == {"created": 0, "updated": 1, "unchanged": 1, "retired": 1}
    assert courses.ids == {"created": [], "updated": ["greeting-basics.opening"], "retired": ["greeting-basics.closing"]}
    assert courses.unchanged_ids == {"courses.module": ["greeting-basics"], "courses.lesson": []}
    assert db.session.get(Lesson, "greeting-basics.closing").retired_at is None  # still only planned


def test_publish_imports_every_kind_and_audits_the_counts(app, content_root, make_user):
    trainer = make_user(role="trainer")
    counts = services.publish(trainer, services.content_fingerprint(content_root))
    assert counts["courses"]["created"] == 3 and counts["banks"]["created"] == 2
    assert db.session.get(Lesson, "greeting-basics.opening") is not None
    [entry] = publish_entries()
    assert entry.actor_id == trainer.id and entry.details == {"counts": counts}
    assert services.content_status().pending_changes == 0


def test_publishing_unchanged_content_changes_nothing(app, content_root, make_user):
    trainer = make_user(role="trainer")
    services.publish(trainer, services.content_fingerprint(content_root))
    versions = stored_counts()
    again = services.publish(trainer, services.content_fingerprint(content_root))
    assert not services.changed_anything(again)
    assert again["courses"] == {"created": 0, "updated": 0, "unchanged": 3, "retired": 0}
    assert stored_counts() == versions


def test_publish_refuses_content_with_problems_and_writes_nothing(app, content_root, make_user):
    break_closing_lesson(content_root)
    with pytest.raises(ContentProblems):
        services.publish(make_user(role="trainer"), services.content_fingerprint(content_root))
    db.session.rollback()
    assert db.session.get(CourseModule, "greeting-basics") is None
    assert publish_entries() == []


def test_publish_is_all_or_nothing_when_a_later_kind_fails(app, content_root, make_user, monkeypatch):
    def failing_import(self, parsed):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(BanksKind, "import_items", failing_import)
    with pytest.raises(RuntimeError):
        services.publish(make_user(role="trainer"), services.content_fingerprint(content_root))
    assert db.session.get(CourseModule, "greeting-basics") is None  # courses ran first and were rolled back
    assert publish_entries() == []


def test_publish_refuses_files_changed_since_the_review(app, content_root, make_user):
    reviewed = services.content_fingerprint(content_root)
    replace_in(content_root / MODULE / "01-opening.md", "再说明身份", "再报工号")
    with pytest.raises(services.ContentChangedSinceReview):
        services.publish(make_user(role="trainer"), reviewed)
    assert db.session.get(CourseModule, "greeting-basics") is None


def test_content_health_counts_problems_and_pending_changes(app, content_root):
    assert services.content_health() == services.ContentHealth(problems=0, pending_changes=5)
    import_content(content_root)
    assert services.content_health() == services.ContentHealth(problems=0, pending_changes=0)
    break_closing_lesson(content_root)
    assert services.content_health() == services.ContentHealth(problems=len(services.content_status().problems), pending_changes=None)


HOSTILE = """\
---
id: greeting-basics.preview
title: 预览
minutes: 5
---
## 小节
<script>alert(1)</script>
[点我](javascript:alert(2))
[数据](data:text/html;base64,PHNjcmlwdD4=)
[下一课](02-closing.md) 与 [不存在](09-missing.md)
::: 提示
内容
:::
"""


def test_preview_escapes_hostile_markdown_and_reports_problems_by_line(app):
    with app.test_request_context():
        preview = services.preview_lesson(HOSTILE, "greeting-basics")
    html = preview.rendered.html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html and "data:text" not in html
    assert 'href="/courses/lessons/greeting-basics.closing"' in html
    assert preview.title == "预览"
    assert [entry.anchor for entry in preview.rendered.toc] == ["小节"]
    assert [(problem.line, problem.message.split(" ")[0]) for problem in preview.problems] == [
        (7, "raw"), (8, "link"), (9, "link"), (10, "broken"), (11, "unknown")]


def test_preview_of_a_body_without_front_matter_counts_lines_from_one(app):
    with app.test_request_context():
        preview = services.preview_lesson("## 标题\r\n正文\r\n# 一级标题", "greeting-basics")
    assert preview.title is None
    assert [(problem.path, problem.line) for problem in preview.problems] == [(services.PREVIEW_PATH, 3)]


def test_modules_on_disk_are_the_folders_with_a_module_file(app):
    assert services.modules_on_disk() == ["greeting-basics"]
