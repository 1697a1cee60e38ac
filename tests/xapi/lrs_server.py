"""A real Ralph LRS for the tests, on 127.0.0.1 in a temporary directory, stopped by its PID.

Ralph lives in its own virtualenv (``.venv-ralph``, made by scripts/test from
tests/xapi/ralph-requirements.txt) because its exact pins are not the app's.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from tests.pgserver import _alive, _free_port

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Path(__file__).with_name("ralph_launch.py")
# One marker per test process: <test pid> → Ralph's pid. Only a dead test process's Ralph is a leftover.
MARKERS = Path(tempfile.gettempdir()) / "hotline-test-ralph"
USERNAME, PASSWORD = "hotline", "lrs-test-password"
READY_SECONDS = 60


def ralph_python() -> Path:
    python = Path(os.environ.get("HOTLINE_RALPH_PYTHON") or ROOT / ".venv-ralph" / "bin" / "python")
    if not python.exists():
        raise RuntimeError(
            f"Ralph's virtualenv is missing ({python}). ./scripts/test makes it; by hand: python3 -m venv "
            ".venv-ralph && .venv-ralph/bin/pip install -r tests/xapi/ralph-requirements.txt")
    return python


def stop_leftovers() -> None:
    MARKERS.mkdir(exist_ok=True)
    for marker in MARKERS.iterdir():
        if marker.name.isdigit() and not _alive(int(marker.name)):
            pid = int(marker.read_text() or 0)
            if pid and _alive(pid):
                os.kill(pid, signal.SIGKILL)
            marker.unlink(missing_ok=True)


class Ralph:
    def __init__(self):
        stop_leftovers()
        self.python = ralph_python()
        self.root = Path(tempfile.mkdtemp(prefix="hotline-ralph-"))
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}/xAPI/"
        self.marker = MARKERS / str(os.getpid())
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        """Start (or restart, on the same port and data) and wait until it answers."""
        with (self.root / "ralph.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.python), str(LAUNCHER), str(self.root), str(self.port), USERNAME, PASSWORD],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.root)
        self.marker.write_text(str(self.process.pid))
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited at start:\n{(self.root / 'ralph.log').read_text()[-2000:]}")
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.halt()
        raise RuntimeError(f"Ralph did not answer within {READY_SECONDS} s")

    def halt(self) -> None:
        """Stop the server, keeping its statements: ``start()`` brings it back (an outage, for tests)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        self.halt()
        self.marker.unlink(missing_ok=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def statement(self, statement_id: str) -> dict | None:
        response = httpx.get(self.endpoint + "statements", params={"statementId": statement_id},
                             auth=(USERNAME, PASSWORD), headers={"X-Experience-API-Version": "1.0.3"}, timeout=10)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        found = response.json()["statements"]
        return found[0] if found else None

    def statement_ids(self) -> list[str]:
        """Every stored statement id, repeats included (the fs backend keeps one JSON line each)."""
        lines = (self.root / "statements" / "fs_lrs.jsonl").read_text().splitlines()
        return [json.loads(line)["id"] for line in lines if line.strip()]
