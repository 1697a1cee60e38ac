import pytest

from tests.conftest import ROOT
from webapp.content.registry import read_content_root
from webapp.courses.kind import CoursesKind
from webapp.extensions import db

from tests.xapi.lrs_server import PASSWORD, USERNAME, Ralph

BASE = "https://academy.example.cn"


@pytest.fixture(scope="session")
def ralph():
    """One real Ralph LRS for the session (about a second to start; two on a loaded machine)."""
    server = Ralph()
    yield server
    server.stop()


@pytest.fixture
def lrs_config(ralph) -> dict:
    """Settings that turn recording on, sending to the session's Ralph."""
    return {"LRS_URL": ralph.endpoint, "LRS_USER": USERNAME, "LRS_PASSWORD": PASSWORD, "PUBLIC_BASE_URL": BASE}


def import_one_module(module_id: str = "role-awareness") -> None:
    """One shipped course module, imported as ``flask content import`` would (all 26 lessons take long)."""
    kind = CoursesKind()
    files = read_content_root(ROOT)
    parsed, problems = kind.parse([path for path in kind.discover(files) if path.startswith(f"courses/{module_id}/")], files)
    assert problems == []
    kind.import_items(parsed)
    db.session.commit()
