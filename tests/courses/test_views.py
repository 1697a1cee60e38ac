import re

import pytest

from webapp.content.services import import_content
from webapp.courses.models import LessonProgress
from webapp.extensions import db

from tests.conftest import Auth

from .builders import write_file, write_lesson


@pytest.fixture
def signed_in(course_client, make_user, imported):
    """Sign a user of the given role into the course client."""
    def sign_in(role="trainee"):
        user = make_user(role=role)
        Auth(course_client).login(user)
        return user
    return sign_in


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def progress_value(html, module_id):
    return int(re.search(rf'aria-valuenow="(\d+)"[^>]*\s+data-module="{module_id}"', html, re.S)[1])


def test_catalogue_lists_modules_with_progress_for_trainees(course_client, signed_in):
    signed_in()
    html = page(course_client, "/courses/")
    assert html.index("电话礼仪") < html.index("投诉处理")
    assert progress_value(html, "etiquette") == 0


@pytest.mark.parametrize("role", ["trainer", "hr", "admin"])
def test_other_roles_read_without_progress(course_client, signed_in, role):
    signed_in(role)
    assert 'role="progressbar"' not in page(course_client, "/courses/")
    lesson_html = page(course_client, "/courses/lessons/etiquette.first")
    assert "complete-form" not in lesson_html
    assert course_client.post("/courses/lessons/etiquette.first/complete").status_code == 403


def test_lesson_page_has_toc_callout_and_neighbours(course_client, signed_in):
    signed_in()
    html = page(course_client, "/courses/lessons/etiquette.first")
    assert '<a href="#第一节">第一节</a>' in html
    assert '<aside class="callout callout-standard">' in html and "<strong>规范用语</strong>" in html
    assert 'rel="next" href="/courses/lessons/etiquette.second"' in html and 'rel="prev"' not in html
    assert 'id="complete-form"' in html


def test_marking_complete_moves_progress_and_is_idempotent(course_client, signed_in):
    trainee = signed_in()
    response = course_client.post("/courses/lessons/etiquette.first/complete")
    assert response.status_code == 302 and response.location.endswith("/courses/lessons/etiquette.second")  # on
    course_client.post("/courses/lessons/etiquette.first/complete")
    assert db.session.scalar(db.select(db.func.count()).select_from(LessonProgress)
                             .where(LessonProgress.user_id == trainee.id)) == 1
    assert 'id="lesson-completed"' in page(course_client, "/courses/lessons/etiquette.first")
    assert progress_value(page(course_client, "/courses/"), "etiquette") == 50
    module_html = page(course_client, "/courses/etiquette/")
    assert re.search(r'data-lesson="etiquette.first" class="done"', module_html)
    assert 'data-lesson="etiquette.second">' in module_html


def test_home_panel_offers_to_resume_the_last_lesson(course_client, signed_in):
    signed_in()
    assert 'id="resume-link"' not in page(course_client, "/")
    page(course_client, "/courses/lessons/complaints.second")
    html = page(course_client, "/")
    assert 'id="course-progress"' in html
    assert re.search(r'id="resume-link" href="/courses/lessons/complaints.second"', html)


def test_resume_points_at_the_next_unfinished_lesson_and_the_module_end_goes_back_to_the_module(course_client, signed_in):
    signed_in()
    page(course_client, "/courses/lessons/etiquette.second")
    last = course_client.post("/courses/lessons/etiquette.second/complete")  # no post: nothing planned next
    assert last.location.endswith("/courses/etiquette/")

    def resume() -> str:
        return re.search(r'id="resume-link" href="/courses/lessons/([^"]+)"', page(course_client, "/")).group(1)

    assert resume() != "etiquette.second"  # finished: the next unfinished lesson instead
    course_client.post("/courses/lessons/etiquette.first/complete")
    assert not resume().startswith("etiquette.")


def test_english_interface_shows_english_titles_and_callout_labels(course_client, signed_in):
    signed_in()
    course_client.post("/language/en", data={"next": "/"})
    assert "Telephone etiquette" in page(course_client, "/courses/")
    assert "<strong>Standard phrasing</strong>" in page(course_client, "/courses/lessons/etiquette.first")


def test_unknown_and_retired_lessons_are_not_found(course_client, signed_in, imported):
    from webapp.content.services import import_content

    signed_in()
    assert course_client.get("/courses/lessons/etiquette.nothing").status_code == 404
    assert course_client.get("/courses/nothing/").status_code == 404
    write_lesson(imported / "courses/etiquette", "01-first.md", "不再链接第二课")
    (imported / "courses/etiquette/02-second.md").unlink()
    import_content(imported)
    assert course_client.get("/courses/lessons/etiquette.second").status_code == 404
    assert course_client.post("/courses/lessons/etiquette.second/complete").status_code == 404


def test_lesson_images_are_served_from_the_database_only(course_client, signed_in, imported):
    signed_in("trainer")
    write_file(imported, "courses/etiquette/images/flow.png", "png-bytes")
    write_file(imported, "courses/etiquette/images/evil.svg", "<svg onload=alert(1)>")
    import_content(imported)
    (imported / "courses/etiquette/images/flow.png").unlink()  # no node needs the file any more
    response = course_client.get("/courses/etiquette/assets/images/flow.png")
    assert response.status_code == 200 and response.mimetype == "image/png" and response.data == b"png-bytes"
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["ETag"]
    assert "immutable" not in response.headers["Cache-Control"]  # a named file may be replaced
    again = course_client.get("/courses/etiquette/assets/images/flow.png",
                              headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    response.close()
    for url in ("/courses/etiquette/assets/images/evil.svg", "/courses/etiquette/assets/module.md",
                "/courses/etiquette/assets/../complaints/01-first.md", "/courses/etiquette/assets/%2e%2e/x.png",
                "/courses/nothing/assets/images/flow.png"):
        assert course_client.get(url).status_code == 404, url
