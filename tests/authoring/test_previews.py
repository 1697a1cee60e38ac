"""Every content kind previews as trainees meet it, from the draft text being typed: scenarios as
their briefing and call screen, norms with a reply scored by the draft, posts on the
certification page, quiz blueprints as their brief with the pool each rule draws from."""
import re
from pathlib import Path

import pytest

from webapp.content.services import published_files

REPOSITORY = Path(__file__).resolve().parents[2]
SCENARIO = "quizzes/roleplay/scenarios/cannot-hear-you.md"
NORMS = "quizzes/roleplay/norms.yaml"


@pytest.fixture
def trainer(client, make_user, auth):
    user = make_user(role="trainer")
    auth.login(user)
    return user


def shipped(path):
    return (REPOSITORY / path).read_text(encoding="utf-8")


def preview(client, path, text):
    answer = client.post("/authoring/check", json={"path": path, "text": text})
    assert answer.status_code == 200
    return answer.get_json()


def test_a_scenario_previews_as_its_briefing_and_opening_line_with_the_key_points(client, trainer):
    text = shipped(SCENARIO)
    html = preview(client, SCENARIO, text)["preview"]
    assert '<dl class="brief-facts">' in html and '<aside class="situation" id="situation"' in html
    assert "宽带到今年12月31日到期" in html  # the agent's screen
    assert re.search(r'id="customer-line">.*?喂？喂？有人吗？怎么没声音？</li>', html, re.S)  # starting mood 1: calm
    assert re.search(r'data-turn="1">.*?说明是电话或线路的原因', html, re.S)
    edited = preview(client, SCENARIO, text.replace("pass_mark: 70", "pass_mark: 85"))
    assert "85" in re.search(r'id="brief-mark">(.*?)</dd>', edited["preview"])[1]
    broken = preview(client, SCENARIO, text.replace("seconds_per_reply: 30", "seconds_per_reply: soon"))
    assert broken["preview"] == "" and broken["problems"][0]["line"] == 11  # problems at their line instead


def test_norms_preview_summarises_them_and_scores_a_sample_reply_with_the_draft(client, trainer):
    text = shipped(NORMS)
    html = preview(client, NORMS, text)["preview"]
    assert 'id="norms-elements"' in html and 'id="norms-violations"' in html and 'id="try-reply"' in html
    reply = "您好，工号8019为您服务。"
    scored = client.post("/authoring/try-reply", json={"path": NORMS, "text": text, "reply": reply}).get_json()
    card = scored["scorecard"]
    assert 'class="card turn"' in card  # the scorecard's turn partial
    assert re.search(r'data-criterion="greeting" class="ok"', card) and '<mark class="evidence evidence-met">' in card
    assert "8019" not in published_files().get(NORMS, b"").decode()  # nothing stored or published
    broken = client.post("/authoring/try-reply", json={"path": NORMS, "text": "categories: [", "reply": reply})
    assert broken.status_code == 422 and broken.get_json()["scorecard"] is None
    assert client.post("/authoring/try-reply", json={"path": SCENARIO, "text": text, "reply": reply}).status_code == 404


def test_a_post_previews_as_the_certification_page_of_a_trainee_just_assigned(client, trainer):
    text = ("---\nid: greeter\ntitle:\n  zh: 问候专员\n  en: Greeter\nvalidity_months: 12\n"
            "recertification_window_days: 30\nrequirements:\n  modules: [greeting-basics]\n---\n问候岗位。\n")
    html = preview(client, "quizzes/posts/greeter.md", text)["preview"]
    assert '<h1>问候专员</h1>' in html and 'class="remaining"' in html and 'data-target="greeting-basics"' in html
    assert '<table class="table requirements">' in html


def test_a_quiz_blueprint_previews_as_its_brief_and_the_pool_it_draws_from(client, trainer):
    text = ("---\nid: greeting-basics.quiz\ntitle:\n  zh: 问候测验\n  en: Greeting quiz\nmodule: greeting-basics\n"
            "time_limit_minutes: 15\npass_mark: 70\nattempts_allowed: 2\ndraw:\n  - {bank: greeting-basics, count: 1}\n"
            "---\n先读完两节课再作答。\n")
    html = preview(client, "quizzes/exams/greeting-basics.quiz.md", text)["preview"]
    assert '<div class="quiz-intro"><p>先读完两节课再作答。</p>' in html
    assert 'id="brief-time"' in html and 'id="brief-attempts"' in html and 'data-mark="70"' in html
    assert re.search(r'<tr data-bank="greeting-basics" data-count="1" data-pool="2">.*?greeting-basics.q001', html, re.S)
