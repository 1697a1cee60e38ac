"""Question images: a Moodle XML file's embedded image is stored in the database when previewed,
shown in the preview and to trainees from any node, published with its bank and checked like a
lesson image (a bank showing a missing image does not publish)."""
import io
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from tests.authoring.conftest import FIXTURE_CONTENT
from webapp.content import changes
from webapp.content.sources import ContentFiles
from webapp.content.services import import_content, published_files
from webapp.extensions import db
from webapp.quizzes.importing import draft_bank
from webapp.quizzes.kinds import BanksKind
from webapp.quizzes.models import BankQuestion, QuestionImage
from webapp.quizzes.moodle_xml import convert_moodle_xml

PICTURED = Path(__file__).parent / "data" / "pictured.xml"
URL = "/authoring/questions/import"


@pytest.fixture
def app(make_app, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    app = make_app(CONTENT_ROOT=str(root))
    with app.app_context():
        import_content(root)
        yield app


def hidden(html, name):
    return unescape(re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)[1])


def test_an_imported_image_is_previewed_published_and_served_to_trainees(client, make_user, auth):
    trainer = make_user(role="trainer")
    auth.login(trainer)
    html = client.post(URL, data={"file_format": "moodle-xml", "encoding": "", "difficulty": "2", "preview": "1",
                                  "upload": (PICTURED.open("rb"), "pictured.xml")},
                       content_type="multipart/form-data").get_data(as_text=True)
    src = re.search(r'<img src="(/quizzes/images/([0-9a-f]{16})\.png)" alt="话机按键"', html)
    assert src and 'data-status="converted" data-line="8"' in html
    assert "image posture.png not converted: the file is not a PNG, JPEG, GIF or WebP image" in html
    image = client.get(src[1])
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")
    assert image.cache_control.immutable and image.cache_control.max_age == 365 * 24 * 3600
    assert client.get(src[1], headers={"If-None-Match": image.headers["ETag"]}).status_code == 304
    assert client.get("/quizzes/images/0000000000000000.png").status_code == 404

    client.post(URL, data={"file_format": "moodle-xml", "encoding": "", "difficulty": "2", "source": hidden(html, "source"),
                           "reviewed": hidden(html, "reviewed"), "bank_id": "pictured", "title": "看图",
                           "lesson": "greeting-basics.opening", "save": "1"})
    draft = changes.draft_of(trainer, "quizzes/banks/pictured.md")
    assert f"![话机按键](images/{src[2]}.png)" in draft.text
    publish = client.post("/authoring/publish", data={"paths": [draft.path], "message": "看图题", "significant": "no"})
    assert publish.status_code == 302 and db.session.get(BankQuestion, "pictured.q001") is not None
    assert published_files()[f"quizzes/banks/images/{src[2]}.png"] == image.data  # what `flask content export` writes

    auth.login(make_user(role="trainee"))
    assert client.get(src[1]).data == image.data
    auth.login(trainer)
    shown = client.get("/quizzes/manage/questions/pictured.q001").get_data(as_text=True)
    assert f'<img src="{src[1]}" alt="话机按键"' in shown


def test_a_bank_showing_an_image_missing_beside_it_has_a_problem_at_the_question(tmp_path):
    conversion = convert_moodle_xml(PICTURED.read_text(encoding="utf-8"), "pictured.xml")
    draft = draft_bank(conversion, "pictured", "greeting-basics.opening", 2, root=tmp_path)
    draft.write()  # what `flask quizzes import-moodle-xml` does: the image lands beside the bank
    (name,) = draft.images
    bank_path = "quizzes/banks/pictured.md"
    (bank,), problems = BanksKind().parse([bank_path], ContentFiles.read(tmp_path, ["quizzes"]))
    assert problems == [] and bank.images == ((name, draft.images[name]),)
    (tmp_path / "quizzes" / "banks" / name).unlink()
    draft.path.write_text(draft.text.replace("来电时", "![](images/phone.png) 来电时"), encoding="utf-8")
    _banks, problems = BanksKind().parse([bank_path], ContentFiles.read(tmp_path, ["quizzes"]))
    assert [str(problem) for problem in problems] == [
        'quizzes/banks/pictured.md:6: pictured.q001: image "images/phone.png" is not a question image '
        "(images/<hash>.png, as importing a Moodle XML file writes them)",
        f'quizzes/banks/pictured.md:6: pictured.q001: broken image "{name}": no such file in quizzes/banks/images']


def test_an_image_is_stored_once_and_the_moodle_xml_export_embeds_it_again(app, runner, tmp_path):
    root = Path(app.config["CONTENT_ROOT"])
    conversion = convert_moodle_xml(PICTURED.read_text(encoding="utf-8"), "pictured.xml")
    for bank_id in ("pictured", "pictured-again"):
        draft_bank(conversion, bank_id, "greeting-basics.opening", 2, root=root).write()
    import_content(root)
    assert db.session.scalar(db.select(db.func.count(QuestionImage.id))) == 1

    exported = tmp_path / "back.xml"
    result = runner.invoke(args=["quizzes", "export-moodle-xml", "pictured", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    back = convert_moodle_xml(exported.read_text(encoding="utf-8"), "back.xml")
    assert back.images == conversion.images and back.questions[0].stem == conversion.questions[0].stem


def test_trainees_pages_show_question_images_from_the_images_route(app):
    from flask import url_for

    from webapp.quizzes.rendering import QUESTION_IMAGES_URL, render_inline, render_markdown

    name = "images/0123456789abcdef.png"
    with app.test_request_context():
        assert url_for("quizzes.question_image", name=name.removeprefix("images/")) == QUESTION_IMAGES_URL + name[7:]
    assert f'<img src="{QUESTION_IMAGES_URL}0123456789abcdef.png" alt="按键"' in render_markdown(f"看图：![按键]({name})")
    assert f'src="{QUESTION_IMAGES_URL}0123456789abcdef.png"' in render_inline(f"![]({name}) 挂机键")
    assert 'src="https://example.cn/a.png"' in render_markdown("![](https://example.cn/a.png)")
