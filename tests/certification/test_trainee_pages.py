"""The pages a trainee sees through the post: the pass mark that counts everywhere, briefings before
timed or limited attempts, the unanswered-question check without JavaScript, practice calls that
say they do not count, and a home without a post."""
import pytest

from tests.quizzes.answers import right_values, wrong_values
from tests.quizzes.conftest import install, quiz_text
from tests.roleplay.builders import import_shipped_content
from webapp.certification import services as certification
from webapp.certification.kind import PostsKind
from webapp.certification.posts import parse_post
from webapp.extensions import db
from webapp.quizzes import services as quizzes
from webapp.quizzes.models import GRADED, Attempt
from webapp.roleplay import services as roleplay

ACKNOWLEDGED = {"acknowledged": "1"}
POST_TEXT = """---
id: small-post
title:
  zh: 小岗位
  en: Small post
validity_months: 12
recertification_window_days: 30
requirements:
  quizzes:
    - {quiz: demo.quiz, min_score: 70}
  scenarios:
    set: [cannot-hear-you]
    min_average: 75
    no_critical: true
---
测试岗位。
"""


@pytest.fixture
def content(app):
    """demo.quiz (own pass mark 80, 2 attempts, a day's cool-down) required at 70 by small-post;
    other.quiz required by nothing; the shipped scenarios."""
    install(None, quiz_text(pass_mark=80, attempts_allowed=2, cooldown_minutes=1440),
            quiz_text(quiz_id="other.quiz", pass_mark=60, time_limit_minutes=0, attempts_allowed=0, cooldown_minutes=0))
    import_shipped_content()
    definition, problems = parse_post("quizzes/posts/small-post.md", POST_TEXT)
    assert problems == []
    PostsKind().import_items([definition])
    db.session.commit()


@pytest.fixture
def assigned(client, auth, make_user, content):
    trainee = make_user()
    certification.assign_post(trainee, certification.posts_in_order()[0], None, None)
    db.session.commit()
    auth.login(trainee)
    return trainee


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def answer(client, attempt: Attempt, right: int) -> None:
    """Answer the first ``right`` questions right and the others wrong, then submit."""
    form = dict(ACKNOWLEDGED)
    for slot in attempt.slots:
        question = quizzes.question_of(slot.question_version)
        values = right_values if slot.position < right else wrong_values
        form[f"shown-{slot.position}"] = "1"
        form[f"q{slot.position}"] = values(question, slot.option_order)
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=form)


def test_the_posts_mark_counts_on_the_list_the_briefing_and_the_result(client, assigned):
    listing = html(client, "/quizzes/")
    required = listing.split('id="quiz-table-required"')[1].split("</table>")[0]
    assert 'data-quiz="demo.quiz"' in required and "岗位要求 70 分" in required and "及格线 80" not in required
    assert 'data-quiz="other.quiz" data-mode="exam" data-required="no"' in listing.split('id="quiz-table"')[1]
    brief = html(client, "/quizzes/demo.quiz/")
    assert "岗位要求 70 分" in brief and "24 小时" in brief and "1440" not in brief and "剩余作答次数：2" in brief
    assert client.post("/quizzes/demo.quiz/start").status_code == 302
    attempt = db.session.scalar(db.select(Attempt))
    assert attempt.pass_mark == 70
    answer(client, attempt, right=5)  # 5 of 6: 83.3, above both marks
    result = html(client, f"/quizzes/attempts/{attempt.id}/result")
    assert "达到岗位要求 70 分" in result and 'id="result-failed"' not in result
    # Two readable parts: attempts left, then when the next attempt may start.
    assert '<span class="attempts-left">剩余作答次数：1</span><span class="cooldown-until">' in result
    assert "后可以再次作答" in result and 'data-start="brief"' not in result  # cooling down: no start yet


