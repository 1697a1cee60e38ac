import re

import pytest

from webapp.audit.models import AuditEntry
from webapp.authoring import services
from webapp.courses.models import Lesson
from webapp.extensions import db

from .conftest import MODULE, replace_in
from .test_services import HOSTILE


@pytest.fixture
def sign_in(client, make_user, auth):
    def as_role(role="trainer"):
        user = make_user(role=role)
        auth.login(user)
        return user
    return as_role


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def publish_form(client) -> dict:
    fingerprint = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page(client, "/authoring/"))[1]
    return {"fingerprint": fingerprint, "confirm": "y"}


@pytest.mark.parametrize("role", ["trainee", "hr"])
def test_only_trainers_and_admins_enter(client, sign_in, role):
    sign_in(role)
    assert client.get("/authoring/").status_code == 403
    assert client.get("/authoring/preview").status_code == 403
    assert client.post("/authoring/publish").status_code == 403
    assert 'id="content-health"' not in page(client, "/")


@pytest.mark.parametrize("role", ["trainer", "admin"])
def test_status_page_plans_the_new_items_and_offers_publishing(client, sign_in, role):
    sign_in(role)
    html = page(client, "/authoring/")
    assert 'id="publish-form"' in html
    assert '<code class="item-id" data-outcome="created">greeting-basics.opening</code>' in html
    assert re.search(r'<tr data-kind="courses">.*?data-outcome="created">3<', html, re.S)
    assert 'href="/authoring/"' in page(client, "/")  # the nav entry and the home panel


def test_status_page_lists_a_broken_file_by_path_and_line(client, sign_in, content_root):
    replace_in(content_root / MODULE / "02-closing.md", "::: 要点", "::: 提示")
    sign_in()
    html = page(client, "/authoring/")
    assert (f'<span class="problem-where">{MODULE}/02-closing.md 第 10 行：</span> '
            '<code>unknown callout type &#34;提示&#34;') in html
    assert 'id="publish-form"' not in html
    home = page(client, "/")
    assert re.search(r'id="health-problems">\s*[1-9]', home)


def test_publish_imports_audits_and_reports_counts(client, sign_in):
    trainer = sign_in()
    response = client.post("/authoring/publish", data=publish_form(client))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="publish-changed"' in html
    assert re.search(r'<tr data-kind="banks">.*?data-outcome="created">2<', html, re.S)
    assert db.session.get(Lesson, "greeting-basics.closing") is not None
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == services.PUBLISH_ACTION))
    assert entry.actor_id == trainer.id and entry.details["counts"]["courses"]["created"] == 3

    again = client.post("/authoring/publish", data=publish_form(client)).get_data(as_text=True)
    assert 'id="publish-unchanged"' in again
    assert 'id="nothing-to-publish"' in page(client, "/authoring/")


def test_publish_without_confirmation_or_with_problems_changes_nothing(client, sign_in, content_root):
    sign_in()
    unconfirmed = {**publish_form(client), "confirm": ""}
    assert client.post("/authoring/publish", data=unconfirmed).status_code == 302
    replace_in(content_root / MODULE / "02-closing.md", "::: 要点", "::: 提示")
    broken = {"fingerprint": services.content_fingerprint(content_root), "confirm": "y"}
    assert client.post("/authoring/publish", data=broken).status_code == 302
    assert db.session.get(Lesson, "greeting-basics.opening") is None
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == services.PUBLISH_ACTION)) is None


def test_publish_refuses_a_stale_review(client, sign_in, content_root):
    sign_in()
    form = publish_form(client)
    replace_in(content_root / MODULE / "01-opening.md", "再说明身份", "再报工号")
    response = client.post("/authoring/publish", data=form, follow_redirects=True)
    assert db.session.get(Lesson, "greeting-basics.opening") is None
    assert "flash-error" in response.get_data(as_text=True)


def test_preview_renders_safely_with_toc_and_problem_lines(client, sign_in):
    sign_in()
    assert 'value="greeting-basics"' in page(client, "/authoring/preview")
    response = client.post("/authoring/preview", data={"module_id": "greeting-basics", "markdown": HOSTILE})
    html = response.get_data(as_text=True)
    article = html[html.index('id="lesson-preview"'):]
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "javascript:" not in article.split("</article>")[0]
    assert 'href="#小节"' in html  # the TOC
    assert (f"{services.PREVIEW_PATH} 第 8 行：</span> "
            "<code>link &#34;javascript:alert(2)&#34; is not allowed") in html
    assert f"{services.PREVIEW_PATH} 第 7 行：</span> <code>raw HTML is not allowed" in html


def test_preview_refuses_a_module_that_is_not_on_disk(client, sign_in):
    sign_in()
    response = client.post("/authoring/preview", data={"module_id": "../../etc", "markdown": "## 标题"})
    assert response.status_code == 200 and 'id="lesson-preview"' not in response.get_data(as_text=True)


def test_the_authoring_stylesheet_is_served_where_the_pages_link_it(client, sign_in):
    sign_in()
    for url in ("/authoring/", "/authoring/preview"):
        html = page(client, url)
        href = html.split('rel="stylesheet" href="')[-1].split('"')[0]
        assert "authoring.css" in href, url
        response = client.get(href)
        assert response.status_code == 200 and b".problem-list" in response.data
        response.close()


def test_content_counts_are_labelled_not_raw_keys(client, sign_in):
    sign_in()
    html = page(client, "/authoring/")
    stats = html.split('id="content-stats"')[1]
    assert '<td>课程</td>' in stats and '<span class="stat" data-stat="lessons">现行课时：' in stats
    assert "各模块课时数</summary>" in stats
    visible = re.sub(r"<[^>]+>|data-[a-z]+=\"[^\"]*\"", " ", stats)
    assert "lessons_per_module" not in visible and "retired_lessons" not in visible


def test_preview_problems_are_framed_in_the_interface_language(client, sign_in):
    sign_in()
    form = {"module_id": MODULE.split("/")[-1], "markdown": "---\ntitle: 空\n---\n"}
    html = client.post("/authoring/preview", data=form).get_data(as_text=True)
    assert "preview.md 第 4 行：</span> <code>the lesson is empty" in html
    assert "问题说明本身为英文" in html
    client.post("/language/en")
    english = client.post("/authoring/preview", data=form).get_data(as_text=True)
    assert "preview.md, line 4:</span> <code>the lesson is empty" in english
