"""Same verdicts before and after a change to the scorer: run before every commit that touches it.

    .venv/bin/python bench/scorer_identity.py [--against REV]

Scores every labelled reply (tests/roleplay/*.yaml, tests/roleplay/corpus/batch-*.yaml and
corpus/validation/*.yaml, plus a few synthetic texts) with the code of this worktree and with the
``webapp`` package of ``REV`` (default: where this branch left main), each in its own process,
and compares byte for byte: ``score_reply(...).as_json()`` (suppressed reasons included), every
hit with its phrase (the model's probability and cues as printed), each reply judged against three
turns' key points, and every transcript of tests/roleplay/transcripts replayed as
``flask roleplay score`` does. Prints the first differences; exit status 1 if there are any.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from functools import partial
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NORMS = ROOT / "quizzes" / "roleplay" / "norms.yaml"
SCENARIOS = ROOT / "quizzes" / "roleplay" / "scenarios"
TRANSCRIPTS = ROOT / "tests" / "roleplay" / "transcripts"
CORPUS = ROOT / "tests" / "roleplay" / "corpus"
KEY_POINT_TURNS_PER_REPLY = 3
#: Shapes the labelled replies hardly have: folding that changes offsets, spaces between CJK
#: characters, quotation, Latin terms, digits, an empty reply.
SYNTHETIC = (
    "", "　您好！！　工号：７７８８为您服务。", "请问您的地址在哪里 联系电话多少", "您说的“你们乱扣费”我记下了。",
    "您的APN（接入点）设置成ctnet就可以，PUK码就是解锁码。", "好的ＯＫ，那个ｗｉｆｉ密码是多少？还有别的问题吗？",
    "您是不是没仔细看账单啊？我不是已经给您发短信了吗", "可能需要五分钟的时间，大概两个工作日到账，0.29元一分钟。",
)


def labelled_texts() -> list[str]:
    import yaml

    paths = (sorted((ROOT / "tests" / "roleplay").glob("*.yaml")) + sorted(CORPUS.glob("batch-*.yaml"))
             + sorted((CORPUS / "validation").glob("*.yaml")))
    texts = [entry["text"] for path in paths for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return texts + list(SYNTHETIC)


def dump(code: Path, out: Path) -> None:
    """Every verdict, key-point match and replayed transcript of the ``webapp`` package in ``code``,
    one JSON line each."""
    sys.path.insert(0, str(code))
    import yaml

    from webapp.roleplay.call import Reply, replay
    from webapp.roleplay.norms import load_norms
    from webapp.roleplay.scenarios import parse_scenario_file
    from webapp.roleplay.scoring import score_reply

    assert Path(sys.modules["webapp"].__file__).is_relative_to(code), "scored with the wrong code"
    norms = load_norms(NORMS)
    scenarios = {path.stem: parse_scenario_file(path, ROOT)[0] for path in sorted(SCENARIOS.glob("*.md"))}
    key_point_turns = [tuple(r.examples for r in turn.requirements if r.is_key_point)
                       for scenario in scenarios.values() for turn in scenario.turns]
    with out.open("w", encoding="utf-8") as lines:
        for number, text in enumerate(labelled_texts()):
            verdict = score_reply(text, norms)
            hits = [[h.category, h.evidence, list(h.span), h.phrase, h.by_model]
                    for h in verdict.elements + verdict.violations]
            key_points = [repr(verdict.key_point(examples))
                          for turn in range(KEY_POINT_TURNS_PER_REPLY)
                          for examples in key_point_turns[(number * KEY_POINT_TURNS_PER_REPLY + turn)
                                                          % len(key_point_turns)]]
            lines.write(json.dumps([text, verdict.as_json(), hits, key_points], ensure_ascii=False) + "\n")
        for path in sorted(TRANSCRIPTS.glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for transcript in data["transcripts"]:
                result = replay(scenarios[data["scenario"]], [Reply(text, 20) for text in transcript["replies"]],
                                partial(score_reply, norms=norms))
                lines.write(json.dumps([f"{path.name}:{transcript['name']}", repr(result)], ensure_ascii=False) + "\n")


def code_of(revision: str, into: Path) -> Path:
    """The ``webapp`` package and the norms as they were at ``revision``, unpacked under ``into``
    and, when that revision compiles the scorer (setup.py), compiled in place as ``pip install -e .``
    does."""
    compiled = subprocess.run(["git", "cat-file", "-e", f"{revision}:setup.py"], cwd=ROOT,
                              capture_output=True).returncode == 0
    paths = ["webapp", "quizzes/roleplay/norms.yaml"] + (["setup.py", "pyproject.toml"] if compiled else [])
    archive = subprocess.run(["git", "archive", revision, *paths], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    if compiled:
        subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"], cwd=into, check=True,
                       capture_output=True)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="git revision of the old code (default: merge-base with main)")
    parser.add_argument("--dump", nargs=2, metavar=("CODE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(Path(args.dump[0]).resolve(), Path(args.dump[1]))
        return 0
    revision = args.against or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True,
                                              capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        old_code = code_of(revision, folder / "old")
        outputs = {"old": folder / "old.jsonl", "new": folder / "new.jsonl"}
        for name, code in (("old", old_code), ("new", ROOT)):
            subprocess.run([sys.executable, __file__, "--dump", str(code), str(outputs[name])], check=True)
        old = outputs["old"].read_text(encoding="utf-8").splitlines()
        new = outputs["new"].read_text(encoding="utf-8").splitlines()
    differing = [(a, b) for a, b in zip(old, new) if a != b]
    print(f"{len(new)} verdicts and replayed transcripts compared with {revision[:10]}: "
          f"{len(differing)} differ" + ("" if len(old) == len(new) else f"; {len(old)} before, {len(new)} now"))
    for a, b in differing[:5]:
        print(f"- before: {a}\n+ now:    {b}")
    return 0 if not differing and len(old) == len(new) else 1


if __name__ == "__main__":
    sys.exit(main())
