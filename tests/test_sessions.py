"""The session cookie is verified once per value and worker, and refused as Flask refuses it:
forged, signed with another key, or expired (webapp/sessions.py)."""
from datetime import timedelta

import pytest
from flask import Flask, session

from webapp import sessions


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="first key", PERMANENT_SESSION_LIFETIME=timedelta(hours=1))
    app.session_interface = sessions.VerifiedOnceSessionInterface()

    @app.get("/whoami")
    def whoami():
        return session.get("_user_id", "nobody")

    @app.get("/flash")
    def flash_one():
        session.setdefault("_flashes", []).append("saved")
        return str(len(session["_flashes"]))

    return app


def cookie_for(app, data: dict) -> str:
    return app.session_interface.get_signing_serializer(app).dumps(data)


def test_a_cookie_seen_before_opens_the_same_session_and_a_forged_one_none(app):
    client = app.test_client()
    good = cookie_for(app, {"_user_id": "7"})
    for _ in range(2):  # the second time from the worker's memory
        client.set_cookie("session", good)
        assert client.get("/whoami").text == "7"
    client.set_cookie("session", good[:-2] + ("AA" if not good.endswith("AA") else "BB"))
    assert client.get("/whoami").text == "nobody"
    app.secret_key = "rotated key"  # sessions signed with a retired key end at once
    client.set_cookie("session", good)
    assert client.get("/whoami").text == "nobody"


def test_an_expired_session_is_refused_although_it_was_verified_before(app, monkeypatch):
    client = app.test_client()
    client.set_cookie("session", cookie_for(app, {"_user_id": "7"}))
    assert client.get("/whoami").text == "7"
    later = sessions.time.time() + 3601
    monkeypatch.setattr(sessions.time, "time", lambda: later)
    assert client.get("/whoami").text == "nobody"


def test_a_session_with_a_list_is_not_shared_between_requests(app):
    client = app.test_client()
    flashed = cookie_for(app, {"_flashes": ["earlier"]})
    for _ in range(3):
        client.set_cookie("session", flashed)
        assert client.get("/flash").text == "2"  # never a list another request appended to
