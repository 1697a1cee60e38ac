"""Fixtures for tests that import course content: an app whose CONTENT_ROOT is tmp_path, with
only the courses kind registered so other domains' kinds do not look for their files there."""

import pytest

from webapp.content import registry
from webapp.content.services import import_content
from webapp.courses.kind import CoursesKind

from .builders import write_module


def register_only_the_courses_kind(monkeypatch) -> None:
    """Call after the app exists: create_app registers every domain's kinds again."""
    monkeypatch.setattr(registry, "_kinds", {"courses": CoursesKind()})


@pytest.fixture
def course_app(make_app, tmp_path, monkeypatch):
    app = make_app(CONTENT_ROOT=str(tmp_path))
    register_only_the_courses_kind(monkeypatch)
    with app.app_context():
        yield app


@pytest.fixture
def course_client(course_app):
    return course_app.test_client()


@pytest.fixture
def imported(course_app, tmp_path):
    """Two modules imported: etiquette (01-first, 02-second) and complaints (01-first, 02-second)."""
    write_module(tmp_path, "etiquette", order=1)
    write_module(tmp_path, "complaints", order=2, title_zh="投诉处理", title_en="Complaint handling")
    import_content(tmp_path)
    return tmp_path
