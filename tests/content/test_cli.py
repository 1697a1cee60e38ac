"""``flask content validate|import|export|stats`` on a content root in tmp_path."""

import json

import pytest

from webapp.content import registry
from webapp.content.registry import ContentKind, register_kind
from webapp.content.services import published_text
from webapp.courses.models import CourseModule, Lesson, LessonVersion
from webapp.extensions import db

from tests.courses.builders import write_lesson, write_module


@pytest.fixture
def flask_content(course_app, tmp_path):
    runner = course_app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["content", *args])

    return invoke


def row_counts():
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(model))
                 for model in (CourseModule, Lesson, LessonVersion))


def test_validate_prints_a_summary_when_clean(flask_content, tmp_path):
    write_module(tmp_path)
    result = flask_content("validate")
    assert result.exit_code == 0, result.output
    assert result.output == "3 files checked, no problems (courses.lesson 2, courses.module 1)\n"


def test_validate_prints_every_problem_with_file_and_line(flask_content, tmp_path):
    folder = write_module(tmp_path)
    write_lesson(folder, "01-first.md", "\n::: 提示\n:::\n[坏](09-none.md)")
    write_lesson(folder, "02-second.md", "<b>粗</b>")
    result = flask_content("validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        'courses/etiquette/01-first.md:8: unknown callout type "提示" (use 规范用语, 禁用语, 案例 or 要点)',
        'courses/etiquette/01-first.md:10: broken link "09-none.md": no such lesson',
        "courses/etiquette/02-second.md:7: raw HTML is not allowed (it is shown as text)",
    ]


def test_paths_narrow_validation_to_their_files(flask_content, tmp_path):
    write_module(tmp_path, "alpha")
    broken = write_module(tmp_path, "beta", order=2)
    write_lesson(broken, "02-second.md", "[坏](09-none.md)")
    assert flask_content("validate", str(tmp_path / "courses" / "alpha")).exit_code == 0
    assert flask_content("validate", str(broken / "02-second.md")).exit_code == 1
    outside = flask_content("validate", "/")
    assert outside.exit_code == 2 and "is not inside the content root" in outside.output


def test_import_counts_and_reimport_changes_nothing(flask_content, tmp_path):
    write_module(tmp_path)
    first = flask_content("import")
    assert first.exit_code == 0, first.output
    assert first.output == "courses: 3 created, 0 updated, 0 unchanged, 0 retired\n"
    assert flask_content("import").output == "courses: 0 created, 0 updated, 3 unchanged, 0 retired\n"
    assert row_counts() == (1, 2, 2)


def test_a_failed_import_writes_nothing(flask_content, tmp_path):
    folder = write_module(tmp_path)
    flask_content("import")
    write_lesson(folder, "01-first.md", "改过的正文")
    write_lesson(folder, "03-third.md", "::: 要点\n没有关上")
    result = flask_content("import")
    assert result.exit_code == 1
    assert "courses/etiquette/03-third.md:7: callout is not closed" in result.output
    assert row_counts() == (1, 2, 2)
    assert "改过的正文" not in db.session.get(Lesson, "etiquette.first").current_version.source


class ExplodingKind(ContentKind):
    """Imports after courses and fails: the courses written before it must roll back."""

    name, order = "exploding", 99

    def discover(self, files):
        return sorted(files)[:1]

    def parse(self, paths, files):
        return ["boom"], []

    def import_items(self, parsed):
        raise RuntimeError("database went away")


def test_import_is_one_transaction_across_kinds(flask_content, tmp_path, monkeypatch):
    write_module(tmp_path)
    register_kind(ExplodingKind())
    result = flask_content("import")
    assert isinstance(result.exception, RuntimeError)
    db.session.remove()
    assert row_counts() == (0, 0, 0)


def test_export_writes_the_imported_files_byte_for_byte_and_reimports_as_no_op(flask_content, tmp_path):
    folder = write_module(tmp_path)
    (folder / "images").mkdir()
    (folder / "images" / "flow.png").write_bytes(b"\x89PNG")
    write_lesson(folder, "02-second.md", "![流程](images/flow.png)")
    flask_content("import")
    out = tmp_path / "exported"
    assert flask_content("export", str(out)).output == "courses: 4 files\n"
    for name in ("module.md", "01-first.md", "02-second.md", "images/flow.png"):
        assert (out / "courses/etiquette" / name).read_bytes() == (folder / name).read_bytes()
    again = flask_content("import", "--root", str(out))
    assert again.output == "courses: 0 created, 0 updated, 3 unchanged, 0 retired\n"


def test_stats_as_json(flask_content, tmp_path):
    write_module(tmp_path)
    flask_content("import")
    stats = json.loads(flask_content("stats", "--json").output)
    assert stats["courses"] == {"modules": 1, "lessons": 2, "retired_lessons": 0, "lesson_versions": 2,
                                "completions": 0, "trainees_with_progress": 0,
                                "lessons_per_module": {"etiquette": 2},  # each body: "## 第一节" + its text
                                "chinese_characters_per_lesson": {"etiquette.first": 19, "etiquette.second": 7}}


def test_demo_load_imports_the_content(course_app, tmp_path):
    write_module(tmp_path)
    result = course_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "courses: 3 created" in result.output
    assert row_counts() == (1, 2, 2)


def test_demo_load_seeds_only_an_empty_database(course_app, tmp_path):
    """After the first start the database is the source of truth: shipped files never overwrite it."""
    folder = write_module(tmp_path)
    course_app.test_cli_runner().invoke(args=["demo", "load"])
    write_lesson(folder, "01-first.md", "磁盘上后来改过的文字")
    result = course_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0 and "already in the database" in result.output
    assert "磁盘上后来改过的文字" not in published_text("courses/etiquette/01-first.md")


def test_demo_load_refuses_content_with_problems(course_app, tmp_path):
    folder = write_module(tmp_path)
    write_lesson(folder, "01-first.md", "::: 提示\n:::")
    result = course_app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert 'courses/etiquette/01-first.md:7: unknown callout type "提示"' in result.output


def test_every_registered_kind_validates_the_repository(make_app):
    """The shipped content of every domain, checked together (cross references included)."""
    app = make_app()
    result = app.test_cli_runner().invoke(args=["content", "validate"])
    assert result.exit_code == 0, result.output
    assert registry.registered_kinds()
