"""Exam day on a cluster, with faults: nothing acknowledged is lost, nothing graded twice.

    .venv/bin/python bench/cluster.py [--trainees 200] [--nodes 3] [--save-every 3] [--staff 3]

Starts the loopback cluster of bench/topology.py (PostgreSQL, Redis, gunicorn nodes, a job
worker, nginx) in a temporary folder and stops it at the end. Simulated trainees, each a real
HTTP client with its own cookie session and the CSRF token read from the pages, sign in through
nginx, start the final exam of the hotline-agent post (every other requirement met by HR
overrides, so a pass earns the certificate), save every answer a few seconds apart — each save
sent twice — and submit through two nodes at the same moment (straight to the nodes, past
nginx). Trainers and HR browse their pages and export the roster meanwhile. During the run:

(a) one node is SIGKILLed (master and workers) and started again;
(b) PostgreSQL is restarted with ``pg_ctl restart -m fast``.

No request is retried behind the figures' back: every failed request counts as a client error,
by fault. A trainee whose save failed sends that answer again at its next step, as a person whose
page says "not saved" would. A probe (one more trainee reading its attempt page and saving an
answer four times a second) gives the seconds from each fault until the cluster serves normally
again (three probes in a row answered); nobody intervenes. Then the database is read: every acknowledged save (the last one per
question) must be there, each submitted attempt graded exactly once (a trigger on ``quiz_attempts``,
installed by this benchmark, counts the moves to graded) and each passing trainee holds exactly
one certificate, issued once (the audit log).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.topology import Cluster  # noqa: E402

QUIZ, POST = "hotline-agent.final", "hotline-agent"
PASSWORD = "exam-day-2026"
TIMEOUT = 30
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
GRADINGS = """
CREATE TABLE IF NOT EXISTS bench_gradings (attempt_id integer NOT NULL, at timestamptz DEFAULT clock_timestamp());
CREATE OR REPLACE FUNCTION bench_note_grading() RETURNS trigger AS $$
BEGIN INSERT INTO bench_gradings (attempt_id) VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS bench_gradings ON quiz_attempts;
CREATE TRIGGER bench_gradings AFTER UPDATE ON quiz_attempts FOR EACH ROW
  WHEN (NEW.state = 'graded' AND OLD.state IS DISTINCT FROM 'graded') EXECUTE FUNCTION bench_note_grading();
