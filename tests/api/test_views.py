"""The HR API over HTTP: tokens, scopes, pages, filters, rate limit, credentials, admin pages."""
from datetime import timedelta

import pytest
from markupsafe import escape
from openapi_spec_validator import validate

from webapp.access import Role
from webapp.accounts import services as accounts
from webapp.api import credentials, openapi, services
from webapp.api.models import ApiToken
from webapp.certification import services as certification
from webapp.certification.models import Certificate
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.roleplay import services as roleplay

from tests.api.conftest import bearer


def get(client, url, secret=None, **params):
    return client.get(url, query_string=params, headers=bearer(secret) if secret else {})


# --- tokens ----------------------------------------------------------------------------------------

def test_only_admins_reach_the_token_and_webhook_pages(client, auth, make_user):
    for role in (Role.HR, Role.TRAINER, Role.TRAINEE):
        auth.login(make_user(role=role))
        for url in ("/admin/api/tokens", "/admin/api/webhooks"):
            assert client.get(url).status_code == 403
            assert client.post(url, data={"name": "x"}).status_code == 403
        auth.logout()


def test_a_token_is_shown_once_stored_hashed_and_works_until_revoked(client, auth, admin, make_user):
    auth.login(admin)
    page = client.post("/admin/api/tokens", data={"name": "SAP HR", "scopes": ["roster:read"], "valid_days": "30"})
    html = page.get_data(as_text=True)
    secret = html.split('id="token-secret">')[1].split("<")[0]
    assert secret.startswith("hla_")
    assert secret not in client.get("/admin/api/tokens").get_data(as_text=True)  # shown once
    token = db.session.scalar(db.select(ApiToken))
    assert token.scopes == ["roster:read"] and token.token_hash != secret and secret not in token.token_hash
    assert token.last_used_at is None

    make_user()
    api = client.application.test_client()  # no session: the token is all it has
    assert get(api, "/api/v1/roster", secret).status_code == 200
    db.session.refresh(token)
    assert token.last_used_at is not None
    assert get(api, "/api/v1/certificates", secret).status_code == 403  # not its scope

    client.post(f"/admin/api/tokens/{token.id}/revoke")
    refused = get(api, "/api/v1/roster", secret)
    assert refused.status_code == 401 and refused.json["error"] == "invalid_token"
    assert "revoked" in refused.json["message"]


def test_the_token_form_names_the_missing_fields(client, auth, admin):
    auth.login(admin)
    html = client.post("/admin/api/tokens", data={"name": "", "valid_days": "30"}).get_data(as_text=True)
    assert 'data-field="name"' in html and 'data-field="scopes"' in html
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_missing_unknown_and_expired_tokens_get_401_json(client, make_token):
    assert get(client, "/api/v1/roster").json["error"] == "missing_token"
    unknown = get(client, "/api/v1/roster", "hla_unknown")
    assert unknown.status_code == 401 and unknown.headers["WWW-Authenticate"].startswith("Bearer")
    secret = make_token()
    token = db.session.scalar(db.select(ApiToken))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = get(client, "/api/v1/roster", secret)
    assert expired.status_code == 401 and "expired" in expired.json["message"]


def test_a_signed_in_session_is_no_credential_for_the_api(client, auth, admin):
    auth.login(admin)
    response = client.get("/api/v1/certificates")
    assert response.status_code == 401 and response.is_json


# --- lists, pages and filters -------------------------------------------------------------------------

