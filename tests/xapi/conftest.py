import pytest

from tests.xapi.lrs_server import Ralph


@pytest.fixture(scope="session")
def ralph():
    """One real Ralph LRS for the session (about a second to start; two on a loaded machine)."""
    server = Ralph()
    yield server
    server.stop()