"""


# --- what the clients saw -------------------------------------------------------------------------

@dataclass
class Outcome:
    at: float  # monotonic
    what: str
    error: str | None  # None: answered as expected


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.outcomes: list[Outcome] = []

    def note(self, what: str, error: str | None) -> None:
        with self.lock:
            self.outcomes.append(Outcome(time.monotonic(), what, error))

    def errors(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.error is not None]


class Client:
    """One person's browser: a cookie session; each request is logged, never retried."""

    def __init__(self, base_url: str, log: Log):
        self.base_url, self.log = base_url, log
        self.session = requests.Session()
        self.csrf = ""
        self.signed_in = False

    def request(self, what: str, method: str, path: str, expect: int, base_url: str | None = None,
                **kwargs) -> requests.Response | None:
        try:
            response = self.session.request(method, (base_url or self.base_url) + path, timeout=TIMEOUT,
                                            allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            self.log.note(what, type(error).__name__)
            return None
        if response.status_code != expect:
            self.log.note(what, f"HTTP {response.status_code}")
            return None
        self.log.note(what, None)
        found = CSRF.search(response.text) if "text/html" in response.headers.get("Content-Type", "") else None
        if found:
            self.csrf = found.group(1)
        return response

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.session.close()

    def sign_in(self, employee_no: str) -> bool:
        """Signed in, with a CSRF token; a step that failed is done again at the next call."""
        if not self.signed_in:
            self.signed_in = (self.request("sign-in page", "GET", "/login", 200) is not None
                              and self.request("sign in", "POST", "/login", 302, data={
                                  "employee_no": employee_no, "password": PASSWORD,
                                  "csrf_token": self.csrf}) is not None)
        return self.signed_in and self.request("home", "GET", "/", 200) is not None


# --- the database side ------------------------------------------------------------------------------

class Records:
    """Direct reads of the cluster's database: setting up, the right answers, the final check."""

    def __init__(self, database_url: str, secret_key: str):
        from webapp import create_app

        self.app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key,
                               "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})

    def close(self) -> None:
        """Close the pooled connections (the cluster's PostgreSQL is about to stop)."""
        from webapp.extensions import db

        with self.app.app_context():
            db.engine.dispose()

    def prepare(self) -> None:
        """The schema (by the migrations) and every content file, in this process."""
        from flask_migrate import upgrade

        from webapp.content.services import import_content
        from webapp.i18n import compile_catalogs

        with self.app.app_context():
            compile_catalogs()
            upgrade(directory=str(ROOT / "migrations"))
            import_content(ROOT)

    def seed(self, trainees: int, staff: int) -> tuple[list[str], list[tuple[str, str]]]:
        """Trainees assigned the post with every requirement but the final exam met by overrides;
        trainers and HR officers. Employee numbers of this run only."""
        from webapp.accounts import services as accounts
        from webapp.certification import engine
        from webapp.certification import services as certification
        from webapp.certification.models import Post
        from webapp.extensions import db

        tag = f"{random.randrange(36 ** 4):04x}"
        with self.app.app_context():
            db.session.execute(db.text(GRADINGS))
            post = db.session.get(Post, POST)
            hr = accounts.create_user(f"H{tag}", "压测人事", "人力资源部", "hr", PASSWORD, "")
            staff_accounts = [(hr.employee_no, "hr")]
            for number in range(staff - 1):
                role = "trainer" if number % 2 == 0 else "hr"
                user = accounts.create_user(f"S{tag}{number:02d}", f"压测员工{number}", "培训部", role, PASSWORD, "")
                staff_accounts.append((user.employee_no, role))
            numbers = []
            for number in range(trainees):
                user = accounts.create_user(f"E{tag}{number:04d}", f"考试学员{number}", "10000号客服中心", "trainee",
                                            PASSWORD, "")
                assignment = certification.assign_post(user, post, None, hr)
                db.session.flush()
                assigned = certification.assigned_post(assignment)
                for requirement in certification.override_choices(assigned):
                    if requirement != engine.quiz_key(QUIZ):
                        certification.grant_override(assignment, requirement, "压测：已在线下完成", hr)
                numbers.append(user.employee_no)
            db.session.commit()
        return numbers, staff_accounts

    def right_answers(self, attempt_id: int) -> list[tuple[int, list[str]]]:
        from tests.quizzes.answers import right_values
        from webapp.extensions import db
        from webapp.quizzes.models import Attempt
        from webapp.quizzes.services import question_of

        for _ in range(100):  # the benchmark's own lookup waits out the database restart
            try:
                with self.app.app_context():
                    attempt = db.session.get(Attempt, attempt_id)
                    return [(slot.position, right_values(question_of(slot.question_version), slot.option_order))
                            for slot in attempt.slots]
            except Exception:  # noqa: BLE001 — instrumentation, not a client request
                time.sleep(0.5)
        raise RuntimeError(f"cannot read attempt {attempt_id}")

    def check(self, acknowledged: dict[int, dict[int, list[list[str]]]],
              submitted: list[int]) -> dict:
        """``acknowledged[attempt][position]``: the values of each save, in order, with None for a
        save not acknowledged. A question's stored answer must be its last acknowledged save, or a
        later save whose answer never came back (it may have been written)."""
        from webapp.audit.models import AuditEntry
        from webapp.certification.models import Certificate
        from webapp.extensions import db
        from webapp.quizzes.models import Attempt, AttemptAnswer
        from webapp.quizzes.services import question_of

        with self.app.app_context():
            # The database was restarted during the run: pooled connections from before it are dead.
            db.engine.dispose()
            acked = found = 0
            for attempt_id, positions in acknowledged.items():
                attempt = db.session.get(Attempt, attempt_id)
                slots = {slot.position: slot for slot in attempt.slots}
                stored = dict(db.session.execute(db.select(AttemptAnswer.position, AttemptAnswer.value)
                                                 .where(AttemptAnswer.attempt_id == attempt_id)).all())
                for position, saves in positions.items():
                    acked_saves = [values for values, ok in saves if ok]
                    if not acked_saves:
                        continue
                    acked += 1
                    last = max(index for index, (_values, ok) in enumerate(saves) if ok)
                    question = question_of(slots[position].question_version)
                    allowed = [question.question_type.normalise(question, slots[position].option_order, values)
                               for values, _ok in saves[last:]]
                    found += position in stored and stored[position] in allowed
            gradings = dict(db.session.execute(db.text(
                "SELECT attempt_id, count(*) FROM bench_gradings GROUP BY attempt_id")).all())
            attempts = {attempt.id: attempt for attempt in db.session.scalars(
                db.select(Attempt).where(Attempt.id.in_(submitted)))}
            passers = {attempt.user_id for attempt in attempts.values() if attempt.passed}
            certificates = dict(db.session.execute(
                db.select(Certificate.user_id, db.func.count()).where(Certificate.user_id.in_(passers or [0]),
                                                                     Certificate.post_id == POST)
                .group_by(Certificate.user_id)).all())
            numbers = [certificate.number for certificate in db.session.scalars(
                db.select(Certificate).where(Certificate.user_id.in_(passers or [0]), Certificate.post_id == POST))]
            issued = db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "certificate.issue",
                AuditEntry.target.in_([f"certificate:{number}" for number in numbers] or [""])))
            return {
                "saves_acknowledged": acked, "saves_found": found,
                "attempts_submitted": len(submitted),
                "graded_once": sum(1 for attempt_id in submitted if gradings.get(attempt_id) == 1),
                "graded_twice_or_more": sum(1 for attempt_id in submitted if gradings.get(attempt_id, 0) > 1),
                "not_graded": sum(1 for attempt_id in submitted if not gradings.get(attempt_id)),
                "passed": len(passers),
                "certificates": sum(certificates.values()),
                "certificates_issued_once": sum(1 for user in passers if certificates.get(user) == 1),
                "double_certificates": sum(1 for count in certificates.values() if count > 1),
                "certificate_issue_audits": issued,
            }


