"""A throwaway PostgreSQL server for the test suite, on 127.0.0.1 in a temporary directory.

initdb and pg_ctl refuse to run as root, so as root they run as the ``postgres`` user; the data
directory lives under /tmp (pytest's tmp_path is root-only and postgres could not enter it).
"""
import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

# One marker per test process: <pid> → data folder. Several suites may run at once on a
# developer machine; only servers whose test process has died are leftovers.
MARKERS = Path(tempfile.gettempdir()) / "hotline-test-pg"


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (scripts/test installs it)")
    return path


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str]) -> None:
    subprocess.run(_as_postgres(args), check=True, capture_output=True, timeout=120)


def _stop(data_dir: Path) -> None:
    if (data_dir / "postmaster.pid").exists():
        subprocess.run(_as_postgres([_bin("pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_leftovers() -> None:
    """A killed test run leaves its server up: stop those before starting a new one."""
    MARKERS.mkdir(exist_ok=True)
    for marker in MARKERS.iterdir():
        if marker.name.isdigit() and not _alive(int(marker.name)):
            leftover = Path(marker.read_text().strip())
            _stop(leftover / "data")
            shutil.rmtree(leftover, ignore_errors=True)
            marker.unlink(missing_ok=True)


class ThrowawayPostgres:
    def __init__(self):
        stop_leftovers()
        self.root = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.marker = MARKERS / str(os.getpid())
        self.marker.write_text(str(self.root))
        _run([_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
        self.start()
        atexit.register(self.stop)

    def start(self) -> None:
        _run([_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-o",
              f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
              "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"])

    def halt(self) -> None:
        """Stop the server and keep its data: ``start()`` brings it back (an outage, for tests)."""
        _run([_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        _stop(self.data)
        shutil.rmtree(self.root, ignore_errors=True)
        self.marker.unlink(missing_ok=True)
