import csv
import io
import json
import re

import pytest
from flask_wtf.csrf import generate_csrf

import webapp
from tests.quizzes.answers import right_values
from tests.quizzes.builders import make_bank_text
from tests.quizzes.conftest import install, quiz_text
from webapp.extensions import db
from webapp.quizzes import services
from webapp.quizzes.models import GRADED, Attempt
from webapp.quizzes.questions import normalise_text


ACKNOWLEDGED = {"acknowledged": "1"}  # what the page's unanswered-question check sends once confirmed


@pytest.fixture
def signed_in(client, auth, trainee, clock):
    auth.login(trainee)
    return client


def start(client, quiz_id="demo.quiz"):
    response = client.post(f"/quizzes/{quiz_id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(db.select(Attempt).order_by(Attempt.id.desc()))


def test_quiz_list_shows_attempts_and_start(app, signed_in):
    install()
    page = signed_in.get("/quizzes/").get_data(as_text=True)
    assert "演示测验" in page and "0 / 3" in page and 'href="/quizzes/demo.quiz/"' in page  # timed: briefing first


def test_attempt_flow_through_pages(app, signed_in, clock):
    install()
    attempt = start(signed_in)
    page = signed_in.get(f"/quizzes/attempts/{attempt.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-remaining="1800"' in html and html.count('class="card quiz-question"') == 6
    for slot in attempt.slots:
        question = services.question_of(slot.question_version)
        response = signed_in.post(f"/quizzes/attempts/{attempt.id}/answers",
                                  json={"position": slot.position, "values": right_values(question, slot.option_order)})
        assert response.status_code == 200 and response.json == {"saved": True}
    reloaded = signed_in.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    assert reloaded.count(" checked") >= 3 and 'value="先查证后退费"' in reloaded  # answers kept on resume
    result = signed_in.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)
    assert result.status_code == 302 and result.location.endswith(f"/quizzes/attempts/{attempt.id}/result")
    html = signed_in.get(result.location).get_data(as_text=True)
    assert "100.0%" in html and 'id="result-passed"' in html
    again = signed_in.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)  # idempotent
    assert again.status_code == 302
    assert signed_in.post(f"/quizzes/attempts/{attempt.id}/answers", json={"position": 0, "values": ["0"]}).status_code == 409


def test_form_submit_without_javascript_saves_every_answer(app, signed_in):
    install()
    attempt = start(signed_in)
    form = {}
    for slot in attempt.slots:
        form[f"shown-{slot.position}"] = "1"
        form[f"q{slot.position}"] = right_values(services.question_of(slot.question_version), slot.option_order)
    signed_in.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)
    db.session.refresh(attempt)
    assert attempt.state == GRADED and attempt.score == 100.0


def test_bad_answers_are_refused(app, signed_in):
    install()
    attempt = start(signed_in)
    url = f"/quizzes/attempts/{attempt.id}/answers"
    assert signed_in.post(url, json={"position": "0", "values": ["0"]}).status_code == 400
    assert signed_in.post(url, json={"position": 0, "values": [1]}).status_code == 400
    assert signed_in.post(url, json={"position": 42, "values": ["0"]}).status_code == 400
    assert signed_in.post(url, data="not json").status_code == 400


def test_late_pages_grade_and_refuse_answers(app, signed_in, clock):
    install()
    attempt = start(signed_in)
    clock.advance(minutes=31, seconds=1)
    response = signed_in.post(f"/quizzes/attempts/{attempt.id}/answers", json={"position": 0, "values": [""]})
    assert response.status_code == 409 and response.json["result_url"].endswith("/result")
    assert signed_in.get(f"/quizzes/attempts/{attempt.id}").status_code == 302
    html = signed_in.get(f"/quizzes/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "0.0%" in html and "作答时间已到" in html


def test_other_trainees_attempts_are_not_found(app, client, auth, make_user, clock):
    install()
    owner, other = make_user(), make_user()
    auth.login(owner)
    attempt = start(client)
    auth.logout()
    auth.login(other)
    for url in (f"/quizzes/attempts/{attempt.id}", f"/quizzes/attempts/{attempt.id}/result"):
        assert client.get(url).status_code == 404
    assert client.post(f"/quizzes/attempts/{attempt.id}/answers", json={"position": 0, "values": []}).status_code == 404
    assert client.post(f"/quizzes/attempts/{attempt.id}/submit").status_code == 404


def test_refusals_are_explained(app, signed_in, clock):
    install(None, quiz_text(attempts_allowed=1))
    attempt = start(signed_in)
    signed_in.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)
    response = signed_in.post("/quizzes/demo.quiz/start", follow_redirects=True)
    assert "你已用完本测验的全部作答次数" in response.get_data(as_text=True)