# --- the people -------------------------------------------------------------------------------------

@dataclass
class Exam:
    acknowledged: dict[int, dict[int, list]] = field(default_factory=dict)
    submitted: list[int] = field(default_factory=list)
    double_submits: int = 0
    double_submits_both_answered: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def take_exam(employee_no: str, cluster: Cluster, records: Records, log: Log, exam: Exam, save_every: float,
              deadline: float) -> None:
    """One trainee's exam; gives up (counted as unfinished) at ``deadline``."""
    with Client(cluster.url, log) as client:
        while not client.sign_in(employee_no):  # a person tries again; every failure is counted
            if time.monotonic() > deadline:
                return
            time.sleep(1)
        while True:
            client.request("exam briefing", "GET", f"/quizzes/{QUIZ}/", 200)
            started = client.request("start exam", "POST", f"/quizzes/{QUIZ}/start", 302, data={"csrf_token": client.csrf})
            if started is not None and "/attempts/" in started.headers["Location"]:
                break
            if time.monotonic() > deadline:
                return
            time.sleep(1)
        attempt_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        client.request("attempt page", "GET", f"/quizzes/attempts/{attempt_id}", 200)
        saves: dict[int, list] = {}
        with exam.lock:
            exam.acknowledged[attempt_id] = saves
        pending = records.right_answers(attempt_id)
        random.shuffle(pending)
        while pending and time.monotonic() < deadline:
            time.sleep(save_every * random.uniform(0.6, 1.4))
            position, values = pending[0]
            body = {"position": position, "values": values}
            headers = {"X-CSRFToken": client.csrf}
            ok = False
            for _copy in range(2):  # every save twice: the second must change nothing
                answered = client.request("save answer", "POST", f"/quizzes/attempts/{attempt_id}/answers", 200,
                                          json=body, headers=headers)
                ok = answered is not None or ok
                saves.setdefault(position, []).append((values, answered is not None))
            if ok:
                pending.pop(0)
        # Submitted through two nodes at the same moment, past nginx (the session is valid on both).
        nodes = [cluster.node_url(name) for name in list(cluster.state["nodes"])[:2]]
        submit = {"csrf_token": client.csrf, "acknowledged": "1"}
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda base: client.request(
                "submit", "POST", f"/quizzes/attempts/{attempt_id}/submit", 302, base_url=base, data=submit), nodes))
        # Neither answered (a fault): the person presses the button again, through nginx.
        while all(answer is None for answer in answers):
            if time.monotonic() > deadline:
                return
            time.sleep(1)
            answers = [client.request("submit again", "POST", f"/quizzes/attempts/{attempt_id}/submit", 302, data=submit)]
        with exam.lock:
            exam.double_submits += 1
            exam.double_submits_both_answered += len(answers) == 2 and None not in answers
            exam.submitted.append(attempt_id)
        client.request("result", "GET", f"/quizzes/attempts/{attempt_id}/result", 200)


