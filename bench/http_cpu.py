"""Server CPU per request over HTTP: the trainee's pages against a bare Flask endpoint, both served
by gunicorn with the production recipe's settings, on PostgreSQL.

    .venv/bin/python bench/http_cpu.py [--requests 2000] [--rounds 5] [--database-url URL] [--before DIR]

This is the measure issue #16's target is judged on ("the attempt page costs ≤ 4× the server CPU
of a bare Flask endpoint under the same configuration"), because it is what a production node
spends: gunicorn parsing HTTP, WSGI, cookies and the response on the wire, as the outside tester
measured it (4.86 vs 0.61 ms). bench/pages.py measures the same pages in-process through Flask's
test client against a bare app in the same process; that leaves out the server around both and so
overstates the ratio (its bare endpoint costs a quarter of the one served by gunicorn) — useful to
compare pages with each other and between database sizes, not for this target.

How: a throwaway PostgreSQL (tests/pgserver.py) gets the small database of bench/seed_scale.py
(1k trainees, 10k attempts) unless ``--database-url`` names one already seeded. Two gunicorn
masters start on loopback with the ``web:`` command of docs/deploy/Procfile (worker class,
workers, threads, ``--preload``, keep-alive — only the address and the WSGI app change): one runs
``app:app`` against that database, the other a Flask app with one endpoint returning a short
string. A client signed in as a trainee (the session cookie is signed with the app's key, as a
sign-in would set it; cookies the server sets are kept, as a browser keeps them) sends requests on
one keep-alive connection. The CPU time of each gunicorn's processes (master and workers, user +
system, from /proc/<pid>/stat) is read before and after a round of ``--requests`` requests; the
rounds alternate between the servers so both see the same machine load, and the median round is
reported. The database server's CPU is not in the figures (it is not the app node's).
``--before DIR`` serves another checkout of the code (``git worktree add DIR main``) from a third
gunicorn in the same rounds, on the same database: before/after figures from one run. The report
goes to ``bench/results/http-cpu-<date>.md``; exit status 1 when the attempt page costs more than
4× the bare endpoint.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import measured_pages  # noqa: E402
from bench.seed_scale import Size, seed  # noqa: E402
from bench.topology import BIN, end, free_port, spawn, wait_until  # noqa: E402
from tests.pgserver import ThrowawayPostgres  # noqa: E402

PROCFILE = ROOT / "docs" / "deploy" / "Procfile"
RESULTS = ROOT / "bench" / "results"
TICKS = os.sysconf("SC_CLK_TCK")
ATTEMPT_PAGE_TARGET = 4.0  # × the bare endpoint (issue #16)
TRAINEE_PAGES = ("attempt page", "trainee home", "certification page", "result page")
#: What any request to the app costs before its page does anything: where the ratio's floor is.
FLOORS = {"static file (no database)": "/static/app.css",
          "health check, signed in (loads the user: one transaction)": "/healthz"}
BARE = "bare Flask endpoint"


def gunicorn_command(port: int, wsgi_app: str) -> list[str]:
    """The production ``web:`` command, bound to loopback and serving ``wsgi_app``."""
    line = next(line for line in PROCFILE.read_text().splitlines() if line.startswith("web:"))
    words = shlex.split(line.removeprefix("web:"))
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    assert words[-1] == "app:app", f"{PROCFILE}: the web command should end with app:app"
    return [str(BIN / words[0]), *words[1:-1], wsgi_app]


def server_cpu_seconds(master: int) -> float:
    """User + system CPU of a gunicorn master and its workers (its direct children)."""
    pids = [master] + [int(pid) for task in Path(f"/proc/{master}/task").iterdir()
                       for pid in (task / "children").read_text().split()]
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / TICKS


@dataclass
class Server:
    name: str
    pid: int
    port: int

    def answers(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return True
        except OSError:
            return False


class Browser:
    """One keep-alive connection that keeps the cookies the server sets."""

    def __init__(self, port: int, cookies: dict[str, str]):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = dict(cookies)

    def get(self, path: str) -> bytes:
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        try:
            self.connection.request("GET", path, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # Idle past gunicorn's keep-alive while the other servers' rounds ran (a loaded machine
            # makes rounds long): connect again, as a browser does.
            self.connection.close()
            self.connection.request("GET", path, headers=headers)
            response = self.connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: {response.status} {response.getheader('Location') or ''}")
        for header in response.headers.get_all("Set-Cookie") or ():
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return body

    def close(self) -> None:
        self.connection.close()


def cpu_per_request(server: Server, browser: Browser, path: str, requests: int) -> float:
    """Milliseconds of server CPU per request over ``requests`` requests."""
    before = server_cpu_seconds(server.pid)
    for _ in range(requests):
        browser.get(path)
    return (server_cpu_seconds(server.pid) - before) / requests * 1000


def signed_in_session(app, session_id: str) -> dict:
    """The session ``login_user`` leaves for this client (127.0.0.1, no User-Agent): with the
    identifier Flask-Login's session protection checks on every request."""
    from flask import request
    from flask_login.utils import _create_identifier

    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        request.environ.pop("HTTP_USER_AGENT", None)  # the test environ has one; http.client sends none
        return {"_user_id": session_id, "_fresh": True, "_id": _create_identifier()}