def _secrets_of(attempt):
    """Texts that would give an answer away: explanations, accepted fill answers, the written order."""
    secrets = []
    for slot in attempt.slots:
        question = services.question_of(slot.question_version)
        secrets.append(question.explanation)
        secrets += list(question.accepted)
        if question.type == "ordering":
            secrets.append(json.dumps(list(question.options), ensure_ascii=False))
    return secrets


def test_no_page_or_json_of_an_attempt_in_progress_leaks_keys_or_explanations(app, signed_in, clock):
    install(make_bank_text(count=12), quiz_text(count=12))
    attempt = start(signed_in)
    secrets = _secrets_of(attempt)
    responses = [
        signed_in.get("/quizzes/"),
        signed_in.get("/"),
        signed_in.get(f"/quizzes/attempts/{attempt.id}"),
        signed_in.get(f"/quizzes/attempts/{attempt.id}/result", follow_redirects=True),
    ]
    for slot in attempt.slots:
        responses.append(signed_in.post(f"/quizzes/attempts/{attempt.id}/answers", json={"position": slot.position, "values": []}))
    for response in responses:
        body = response.get_data(as_text=True)
        assert response.status_code in (200, 400), response.status_code
        for secret in secrets:
            assert secret not in body, secret
        assert "correct" not in body.lower().replace("correct option", "")  # no key fields in JSON or HTML
    page = responses[2].get_data(as_text=True)
    for slot in attempt.slots:
        question = services.question_of(slot.question_version)
        if question.type == "fill":
            assert normalise_text(question.accepted[0]) not in normalise_text(page.split("<form", 1)[1].split("</form>")[0].replace(question.stem, ""))


def test_review_shows_answers_correct_answers_explanations_and_lessons(app, signed_in, clock):
    install(None, quiz_text(review="immediately"))
    attempt = start(signed_in)
    signed_in.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)
    html = signed_in.get(f"/quizzes/attempts/{attempt.id}/result").get_data(as_text=True)
    assert html.count('class="card quiz-review-item"') == 6
    assert "未作答" in html and "正确答案" in html and "解析1。" in html
    assert 'href="/courses/lessons/complaint-handling.billing-disputes"' in html