def browse(employee_no: str, role: str, cluster: Cluster, log: Log, stop: threading.Event) -> None:
    with Client(cluster.url, log) as client:
        while not client.sign_in(employee_no):
            if stop.wait(1):
                return
        pages = (["/quizzes/manage/", f"/quizzes/manage/{QUIZ}/attempts", f"/quizzes/manage/{QUIZ}/items",
                  f"/quizzes/manage/{QUIZ}/responses.csv"] if role == "trainer" else ["/hr/", "/hr/roster/export.csv", "/hr/audit"])
        while not stop.wait(random.uniform(0.5, 1.5)):
            path = random.choice(pages)
            client.request(f"{role} {path.split('/')[-1] or path}", "GET", path, 200)


def probe(cluster: Cluster, employee_no: str, records: Records, stop: threading.Event,
          results: list[tuple[float, bool]]) -> None:
    """A reader and a writer four times a second: when both answer, the cluster serves normally."""
    with Client(cluster.url, Log()) as client:
        started = None
        while started is None and not stop.is_set():
            started = client.sign_in(employee_no) and client.request(
                "start", "POST", f"/quizzes/{QUIZ}/start", 302, data={"csrf_token": client.csrf}) or None
            stop.wait(0.25)
        if started is None:
            return
        attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
        position, values = records.right_answers(attempt_id)[0]
        while not stop.wait(0.25):
            read = client.request("probe read", "GET", f"/quizzes/attempts/{attempt_id}", 200)
            write = client.request("probe write", "POST", f"/quizzes/attempts/{attempt_id}/answers", 200,
                                   json={"position": position, "values": values}, headers={"X-CSRFToken": client.csrf})
            results.append((time.monotonic(), read is not None and write is not None))


# --- faults ------------------------------------------------------------------------------------------

@dataclass
class Fault:
    name: str
    at: float
    ended_at: float = 0.0  # when the injection itself was over (node restarted, pg_ctl returned)
    detail: dict = field(default_factory=dict)


def inject(cluster: Cluster, faults: list[Fault], kill_at: float, restart_pg_at: float, down_for: float,
           started: float) -> None:
    victim = list(cluster.state["nodes"])[-1]
    time.sleep(max(0.0, started + kill_at - time.monotonic()))
    fault = Fault(f"SIGKILL {victim}", time.monotonic())
    cluster.kill_node(victim)
    time.sleep(down_for)
    cluster.start_node(victim)
    fault.detail["node_serving_again_after_s"] = round(cluster.wait_for_node(victim) + down_for, 1)
    fault.ended_at = time.monotonic()
    faults.append(fault)
    time.sleep(max(0.0, started + restart_pg_at - time.monotonic()))
    fault = Fault("PostgreSQL restart -m fast", time.monotonic())
    cluster.postgres.restart()
    fault.ended_at = time.monotonic()
    fault.detail["pg_ctl_restart_s"] = round(fault.ended_at - fault.at, 1)
    faults.append(fault)


def recovery_seconds(fault: Fault, probes: list[tuple[float, bool]], until: float, streak: int = 3) -> float | None:
    """From the fault until the probe succeeds ``streak`` times in a row (0 when it had not
    failed before that); None when it never does before ``until``."""
    window = [(at, ok) for at, ok in probes if fault.at <= at < until]
    succeeded = 0
    for index, (_at, ok) in enumerate(window):
        succeeded = succeeded + 1 if ok else 0
        if succeeded == streak:
            first = index - streak + 1
            failed_before = not all(ok for _at, ok in window[:first])
            return round(window[first][0] - fault.at, 1) if failed_before else 0.0
    return None


# --- the run -------------------------------------------------------------------------------------------

