"""Benchmark a 100,000-row roster import (parse, check every row, write) on SQLite and PostgreSQL.

    .venv/bin/python bench/roster_import.py [--rows 100000] [--databases sqlite,postgresql]

Each run imports the roster into an empty schema as HR (new trainees, every row with a post and a
due date), then imports it again with every department changed (100,000 updates). PostgreSQL is
a throwaway server started like the test suite's. Target: each import well under gunicorn's 30 s
(it runs in a worker thread anyway). Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.pgserver import ThrowawayPostgres  # noqa: E402
from webapp.content.registry import read_content_root  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.accounts import importer, services  # noqa: E402
from webapp.certification.kind import PostsKind  # noqa: E402
from webapp.extensions import db  # noqa: E402

TARGET_SECONDS = 30.0
DEPARTMENTS = ("客服一部", "客服二部", "营业厅服务部", "在线服务中心", "投诉处理中心", "电话营销部")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚"


def roster(rows: int, shift: int = 0) -> bytes:
    lines = ["工号,姓名,部门,班组,岗位,截止日期"]
    for number in range(rows):
        name = SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)] + GIVEN[(number // 7) % len(GIVEN)]
        department = DEPARTMENTS[(number + shift) % len(DEPARTMENTS)]
        lines.append(f"R{number:07d},{name},{department},{number % 12 + 1}班,10000号客服代表,2027-06-30")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def timed_import(data: bytes, actor) -> tuple[float, importer.RosterImport]:
    """Seconds for the whole import; prints when each phase began and this process's CPU time."""
    began, cpu, phases = time.perf_counter(), time.process_time(), []
    result = importer.import_roster(data, actor=actor,
                                    progress=lambda phase, _percent: phases.append((phase, time.perf_counter())))
    db.session.commit()
    seconds = time.perf_counter() - began
    steps = ", ".join(f"{phase} at {at - began:.1f} s" for phase, at in phases)
    print(f"  {steps}; {seconds:.1f} s in all, {time.process_time() - cpu:.1f} s CPU here", flush=True)
    return seconds, result


def run(database_url: str, rows: int) -> list[float]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        kind = PostsKind()
        files = read_content_root(ROOT)
        parsed, _problems = kind.parse(kind.discover(files), files)
        kind.import_items(parsed)
        services.create_user("admin", "管理员", "信息中心", "admin", "bench-password")
        hr = services.create_user("hr01", "李娜", "人力资源部", "hr", "bench-password")
        db.session.commit()
        first, created = timed_import(roster(rows), hr)
        second, updated = timed_import(roster(rows, shift=1), hr)
        assert created.problems == [] and created.created == rows, created.problems[:3]
        assert updated.problems == [] and updated.updated == rows, updated.problems[:3]
        db.session.remove()
        db.engine.dispose()
    return [first, second]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    missed = False
    for database in args.databases.split(","):
        server = None
        if database == "postgresql":
            server = ThrowawayPostgres()
            url = server.create_database("roster_bench")
        else:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='hotline-bench-')}/bench.db"
        try:
            create, update = run(url, args.rows)
        finally:
            if server is not None:
                server.stop()
        print(f"{database:10} {args.rows} rows: create {create:5.1f} s, update {update:5.1f} s")
        missed |= max(create, update) > TARGET_SECONDS
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
