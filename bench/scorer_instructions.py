"""Instructions per scored reply, counted by valgrind's callgrind, for this tree and an older one.

    .venv/bin/python bench/scorer_instructions.py [--against REV]

On a machine shared with other work, ``bench/scorer.py``'s timings move ±30 % between runs of
the same code; instruction counts do not. Each count runs in its own process under
``valgrind --tool=callgrind``: the labelled replies (tests/roleplay/labelled_replies.yaml) are
scored once to warm up (norms, model and key points loaded and compiled), then counting is
switched on (``callgrind_control -i on``) for two passes, and the process ends with ``os._exit``
so that interpreter teardown is not counted. Counted alone (``score_reply``) and with the turn's
key points, as ``bench/scorer.py`` does; the older code is the ``webapp`` package of ``REV``
(default: where this branch left main) with that revision's norms (an older scorer may not read
newer norms' keys), scored on this tree's replies.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scorer_identity import code_of  # noqa: E402

PASSES = 2


def count(code: Path) -> NoReturn:
    """Score the labelled replies with the ``webapp`` package in ``code`` (run under callgrind)."""
    sys.path.insert(0, str(code))
    import yaml

    from webapp.roleplay.norms import load_norms
    from webapp.roleplay.scenarios import parse_scenario_file
    from webapp.roleplay.scoring import score_reply

    assert Path(sys.modules["webapp"].__file__).is_relative_to(code), "counted the wrong code"
    norms = load_norms(code / "quizzes" / "roleplay" / "norms.yaml")
    texts = [entry["text"] for entry in yaml.safe_load(
        (ROOT / "tests" / "roleplay" / "labelled_replies.yaml").read_text(encoding="utf-8"))]
    turns = [tuple(r.examples for r in turn.requirements if r.is_key_point)
             for path in sorted((ROOT / "quizzes" / "roleplay" / "scenarios").glob("*.md"))
             for turn in parse_scenario_file(path, ROOT)[0].turns]
    key_points = os.environ["SCORER_KEY_POINTS"] == "1"

    def one_pass() -> None:
        for number, text in enumerate(texts):
            verdict = score_reply(text, norms)
            if key_points:
                for examples in turns[number % len(turns)]:
                    verdict.key_point(examples)

    one_pass()
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(PASSES):
        one_pass()
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True, capture_output=True)
    print(len(texts) * PASSES)
    sys.stdout.flush()
    os._exit(0)  # interpreter teardown is not scoring


def instructions_per_reply(code: Path, key_points: bool, folder: Path) -> float:
    out = folder / f"callgrind-{code.name}-{int(key_points)}.out"
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         sys.executable, __file__, "--count", str(code)],
        check=True, capture_output=True, text=True, env={**os.environ, "SCORER_KEY_POINTS": str(int(key_points))})
    replies = int(run.stdout.split()[-1])
    totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)  # the header's summary: is 0
    assert totals, f"no instruction total in {out}"
    return int(totals.group(1)) / replies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="git revision of the old code (default: merge-base with main)")
    parser.add_argument("--count", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count:
        count(Path(args.count).resolve())
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("needs valgrind (Debian: apt-get install valgrind)")
        return 1
    revision = args.against or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True,
                                              capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        codes = {f"{revision[:10]} (before)": code_of(revision, folder / "old"), "this tree": ROOT}
        print(f"{'instructions per reply':<28}{'alone':>12}{'with key points':>18}")
        for name, code in codes.items():
            alone, with_key_points = (instructions_per_reply(code, key_points, folder) for key_points in (False, True))
            print(f"{name:<28}{alone:>12,.0f}{with_key_points:>18,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