def run(cluster: Cluster, records: Records, trainees: int, staff: int, save_every: float, kill_at: float,
        restart_pg_at: float, down_for: float, stagger: float, limit: float) -> dict:
    """The exam day; trainees still busy ``limit`` seconds after the start give up (reported)."""
    numbers, staff_accounts = records.seed(trainees + 1, staff)
    probe_no, numbers = numbers[0], numbers[1:]
    log, exam, faults = Log(), Exam(), []
    stop, probes = threading.Event(), []
    helpers = [threading.Thread(target=probe, args=(cluster, probe_no, records, stop, probes), daemon=True)]
    helpers += [threading.Thread(target=browse, args=(number, role, cluster, log, stop), daemon=True)
                for number, role in staff_accounts]
    for thread in helpers:
        thread.start()
    started, injection_failures = time.monotonic(), []

    def injecting():
        try:
            inject(cluster, faults, kill_at, restart_pg_at, down_for, started)
        except Exception as error:  # noqa: BLE001 — raised again in this thread below
            injection_failures.append(error)

    injector = threading.Thread(target=injecting)
    injector.start()

    def trainee(index_and_number):
        index, number = index_and_number
        time.sleep(stagger * index / max(1, len(numbers)))
        take_exam(number, cluster, records, log, exam, save_every, started + limit)

    with ThreadPoolExecutor(max_workers=len(numbers)) as pool:
        list(pool.map(trainee, enumerate(numbers)))
    injector.join()
    if injection_failures:
        stop.set()
        raise injection_failures[0]
    time.sleep(1)  # the probe sees the calm after the last fault
    stop.set()
    for thread in helpers:
        thread.join(timeout=TIMEOUT + 5)
    finished = time.monotonic()

    report = {"trainees": len(numbers), "trainees_unfinished": len(numbers) - len(exam.submitted),
              "nodes": len(cluster.state["nodes"]), "seconds": round(finished - started, 1),
              "requests": len(log.outcomes), "double_submits": exam.double_submits,
              "double_submits_both_answered": exam.double_submits_both_answered}
    report.update(records.check(exam.acknowledged, exam.submitted))
    errors, counted = log.errors(), set()
    report["faults"] = []
    for number, fault in enumerate(faults):
        until = faults[number + 1].at if number + 1 < len(faults) else finished
        recovered = recovery_seconds(fault, probes, until)
        # Errors caused by the fault: from its start until the cluster served normally again
        # and the injection was over, plus two seconds for requests under way (at most until
        # the next fault: each error counts once).
        end = max(fault.ended_at, fault.at + (recovered if recovered is not None else until - fault.at)) + 2
        caused = [error for error in errors if fault.at <= error.at <= min(end, until)]
        counted.update(map(id, caused))
        kinds: dict[str, int] = {}
        for error in caused:
            kinds[f"{error.what}: {error.error}"] = kinds.get(f"{error.what}: {error.error}", 0) + 1
        report["faults"].append({"fault": fault.name, "client_errors": len(caused), "errors": kinds,
                                 "recovery_s": recovered, **fault.detail})
    other = [error for error in errors if id(error) not in counted]
    report["client_errors_outside_faults"] = len(other)
    report["errors_outside_faults"] = sorted({f"{error.what}: {error.error}" for error in other})
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--staff", type=int, default=3, help="trainers and HR officers browsing and exporting")
    parser.add_argument("--save-every", type=float, default=3.0, help="seconds between a trainee's saves")
    parser.add_argument("--kill-at", type=float, default=30.0, help="seconds into the run: SIGKILL a node")
    parser.add_argument("--down-for", type=float, default=5.0, help="seconds the killed node stays down")
    parser.add_argument("--restart-db-at", type=float, default=60.0, help="seconds into the run: restart PostgreSQL")
    parser.add_argument("--stagger", type=float, default=15.0, help="seconds over which trainees arrive")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds after which trainees give up")
    parser.add_argument("--keep", action="store_true", help="leave the cluster's folder (logs) behind")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the cluster on the way out
    folder = Path(tempfile.mkdtemp(prefix="hotline-cluster-bench-"))
    cluster = Cluster(folder, nodes=args.nodes, job_workers=1, port=0, gunicorn_workers=2, threads=8)
    records = Records(cluster.database_url, cluster.state["secret_key"])
    try:
        begun = time.monotonic()
        cluster.start(prepare=records.prepare)
        print(f"cluster of {args.nodes} nodes up in {time.monotonic() - begun:.0f} s", file=sys.stderr)
        report = run(cluster, records, args.trainees, args.staff, args.save_every, args.kill_at, args.restart_db_at,
                     args.down_for, args.stagger, args.limit)
    finally:
        records.close()
        cluster.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    sound = (report["trainees_unfinished"] == 0 and report["saves_found"] == report["saves_acknowledged"] and report["graded_twice_or_more"] == 0
             and report["not_graded"] == 0 and report["double_certificates"] == 0
             and report["certificates_issued_once"] == report["passed"]
             and all(fault["recovery_s"] is not None for fault in report["faults"]))
    return 0 if sound else 1


if __name__ == "__main__":
    sys.exit(main())
