import pytest

from tests.roleplay.builders import import_shipped_content


@pytest.fixture
def roleplay_content(app):
    """The shipped norms and scenarios imported, as ``flask content import`` would."""
    import_shipped_content()
