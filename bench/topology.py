"""A Hotline Academy cluster on loopback: one PostgreSQL, Redis, gunicorn nodes, job workers and
nginx load-balancing the nodes — the production topology of docs/deploy/ on one machine.

Used by ``scripts/cluster`` (start/stop/status from the shell), by bench/cluster.py (which kills
and restarts parts of it) and by tests/cluster. Every process is started in its own session so it
outlives the command that started it; its PID goes into ``state.json`` in the cluster's folder and
``stop`` ends each by that PID (PostgreSQL through ``pg_ctl stop``), never by name.
"""
from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DOCS_NGINX = ROOT / "docs" / "deploy" / "nginx" / "hotline.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``ready`` until it holds; the seconds it took. Raises after ``timeout``."""
    start = time.monotonic()
    while not ready():
        if time.monotonic() - start > timeout:
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.1)
    return time.monotonic() - start


#: Processes this one started, by PID: kept so that their exit is collected (no zombies).
_children: dict[int, subprocess.Popen] = {}


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid in _children:
        return _children[pid].poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def end(pids: list[int | None], sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> None:
    """Signal processes by PID, then wait until all have gone (SIGKILL after ``timeout``)."""
    pids = [pid for pid in pids if alive(pid)]
    for pid in pids:
        os.kill(pid, sig)
    try:
        wait_until(lambda: not any(map(alive, pids)), timeout, f"processes {pids}")
    except RuntimeError:
        for pid in filter(alive, pids):
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not any(map(alive, pids)), 10, f"processes {pids}")


