"""A real OpenLDAP server and a real OpenID Connect provider, started once per test session."""
import threading

import pytest
from werkzeug.serving import make_server

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


@pytest.fixture
def ldap_app(make_app, directory):
    """The app signing in against the directory, its settings read from environment variables as
    in production."""
    app = make_app(LDAP=sso.ldap_settings(directory.env(**LDAP_ENV)))
    with app.app_context():
        yield app


OIDC_ENV = {
    "HOTLINE_OIDC_ROLE_MAP": '{"hotline-trainers": "trainer", "hotline-admins": "admin"}',
    "HOTLINE_OIDC_DEPARTMENT_MAP": '{"east-hall": "东区营业厅"}',
    "HOTLINE_OIDC_DISABLED": "account_status=left",
}


@pytest.fixture
def oidc_app(make_app, provider):
    app = make_app(OIDC=sso.oidc_settings(provider.env(**OIDC_ENV)))
    with app.app_context():
        yield app


@pytest.fixture
def oidc_live_server(make_app, provider):
    """The app with CSRF on and OpenID Connect configured, served for a real browser."""
    app = make_app(WTF_CSRF_ENABLED=True, OIDC=sso.oidc_settings(provider.env(**OIDC_ENV)))
    with app.app_context():
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join(timeout=10)