def test_certificates_come_in_cursor_pages_without_repeats_or_gaps(client, make_token, make_user, make_certificate):
    secret = make_token(["certificates:read"])
    users = [make_user() for _ in range(5)]
    made = [make_certificate(user).id for user in users]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = get(client, "/api/v1/certificates", secret, **params).json
        seen += [item["id"] for item in page["data"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made and pages == 3
    item = get(client, "/api/v1/certificates", secret, limit=1).json["data"][0]
    assert item["status"] == "valid" and item["verification_code"] and item["user"]["employee_no"] == users[0].employee_no
    assert item["verify_url"].endswith("/verify/" + item["verification_code"])


@pytest.mark.parametrize("params, field", [
    ({"limit": "0"}, "limit"), ({"limit": "9999"}, "limit"), ({"cursor": "nonsense!"}, "cursor"),
    ({"status": "great"}, "status"), ({"updated_since": "last week"}, "updated_since"),
])
def test_bad_parameters_are_400_naming_the_field(client, make_token, params, field):
    response = get(client, "/api/v1/certificates", make_token(), **params)
    assert response.status_code == 400 and response.json["field"] == field


def test_certificate_status_and_updated_since_filters(client, make_token, make_user, make_certificate):
    secret = make_token()
    valid = make_certificate(make_user(department="一部"))
    expiring = make_certificate(make_user(department="二部"), valid_days=5)  # inside the renewal window
    expired = make_certificate(make_user(department="二部"), valid_days=-3)
    revoked = make_certificate(make_user(department="二部"), revoked=True)
    for status, certificate in (("valid", valid), ("expiring", expiring), ("expired", expired), ("revoked", revoked)):
        data = get(client, "/api/v1/certificates", secret, status=status).json["data"]
        assert [(item["id"], item["status"]) for item in data] == [(certificate.id, status)]
    assert len(get(client, "/api/v1/certificates", secret, department="二部").json["data"]) == 3
    since = (utcnow() - timedelta(minutes=5)).isoformat() + "Z"  # only the revocation is that recent
    assert [item["id"] for item in get(client, "/api/v1/certificates", secret, updated_since=since).json["data"]] \
        == [revoked.id]


def test_roster_lists_users_with_their_posts_and_status(client, make_token, make_user, make_certificate, posts):
    secret = make_token(["roster:read"])
    hr = make_user(role=Role.HR)
    holder, learner = make_user(department="一部"), make_user(department="一部")
    for user in (holder, learner):
        certification.assign_post(user, posts["hotline-agent"], None, hr)
    db.session.commit()
    make_certificate(holder)
    data = get(client, "/api/v1/roster", secret, department="一部", post="hotline-agent").json["data"]
    assert [(user["employee_no"], [p["status"] for p in user["posts"]]) for user in data] == [
        (holder.employee_no, ["certified"]), (learner.employee_no, ["in_progress"])]
    assert data[0]["team"] == "一班" and data[0]["posts"][0]["assigned_at"].endswith("Z")
    mark = utcnow()
    assert get(client, "/api/v1/roster", secret, updated_since=mark.isoformat()).json["data"] == []
    certification.revoke_certificate(db.session.get(Certificate, data[0]["posts"][0]["certificate_id"]), hr, "调岗")
    db.session.commit()  # a revocation changes the holder's entry, and only theirs
    changed = get(client, "/api/v1/roster", secret, updated_since=mark.isoformat()).json["data"]
    assert [(user["id"], user["posts"][0]["status"]) for user in changed] == [(holder.id, "revoked")]


def test_quiz_attempts_with_passed_filter(client, make_token, make_user, make_attempt):
    secret = make_token(["attempts:read"])
    user = make_user()
    passed, failed = make_attempt(user, 90.0, True), make_attempt(user, 40.0, False)
    data = get(client, "/api/v1/quiz-attempts", secret).json["data"]
    assert [(item["id"], item["score"], item["passed"]) for item in data] == [(passed.id, 90.0, True), (failed.id, 40.0, False)]
    assert [item["id"] for item in get(client, "/api/v1/quiz-attempts", secret, passed="false").json["data"]] == [failed.id]
    assert get(client, "/api/v1/roleplay-results", secret).status_code == 403


def test_roleplay_results_carry_per_criterion_results(client, make_token, make_user, roleplay_content):
    secret = make_token(["roleplay:read"])
    user = make_user()
    scenario_id = roleplay.current_scenarios()[0].id
    call = roleplay.start_call(user.id, scenario_id, "assessment")
    while call.in_progress:
        state = roleplay.call_state(call)
        roleplay.submit_reply(call, state.next_turn_index, state.scenario.turns[state.next_turn_index - 1].model_reply)
    roleplay.start_call(user.id, scenario_id, "practice")  # in progress: not listed
    db.session.commit()
    data = get(client, "/api/v1/roleplay-results", secret).json["data"]
    assert [item["id"] for item in data] == [call.id]
    result = data[0]
    assert result["scenario_id"] == scenario_id and result["passed"] is True and result["score"] == call.score
    assert result["criteria"] and {"turn", "key", "label", "kind", "passed", "machine_passed"} <= set(result["criteria"][0])


# --- rate limit ---------------------------------------------------------------------------------------

def test_each_token_is_rate_limited_with_429_and_retry_after(make_app):
    app = make_app(API_RATE_LIMIT="3 per minute")
    with app.app_context():
        admin = accounts.create_user("ad9001", "管理员", "信息中心", Role.ADMIN, "pw-123456789", "")
        db.session.commit()
        first = services.create_token("a", ["roster:read"], 30, admin)[1]
        second = services.create_token("b", ["roster:read"], 30, admin)[1]
        db.session.commit()
        client = app.test_client()
        assert [get(client, "/api/v1/roster", first).status_code for _ in range(3)] == [200, 200, 200]
        limited = get(client, "/api/v1/roster", first)
        assert limited.status_code == 429 and limited.json["error"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) > 0
        assert get(client, "/api/v1/roster", second).status_code == 200  # another token has its own budget


# --- the OpenAPI document and its reference page -----------------------------------------------------------

def test_the_openapi_document_is_valid_and_every_documented_route_exists(client, app):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert document["openapi"] == "3.1.0"
    adapter = app.url_map.bind("localhost")
    for path, operations in document["paths"].items():
        concrete = path.replace("{certificate_id}", "7").replace("{code}", "abc")
        endpoint, _args = adapter.match(document["servers"][0]["url"] + concrete, method="GET")
        assert endpoint.startswith("api."), path
        assert set(operations) == {"get"}
    documented = {openapi.BASE_PATH + path for path in document["paths"]}
    served = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              and rule.endpoint != "api.openapi_document"}
    assert len(served) == len(documented)


def test_the_reference_page_renders_every_endpoint_from_the_document(client):
    html = client.get("/api/docs").get_data(as_text=True)
    for endpoint in openapi.ENDPOINTS:
        assert f'id="{endpoint.operation_id}"' in html and escape(endpoint.summary) in html
    assert "X-Hotline-Signature" in html


# --- verifiable credentials ------------------------------------------------------------------------------

def test_a_downloaded_credential_verifies_against_the_published_keys(client, auth, make_token, make_user,
                                                                     make_certificate):
    holder = make_user(name="张伟")
    certificate = make_certificate(holder)
    jwks = client.get("/.well-known/jwks.json").json
    assert jwks["keys"][0]["kty"] == "OKP" and "d" not in jwks["keys"][0]

    token = get(client, f"/api/v1/certificates/{certificate.id}/credential", make_token(["certificates:read"]))
    assert token.mimetype == "application/vc+jwt"
    verified = credentials.verify(token.get_data(as_text=True), jwks, utcnow())
    assert verified.status == "valid" and verified.credential["id"].endswith("/verify/" + certificate.code)

    auth.login(holder)  # the holder downloads the same credential from the certificate page
    own = client.get(f"/certification/certificates/{certificate.id}/credential.jwt")
    assert credentials.verify(own.get_data(as_text=True), jwks, utcnow()).credential == verified.credential
    assert client.get(f"/certification/certificates/{make_certificate(make_user()).id}/credential.jwt").status_code == 404

    header, payload, signature = own.get_data(as_text=True).split(".")
    tampered = ".".join((header, payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:], signature))
    with pytest.raises(credentials.InvalidCredential):
        credentials.verify(tampered, jwks, utcnow())