def session_id(checkout: Path, url: str, user_id: int) -> str:
    """The user id a session carries for the user (``User.get_id()``) as ``checkout``'s own code
    gives it: checkouts from before session stamps carry the bare id."""
    script = ("import sys; from webapp import create_app; from webapp.accounts.models import User; "
              "from webapp.extensions import db; app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1]}); "
              "app.app_context().push(); print(db.session.get(User, int(sys.argv[2])).get_id())")
    return subprocess.run([sys.executable, "-c", script, url, str(user_id)], cwd=checkout, capture_output=True,
                          text=True, check=True).stdout.strip()


def start(name: str, wsgi_app: str, env: dict, folder: Path, checkout: Path | None = None) -> Server:
    """gunicorn serving ``wsgi_app``; from another ``checkout`` of the code when given."""
    port = free_port()
    # Each master gets its own control socket: by default every gunicorn on the machine binds
    # the same ~/.gunicorn/gunicorn.ctl (other engineers' and the cluster's too).
    command = [*gunicorn_command(port, wsgi_app)[:-1], "--control-socket", str(folder / f"{name}.ctl"), wsgi_app]
    if checkout is not None:
        command[1:1] = ["--chdir", str(checkout)]  # its app.py and webapp/ come first on sys.path
    server = Server(name, spawn(command, folder / f"{name}.log", env), port)
    wait_until(server.answers if wsgi_app == "app:app" else lambda: _listening(port), 120, f"gunicorn ({name})")
    return server


def _listening(port: int) -> bool:
    try:
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
        return True
    except OSError:
        return False


