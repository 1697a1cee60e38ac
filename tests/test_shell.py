"""Kept HTML (webapp/shell.py): the layout's top bar is rendered once per role, locale and
endpoint and filled per request — never one user's name, token or navigation on another's page."""
import re

import pytest

from tests.conftest import Auth
from tests.notifications.queue import run_jobs
from webapp.extensions import db
from webapp.notifications import services as notifications
from webapp.notifications.kinds import Kind
from webapp.shell import hole, with_holes


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_holes_become_format_fields_and_literal_braces_stay():
    template, empty = with_holes(f"<p data-x='{{a}}'>{hole('name')}</p>{hole('c', 2)}", "a test")
    assert empty == {"name": "", "c2": ""}
    assert template.format_map({"name": "张伟", "c2": " checked"}) == "<p data-x='{a}'>张伟</p> checked"
    with pytest.raises(ValueError):
        with_holes("\x00unclosed", "a test")
    with pytest.raises(ValueError):
        with_holes("\x001\x00", "a test")


def test_the_top_bar_follows_the_user_role_name_language_and_unread_count(app, client, auth, make_user):
    trainer, trainee = make_user(role="trainer", name="陈老师"), make_user(role="trainee", name="李娜")
    other_client = app.test_client()
    Auth(other_client).login(trainer)
    trainer_page = other_client.get("/").get_data(as_text=True)
    assert "陈老师" in trainer_page and 'href="/quizzes/manage/"' in trainer_page
    auth.login(trainee)
    page = client.get("/").get_data(as_text=True)
    assert "李娜" in page and "陈老师" not in page and 'href="/quizzes/manage/"' not in page
    assert page.count(f'value="{_token(page)}"') == 2 and _token(page) != _token(trainer_page)

    trainee.name = "李娜娜"
    db.session.commit()
    assert "李娜娜 · " in client.get("/").get_data(as_text=True)

    notifications.notify(trainee.id, Kind.ASSIGNMENT_GIVEN, "assignment:1@open")
    db.session.commit()
    run_jobs()
    assert 'id="unread-count">1<' in client.get("/").get_data(as_text=True)

    assert "Sign out" not in page
    client.post("/language/en", data={"next": "/"})
    english = client.get("/?tab=1").get_data(as_text=True)
    assert "Sign out" in english and 'name="next" value="/?tab=1"' in english