def test_trainer_pages(app, client, auth, make_user, clock):
    install()
    trainee, trainer = make_user(), make_user(role="trainer")
    auth.login(trainee)
    attempt = start(client)
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)
    auth.logout()
    auth.login(trainer)
    assert "demo.quiz" in client.get("/quizzes/manage/").get_data(as_text=True)
    listing = client.get("/quizzes/manage/demo.quiz/attempts?state=graded&passed=no&search=" + trainee.employee_no)
    assert f'data-attempt="{attempt.id}"' in listing.get_data(as_text=True)
    assert f'data-attempt="{attempt.id}"' not in client.get("/quizzes/manage/demo.quiz/attempts?passed=yes").get_data(as_text=True)
    detail = client.get(f"/quizzes/manage/attempts/{attempt.id}").get_data(as_text=True)
    assert "解析1。" in detail and str(attempt.seed) in detail
    assert "demo.q001" in client.get("/quizzes/manage/demo.quiz/items").get_data(as_text=True)
    export = client.get("/quizzes/manage/demo.quiz/responses.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert export.mimetype == "text/csv" and rows[0][0] == "attempt_id" and len(rows) == 7
    assert client.get("/quizzes/").status_code == 403


def _fieldset(html: str, position: int) -> str:
    return html.split(f'<fieldset class="card quiz-question" id="question-{position}"', 1)[1].split("</fieldset>", 1)[0]


def test_resumed_page_shows_every_saved_answer_in_place(app, signed_in, clock):
    """The page's questions are cached fragments: the saved answer of each slot is filled in per request."""
    install()
    attempt = start(signed_in)
    url = f"/quizzes/attempts/{attempt.id}"
    fresh = signed_in.get(url).get_data(as_text=True)
    assert " checked" not in fresh and " selected" not in fresh and "\x00" not in fresh
    expected = {}
    for slot in attempt.slots:
        question = services.question_of(slot.question_version)
        values = right_values(question, slot.option_order)
        if question.type == "fill":
            values = ['<b>"先查证后退费"</b>']
        signed_in.post(f"{url}/answers", json={"position": slot.position, "values": values})
        expected[slot.position] = (question.type, values)
    html = signed_in.get(url).get_data(as_text=True)
    assert "\x00" not in html and html.count('class="card quiz-question"') == 6
    for position, (kind, values) in expected.items():
        fieldset = _fieldset(html, position)
        assert f'name="q{position}"' in fieldset and f'data-position="{position}"' in fieldset
        assert f"第 {position + 1} 题 / 共 6 题" in fieldset
        if kind == "fill":
            assert 'value="&lt;b&gt;&#34;先查证后退费&#34;&lt;/b&gt;"' in fieldset
        elif kind in ("ordering", "matching"):
            picked = [select.split(" selected")[0].rsplit('value="', 1)[1].rstrip('"')
                      for select in fieldset.split("<select")[1:]]
            assert picked == values
        else:
            checked = [piece.rsplit('value="', 1)[1].rstrip('"') for piece in fieldset.split(" checked")[:-1]]
            assert sorted(checked) == sorted(values)
    other = signed_in.get(url).get_data(as_text=True)
    # the same page from the cache; a CSRF token carries the second it was signed in
    assert _without_csrf_tokens(other) == _without_csrf_tokens(html)


def test_the_attempt_page_signs_its_csrf_token_once_per_session(app, signed_in, monkeypatch):
    """The layout's and the form's token is the one signed for the session (webapp.csrf_token),
    not signed again on every load."""
    install()
    attempt = start(signed_in)
    signed = []
    monkeypatch.setattr(webapp, "generate_csrf", lambda: signed.append(1) or generate_csrf())
    pages = [signed_in.get(f"/quizzes/attempts/{attempt.id}").text for _ in range(3)]
    tokens = {token for page in pages for token in re.findall(r'(?:name="csrf_token" value|content)="([^"]+)"', page)
              if token.count(".") == 2}
    assert len(tokens) == 1 and len(signed) == 1


def _without_csrf_tokens(html: str) -> str:
    html = re.sub(r'<meta name="csrf-token" content="[^"]*">', '<meta name="csrf-token">', html)
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', html)


def test_quiz_list_rows_are_link_targets_and_show_the_rules(app, signed_in):
    install(None, quiz_text(attempts_allowed=3, cooldown_minutes=10, pass_mark=80))
    html = signed_in.get("/quizzes/").get_data(as_text=True)
    assert 'id="demo.quiz"' in html  # certification links to /quizzes/#<quiz id>
    assert "及格线 80 分 · 自选：不计入你的任何岗位" in html and "可作答 3 次" in html and "两次作答间隔 10 分钟" in html


def test_practice_quizzes_are_marked_and_never_count_for_certification(app, signed_in, trainee, clock):
    install(None, quiz_text(mode="practice", attempts_allowed=0, cooldown_minutes=0))
    assert "练习：成绩不计入认证" in signed_in.get("/quizzes/").get_data(as_text=True)
    attempt = start(signed_in)
    assert 'id="practice-note"' in signed_in.get(f"/quizzes/attempts/{attempt.id}").get_data(as_text=True)
    for slot in attempt.slots:
        question = services.question_of(slot.question_version)
        signed_in.post(f"/quizzes/attempts/{attempt.id}/answers",
                       json={"position": slot.position, "values": right_values(question, slot.option_order)})
    signed_in.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)
    db.session.refresh(attempt)
    assert attempt.state == GRADED and attempt.passed
    assert services.quiz_results(trainee.id) == {}
