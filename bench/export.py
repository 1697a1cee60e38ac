"""Benchmark the roster export writers on generated certification records.

    .venv/bin/python bench/export.py [--rows 1000000] [--formats csv,json,xlsx]

Each format runs in its own subprocess so that its peak memory (ru_maxrss) is its own. A baseline
subprocess only iterates the same row generator; every format is reported as a ratio to it.
Targets: CSV under 10 s and under 150 MB peak. Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp.hr.export import FORMATS, write_export  # noqa: E402

DEPARTMENTS = ("客服一部", "客服二部", "营业厅服务部", "在线服务中心", "投诉处理中心", "电话营销部")
POSTS = ("10000号客服代表", "营业厅咨询员", "在线客服代表", "投诉处理专员", "电话营销专员")
STATUSES = ("certified", "expiring", "expired", "revoked", "in_progress", "overdue")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚"
TARGETS = {"csv": (10.0, 150.0)}  # seconds, peak MB


def generate_rows(count: int):
    """Certification roster rows, shaped like the real export (Chinese names and departments)."""
    start = date(2023, 1, 1)
    for number in range(count):
        status = STATUSES[number % len(STATUSES)]
        certified = status in ("certified", "expiring", "expired", "revoked")
        issued = start + timedelta(days=number % 900)
        yield {
            "employee_no": f"E{number:07d}",
            "name": SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)] + GIVEN[(number // 7) % len(GIVEN)],
            "department": DEPARTMENTS[number % len(DEPARTMENTS)],
            "post": POSTS[number % len(POSTS)],
            "status": status,
            "certificate_no": f"HA-{issued.year}-{number:07d}" if certified else "",
            "issued_at": issued if certified else None,
            "valid_until": issued + timedelta(days=730) if certified else None,
            "last_exam_score": 60 + number % 41,
            "roleplay_average": round(55 + (number % 450) / 10, 1),
            "verify_url": f"https://academy.example.cn/verify/Zm9vYmFyYmF6{number:08d}" if certified else "",
            "revocation_reason": "=违反服务规范，经复核撤销" if status == "revoked" else "",
        }


def run_child(kind: str, rows: int, output: Path) -> None:
    began = time.perf_counter()
    if kind == "baseline":
        for _ in generate_rows(rows):
            pass
    else:
        write_export(generate_rows(rows), kind, output)
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    size_mb = output.stat().st_size / 1e6 if output.exists() else 0.0
    print(json.dumps({"kind": kind, "seconds": seconds, "peak_mb": peak_mb, "size_mb": size_mb}))


def measure(kind: str, rows: int, folder: Path) -> dict:
    output = folder / f"roster.{kind}"
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--rows", str(rows), "--output", str(output)],
        capture_output=True, text=True)
    if completed.returncode:
        raise SystemExit(f"{kind} failed:\n{completed.stderr}")
    output.unlink(missing_ok=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        run_child(arguments.child, arguments.rows, arguments.output)
        return 0

    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as folder:
        baseline = measure("baseline", arguments.rows, Path(folder))
        results = [measure(kind, arguments.rows, Path(folder)) for kind in arguments.formats.split(",")]
    print(f"{arguments.rows:,} rows")
    print(f"{'format':<9}{'seconds':>9}{'x base':>8}{'peak MB':>9}{'file MB':>9}  target")
    missed = False
    for result in [baseline, *results]:
        target = TARGETS.get(result["kind"])
        verdict = ""
        if target:
            ok = result["seconds"] < target[0] and result["peak_mb"] < target[1]
            missed |= not ok
            verdict = f"< {target[0]:g} s, < {target[1]:g} MB: {'ok' if ok else 'MISSED'}"
        print(f"{result['kind']:<9}{result['seconds']:>9.2f}{result['seconds'] / baseline['seconds']:>8.1f}"
              f"{result['peak_mb']:>9.1f}{result['size_mb']:>9.1f}  {verdict}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
