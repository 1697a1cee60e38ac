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
