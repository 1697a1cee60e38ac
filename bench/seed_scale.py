"""Fill a PostgreSQL database with a national operator's worth of records, in minutes.

    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/seed_scale.py \
        [--users 100000] [--attempts 1000000] [--slots 24] [--calls 200000] [--audit 500000]

The database should be empty: the schema is created, the sample content and demo accounts are
loaded (as ``flask demo load`` does), then trainees, post assignments (1.2 per trainee),
certificates (about half of the assignments, 4 % of them revoked), role-play calls (10 %
reviewed) and audit entries are written with COPY from Python, and the bulk — quiz attempts with
their slots and saved answers (``--slots`` each, 95 % graded), 25 rows per attempt — is generated
inside PostgreSQL (INSERT … SELECT over generate_series, hashes of the row number as the dice).
Indexes and unique constraints other than primary keys are built after loading, then ANALYZE.
The derived rows are built by the code that keeps them current: the item statistics sums
(``quizzes.stats.rebuild``, the SQL that tests prove equal to grading's sums), the stored
assignment states (``certification.standings``) and the roster tallies (``hr.tallies``, counted
as the hourly job counts them the first time). The audit entries' hash chain is not valid
(nothing here reads it); every other row is one the app could have written.

Used by bench/pages.py (``seed(url, size)``); sizes are reproducible (``--seed``).
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
DEPARTMENTS_PER_POST = 8  # departments of a post across the provinces
AUDIT_ACTIONS = ("certificate.issue", "certificate.revoke", "post.assign", "roster.export", "roster.import",
                 "user.create", "user.update", "roleplay.review", "roleplay.override", "quizzes.export_responses",
                 "requirement.override", "certificate.recertification")
COPY_CHUNK = 1 << 20  # bytes per write to the COPY stream
NOW = datetime(2026, 11, 30, 9, 0)  # fixed: the same size gives the same database


@dataclass(frozen=True)
class Size:
    users: int
    attempts: int
    slots: int = 24
    calls: int = 0
    audit: int = 0


class Copier:
    """Rows as tab-separated text (NULL is \\N) spooled to a temporary file, then sent with COPY:
    one connection runs one COPY at a time, and a step writes several tables at once."""

    def __init__(self, cursor, table: str, columns: tuple[str, ...]):
        self.cursor, self.statement = cursor, f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.file = tempfile.TemporaryFile("w+b")
        self.buffer = io.StringIO()

    def __enter__(self) -> Copier:
        return self

    def row(self, *values) -> None:
        self.buffer.write("\t".join(r"\N" if value is None else str(value) for value in values))
        self.buffer.write("\n")
        if self.buffer.tell() > COPY_CHUNK:
            self.flush()

    def flush(self) -> None:
        self.file.write(self.buffer.getvalue().encode("utf-8"))
        self.buffer = io.StringIO()

    def __exit__(self, *exc) -> None:
        self.flush()

    def send(self) -> None:
        """COPY the spooled rows; call in foreign-key order."""
        self.file.seek(0)
        with self.cursor.copy(self.statement) as copy:
            while chunk := self.file.read(COPY_CHUNK):
                copy.write(chunk)
        self.file.close()


def _stamp(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def _content(app) -> None:
    """Schema, sample content and demo accounts: ``flask demo load``."""
    from webapp.demo import ensure_demo_accounts
    from webapp.extensions import db
    from webapp.registry import registry

    db.create_all()
    ensure_demo_accounts()
    for _order, loader in registry(app).demo_loaders:
        loader()
    db.session.commit()


def option_orders(db, rng: random.Random) -> dict[int, str]:
    """One option order per question version, drawn as an attempt would (JSON text)."""
    from webapp.quizzes.models import QuestionVersion
    from webapp.quizzes.services import question_of

    return {version.id: json.dumps(list(question_of(version).question_type.draw_order(question_of(version), rng, True)))
            for version in db.session.scalars(db.select(QuestionVersion))}


def _quiz_pools(db, rng: random.Random) -> dict:
    """Per quiz: (content hash, pass mark, (version id, question id, option order) its banks can draw)."""
    from webapp.quizzes.models import BankQuestion, QuestionVersion
    from webapp.quizzes.services import blueprint_of, current_quizzes

    orders = option_orders(db, rng)
    pools = {}
    for quiz in current_quizzes():
        blueprint = blueprint_of(quiz)
        banks = {rule.bank for rule in blueprint.draw}
        versions = [(version_id, question_id, orders[version_id]) for version_id, question_id in db.session.execute(
            db.select(QuestionVersion.id, QuestionVersion.question_id)
            .join(BankQuestion, BankQuestion.current_version_id == QuestionVersion.id)
            .where(BankQuestion.bank_id.in_(banks), BankQuestion.retired_at.is_(None)))]
        if versions:
            pools[quiz.id] = (quiz.content_hash, blueprint.pass_mark, versions)
    return pools


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _users(cursor, size: Size, rng: random.Random, posts: list[str]) -> list[tuple[int, str, str]]:
    """Trainees: (id, department, post of the department)."""
    first = _next_id(cursor, "users")
    trainees = []
    with Copier(cursor, "users", ("id", "employee_no", "name", "department", "team", "role", "active",
                                  "must_change_password", "created_at", "session_stamp")) as copy:
        for index in range(size.users):
            post = posts[index % len(posts)]
            department = f"{post}-{index // len(posts) % DEPARTMENTS_PER_POST + 1:02d}部"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            copy.row(first + index, f"s{index:07d}", name, department, f"{index % 12 + 1}班", "trainee", "t", "f",
                     _stamp(NOW - timedelta(days=800)), f"{index:x}")
            trainees.append((first + index, department, post))
    copy.send()
    return trainees


def _certification(cursor, trainees, rng: random.Random, posts: list[str], validity: dict[str, int]) -> None:
    from webapp.certification.engine import add_months

    assignment_id, certificate_id = _next_id(cursor, "post_assignments"), _next_id(cursor, "certificates")
    assignments = Copier(cursor, "post_assignments", ("id", "user_id", "post_id", "assigned_at", "due_date", "state"))
    certificates = Copier(cursor, "certificates", (
        "id", "user_id", "post_id", "cycle", "code", "issued_at", "valid_until", "content_versions", "exam_score",
        "roleplay_average", "revoked_at", "revocation_reason"))
    with assignments, certificates:
        for user_id, _department, post in trainees:
            wanted = [post] + ([rng.choice([p for p in posts if p != post])] if rng.random() < 0.2 else [])
            for post_id in wanted:
                assigned_at = NOW - timedelta(days=rng.randint(30, 1000))
                due = assigned_at.date() + timedelta(days=rng.choice((60, 90, 180)))
                assignments.row(assignment_id, user_id, post_id, _stamp(assigned_at), due, "in_progress")
                assignment_id += 1
                if rng.random() < 0.5:
                    issued = assigned_at + timedelta(days=rng.randint(10, 50))
                    revoked = issued + timedelta(days=30) if rng.random() < 0.04 else None
                    certificates.row(certificate_id, user_id, post_id, 1, f"seed{certificate_id:012d}", _stamp(issued),
                                     add_months(issued.date(), validity[post_id]), "{}", rng.randint(80, 100),
                                     rng.randint(75, 100), revoked and _stamp(revoked), revoked and "抽检发现服务禁语")
                    certificate_id += 1
    certificates.send()
    assignments.send()


def _unit(salt: str) -> str:
    """SQL for a deterministic pseudo-random number in [0, 1) from an integer expression."""
    return f"((hashint8({salt})::bigint + 2147483648) / 4294967296.0)"


def _strides(pool: int) -> list[int]:
    """Steps through a pool of this size that visit every question before repeating one."""
    return [step for step in range(1, pool) if math.gcd(step, pool) == 1] or [1]


def _attempts(cursor, size: Size, first_user: int, pools: dict) -> None:
    """Attempts, slots and answers generated inside PostgreSQL (INSERT … SELECT over
    generate_series): attempt i belongs to trainee i mod users, its quiz, start, ability and every
    slot's score are hashes of i (and the position), so a size always gives the same rows. The
    slots of an attempt walk its quiz's pool from a random question with a step prime to the
    pool's size: distinct questions, as the draw picks them. 95 % are graded."""
    quiz_ids = sorted(pools)
    cursor.execute("CREATE TEMP TABLE seed_quizzes (quiz_index int PRIMARY KEY, quiz_id text, quiz_hash text, "
                   "pass_mark float8, pool int, slots int, strides int[])")
    cursor.execute("CREATE TEMP TABLE seed_pool (quiz_index int, k int, version_id int, option_order text, "
                   "PRIMARY KEY (quiz_index, k))")
    for index, quiz_id in enumerate(quiz_ids):
        content_hash, pass_mark, versions = pools[quiz_id]
        cursor.execute("INSERT INTO seed_quizzes VALUES (%s, %s, %s, %s, %s, %s, %s)",
                       (index, quiz_id, content_hash, pass_mark, len(versions), min(size.slots, len(versions)),
                        _strides(len(versions))))
        cursor.executemany("INSERT INTO seed_pool VALUES (%s, %s, %s, %s)",
                           [(index, k, version_id, order) for k, (version_id, _question, order) in enumerate(versions)])
    attempt, slot, answer = (_next_id(cursor, table) for table in ("quiz_attempts", "attempt_slots", "attempt_answers"))
    cursor.execute(f"""
        CREATE TEMP TABLE seed_attempts AS
        SELECT g.i, g.quiz_index, g.graded, g.ability, g.started, q.slots, q.pool,
               floor({_unit("g.i * 97 + 5")} * q.pool)::int AS start,
               q.strides[1 + floor({_unit("g.i * 97 + 6")} * cardinality(q.strides))::int] AS stride
        FROM (SELECT i, floor({_unit("i * 97 + 1")} * {len(quiz_ids)})::int AS quiz_index,
                     {_unit("i * 97 + 2")} < 0.95 AS graded, {_unit("i * 97 + 3")} AS ability,
                     TIMESTAMP '{_stamp(NOW)}' - (60 + floor({_unit("i * 97 + 4")} * 700 * 24 * 60))
                         * INTERVAL '1 minute' AS started
              FROM generate_series(0::bigint, {size.attempts - 1}) AS i) AS g
        JOIN seed_quizzes AS q USING (quiz_index)""")
    right = f"{_unit('(a.i * 32 + p) * 97 + 7')} < 0.35 + 0.6 * a.ability"
    cursor.execute(f"""
        INSERT INTO quiz_attempts (id, user_id, quiz_id, number, seed, quiz_hash, state, started_at, ends_at,
                                   deadline, closed_at, graded_at, score, pass_mark, passed)
        SELECT {attempt} + a.i, {first_user} + a.i % {size.users}, q.quiz_id,
               row_number() OVER (PARTITION BY a.i % {size.users}, a.quiz_index ORDER BY a.i),
               hashint8(a.i * 97 + 8)::bigint + 2147483648, q.quiz_hash,
               CASE WHEN a.graded THEN 'graded' ELSE 'in_progress' END, a.started,
               a.started + INTERVAL '30 minutes', a.started + INTERVAL '31 minutes',
               CASE WHEN a.graded THEN a.started + INTERVAL '30 minutes' END,
               CASE WHEN a.graded THEN a.started + INTERVAL '30 minutes' END,
               CASE WHEN a.graded THEN s.score END, q.pass_mark, CASE WHEN a.graded THEN s.score >= q.pass_mark END
        FROM seed_attempts AS a JOIN seed_quizzes AS q USING (quiz_index)
        CROSS JOIN LATERAL (SELECT round(100.0 * count(*) FILTER (WHERE {right}) / a.slots, 2)::float8 AS score
                            FROM generate_series(0, a.slots - 1) AS p) AS s""")
    cursor.execute(f"""
        INSERT INTO attempt_slots (id, attempt_id, position, question_version_id, option_order, score)
        SELECT {slot} + a.i * {size.slots} + p, {attempt} + a.i, p, pool.version_id, pool.option_order::json,
               CASE WHEN a.graded THEN ({right})::int::float8 END
        FROM seed_attempts AS a CROSS JOIN generate_series(0, {size.slots - 1}) AS p
        JOIN seed_pool AS pool ON pool.quiz_index = a.quiz_index AND pool.k = (a.start + p * a.stride) % a.pool
        WHERE p < a.slots""")
    # a saved answer row for every slot; its value is "no answer" (JSON null)
    cursor.execute(f"""
        INSERT INTO attempt_answers (id, attempt_id, position, value, saved_at)
        SELECT {answer} + a.i * {size.slots} + p, {attempt} + a.i, p, 'null'::json, a.started + INTERVAL '1 minute'
        FROM seed_attempts AS a CROSS JOIN generate_series(0, {size.slots - 1}) AS p WHERE p < a.slots""")
    cursor.execute("DROP TABLE seed_attempts, seed_pool, seed_quizzes")


