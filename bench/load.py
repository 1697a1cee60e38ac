"""HTTP load on the attempt page and on saving an answer, next to a bare Flask endpoint.

    .venv/bin/python bench/load.py [--seconds 10] [--clients 8] [--trainees 40] [--workers 2] [--threads 4]
    DATABASE_URL=postgresql://… .venv/bin/python bench/load.py     # PostgreSQL as well

Everything runs on 127.0.0.1 and stops by itself. The app and a bare Flask app (one endpoint
returning a short string) are served the same way: gunicorn, ``--workers`` gthread workers with
``--threads`` threads each (default 2 × 4: one worker per core of a 2-core machine, and threads
to overlap PostgreSQL round trips; the same settings serve the bare endpoint, so the ratio is
fair). Trainees are signed in (session cookies signed with the app's key, so the
login throttle is not what is measured) and mid-attempt on the complaint-handling quiz. A
client thread pool (http.client, one connection per request) sends requests for ``--seconds``
per scenario (after a 2 s warm-up); the figures are requests/s, p50 and p95 latency, the ratio of each
throughput to the bare endpoint's, and the CPU time the gunicorn processes spent per request
(user + system, from /proc; the database server's own CPU is not included). Client, server and
PostgreSQL share the machine's cores, so other work on it skews the rates and even the ratios;
the CPU time per request is the steadier figure when the load average is high.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET_KEY = "bench-load-secret"
USER_AGENT = "hotline-load/1.0"  # sent with every request, to the bare endpoint as well


def bare_app():
    """The baseline: Flask with one trivial endpoint (served by gunicorn as ``bench.load:bare_app()``)."""
    from flask import Flask

    app = Flask("bare")
    app.add_url_rule("/ping", "ping", lambda: "pong")
    return app


@dataclass
class Trainee:
    cookie: str
    csrf: str
    attempt_id: int
    answers: list[tuple[int, list[str]]]  # (position, values) that fit the slot


def prepare(database_url: str, trainees: int) -> list[Trainee]:
    """Schema, content, trainees signed in and mid-attempt; returns what each client needs."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from tests.quizzes.answers import right_values
    from webapp import create_app
    from webapp.accounts import services as accounts
    from webapp.accounts.models import User
    from webapp.content.services import import_content
    from webapp.extensions import db
    from webapp.quizzes import services
    from webapp.quizzes.models import Quiz

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET_KEY,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    started = []
    run_tag = f"{random.randrange(36**4):04x}"  # employee numbers of this run only: no table is emptied
    with app.app_context():
        db.create_all()
        import_content(ROOT, [ROOT / "quizzes" / "banks", ROOT / "quizzes" / "exams"])
        quiz = db.session.get(Quiz, "complaint-handling.quiz")
        for number in range(trainees):
            user = accounts.create_user(f"L{run_tag}{number:04d}", f"压测学员{number}", "10000号客服中心", "trainee", "pw-123456", "")
            db.session.commit()
            attempt = services.start_attempt(user.id, quiz, services.clock())
            answers = [(slot.position, right_values(services.question_of(slot.question_version), slot.option_order))
                       for slot in attempt.slots]
            started.append((user.id, attempt.id, answers))
    serializer = app.session_interface.get_signing_serializer(app)
    prepared = []
    for user_id, attempt_id, answers in started:
        # A fresh context each (the CSRF token is cached per context), seen from the address and
        # User-Agent the clients use: Flask-Login's session protection compares them with the
        # login's, and a mismatch marks the session not fresh and re-signs the cookie on every
        # response — a browser keeps the re-signed cookie, a replayed fixed cookie never would.
        with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT}):
            login_user(db.session.get(User, user_id))
            token = generate_csrf()
            prepared.append(Trainee(f"session={serializer.dumps(dict(session))}", token, attempt_id, answers))
    return prepared


