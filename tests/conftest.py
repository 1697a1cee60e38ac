"""Shared fixtures. The suite runs once per database: HOTLINE_TEST_DB=sqlite (default) or postgresql.

The schema is created once per run; after every test all rows are removed, so each test starts
from empty tables without paying for CREATE TABLE each time.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# The reply scorer is compiled in place (setup.py). Rebuild it before anything below imports it, so
# that an edited source is what the tests run (Cython and setuptools compare timestamps: up to date,
# this is a one-second no-op).
_build = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True)
if _build.returncode:
    raise SystemExit(f"building the compiled scorer failed (setup.py):\n{_build.stdout}{_build.stderr}")

import pytest  # noqa: E402
from flask import g
from werkzeug.serving import make_server

from bench import topology
from tests.pgserver import ThrowawayPostgres
from webapp import create_app
from webapp.access import Role
from webapp.accounts import services as account_services
from webapp.extensions import db as _db
from webapp.i18n import compile_catalogs

TEST_DB = os.environ.get("HOTLINE_TEST_DB", "sqlite")
TEST_PASSWORD = "correct-horse-42"
FAST_HASH = "pbkdf2:sha256:1000"  # production uses scrypt; tests need thousands of hashes


@pytest.fixture(scope="session")
def postgres_server():
    server = ThrowawayPostgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_url():
    """A private Redis on a free port for the whole session (state shared between app nodes)."""
    folder = Path(tempfile.mkdtemp(prefix="hotline-redis-"))
    port = topology.free_port()
    try:
        pid = topology.start_redis(folder, port)
    except RuntimeError as error:
        pytest.fail(f"{error}")
    yield f"redis://127.0.0.1:{port}/0"
    topology.end([pid])
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(request):
    if TEST_DB == "postgresql":
        server = request.getfixturevalue("postgres_server")
        yield server.create_database("hotline_test")
    else:
        folder = tempfile.mkdtemp(prefix="hotline-sqlite-")
        yield f"sqlite:///{folder}/test.db"
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _schema(database_url):
    compile_catalogs()
    app = create_app(_test_config(database_url))
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    return database_url


def _test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


def _empty_all_tables() -> None:
    _db.session.remove()
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                connection.execute(table.delete())


def _forget_per_request_state():
    """Test requests run inside the fixture's app context, so ``g`` would outlive each request
    (Flask-Login caches the user there, Flask-Babel the locale); a real server starts afresh."""
    for name in list(g):
        g.pop(name)


@pytest.fixture
def make_app(_schema):
    """Build an app on the test database; tables are emptied after the test."""
    apps = []

    def build(**overrides):
        app = create_app(_test_config(_schema, **overrides))
        app.before_request_funcs.setdefault(None, []).insert(0, _forget_per_request_state)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            _empty_all_tables()
            _db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create and commit a user; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def build(role=Role.TRAINEE, employee_no=None, name=None, department="10000号客服中心", team="一班",
              password=TEST_PASSWORD, active=True):
        number = next(counter)
        user = account_services.create_user(
            employee_no or f"{Role(role).value[:2]}{number:04d}", name or f"测试用户{number}", department, role,
            password, team,
        )
        user.active = active
        _db.session.commit()
        return user

    return build


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user, password=TEST_PASSWORD):
        return self.client.post("/login", data={"employee_no": user.employee_no, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


# --- a real server and a real browser ---------------------------------------------------------

@pytest.fixture
def live_app(make_app):
    """The app with CSRF on, as a browser sees it."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (scripts/test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "headless": True,
        "args": ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu", "--no-first-run"],
    }


@pytest.fixture
def page(page):
    page.set_default_timeout(15_000)
    return page


def pytest_collection_modifyitems(items):
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


ROOT = Path(__file__).resolve().parent.parent
