"""Server CPU per request of the pages that summarise, at a small and a large database, as ratios
to a bare Flask endpoint measured in the same run; EXPLAIN (ANALYZE) of each page's main query.

    .venv/bin/python bench/pages.py [--large-users 100000 --large-attempts 1000000 …] [--requests 15]

A throwaway PostgreSQL server (tests/pgserver.py) gets two databases built by bench/seed_scale.py:
small (1k trainees, 10k attempts) and large (the --large-* sizes). Each page is requested through
Flask's test client in this process, signed in as the role that sees it; ``time.process_time``
around the request is the app's CPU (the database server's own CPU is not in it: the wall time
is reported beside it). The baseline is a bare Flask app with one endpoint returning a short
string, measured the same way at each size; the "× bare" column compares pages, but the attempt
page's target (≤ 4× the bare endpoint under the same configuration) is judged over HTTP through
gunicorn by bench/http_cpu.py, as a production node spends it — in this process the server
around both is left out and the ratio overstated. Targets here: every page ≤ 1.5× from small to
large and under 300 ms (wall) at large; the roster CSV export per row ≤ 3× the bare
``csv.writer`` floor. The main query of a page is the slowest statement of its first view after a
write that changes a standing (a post re-assigned with another due date: HR's aggregates are kept
per process while nothing changes, see hr.freshness, and the write recounts the roster tallies it
touched, see hr.tallies; the write's own time is reported too), captured by an engine event; its
EXPLAIN (ANALYZE, BUFFERS) goes to the report, ``bench/results/pages-<date>.md`` (or --report).
Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed_scale import Size, seed  # noqa: E402
from tests.pgserver import ThrowawayPostgres  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GROWTH_TARGET = 1.5  # large / small
WALL_TARGET_MS = 300.0
EXPORT_TARGET = 3.0  # × csv.writer per row


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # whose session: "trainee", "trainer", "hr"
    url: str


@dataclass(frozen=True)
class Measure:
    cpu_ms: float
    wall_ms: float
    changed_wall_ms: float  # the first view after a write (no kept aggregates), median of 3
    statements: int  # in that view
    main_query: str
    explain: str


def bare_app():
    from flask import Flask

    app = Flask("bare")
    app.add_url_rule("/", "bare", lambda: "ok")
    return app


def _time(client, url: str, requests: int) -> tuple[float, float]:
    for _ in range(3):  # warm caches (templates, compiled statements, the pool)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.close()
    cpu, wall = [], []
    for _ in range(requests):
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.get(url)
        response.get_data()
        response.close()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


class Statements:
    """Every statement of one request, with its duration (the slowest is the page's main query)."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.seen = engine, []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append((time.perf_counter() - conn.info.pop("bench_started"), statement, parameters))

    def explain_slowest(self) -> tuple[str, str]:
        _seconds, statement, parameters = max(self.seen, key=lambda seen: seen[0])
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return statement, "(not a query)"
        with self.engine.connect() as connection:
            cursor = connection.connection.cursor()
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        return statement, plan


def sign_in(client, user_id: int) -> None:
    """The session ``login_user`` leaves for the user."""
    from webapp.accounts.models import User
    from webapp.extensions import db

    with client.application.app_context():
        session_id = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True


def measured_pages(app) -> tuple[dict[str, int], list[Page]]:
    """Who signs in (role → user id) and every measured page; the trainee is one with an open
    attempt, which is opened up (its deadline is in the seeded past: the attempt page serves only
    while the attempt is open). Also used by bench/http_cpu.py."""
    from webapp.accounts.models import User
    from webapp.extensions import db
    from webapp.quizzes.models import GRADED, IN_PROGRESS, Attempt

    with app.app_context():
        ids = {role: db.session.scalar(db.select(User.id).where(User.employee_no == number))
               for role, number in (("trainer", "trainer01"), ("hr", "hr01"))}
        open_attempt = db.session.execute(db.select(Attempt.id, Attempt.user_id, Attempt.quiz_id)
                                          .where(Attempt.state == IN_PROGRESS).order_by(Attempt.id).limit(1)).one()
        trainee = open_attempt.user_id
        graded = db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == trainee, Attempt.state == GRADED)
                                   .order_by(Attempt.id).limit(1))
        quiz_id = open_attempt.quiz_id
        ids["trainee"] = trainee
        db.session.execute(db.update(Attempt).where(Attempt.id == open_attempt.id)
                           .values(deadline=None, ends_at=None))
        db.session.commit()
        db.session.remove()
    pages = [
        Page("attempt page", "trainee", f"/quizzes/attempts/{open_attempt.id}"),
        Page("trainee home", "trainee", "/"),
        Page("certification page", "trainee", "/certification/"),
        Page("result page", "trainee", f"/quizzes/attempts/{graded}/result"),
        Page("item statistics", "trainer", f"/quizzes/manage/{quiz_id}/items"),
        Page("trainer home", "trainer", "/"),
        Page("trainer attempts list", "trainer", f"/quizzes/manage/{quiz_id}/attempts"),
        Page("review queue", "trainer", "/roleplay/review"),
        Page("HR home", "hr", "/"),
        Page("HR roster", "hr", "/hr/"),
        Page("HR roster, one status", "hr", "/hr/?status=expired"),
        Page("audit log", "hr", "/hr/audit"),
    ]
    return ids, pages


