"""The attempt page kept per quiz version (fragments.attempt_html, webapp/shell.py): each trainee
gets their own URLs, token, timer and answers, never an answer key."""
import re

from tests.conftest import Auth
from tests.quizzes.conftest import install
from webapp.extensions import db
from webapp.quizzes.models import Attempt


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_the_kept_attempt_page_is_each_trainees_own(app, make_user, clock):
    install()
    first, second = make_user(name="甲学员"), make_user(name="乙学员")
    pages = {}
    for user in (first, second):
        browser = app.test_client()  # a session, and so a CSRF token, of its own
        Auth(browser).login(user)
        assert browser.post("/quizzes/demo.quiz/start").status_code == 302
        attempt_id = db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == user.id))
        clock.advance(minutes=1)
        html = browser.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
        pages[user.name] = (attempt_id, _token(html), html)
    assert pages["甲学员"][1] != pages["乙学员"][1]
    for name, (attempt_id, token, html) in pages.items():
        other = next(other for other in pages if other != name)
        assert name in html and other not in html
        assert f'action="/quizzes/attempts/{attempt_id}/submit"' in html
        assert f'data-save-url="/quizzes/attempts/{attempt_id}/answers"' in html
        assert html.count(f'"{token}"') == 4  # meta, language switch, sign out, the attempt's form
        assert html.count('class="card quiz-question"') == 6 and "解析" not in html  # never the explanation
    assert re.search(r'data-remaining="1740"[^>]*>29:00<', pages["乙学员"][2])


def test_a_kept_page_shows_the_messages_flashed_for_it(app, client, auth, make_user):
    install()
    auth.login(make_user())
    client.post("/quizzes/demo.quiz/start")
    url = f"/quizzes/attempts/{db.session.scalar(db.select(Attempt.id))}"
    client.get(url)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "请继续作答")]
    assert "请继续作答" in client.get(url).get_data(as_text=True)
    assert "请继续作答" not in client.get(url).get_data(as_text=True)
