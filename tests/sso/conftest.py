"""A real OpenLDAP server and a real OpenID Connect provider, started once per test session."""
import pytest

from tests.sso.servers import OidcProvider, Slapd
from webapp.accounts import sso


def _started(server_class):
    try:
        return server_class()
    except (RuntimeError, OSError) as error:
        pytest.fail(f"{server_class.__name__} could not start: {error}")


@pytest.fixture(scope="session")
def directory():
    server = _started(Slapd)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def provider():
    server = _started(OidcProvider)
    yield server
    server.stop()


LDAP_ENV = {
    "HOTLINE_LDAP_ROLE_MAP": '{"trainers": "trainer", "hr-team": "hr", "it-admins": "admin"}',
    "HOTLINE_LDAP_DEPARTMENT_MAP": '{"hall-east": "东区营业厅", "10086-b": "10086热线二部"}',
    "HOTLINE_LDAP_DISABLED": "employeeType=disabled",
}


def _in_context(app):
    with app.app_context():
        yield app


@pytest.fixture
def ldap_app(make_app, directory):
    """The app signing in against the directory, its settings read from environment variables as
    in production."""
    yield from _in_context(make_app(LDAP=sso.ldap_settings(directory.env(**LDAP_ENV))))


OIDC_ENV = {
    "HOTLINE_OIDC_ROLE_MAP": '{"hotline-trainers": "trainer", "hotline-admins": "admin"}',
    "HOTLINE_OIDC_DEPARTMENT_MAP": '{"east-hall": "东区营业厅"}',
    "HOTLINE_OIDC_DISABLED": "account_status=left",
}


@pytest.fixture
def oidc_app(make_app, provider):
    yield from _in_context(make_app(OIDC=sso.oidc_settings(provider.env(**OIDC_ENV))))


@pytest.fixture
def live_app(make_app, provider):
    """tests/conftest.py's live_server then serves the app with OpenID Connect configured."""
    yield from _in_context(make_app(WTF_CSRF_ENABLED=True, OIDC=sso.oidc_settings(provider.env(**OIDC_ENV))))
