"""Signing in with a real OpenID Connect provider (oidc-provider-mock, started by the session
fixture): the test client plays the browser, the provider's own sign-in form is posted over HTTP."""
from itertools import count
from urllib.parse import parse_qs, urlsplit

from webapp.access import Role
from webapp.accounts import sso
from webapp.accounts.models import User
from webapp.audit.models import AuditEntry
from webapp.extensions import db

from tests.conftest import TEST_PASSWORD
from tests.sso.servers import free_port

_numbers = count(1)


def body(response) -> str:
    return response.get_data(as_text=True)


def new_person(provider, **claims) -> str:
    number = f"O{next(_numbers):04d}"
    provider.set_user(f"sub-{number}", employee_number=number, **claims)
    return number


def start(client) -> str:
    """Press the button on the login page; returns the provider's authorization URL."""
    response = client.get("/login/sso")
    assert response.status_code == 302
    return response.location


def come_back(client, location: str):
    """Follow the provider's redirect back to the app (the test client only serves the app)."""
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}", follow_redirects=True)


def sign_in(client, provider, number):
    return come_back(client, provider.sign_in(start(client), f"sub-{number}"))


def account(employee_no) -> User | None:
    db.session.expire_all()
    return db.session.execute(db.select(User).filter_by(employee_no=employee_no)).scalar_one_or_none()


def test_the_login_page_offers_the_provider_only_when_configured(oidc_app, client):
    assert "使用统一身份认证登录" in body(oidc_app.test_client().get("/login"))
    assert 'id="sso-button"' not in body(client.get("/login"))  # the default app: OpenID Connect off
    assert client.get("/login/sso").status_code == 404


def test_the_request_uses_pkce_state_and_nonce(oidc_app, provider):
    query = parse_qs(urlsplit(start(oidc_app.test_client())).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["client_id"] == ["hotline-academy"]


def test_first_sign_in_creates_the_account_from_the_claims_and_the_second_updates_it(oidc_app, provider):
    client = oidc_app.test_client()
    number = new_person(provider, name="冯晓", department="east-hall", groups=["hotline-trainers"])
    assert "冯晓" in body(sign_in(client, provider, number))
    user = account(number)
    assert (user.source, user.name, user.department, user.role) == (sso.OIDC, "冯晓", "东区营业厅", Role.TRAINER)
    assert user.password_hash is None
    client.post("/logout")
    provider.set_user(f"sub-{number}", employee_number=number, name="冯晓明", department="投诉处理组", groups=[])
    assert "冯晓明" in body(sign_in(client, provider, number))
    user = account(number)
    assert (user.name, user.department, user.role) == ("冯晓明", "投诉处理组", Role.TRAINEE)
    actions = db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.target == f"user:{number}")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["user.create", "user.role", "user.update"]


def test_the_admin_role_comes_only_from_the_role_map(oidc_app, provider):
    client = oidc_app.test_client()
    claimed = new_person(provider, name="自称管理员", role="admin", groups=["admin"])
    sign_in(client, provider, claimed)
    assert account(claimed).role == Role.TRAINEE
    client.post("/logout")
    mapped = new_person(provider, name="真管理员", groups=["hotline-admins"])
    sign_in(client, provider, mapped)
    assert account(mapped).role == Role.ADMIN


def test_the_provider_refusing_signs_nobody_in(oidc_app, provider):
    client = oidc_app.test_client()
    page = body(come_back(client, provider.sign_in(start(client), None)))  # "Deny" on the provider's form
    assert "统一身份认证未能确认您的身份" in page and 'id="login-form"' in page
    assert "欢迎" not in body(client.get("/", follow_redirects=True))


def test_a_callback_whose_state_was_not_issued_to_this_browser_is_refused(oidc_app, provider):
    victim, attacker = oidc_app.test_client(), oidc_app.test_client()
    number = new_person(provider, name="被骗者")
    # An attacker's own callback link, opened in someone else's browser (login CSRF).
    location = provider.sign_in(start(attacker), f"sub-{number}")
    start(victim)
    assert "未能确认您的身份" in body(come_back(victim, location))
    assert account(number) is None
    # And a callback is good once: replaying it after use is refused too.
    assert "被骗者" in body(come_back(attacker, location))
    attacker.post("/logout")
    assert "未能确认您的身份" in body(come_back(attacker, location))


def test_a_claim_marking_the_person_gone_refuses_and_deactivates(oidc_app, provider):
    client = oidc_app.test_client()
    number = new_person(provider, name="离职者")
    sign_in(client, provider, number)
    client.post("/logout")
    provider.set_user(f"sub-{number}", employee_number=number, name="离职者", account_status="left")
    page = body(sign_in(client, provider, number))
    assert "公司目录已将此账号标记为停用" in page and 'id="login-form"' in page
    assert not account(number).active


def test_an_account_deactivated_here_stays_refused(oidc_app, provider):
    client = oidc_app.test_client()
    number = new_person(provider, name="停用者")
    sign_in(client, provider, number)
    client.post("/logout")
    account(number).active = False
    db.session.commit()
    assert "此账号已停用" in body(sign_in(client, provider, number))


def test_a_local_account_is_never_taken_over(oidc_app, provider, make_user):
    local = make_user(employee_no=f"O{next(_numbers):04d}")
    provider.set_user(f"sub-{local.employee_no}", employee_number=local.employee_no, name="冒名")
    client = oidc_app.test_client()
    assert "属于一个以其他方式登录的账号" in body(sign_in(client, provider, local.employee_no))
    assert account(local.employee_no).source == "local" and account(local.employee_no).name != "冒名"
    assert local.name in body(client.post("/login", data={"employee_no": local.employee_no,
                                                          "password": TEST_PASSWORD}, follow_redirects=True))


def test_a_token_without_an_employee_number_is_refused_clearly(oidc_app, provider):
    provider.set_user("sub-nobody", name="无工号")
    client = oidc_app.test_client()
    assert "目录中没有工号" in body(come_back(client, provider.sign_in(start(client), "sub-nobody")))


def test_the_provider_down_gives_a_clear_message(make_app, provider):
    app = make_app(OIDC=sso.oidc_settings(provider.env(HOTLINE_OIDC_ISSUER=f"http://127.0.0.1:{free_port()}")))
    with app.app_context():
        page = body(app.test_client().get("/login/sso", follow_redirects=True))
    assert "暂时无法连接统一身份认证" in page and 'id="login-form"' in page
