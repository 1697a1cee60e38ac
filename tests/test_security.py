"""CSRF, cookies, password hashing and the security headers of every response."""
import re

from tests.conftest import TEST_PASSWORD
from tests.site import crawl, security_header_problems, seed
from webapp.extensions import limiter

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_forms_refuse_posts_without_a_csrf_token(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"employee_no": "x", "password": "y"})
    assert response.status_code == 400


def test_the_csrf_token_signed_for_a_session_is_accepted_for_as_long_as_the_session(make_app, make_user):
    """Pages reuse the token signed for the session (webapp.csrf_token) rather than signing afresh
    for every render: the token of the login page still passes after signing in."""
    app = make_app(WTF_CSRF_ENABLED=True)
    user, client = make_user(), app.test_client()
    token = CSRF_FIELD.search(client.get("/login").text).group(1)
    client.post("/login", data={"employee_no": user.employee_no, "password": TEST_PASSWORD, "csrf_token": token})
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302  # signed out: the token was accepted


def test_responses_carry_a_strict_content_security_policy(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_session_cookie_is_http_only_and_same_site(client, make_user, auth):
    user = make_user()
    response = auth.login(user)
    cookie = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_passwords_are_hashed_with_a_modern_scheme(make_app):
    app = make_app()
    assert app.config["PASSWORD_HASH_METHOD"] == "pbkdf2:sha256:1000"  # tests only
    from webapp.config import settings_from_environment
    from pathlib import Path
    import tempfile
    assert settings_from_environment(Path(tempfile.mkdtemp()))["PASSWORD_HASH_METHOD"] == "scrypt"


def test_every_page_carries_the_security_headers(make_app):
    """Every page each role reaches from the pages without URL arguments (seeded ids included),
    redirects, downloads and error pages too."""
    app = make_app()
    site = crawl(app, seed(app))
    assert len(site.responses) > 100
    problems = {(role, url): security_header_problems(response) for role, url, response in site.responses}
    assert {page: found for page, found in problems.items() if found} == {}


def test_pages_cannot_be_framed_and_send_no_referrer_off_site(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_app_wide_rate_limit_applies_to_every_page(make_app, monkeypatch):
    """The check before every request is left out only while no limit applies to every request
    (webapp.extensions.init_limiter); a default limit brings it back."""
    plain = make_app().test_client()
    assert {plain.get("/login").status_code for _ in range(3)} == {200}
    # Flask-Limiter's extension is one per process and keeps the first default limits it is given.
    monkeypatch.setattr(limiter.limit_manager, "_default_limits", [])
    client = make_app(RATELIMIT_DEFAULT="2 per minute").test_client()
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]
    unlimited = make_app(RATELIMIT_ENABLED=False, RATELIMIT_DEFAULT="2 per minute").test_client()
    assert {unlimited.get("/login").status_code for _ in range(3)} == {200}