def _write_a_standing(app, round_: int) -> float:
    """Re-assign the first assignment with another due date, as HR does; the write's wall ms."""
    from webapp.certification import services as certification
    from webapp.certification.models import PostAssignment
    from webapp.extensions import db

    with app.app_context():
        assignment = db.session.scalars(db.select(PostAssignment).order_by(PostAssignment.id).limit(1)).one()
        started = time.perf_counter()
        certification.assign_post(assignment.user, assignment.post, date.today() + timedelta(days=30 + round_), None)
        db.session.commit()
        elapsed = (time.perf_counter() - started) * 1000
        db.session.remove()
    return elapsed


def measure_size(url: str, requests: int, log=print) -> tuple[dict[str, Measure], dict]:
    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-pages", "RATELIMIT_ENABLED": False})
    results: dict[str, Measure] = {}
    ids, pages = measured_pages(app)
    with app.app_context():
        engine = db.engine
    # Each request pushes its own app context (Flask-Login keeps the user in ``g``), as on a server.
    statements, writes = Statements(engine), []
    for page in pages:
        client = app.test_client()
        sign_in(client, ids[page.role])
        cpu, wall = _time(client, page.url, requests)
        changed = []
        for _ in range(3):  # the first view after a write: no aggregates kept (hr.freshness)
            writes.append(_write_a_standing(app, len(writes)))
            statements.seen.clear()
            started = time.perf_counter()
            client.get(page.url).close()
            changed.append((time.perf_counter() - started) * 1000)
        count = len(statements.seen)
        main_query, plan = statements.explain_slowest()
        results[page.name] = Measure(cpu, wall, statistics.median(changed), count, main_query, plan)
        log(f"  {page.name:<24} {cpu:8.2f} ms CPU {wall:8.2f} ms wall {statistics.median(changed):8.2f} ms after a "
            f"change {count:4d} statements")
    export = _export(app, ids["hr"])
    engine.dispose()
    export["load"] = os.getloadavg()[0]
    bare = bare_app().test_client()
    bare_cpu, bare_wall = _time(bare, "/", max(requests * 10, 100))
    log(f"  {'bare Flask endpoint':<24} {bare_cpu:8.3f} ms CPU {bare_wall:8.3f} ms wall")
    log(f"  {'a write (re-assign)':<24} {statistics.median(writes):8.2f} ms wall")
    return results, {"bare_cpu": bare_cpu, "bare_wall": bare_wall, "write_wall": statistics.median(writes), **export}


def _export(app, hr_id: int) -> dict:
    """The whole roster as CSV once, per row, against csv.writer writing the same rows."""
    client = app.test_client()
    sign_in(client, hr_id)
    started_cpu, started = time.process_time(), time.perf_counter()
    response = client.get("/hr/roster/export.csv?headers=machine")
    body = response.get_data()
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    started_cpu = time.process_time()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    floor = time.process_time() - started_cpu
    return {"export_rows": len(rows) - 1, "export_cpu_s": cpu, "export_wall_s": wall, "csv_floor_s": floor}