def need(binary: str, package: str) -> str:
    path = (shutil.which(binary, path=f"{os.environ.get('PATH', '')}:/usr/sbin")
            or next(reversed(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{binary}"))), None))
    if path is None:
        raise RuntimeError(f"{binary} is not installed: apt-get install {package} (scripts/cluster installs it)")
    return path


def spawn(args: list[str], log: Path, env: dict | None = None) -> int:
    """Start a process in its own session (it survives this one), output to ``log``; its PID."""
    with open(log, "ab") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, cwd=ROOT, start_new_session=True)
    _children[process.pid] = process
    return process.pid


# --- Redis --------------------------------------------------------------------------------------

def start_redis(folder: Path, port: int) -> int:
    """A private Redis on 127.0.0.1:port, nothing saved to disk; its PID once it answers."""
    import redis

    folder.mkdir(parents=True, exist_ok=True)
    pid = spawn([need("redis-server", "redis-server"), "--port", str(port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(folder),
                 "--logfile", str(folder / "redis.log")], folder / "redis.out")
    client = redis.Redis(port=port)

    def answers() -> bool:
        if not alive(pid):
            raise RuntimeError(f"redis-server exited: see {folder / 'redis.log'}")
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    wait_until(answers, 20, "Redis")
    client.close()
    return pid


# --- PostgreSQL ---------------------------------------------------------------------------------

def _as_postgres(args: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: as root they run as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Postgres:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.data = folder / "data"

    def url(self, database: str = "hotline") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([need("pg_ctl", "postgresql"), "-D", str(self.data), *args]),
                       check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(_as_postgres([need("initdb", "postgresql"), "-D", str(self.data), "-U", "postgres",
                                     "-A", "trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        self.start()
        subprocess.run([need("createdb", "postgresql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "hotline"], check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self._ctl("-l", str(self.folder / "postgres.log"), "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=300", "start")

    def restart(self) -> None:
        """What an operator does after a configuration change: connections are cut, data kept."""
        self._ctl("-l", str(self.folder / "postgres.log"), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "fast", "-w", "stop")

    def pid(self) -> int | None:
        pid_file = self.data / "postmaster.pid"
        return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


# --- nginx --------------------------------------------------------------------------------------

def nginx_config(folder: Path, port: int, node_ports: list[int]) -> str:
    """The production site (docs/deploy/nginx/hotline.conf) on loopback: its upstream lists the
    nodes, plain HTTP on ``port``, temp files and logs in ``folder``."""
    site = DOCS_NGINX.read_text()
    servers = "".join(f"    server 127.0.0.1:{node} max_fails=1 fail_timeout=5s;\n" for node in node_ports)
    start, stop = site.index("    # nodes >>>\n"), site.index("    # <<< nodes\n")
    site = site[:start] + servers + site[stop + len("    # <<< nodes\n"):]
    tls_start, tls_stop = site.index("    # tls >>>\n"), site.index("    # <<< tls\n")
    site = site[:tls_start] + f"    listen 127.0.0.1:{port};\n" + site[tls_stop + len("    # <<< tls\n"):]
    temp = "".join(f"  {kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / kind).mkdir(parents=True, exist_ok=True)
    return (f"daemon off;\nuser root;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log warn;\nevents {{ worker_connections 2048; }}\n"
            f"http {{\n  include /etc/nginx/mime.types;\n  access_log {folder}/access.log;\n{temp}{site}}}\n")


# --- the cluster --------------------------------------------------------------------------------

class Cluster:
    """The cluster in ``folder``; ``state.json`` there holds its ports and PIDs between commands."""

    def __init__(self, folder: Path, nodes: int = 3, job_workers: int = 1, port: int = 8080,
                 gunicorn_workers: int = 2, threads: int = 4):
        self.folder = folder
        self.state_file = folder / "state.json"
        self.state = json.loads(self.state_file.read_text()) if self.state_file.exists() else {
            "port": port or free_port(), "secret_key": secrets.token_hex(32), "gunicorn": [gunicorn_workers, threads],
            "postgres": {"port": free_port(), "pid": None}, "redis": {"port": free_port(), "pid": None},
            "nodes": {f"node{n}": {"port": free_port(), "pid": None} for n in range(1, nodes + 1)},
            "job_workers": {f"worker{n}": {"pid": None} for n in range(1, job_workers + 1)},
            "nginx": {"pid": None},
        }
        self.postgres = Postgres(folder / "postgres", self.state["postgres"]["port"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.state['port']}"

    def node_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.state['nodes'][name]['port']}"

    @property
    def database_url(self) -> str:
        return self.postgres.url()

    def environment(self) -> dict:
        """What every node and worker is configured with (README: Configuration)."""
        return {**os.environ, "FLASK_APP": "app", "DATABASE_URL": self.database_url,
                "HOTLINE_REDIS_URL": f"redis://127.0.0.1:{self.state['redis']['port']}/0",
                "SECRET_KEY": self.state["secret_key"], "HOTLINE_BEHIND_PROXY": "1",
                "HOTLINE_PUBLIC_BASE_URL": self.url}

    def _save(self) -> None:
        self.state_file.write_text(json.dumps(self.state, indent=2))

    def start(self, prepare: Callable[[], None] | None = None) -> None:
        """Everything; ``prepare`` (default: compile the catalogs, migrate, load the demo) fills
        the database while the nodes boot. The job workers start once the schema is there."""
        if self.running():
            raise RuntimeError(f"a cluster is running from {self.folder}: stop it first")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)  # the postgres user enters it
        if not (self.postgres.data / "PG_VERSION").exists():
            self.postgres.create()
        else:
            self.postgres.start()
        self.state["postgres"]["pid"] = self.postgres.pid()
        self.state["redis"]["pid"] = start_redis(self.folder / "redis", self.state["redis"]["port"])
        self._save()
        for name in self.state["nodes"]:
            self.start_node(name)
        self.start_nginx()
        (prepare or self.load_demo)()
        for name in self.state["job_workers"]:
            self.start_job_worker(name)
        for name in self.state["nodes"]:
            self.wait_for_node(name)
        wait_until(lambda: self.answers(self.url), 30, "nginx")

    def load_demo(self) -> None:
        for command in (("i18n", "compile"), ("db", "upgrade"), ("demo", "load")):
            subprocess.run([str(BIN / "flask"), *command], env=self.environment(), cwd=ROOT, check=True,
                           capture_output=True, timeout=600)

    def start_node(self, name: str) -> None:
        node = self.state["nodes"][name]
        workers, threads = self.state["gunicorn"]
        node["pid"] = spawn([str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
                             "--bind", f"127.0.0.1:{node['port']}", "--graceful-timeout", "10", "--keep-alive", "75",
                             # The app is loaded before the port opens: a node that is still
                             # booting refuses connections (nginx moves on) instead of holding them.
                             "--preload",
                             # gunicorn 23+ opens a control socket, by default one path per
                             # user: each master gets its own so the nodes do not take it over.
                             "--control-socket", str(self.folder.resolve() / f"{name}.ctl"),
                             "--access-logfile", "-", "app:app"], self.folder / f"{name}.log", self.environment())
        self._save()

    def wait_for_node(self, name: str, timeout: float = 180) -> float:
        return wait_until(lambda: self.answers(self.node_url(name)), timeout, name)

    def kill_node(self, name: str) -> None:
        """A crash: the node's master and its workers die at once (SIGKILL to the process group)."""
        pid = self.state["nodes"][name]["pid"]
        os.killpg(pid, signal.SIGKILL)
        wait_until(lambda: not alive(pid), 10, name)

    def start_job_worker(self, name: str) -> None:
        self.state["job_workers"][name]["pid"] = spawn([str(BIN / "flask"), "jobs", "work"],
                                                       self.folder / f"{name}.log", self.environment())
        self._save()

    def start_nginx(self) -> None:
        folder = self.folder / "nginx"
        folder.mkdir(exist_ok=True)
        config = folder / "nginx.conf"
        config.write_text(nginx_config(folder, self.state["port"], [node["port"] for node in self.state["nodes"].values()]))
        nginx = need("nginx", "nginx")
        check = subprocess.run([nginx, "-t", "-q", "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(config)],
                               capture_output=True, text=True)
        if check.returncode:
            raise RuntimeError(f"nginx refuses {config}: {check.stderr}")
        self.state["nginx"]["pid"] = spawn([nginx, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(config)],
                                           folder / "nginx.out")
        self._save()

    @staticmethod
    def answers(base_url: str) -> bool:
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def processes(self) -> dict[str, int | None]:
        found = {"nginx": self.state["nginx"]["pid"], "redis": self.state["redis"]["pid"],
                 "postgres": self.postgres.pid()}
        found.update({name: entry["pid"] for name, entry in self.state["nodes"].items()})
        found.update({name: entry["pid"] for name, entry in self.state["job_workers"].items()})
        return found

    def running(self) -> bool:
        return any(alive(pid) for pid in self.processes().values())

    def stop(self) -> None:
        """Everything it started, by PID: the front first, the database last."""
        end([self.state["nginx"]["pid"]], signal.SIGQUIT)
        end([entry["pid"] for entry in [*self.state["job_workers"].values(), *self.state["nodes"].values()]])
        end([self.state["redis"]["pid"]])
        self.postgres.stop()


def main(argv: list[str]) -> int:
    folder = Path(os.environ.get("HOTLINE_CLUSTER_DIR", "/tmp/hotline-cluster"))
    cluster = Cluster(folder, nodes=int(os.environ.get("HOTLINE_CLUSTER_NODES", "3")),
                      job_workers=int(os.environ.get("HOTLINE_CLUSTER_WORKERS", "1")),
                      port=int(os.environ.get("HOTLINE_CLUSTER_PORT", "8080")))
    command = argv[0] if argv else "start"
    if command == "start":
        cluster.start()
        print(f"Hotline Academy on {cluster.url} (demo password hotline2026); `scripts/cluster stop` stops it")
    elif command == "status":
        for name, pid in cluster.processes().items():
            print(f"{name:10} {pid or '-':>8} {'running' if alive(pid) else 'stopped'}")
    elif command in ("stop", "destroy"):
        cluster.stop()
        if command == "destroy":
            shutil.rmtree(folder)
    else:
        print(f"unknown command {command!r}: start, status, stop or destroy")
        return 2
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