def test_the_key_pair_is_generated_once_and_kept(client, app):
    first = client.get("/.well-known/jwks.json").json
    assert app.test_client().get("/.well-known/jwks.json").json == first


def test_credential_status_says_what_the_verify_page_says(client, make_token, make_user, make_certificate):
    secret = make_token()
    for certificate, status in ((make_certificate(make_user()), "valid"),
                                (make_certificate(make_user(), valid_days=-2), "expired"),
                                (make_certificate(make_user(), revoked=True), "revoked")):
        assert client.get(f"/api/v1/credentials/{certificate.code}/status").json["status"] == status
        assert f'data-validity="{status}"' in client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    revoked = get(client, f"/api/v1/certificates/{certificate.id}/credential", secret)
    assert revoked.status_code == 410 and revoked.json["error"] == "revoked"
    assert client.get("/api/v1/credentials/nosuchcode/status").status_code == 404


def test_the_command_line_verifier_accepts_the_credential_and_refuses_a_tampered_copy(
        client, runner, make_user, make_certificate, tmp_path):
    certificate = make_certificate(make_user())
    token = services.signed_credential(certificate)
    (tmp_path / "jwks.json").write_text(client.get("/.well-known/jwks.json").get_data(as_text=True))
    (tmp_path / "good.jwt").write_text(token)
    header, payload, signature = token.split(".")
    (tmp_path / "bad.jwt").write_text(".".join((header, payload[:-3] + ("x" if payload[-3] != "x" else "y")
                                               + payload[-2:], signature)))
    good = runner.invoke(args=["api", "verify-credential", str(tmp_path / "good.jwt"), "--jwks", str(tmp_path / "jwks.json")])
    assert good.exit_code == 0 and good.output.startswith("valid:")
    bad = runner.invoke(args=["api", "verify-credential", str(tmp_path / "bad.jwt"), "--jwks", str(tmp_path / "jwks.json")])
    assert bad.exit_code == 1 and "not valid" in bad.output