def measure(url: str, requests: int, rounds: int, folder: Path, before: Path | None = None,
            log=print) -> dict[str, list[float]]:
    """Per page (and the bare endpoint): ms of server CPU per request in each round; with
    ``before`` (another checkout, e.g. main), its pages too, as "<page> (before)"."""
    from webapp import create_app

    secret = "bench-http-cpu"
    env = {**os.environ, "FLASK_APP": "app", "DATABASE_URL": url, "SECRET_KEY": secret, "HOTLINE_LOCALE": "zh_CN"}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    ids, pages = measured_pages(app)
    paths = {page.name: page.url for page in pages if page.name in TRAINEE_PAGES}

    def cookies(checkout: Path) -> dict[str, str]:
        session = signed_in_session(app, session_id(checkout, url, ids["trainee"]))
        return {app.config["SESSION_COOKIE_NAME"]: app.session_interface.get_signing_serializer(app).dumps(session)}

    servers: list[Server] = []
    browsers: list[Browser] = []
    try:
        servers += [start("app", "app:app", env, folder), start("bare", "bench.pages:bare_app()", env, folder)]
        browsers += [Browser(servers[0].port, cookies(ROOT)), Browser(servers[1].port, {})]
        targets = [(name, servers[0], browsers[0], path) for name, path in {**paths, **FLOORS}.items()]
        targets.append((BARE, servers[1], browsers[1], "/"))
        if before is not None:
            servers.append(start("before", "app:app", env, folder, before))
            browsers.append(Browser(servers[2].port, cookies(before)))
            targets += [(f"{name} (before)", servers[2], browsers[2], path) for name, path in paths.items()]
        for _name, server, browser, path in targets:  # warm every worker's caches and connections
            cpu_per_request(server, browser, path, 50)
        found: dict[str, list[float]] = {name: [] for name, *_ in targets}
        for round_ in range(rounds):
            for name, server, browser, path in targets:
                # The other pages cost ten times more: a tenth of the requests keeps rounds short.
                count = requests if name.startswith(("attempt page", BARE, *FLOORS)) else max(requests // 10, 20)
                found[name].append(cpu_per_request(server, browser, path, count))
            log(f"  round {round_ + 1}: " + ", ".join(f"{name} {ms[-1]:.3f}" for name, ms in found.items()))
    finally:
        for browser in browsers:
            browser.close()
        end([server.pid for server in servers])
    return found


def report(found: dict[str, list[float]], requests: int, rounds: int, before: str | None) -> tuple[str, bool]:
    bare = statistics.median(found[BARE])

    def cell(name: str) -> str:
        ms = found[name]
        return f"{statistics.median(ms):.3f} ({min(ms):.3f}–{max(ms):.3f}) | {statistics.median(ms) / bare:.2f}"

    lines = [f"# Server CPU per request over HTTP — {date.today().isoformat()}", "",
             f"`bench/http_cpu.py`: gunicorn as in docs/deploy/Procfile, PostgreSQL, the small database of "
             f"bench/seed_scale.py; {rounds} rounds of {requests} keep-alive requests to the attempt page and the "
             f"bare endpoint and the floors (other pages: a tenth); ms of CPU of the gunicorn processes per request, median "
             f"round (min–max). Bare Flask endpoint: {cell(BARE).split(' | ')[0]} ms."
             + (f" Before: `{before}`, served by a third gunicorn in the same rounds." if before else ""), ""]
    if before:
        lines += ["| page | ms CPU | × bare | before: ms CPU | before: × bare |", "|---|---:|---:|---:|---:|"]
        lines += [f"| {name} | {cell(name)} | {cell(f'{name} (before)')} |" for name in TRAINEE_PAGES]
        lines += [f"| {name} | {cell(name)} | | |" for name in FLOORS]
    else:
        lines += ["| page | ms CPU | × bare |", "|---|---:|---:|"]
        lines += [f"| {name} | {cell(name)} |" for name in (*TRAINEE_PAGES, *FLOORS)]
    ratio = statistics.median(found["attempt page"]) / bare
    met = ratio <= ATTEMPT_PAGE_TARGET
    lines += ["", f"Attempt page: {ratio:.2f}× the bare endpoint (target ≤ {ATTEMPT_PAGE_TARGET:g}×): "
              + ("met." if met else "missed.")]
    return "\n".join(lines) + "\n", met


def _describe(checkout: Path) -> str:
    """The commit a checkout is at, e.g. ``97e38d3 Tests: …``."""
    return subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%h %s"], capture_output=True,
                          text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000,
                        help="requests per round to the attempt page and the bare endpoint (a tenth to the others)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="a database seed_scale.py built: no seeding")
    parser.add_argument("--before", type=Path, help="another checkout of the app (e.g. a worktree of main) measured "
                                                  "in the same rounds, for before/after figures")
    args = parser.parse_args()
    server = None if args.database_url else ThrowawayPostgres()
    try:
        url = args.database_url
        if server is not None:
            url = server.create_database("http_cpu")
            print("seeding the small database", flush=True)
            seed(url, Size(1_000, 10_000, 24, 2_000, 5_000), log=lambda line: print(line, flush=True))
        folder = server.root if server else Path(tempfile.mkdtemp(prefix="hotline-http-cpu-"))
        started = time.perf_counter()
        found = measure(url, args.requests, args.rounds, folder, args.before, log=lambda line: print(line, flush=True))
        print(f"measured in {time.perf_counter() - started:.0f} s")
    finally:
        if server is not None:
            server.stop()
    text, met = report(found, args.requests, args.rounds, args.before and _describe(args.before))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"http-cpu-{date.today().isoformat()}.md"
    path.write_text(text, encoding="utf-8")
    print(text)
    print(f"report: {path.relative_to(ROOT)}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
