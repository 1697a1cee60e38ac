"""The trainers' question import page: upload, preview with a status per question, import into the
trainer's draft of a bank, then the usual publish."""
import gc
import io
import re
from html import unescape
from pathlib import Path

import pytest

from webapp.audit.models import AuditEntry
from webapp.authoring import services
from webapp.extensions import db
from webapp.content import changes
from webapp.content.services import published_files
from webapp.quizzes.bank import parse_bank
from webapp.quizzes.models import BankQuestion

MIXED = (Path(__file__).parent / "fixtures" / "imports" / "mixed.gift").read_bytes()
URL = "/authoring/questions/import"


@pytest.fixture
def trainer(client, make_user, auth):
    user = make_user(role="trainer")
    auth.login(user)
    return user


def upload(client, data=MIXED, name="mixed.gift", **fields):
    form = {"file_format": "gift", "encoding": "", "difficulty": "2", "preview": "1", **fields}
    if data is not None:
        form["upload"] = (io.BytesIO(data), name)
    return client.post(URL, data=form, content_type="multipart/form-data")


def hidden(html, name):
    return unescape(re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)[1])


@pytest.mark.parametrize("role", ["trainee", "hr"])
def test_only_trainers_and_admins_import(client, make_user, auth, role):
    auth.login(make_user(role=role))
    assert client.get(URL).status_code == 403
    assert upload(client).status_code == 403


def test_preview_shows_each_status_with_its_reason_line_and_the_question_without_its_key(client, trainer):
    response = upload(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    statuses = re.findall(r'class="card wide import-item" data-status="(\w+)" data-line="(\d+)"', html)
    assert statuses == [("converted", "2"), ("changed", "4"), ("not_converted", "6")]
    assert "HTML tags dropped, their text kept" in html and ": u" in html
    assert "an essay question (empty answer block {}) needs a human grader" in html
    # rendered as the attempt page renders it: radio buttons, no mark of the right option
    assert html.count('class="card quiz-question"') == 2 and 'type="radio"' in html
    fieldsets = re.findall(r'<fieldset class="card quiz-question".*?</fieldset>', html, re.S)
    assert not any("checked" in fieldset or "问候、单位" in fieldset for fieldset in fieldsets)
    assert re.search(r'id="count-converted">[^<]*[:：] 1<', html)


def test_bad_files_get_a_clear_error_never_a_500(client, trainer):
    latin = "::Café::Le café est-il « chaud » ?{T}".encode("windows-1252")
    html = upload(client, latin, encoding="UTF-8").get_data(as_text=True)
    assert "latin.gift" not in html and "mixed.gift:1: the file is not UTF-8 text" in html
    html = upload(client, latin).get_data(as_text=True)  # detected as windows-1252
    assert "Le café est-il « chaud » ?" in html
    html = upload(client, b"<quiz><question", file_format="moodle-xml").get_data(as_text=True)
    assert 'data-status="not_converted"' in html and "not well-formed XML" in html
    html = upload(client, "题".encode("utf-16"), encoding="GB18030").get_data(as_text=True)
    assert "the file is not GB18030 text" in html
    html = upload(client, None).get_data(as_text=True)
    assert "Choose a file to preview." in html or "请选择要预览的文件。" in html
    assert 'class="field-error"' in upload(client, file_format="pdf", encoding="klingon").get_data(as_text=True)


# werkzeug's test client spools a body this big to a temporary file that it never closes
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_file_over_the_size_limit_is_refused_with_a_field_error(client, trainer):
    response = upload(client, b"x" * 1_000_001)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'class="field-error"' in html and "data-status=" not in html
    del response
    gc.collect()  # the temporary file is reclaimed here, under this test's filter, not in the next test


def test_import_writes_the_previewed_questions_to_a_draft_bank_that_publishing_picks_up(client, trainer):
    html = upload(client).get_data(as_text=True)
    source, digest = hidden(html, "source"), hidden(html, "reviewed")
    form = {"file_format": "gift", "encoding": "", "difficulty": "1", "source": source, "reviewed": digest,
            "bank_id": "moodle-greeting", "title": "Moodle 导入", "lesson": "greeting-basics.opening", "save": "1"}
    response = client.post(URL, data=form)
    assert response.status_code == 302 and "/authoring/edit?path=quizzes/banks/moodle-greeting.md" in response.headers["Location"]
    draft = changes.draft_of(trainer, "quizzes/banks/moodle-greeting.md")
    bank, problems = parse_bank("quizzes/banks/moodle-greeting.md", draft.text, "moodle-greeting")
    assert problems == [] and [q.id for q in bank.questions] == ["moodle-greeting.q001", "moodle-greeting.q002"]
    assert bank.title == "Moodle 导入" and bank.questions[0].difficulty == 1
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == services.IMPORT_ACTION))
    assert entry.actor_id == trainer.id and entry.details == {"format": "gift", "questions": 2, "not_converted": 1}
    assert "moodle-greeting.md" not in str(published_files())  # a draft until published
    publish = client.post("/authoring/publish", data={"paths": [draft.path], "message": "Moodle 题目", "significant": "no"})
    assert publish.status_code == 302 and db.session.get(BankQuestion, "moodle-greeting.q002") is not None


def test_import_refuses_a_text_not_previewed_and_asks_for_a_bank_and_lesson(client, trainer):
    html = upload(client).get_data(as_text=True)
    source, digest = hidden(html, "source"), hidden(html, "reviewed")
    base = {"file_format": "gift", "encoding": "", "difficulty": "2", "source": source, "save": "1",
            "bank_id": "moodle-greeting", "lesson": "greeting-basics.opening"}
    tampered = client.post(URL, data={**base, "source": source + "\n\n::x::多出来的题{T}", "reviewed": digest})
    assert "only a previewed file is imported" in tampered.get_data(as_text=True) or "只导入预览过的文件" in tampered.get_data(as_text=True)
    missing = client.post(URL, data={**base, "reviewed": digest, "bank_id": "", "lesson": ""}).get_data(as_text=True)
    assert missing.count('class="field-error"') == 2
    bad_id = client.post(URL, data={**base, "reviewed": digest, "bank_id": "Bad ID"}).get_data(as_text=True)
    assert 'class="field-error"' in bad_id
    unknown_lesson = client.post(URL, data={**base, "reviewed": digest, "lesson": "nope.lesson"})
    assert unknown_lesson.status_code == 200
    assert changes.draft_of(trainer, "quizzes/banks/moodle-greeting.md") is None