def test_a_score_between_the_marks_meets_the_post_and_wrong_answers_link_their_lesson(client, assigned):
    client.post("/quizzes/demo.quiz/start")
    attempt = db.session.scalar(db.select(Attempt))
    answer(client, attempt, right=3)  # 50: below both
    result = html(client, f"/quizzes/attempts/{attempt.id}/result")
    assert "未达到岗位要求 70 分" in result
    # after_attempt review with an attempt left: marks only, no keys, but wrong answers point at their lesson.
    assert 'class="quiz-correct-answer"' not in result
    assert result.count('class="quiz-lesson-link"') == 3


def test_an_optional_quiz_uses_its_own_mark_and_says_it_counts_toward_nothing(client, assigned):
    assert 'data-start="direct"' in html(client, "/quizzes/").split('id="quiz-table"')[1]  # untimed, unlimited
    client.post("/quizzes/other.quiz/start")
    attempt = db.session.scalar(db.select(Attempt))
    answer(client, attempt, right=4)  # 66.7 ≥ 60
    result = html(client, f"/quizzes/attempts/{attempt.id}/result")
    assert "通过（及格线 60 分）" in result and 'id="result-optional"' in result


def test_submitting_with_unanswered_questions_asks_first_and_loses_nothing(client, assigned):
    client.post("/quizzes/demo.quiz/start")
    attempt = db.session.scalar(db.select(Attempt))
    first = attempt.slots[0]
    question = quizzes.question_of(first.question_version)
    page = client.post(f"/quizzes/attempts/{attempt.id}/submit",
                       data={"shown-0": "1", "q0": right_values(question, first.option_order)})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="confirm-submit"' in text and "有 5 道题尚未作答" in text
    assert "第 2 题" in text and 'name="acknowledged" value="1"' in text
    db.session.refresh(attempt)
    assert attempt.state != GRADED and 0 in quizzes.saved_answers(attempt)  # the answer sent is kept
    client.post(f"/quizzes/attempts/{attempt.id}/submit", data=ACKNOWLEDGED)
    db.session.refresh(attempt)
    assert attempt.state == GRADED and attempt.score > 0


def test_role_play_list_briefing_and_practice_scorecard(client, assigned):
    listing = html(client, "/roleplay/")
    required = listing.split('id="scenario-table-required"')[1].split("</table>")[0]
    assert 'data-scenario="cannot-hear-you"' in required and "平均分不低于 75 分" in required and "不得出现严重违规" in required
    assert 'href="/roleplay/cannot-hear-you/brief"' in required
    brief = html(client, "/roleplay/cannot-hear-you/brief")
    assert "计入岗位认证" in brief and 'name="mode" type="hidden" value="assessment"' in brief
    assert client.get("/roleplay/no-such-scenario/brief").status_code == 404
    call = roleplay.start_call(assigned.id, "cannot-hear-you", "practice")
    for turn in roleplay.scenario_of(call.scenario_version).turns:
        roleplay.submit_reply(call, turn.index, turn.model_reply)
    db.session.commit()
    scorecard = html(client, f"/roleplay/calls/{call.id}/scorecard")
    assert "练习通过 · 不计入岗位认证" in scorecard and 'href="/roleplay/cannot-hear-you/brief"' in scorecard
    assert call.scenario_version.content_hash[:12] not in scorecard


def test_home_shows_the_plan_with_one_continue_and_the_optional_rest(client, assigned):
    page = html(client, "/")
    assert page.count('id="continue"') == 1 and 'href="/quizzes/demo.quiz/"' in page.split('id="continue"')[1][:80]
    assert "测验：演示测验，需要 70 分" in page
    optional = page.split('id="optional-activities"')[1]
    assert 'href="/quizzes/other.quiz/"' in optional and "/roleplay/#unexpected-fee" in optional


def test_home_without_a_post_explains_that_hr_assigns_it(client, auth, make_user, content):
    auth.login(make_user())
    page = html(client, "/")
    assert 'id="no-post"' in page and "人力资源部" in page and 'id="continue"' not in page
    assert 'href="/quizzes/demo.quiz/"' in page.split('id="optional-activities"')[1]