class Server:
    """gunicorn on a free loopback port; stopped (and waited for) on exit."""

    def __init__(self, target: str, workers: int, threads: int, environment: dict):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-b", f"127.0.0.1:{self.port}", "-w", str(workers),
             "-k", "gthread", "--threads", str(threads), "--log-level", "warning", target],
            cwd=ROOT, env={**os.environ, **environment})

    def __enter__(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the gunicorn master and its workers so far (None without /proc)."""
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            total = 0
            for pid in [self.process.pid, *map(int, children)]:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        except (OSError, ValueError):
            return None
        return total / os.sysconf("SC_CLK_TCK")


def measure(server: Server, make_request, seconds: float, clients: int):
    """``load`` after a warm-up, plus the server's CPU milliseconds per request (or None):
    (requests/s, p50 ms, p95 ms, failures, CPU ms per request)."""
    load(server.port, make_request, 2.0, clients, warmup=0)
    cpu_before = server.cpu_seconds()
    started = time.monotonic()
    rate, p50, p95, failed = load(server.port, make_request, seconds, clients, warmup=0)
    cpu_after, elapsed = server.cpu_seconds(), time.monotonic() - started
    cpu = None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) / (rate * elapsed) * 1e3
    return rate, p50, p95, failed, cpu


def request(port: int, method: str, path: str, headers: dict, body: bytes | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def load(port: int, make_request, seconds: float, clients: int, warmup: float = 2.0) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p95 ms, failures) of ``make_request(rng) -> (method, path, headers, body)``.

    A ``warmup`` run first lets every worker load its code, templates and caches, unmeasured.
    """
    if warmup:
        load(port, make_request, warmup, clients, warmup=0)
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine, failed = [], 0
        while time.monotonic() < stop_at:
            method, path, headers, body = make_request(rng)
            started = time.perf_counter()
            status = request(port, method, path, headers, body)
            mine.append(time.perf_counter() - started)
            failed += status != 200
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    quantiles = statistics.quantiles(latencies, n=20)
    return len(latencies) / elapsed, quantiles[9] * 1e3, quantiles[18] * 1e3, failures[0]


def run(label: str, database_url: str, arguments) -> None:
    load_before = os.getloadavg()[0]  # other work on the machine skews every figure: note it
    trainees = prepare(database_url, arguments.trainees)
    environment = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY}

    def attempt_page(rng):
        trainee = rng.choice(trainees)
        return "GET", f"/quizzes/attempts/{trainee.attempt_id}", {"Cookie": trainee.cookie}, None

    def save_answer(rng):
        trainee = rng.choice(trainees)
        position, values = rng.choice(trainee.answers)
        body = json.dumps({"position": position, "values": values}).encode()
        return "POST", f"/quizzes/attempts/{trainee.attempt_id}/answers", {
            "Cookie": trainee.cookie, "X-CSRFToken": trainee.csrf, "Content-Type": "application/json"}, body

    with Server("bench.load:bare_app()", arguments.workers, arguments.threads, environment) as bare:
        baseline = measure(bare, lambda rng: ("GET", "/ping", {}, None), arguments.seconds, arguments.clients)
    with Server("app:app", arguments.workers, arguments.threads, environment) as server:
        results = {name: measure(server, make, arguments.seconds, arguments.clients)
                   for name, make in (("attempt page", attempt_page), ("save answer", save_answer))}
    print(f"\n{label}: gunicorn {arguments.workers} gthread workers × {arguments.threads} threads, {arguments.clients} clients, "
          f"{arguments.seconds:g} s per scenario, {arguments.trainees} trainees mid-attempt, "
          f"load average {load_before:.1f} before the run and {os.getloadavg()[0]:.1f} after")
    print(f"{'scenario':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'failed':>7}  vs bare  "
          f"{'server CPU ms/req':>17}")
    for name, (rate, p50, p95, failed, cpu) in {"bare Flask /ping": baseline, **results}.items():
        cpu_text = "n/a" if cpu is None else f"{cpu:.2f}"
        print(f"{name:<20} {rate:>8.0f} {p50:>8.1f} {p95:>8.1f} {failed:>7}  {rate / baseline[0]:>6.2f}×  "
              f"{cpu_text:>17}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--trainees", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    arguments = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="hotline-load-")
    run("SQLite", f"sqlite:///{folder}/load.db", arguments)
    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        run("PostgreSQL", url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url,
            arguments)


if __name__ == "__main__":
    main()
