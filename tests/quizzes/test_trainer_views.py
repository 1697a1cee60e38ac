"""What trainers read about quizzes: item statistics name each question by its text and link to
its preview; a trainee's attempt says whose answer it shows and keeps the seed a technical detail."""
import pytest

from webapp.quizzes.rendering import plain_excerpt

from tests.quizzes.conftest import install
from tests.quizzes.test_views import ACKNOWLEDGED, start


@pytest.fixture
def graded(client, auth, make_user, clock):
    install()
    trainee = make_user(name="张伟")
    auth.login(trainee)
    attempt = start(client)
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)
    auth.logout()
    auth.login(make_user(role="trainer"))
    return attempt


def test_item_statistics_show_question_text_and_link_to_the_preview(client, graded):
    html = client.get("/quizzes/manage/demo.quiz/items").get_data(as_text=True)
    row = html.split('data-question="demo.q001"')[1].split("</tr>")[0]
    assert "第1题的题干？" in row and 'class="muted question-id">demo.q001' in row
    link = row.split('class="question-link" href="')[1].split('"')[0].replace("&amp;", "&")
    assert link.startswith("/quizzes/manage/questions/demo.q001?next=")
    preview = client.get(link).get_data(as_text=True)
    assert 'data-question="demo.q001"' in preview and "第1题的题干？" in preview and "正确答案" in preview
    assert "解析1。" in preview and 'href="/quizzes/manage/demo.quiz/items' in preview
    assert 'href="/courses/lessons/complaint-handling.billing-disputes"' in preview


def test_every_question_type_previews(client, graded):
    for number in range(1, 7):
        response = client.get(f"/quizzes/manage/questions/demo.q{number:03d}")
        assert response.status_code == 200 and "正确答案" in response.get_data(as_text=True)
    assert client.get("/quizzes/manage/questions/demo.q999").status_code == 404
    assert "evil" not in client.get("/quizzes/manage/questions/demo.q001?next=//evil.example").get_data(as_text=True) \
        .split('id="question-preview"')[1]


def test_trainees_cannot_preview_questions(client, auth, make_user, clock):
    install()
    auth.login(make_user())
    assert client.get("/quizzes/manage/questions/demo.q001").status_code == 403


def test_the_trainer_attempt_view_says_trainee_answer_and_hides_the_seed_in_technical_details(client, graded):
    html = client.get(f"/quizzes/manage/attempts/{graded.id}").get_data(as_text=True)
    assert "学员的答案" in html and "你的答案" not in html and "您的答案" not in html
    assert "抽题种子" not in html
    technical = html.split('id="attempt-technical"')[1].split("</details>")[0]
    assert "技术信息" in technical and str(graded.seed) in technical


def test_plain_excerpt_drops_markdown_and_shortens():
    assert plain_excerpt("客户**投诉**话费，应先`核实`？\n\n- 甲\n- 乙") == "客户投诉话费，应先核实？ 甲 乙"
    long = plain_excerpt("很" * 100, limit=10)
    assert len(long) == 10 and long.endswith("…")
