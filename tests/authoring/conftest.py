"""An app whose database holds the small fixture content (one module and its question bank),
imported from a copy in tmp_path: the repository's content is never touched."""
import shutil
from pathlib import Path

import pytest

from webapp.content.services import import_content

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"
MODULE = "courses/greeting-basics"


@pytest.fixture
def content_root(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    return root


@pytest.fixture
def authoring_app(make_app, content_root):
    app = make_app(CONTENT_ROOT=str(content_root))
    with app.app_context():
        import_content(content_root)
        yield app


@pytest.fixture
def app(authoring_app):
    """Here ``app`` (and so ``client``, ``make_user``, ``auth``) is the app on the copied content."""
    return authoring_app


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
