"""A real SMTP server for the tests: aiosmtpd (pinned in the test extra) in its own process on
127.0.0.1, delivering into a Maildir in a temporary directory that the tests read."""
import atexit
import importlib.util
import mailbox
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

READY_SECONDS = 15


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """``start()``/``stop()`` may be called again: the port stays the same, as a real mail server
    that goes down and comes back."""

    def __init__(self):
        if importlib.util.find_spec("aiosmtpd") is None:
            raise RuntimeError("aiosmtpd is not installed: pip install -e '.[test]' (it is pinned there)")
        self.folder = Path(tempfile.mkdtemp(prefix="hotline-smtp-"))
        self.maildir = self.folder / "Maildir"
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        atexit.register(self.close)

    def start(self) -> None:
        # -n: as root aiosmtpd would otherwise switch to "nobody", who cannot write the Maildir.
        with open(self.folder / "server.log", "ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
                 "-c", "aiosmtpd.handlers.Mailbox", str(self.maildir)],
                stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"aiosmtpd exited: {(self.folder / 'server.log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"aiosmtpd did not listen on 127.0.0.1:{self.port} within {READY_SECONDS} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def messages(self) -> list[EmailMessage]:
        if not self.maildir.exists():
            return []
        box = mailbox.Maildir(self.maildir, factory=None, create=False)
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(box.get_bytes(key)) for key in box.keys()]

    def clear(self) -> None:
        if self.maildir.exists():
            mailbox.Maildir(self.maildir, create=False).clear()