def report(small: dict[str, Measure], large: dict[str, Measure], small_extra: dict, large_extra: dict,
           sizes: tuple[Size, Size], seeding: dict) -> tuple[str, list[str]]:
    misses = []
    lines = [f"# Pages at scale — {date.today().isoformat()}", "",
             f"Small: {sizes[0]}; large: {sizes[1]}. Seeding the large database (bench/seed_scale.py), per step: "
             + (", ".join(f"{name} {seconds:.0f} s" for name, seconds in seeding.items()) or "done before") + ".", "",
             f"Load average (1 min) after measuring: {small_extra['load']:.2f} (small), {large_extra['load']:.2f} "
             f"(large), on {os.cpu_count()} cores shared with other work: wall times include waiting for a core.", "",
             f"Bare Flask endpoint: {small_extra['bare_cpu']:.3f} ms CPU (small run), "
             f"{large_extra['bare_cpu']:.3f} ms CPU (large run).", "",
             "Wall and CPU are medians of repeated views; \"after a change\" is the first view after a write "
             "that changes a standing (a post re-assigned with another due date): no aggregates are kept, HR's "
             "add up the roster tallies the write recounted. That write (its commit included) takes "
             f"{small_extra['write_wall']:.1f} ms wall (small), {large_extra['write_wall']:.1f} ms (large).", "",
             "| page | CPU small ms | CPU large ms | CPU large/small | × bare (large) | wall small ms | wall large ms "
             "| wall large/small | wall after a change, small ms | … large ms | statements |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, at_large in large.items():
        at_small = small[name]
        growth, wall_growth = at_large.cpu_ms / at_small.cpu_ms, at_large.wall_ms / at_small.wall_ms
        bare = at_large.cpu_ms / large_extra["bare_cpu"]
        lines.append(f"| {name} | {at_small.cpu_ms:.2f} | {at_large.cpu_ms:.2f} | {growth:.2f} | {bare:.1f} | "
                     f"{at_small.wall_ms:.1f} | {at_large.wall_ms:.1f} | {wall_growth:.2f} | "
                     f"{at_small.changed_wall_ms:.1f} | {at_large.changed_wall_ms:.1f} | {at_large.statements} |")
        if growth > GROWTH_TARGET:
            misses.append(f"{name}: {growth:.2f}× CPU from small to large")
        if wall_growth > GROWTH_TARGET:
            misses.append(f"{name}: {wall_growth:.2f}× wall from small to large")
        if at_large.wall_ms > WALL_TARGET_MS:
            misses.append(f"{name}: {at_large.wall_ms:.0f} ms at large")
        if at_large.changed_wall_ms > WALL_TARGET_MS:
            misses.append(f"{name}: {at_large.changed_wall_ms:.0f} ms at large, first view after a change")
    per_row = large_extra["export_cpu_s"] / max(large_extra["export_rows"], 1)
    floor = large_extra["csv_floor_s"] / max(large_extra["export_rows"], 1)
    lines += ["", f"Roster CSV export at large: {large_extra['export_rows']} rows in "
              f"{large_extra['export_wall_s']:.2f} s wall, {large_extra['export_cpu_s']:.2f} s CPU: "
              f"{per_row * 1e6:.1f} µs per row = {per_row / floor:.1f}× the bare csv.writer floor "
              f"({floor * 1e6:.2f} µs per row); small: {small_extra['export_rows']} rows, "
              f"{small_extra['export_cpu_s'] / max(small_extra['export_rows'], 1) * 1e6:.1f} µs per row."]
    if per_row / floor > EXPORT_TARGET:
        misses.append(f"roster export: {per_row / floor:.1f}× csv.writer")
    lines += ["", "## Main query of each page at large (EXPLAIN ANALYZE)", ""]
    for name, at_large in large.items():
        lines += [f"### {name}", "", "```sql", at_large.main_query.strip(), "```", "", "```", at_large.explain, "```", ""]
    lines += ["## Targets missed", ""] + ([f"- {miss}" for miss in misses] or ["none"])
    return "\n".join(lines) + "\n", misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large-users", type=int, default=100_000)
    parser.add_argument("--large-attempts", type=int, default=1_000_000)
    parser.add_argument("--slots", type=int, default=24)
    parser.add_argument("--large-calls", type=int, default=200_000)
    parser.add_argument("--large-audit", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--small-url", help="a database seed_scale.py built at the small size: no seeding")
    parser.add_argument("--large-url", help="… at the --large-* sizes")
    parser.add_argument("--large-seeding", type=Path, help="the JSON seed_scale.py printed for the large database")
    parser.add_argument("--report", type=Path, help="where to write the report (default: bench/results/pages-<date>.md)")
    args = parser.parse_args()
    sizes = (Size(1_000, 10_000, args.slots, 2_000, 5_000),
             Size(args.large_users, args.large_attempts, args.slots, args.large_calls, args.large_audit))
    server = None if args.small_url and args.large_url else ThrowawayPostgres()
    try:
        measured = []
        for label, size, url in zip(("small", "large"), sizes, (args.small_url, args.large_url)):
            seeding = {}
            if server is not None:
                url = server.create_database(f"pages_{label}")
                print(f"seeding {label}: {size}", flush=True)
                seeding = seed(url, size, log=lambda line: print(line, flush=True))
            print(f"measuring {label}", flush=True)
            measured.append((*measure_size(url, args.requests, log=lambda line: print(line, flush=True)), seeding))
        (small, small_extra, _), (large, large_extra, large_seeding) = measured
        if args.large_seeding:
            large_seeding = json.loads(args.large_seeding.read_text())["steps"]
        text, misses = report(small, large, small_extra, large_extra, sizes, large_seeding)
    finally:
        if server is not None:
            server.stop()
    RESULTS.mkdir(exist_ok=True)
    path = (args.report or RESULTS / f"pages-{date.today().isoformat()}.md").resolve()
    path.write_text(text, encoding="utf-8")
    print(text.split("## Main query")[0])
    print(f"report: {path}")
    sys.exit(1 if misses else 0)


if __name__ == "__main__":
    os.environ.setdefault("HOTLINE_LOCALE", "zh_CN")
    main()
