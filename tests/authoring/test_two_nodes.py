"""Two app processes (gunicorn, own port, own working and instance folder, no content files) share
one database: what a trainer publishes on one is what a trainee reads on the other."""
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html import unescape
from pathlib import Path

import pytest

from tests.conftest import TEST_PASSWORD
from webapp.content.services import import_content

REPOSITORY = Path(__file__).resolve().parents[2]
OPENING = "courses/greeting-basics/01-opening.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Node:
    """One ``gunicorn app:app`` process in a folder of its own."""

    def __init__(self, database_url: str, folder: Path):
        if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
            pytest.fail("gunicorn is not installed in the test environment (pip install -e '.[test]')")
        folder.mkdir()
        (folder / "content").mkdir()  # an empty content root: nothing on this node's disk
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": f"key-{self.port}",
               "HOTLINE_CONTENT_ROOT": str(folder / "content"), "PYTHONPATH": str(REPOSITORY)}
        self.log = (folder / "gunicorn.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{self.port}",
             "--chdir", str(folder), "--no-control-socket", "app:app"], cwd=folder, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.folder = folder

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the app process ended: {(self.folder / 'gunicorn.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/login", timeout=2).close()
                return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"the app process did not answer within {seconds} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Browser:
    """Cookies and CSRF tokens, as a browser keeps them, against one node."""

    def __init__(self, node: Node):
        self.node = node
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.node.url + path, timeout=30) as response:
            return response.read().decode("utf-8")

    def post_form(self, page: str, form_id: str, fields: dict) -> str:
        html = self.get(page)
        form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', html, re.S)[0]
        token = unescape(re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)[1])
        action = re.search(r'<form[^>]*action="([^"]+)"', form)
        action = unescape(action[1]) if action else page
        data = urllib.parse.urlencode({"csrf_token": token, **fields}, doseq=True).encode()
        with self.opener.open(self.node.url + action, data=data, timeout=60) as response:
            return response.read().decode("utf-8")

    def sign_in(self, employee_no: str) -> None:
        page = self.post_form("/login", "login-form", {"employee_no": employee_no, "password": TEST_PASSWORD})
        assert 'id="logout"' in page


@pytest.fixture
def nodes(make_app, _schema, content_root, tmp_path):
    app = make_app(CONTENT_ROOT=str(content_root))
    with app.app_context():
        import_content(content_root)
    started = [Node(_schema, tmp_path / "node-a"), Node(_schema, tmp_path / "node-b")]
    try:
        for node in started:
            node.wait_ready()
        yield started
    finally:
        for node in started:
            node.stop()


def test_published_on_one_node_read_on_the_other(nodes, make_user):
    first, second = nodes
    trainer, trainee = make_user(role="trainer"), make_user()
    author = Browser(first)
    author.sign_in(trainer.employee_no)
    editor = f"/authoring/edit?path={urllib.parse.quote(OPENING, safe='/')}"
    text = unescape(re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", author.get(editor), re.S)[1])
    base = unescape(re.search(r'id="base_hash" name="base_hash" type="hidden" value="([^"]*)"', author.get(editor))[1])
    author.post_form(editor, "editor-form", {"text": text.replace("接起电话先问好", "两个节点都能看到的问好"),
                                             "base_hash": base, "save": "1"})
    published = author.post_form("/authoring/publish", "publish-form",
                                 {"paths": [OPENING], "message": "跨节点", "significant": "no"})
    assert "已发布" in published, re.findall(r"class=\"flash[^\"]*\"[^>]*>([^<]*)", published)
    reader = Browser(second)
    reader.sign_in(trainee.employee_no)
    assert "两个节点都能看到的问好" in reader.get("/courses/lessons/greeting-basics.opening")
    for node in nodes:
        assert not any((node.folder / "content").iterdir())  # no node wrote content to its disk