BULK_TABLES = ("users", "post_assignments", "certificates", "quiz_attempts", "attempt_slots", "attempt_answers",
               "calls", "audit_entries")


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the bulk tables' indexes and unique constraints other than primary keys (built once
    after loading, faster than kept up row by row); returns the statements that rebuild them."""
    cursor.execute("""
        SELECT 'ALTER TABLE ' || quote_ident(c.conrelid::regclass::text) || ' DROP CONSTRAINT ' || quote_ident(c.conname),
               'ALTER TABLE ' || quote_ident(c.conrelid::regclass::text) || ' ADD CONSTRAINT ' || quote_ident(c.conname)
               || ' ' || pg_get_constraintdef(c.oid)
        FROM pg_constraint AS c WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%(tables)s)
        UNION ALL
        SELECT 'DROP INDEX ' || quote_ident(i.indexname), i.indexdef
        FROM pg_indexes AS i WHERE i.tablename = ANY(%(tables)s) AND i.schemaname = 'public'
          AND i.indexname NOT IN (SELECT conname FROM pg_constraint)""", {"tables": list(BULK_TABLES)})
    found = cursor.fetchall()
    for drop, _create in found:
        cursor.execute(drop)
    return [create for _drop, create in found]


def _calls(cursor, size: Size, trainees, rng: random.Random, scenario_versions: list[int], norms_version: int,
           reviewer: int) -> None:
    call_id = _next_id(cursor, "calls")
    with Copier(cursor, "calls", ("id", "user_id", "scenario_version_id", "norms_version_id", "mode", "state", "mood",
                                  "started_at", "line_served_at", "finished_at", "score", "passed", "critical",
                                  "reviewed_at", "reviewed_by_id")) as copy:
        for index in range(size.calls):
            started = NOW - timedelta(minutes=rng.randint(60, 700 * 24 * 60))
            finished = started + timedelta(minutes=rng.randint(3, 15))
            score = rng.randint(40, 100)
            reviewed = rng.random() < 0.1
            copy.row(call_id + index, trainees[rng.randrange(len(trainees))][0], rng.choice(scenario_versions),
                     norms_version, "assessment" if rng.random() < 0.6 else "practice", "finished", 0,
                     _stamp(started), _stamp(finished), _stamp(finished), score, "t" if score >= 70 else "f", "f",
                     _stamp(finished + timedelta(days=1)) if reviewed else None, reviewer if reviewed else None)
    copy.send()


def _audit(cursor, size: Size, rng: random.Random, actor: int) -> None:
    entry_id = _next_id(cursor, "audit_entries")
    with Copier(cursor, "audit_entries", ("id", "at", "actor_id", "actor_label", "action", "target", "details",
                                          "previous_hash", "entry_hash")) as copy:
        for index in range(size.audit):
            at = NOW - timedelta(seconds=(size.audit - index) * 60)
            copy.row(entry_id + index, _stamp(at), actor, "hr01 李娜", rng.choice(AUDIT_ACTIONS),
                     f"user:s{rng.randrange(max(size.users, 1)):07d}", "{}", f"{index:064x}", f"{index + 1:064x}")
    copy.send()


def seed(url: str, size: Size, random_seed: int = 2026, log=print) -> dict[str, float]:
    """Build the database at ``url`` (empty) at this size; returns seconds per step."""
    os.environ["DATABASE_URL"] = url
    from webapp import create_app
    from webapp.accounts.models import User
    from webapp.certification import standings
    from webapp.certification.services import definition_of, local_today, posts_in_order
    from webapp.extensions import db
    from webapp.hr import tallies
    from webapp.quizzes import stats
    from webapp.roleplay.models import NormsVersion, ScenarioVersion

    rng = random.Random(random_seed)
    timings: dict[str, float] = {}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        started = time.perf_counter()
        _content(app)
        timings["content"] = time.perf_counter() - started
        posts = posts_in_order()
        validity = {post.id: definition_of(post).validity_months for post in posts}
        pools = _quiz_pools(db, rng)
        scenario_versions = list(db.session.scalars(db.select(ScenarioVersion.id)))
        norms_version = db.session.scalar(db.select(db.func.max(NormsVersion.id)))
        reviewer = db.session.scalar(db.select(User.id).where(User.employee_no == "trainer01"))
        actor = db.session.scalar(db.select(User.id).where(User.employee_no == "hr01"))
        db.session.commit()
        post_ids = [post.id for post in posts]
        found: dict = {}

        def timed(name: str, step) -> None:
            started = time.perf_counter()
            step()
            timings[name] = time.perf_counter() - started
            log(f"  {name:<14} {timings[name]:7.1f} s")

        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            # The generator keeps every reference valid; per-row foreign-key triggers would make
            # loading several times slower (the server is a throwaway one: its superuser may do this).
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '1GB'")
            rebuild_indexes = _drop_secondary_indexes(cursor)
            connection.commit()
            for name, step in (
                ("users", lambda: found.update(trainees=_users(cursor, size, rng, post_ids))),
                ("certification", lambda: _certification(cursor, found["trainees"], rng, post_ids, validity)),
                ("attempts", lambda: _attempts(cursor, size, found["trainees"][0][0], pools)),
                ("calls", lambda: _calls(cursor, size, found["trainees"], rng, scenario_versions, norms_version,
                                         reviewer)),
                ("audit", lambda: _audit(cursor, size, rng, actor)),
                ("indexes", lambda: [cursor.execute(statement) for statement in rebuild_indexes]),
                ("analyze", lambda: cursor.execute("ANALYZE")),
            ):
                timed(name, lambda: (step(), connection.commit()))
            for table in BULK_TABLES:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
            connection.commit()
        finally:
            connection.close()
        timed("item sums", lambda: (stats.rebuild(), db.session.commit()))
        timed("standings", lambda: (standings.refresh_all(), db.session.commit()))
        timed("roster tallies", lambda: (tallies.bring_to(db.session, local_today()), db.session.commit()))

        def vacuum() -> None:  # the visibility map lets the pages' index-only scans skip the heap
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
                autocommit.exec_driver_sql("VACUUM ANALYZE")

        timed("vacuum", vacuum)
        db.session.remove()
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--slots", type=int, default=24)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--audit", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        sys.exit("DATABASE_URL must name an empty PostgreSQL database (postgresql+psycopg://…)")
    started = time.perf_counter()
    steps = seed(url, Size(args.users, args.attempts, args.slots, args.calls, args.audit), args.seed)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1),
                      "steps": {name: round(seconds, 1) for name, seconds in steps.items()}}))


if __name__ == "__main__":
    main()
