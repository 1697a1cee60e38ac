import pytest

from webapp.content.services import import_content
from webapp.courses import services
from webapp.courses.models import CourseModule, LastRead, Lesson, LessonProgress, LessonVersion
from webapp.extensions import db
from webapp.registry import progress_recorded

from .builders import write_file, write_lesson


def lesson(lesson_id):
    return db.session.get(Lesson, lesson_id)


def versions_of(lesson_id):
    return list(db.session.scalars(db.select(LessonVersion).where(LessonVersion.lesson_id == lesson_id)
                                   .order_by(LessonVersion.id)))


@pytest.fixture
def trainee(make_user, course_app):
    return make_user()


@pytest.fixture
def signals():
    received = []

    def receiver(sender, user_id):
        received.append(user_id)

    progress_recorded.connect(receiver)
    yield received
    progress_recorded.disconnect(receiver)


def test_import_stores_modules_lessons_and_versions(imported):
    module = db.session.get(CourseModule, "etiquette")
    assert (module.title_zh, module.title_en, module.order, module.tags) == ("电话礼仪", "Telephone etiquette", 1,
                                                                             ["礼仪", "规范用语"])
    assert [item.id for item in module.current_lessons] == ["etiquette.first", "etiquette.second"]
    first = lesson("etiquette.first")
    assert first.current_version.source == (imported / "courses/etiquette/01-first.md").read_text()
    assert len(first.current_version.content_hash) == 64


def test_an_edit_adds_a_version_and_keeps_progress(imported, trainee):
    services.mark_complete(trainee.id, lesson("etiquette.first"))
    old = lesson("etiquette.first").current_version
    write_lesson(imported / "courses/etiquette", "01-first.md", "改写后的正文")
    assert import_content(imported)["courses"] == {"created": 0, "updated": 1, "unchanged": 5, "retired": 0}
    first = lesson("etiquette.first")
    assert [v.id for v in versions_of("etiquette.first")] == [old.id, first.current_version_id]
    assert "改写后的正文" in first.current_version.source and "改写后的正文" not in old.source
    assert services.completion_of(trainee.id, "etiquette.first").lesson_version_id == old.id


def test_reverting_an_edit_points_back_at_the_earlier_version(imported):
    folder = imported / "courses/etiquette"
    original = (folder / "01-first.md").read_text()
    first_version = lesson("etiquette.first").current_version_id
    write_lesson(folder, "01-first.md", "临时改动")
    import_content(imported)
    (folder / "01-first.md").write_text(original)
    import_content(imported)
    assert lesson("etiquette.first").current_version_id == first_version
    assert len(versions_of("etiquette.first")) == 2


def test_significant_change_flags_the_version_and_the_module(imported, trainee):
    services.mark_complete(trainee.id, lesson("etiquette.first"))
    evidence = services.completion_of(trainee.id, "etiquette.first").lesson_version.content_hash
    assert db.session.get(CourseModule, "etiquette").significant_changed_at is None
    write_lesson(imported / "courses/etiquette", "01-first.md", "新规定", extra="\nsignificant_change: true")
    import_content(imported)
    assert lesson("etiquette.first").current_version.significant is True
    assert db.session.get(CourseModule, "etiquette").significant_changed_at is not None
    assert services.significantly_changed_lessons({"etiquette.first": evidence}) == {"etiquette.first"}
    current = lesson("etiquette.first").current_version.content_hash
    assert services.significantly_changed_lessons({"etiquette.first": current}) == set()


def test_a_minor_edit_is_not_significant(imported):
    evidence = lesson("etiquette.first").current_version.content_hash
    write_lesson(imported / "courses/etiquette", "01-first.md", "错别字修正")
    import_content(imported)
    assert services.significantly_changed_lessons({"etiquette.first": evidence}) == set()
    assert db.session.get(CourseModule, "etiquette").significant_changed_at is None


def test_a_removed_lesson_is_retired_and_can_come_back(imported):
    second = imported / "courses/etiquette/02-second.md"
    text = second.read_text()
    write_lesson(imported / "courses/etiquette", "01-first.md", "不再链接第二课")
    second.unlink()
    assert import_content(imported)["courses"]["retired"] == 1
    assert [item.id for item in db.session.get(CourseModule, "etiquette").current_lessons] == ["etiquette.first"]
    second.write_text(text)
    import_content(imported)
    assert lesson("etiquette.second").retired_at is None


def test_mark_complete_is_idempotent_and_signals_once(imported, trainee, signals):
    assert services.mark_complete(trainee.id, lesson("etiquette.first")) is True
    assert services.mark_complete(trainee.id, lesson("etiquette.first")) is False
    assert signals == [trainee.id]
    assert db.session.scalar(db.select(db.func.count()).select_from(LessonProgress)) == 1


def test_progress_by_module(imported, trainee):
    services.mark_complete(trainee.id, lesson("etiquette.first"))
    progress = {item.module.id: (item.completed, item.lessons, item.percent)
                for item in services.progress_by_module(trainee.id)}
    assert progress == {"etiquette": (1, 2, 50), "complaints": (0, 2, 0)}
    assert [item.completed for item in services.progress_by_module(None)] == [0, 0]


def test_completed_modules_need_every_current_lesson(imported, trainee):
    services.mark_complete(trainee.id, lesson("etiquette.first"))
    assert services.completed_modules(trainee.id) == {}
    services.mark_complete(trainee.id, lesson("etiquette.second"))
    [completion] = services.completed_modules(trainee.id).values()
    assert completion.module_id == "etiquette"
    assert completion.lesson_versions == {
        "etiquette.first": lesson("etiquette.first").current_version.content_hash,
        "etiquette.second": lesson("etiquette.second").current_version.content_hash,
    }
    assert completion.completed_at == services.completion_of(trainee.id, "etiquette.second").completed_at
    write_lesson(imported / "courses/etiquette", "03-third.md", "新增的一课")
    import_content(imported)
    assert services.completed_modules(trainee.id) == {}


def test_last_read_lesson_is_offered_to_resume(imported, trainee):
    assert services.resume_lesson(trainee.id) is None
    services.remember_last_read(trainee.id, lesson("etiquette.first"))
    services.remember_last_read(trainee.id, lesson("complaints.second"))
    assert services.resume_lesson(trainee.id).id == "complaints.second"
    assert db.session.scalar(db.select(db.func.count()).select_from(LastRead)) == 1


def test_neighbours_within_the_module(imported):
    assert services.neighbours(lesson("etiquette.first")) == (None, lesson("etiquette.second"))
    assert services.neighbours(lesson("etiquette.second")) == (lesson("etiquette.first"), None)


def test_rendered_lessons_are_cached_by_content_hash(imported, course_app):
    with course_app.test_request_context():
        first = services.rendered_lesson(lesson("etiquette.first"))
        assert services.rendered_lesson(lesson("etiquette.first")) is first
    assert 'href="/courses/lessons/etiquette.second"' in first.html
    assert '<aside class="callout callout-standard">' in first.html


def test_a_first_completion_is_sent_inside_its_transaction(imported, trainee):
    from webapp.registry import lesson_completed

    seen = []
    receiver = lambda sender, **kwargs: seen.append((kwargs, bool(db.session.new)))  # noqa: E731
    lesson_completed.connect(receiver)
    try:
        services.mark_complete(trainee.id, lesson("etiquette.first"))
        services.mark_complete(trainee.id, lesson("etiquette.first"))
    finally:
        lesson_completed.disconnect(receiver)
    assert seen == [({"user_id": trainee.id, "lesson": lesson("etiquette.first")}, True)]
