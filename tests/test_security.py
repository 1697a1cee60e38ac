"""CSRF, cookies, password hashing and the security headers of every response."""
from tests.site import crawl, security_header_problems, seed


def test_forms_refuse_posts_without_a_csrf_token(make_app):
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"employee_no": "x", "password": "y"})
    assert response.status_code == 400


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
