"""Precision and recall of the reply scorer per category on the blind labelled corpus.

    .venv/bin/python bench/scorer_eval.py              # development part of tests/roleplay/corpus
    .venv/bin/python bench/scorer_eval.py --errors     # … and every disagreement, to work on
    .venv/bin/python bench/scorer_eval.py --frozen     # the frozen test part: only when a change is
                                                       # finished; every reading is logged and counted
    .venv/bin/python bench/scorer_eval.py --set tests/roleplay/blind_replies.yaml [--errors]
                                                       # any other set of the same schema, all entries

The corpus (tests/roleplay/corpus/README.md) was written in batches by writers who never saw the
scorer nor each other's batches and labelled twice, blind; about a third of it, chosen by a hash
of each id, is the frozen part. Its disagreements are never listed, and nothing in the norms is
ever changed to fit one of its replies: its figures estimate how the scorer does on replies
nobody tuned against.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.roleplay.corpus import CORPUS, load  # noqa: E402
from webapp.roleplay.norms import ALL_CATEGORIES, load_norms  # noqa: E402
from webapp.roleplay.scoring import score_reply  # noqa: E402

NORMS = ROOT / "quizzes" / "roleplay" / "norms.yaml"
READS_LOG = CORPUS / "frozen_reads.log"
PRECISION_TARGET, RECALL_TARGET = 0.95, 0.90


def evaluate(entries: list[dict], norms, errors: list | None = None) -> dict[str, tuple[int, int, int]]:
    """Per category: (true positives, false positives, false negatives)."""
    counts = {name: [0, 0, 0] for name in ALL_CATEGORIES}
    for entry in entries:
        verdict = score_reply(entry["text"], norms)
        predicted = set(verdict.element_names) | set(verdict.violation_names)
        expected = set(entry["elements"]) | set(entry["violations"])
        for name in ALL_CATEGORIES:
            if name in predicted and name in expected:
                counts[name][0] += 1
            elif name in predicted or name in expected:
                counts[name][1 if name in predicted else 2] += 1
                if errors is not None:
                    errors.append((name, "extra" if name in predicted else "missed", entry))
    return {name: tuple(value) for name, value in counts.items()}


def report(title: str, counts: dict[str, tuple[int, int, int]]) -> bool:
    print(f"\n{title}")
    print(f"{'category':<22}{'support':>8}{'precision':>11}{'recall':>9}")
    all_met = True
    for name, (tp, fp, fn) in counts.items():
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        met = precision >= PRECISION_TARGET and recall >= RECALL_TARGET
        all_met &= met
        print(f"{name:<22}{tp + fn:>8}{precision:>11.3f}{recall:>9.3f}{'' if met else '   below target'}")
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    print(f"{'micro':<22}{tp + fn:>8}{tp / max(1, tp + fp):>11.3f}{tp / max(1, tp + fn):>9.3f}")
    return all_met


def log_frozen_reading(norms_version: str) -> int:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip() or "unknown"
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    with READS_LOG.open("a", encoding="utf-8") as log:
        log.write(f"{stamp} commit {commit} norms {norms_version[:12]}\n")
    return sum(1 for line in READS_LOG.read_text(encoding="utf-8").splitlines() if line.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frozen", action="store_true", help="score the frozen test part (logged)")
    parser.add_argument("--errors", action="store_true", help="list the disagreements (never frozen)")
    parser.add_argument("--set", type=Path, help="another labelled YAML file, scored whole")
    args = parser.parse_args()
    if args.frozen and args.errors:
        parser.error("the frozen part's disagreements are never listed")
    norms = load_norms(NORMS)
    if args.set:
        entries, title = yaml.safe_load(args.set.read_text(encoding="utf-8")), str(args.set)
    elif args.frozen:
        entries, title = load("frozen"), "frozen test part"
    else:
        entries, title = load("dev"), "development part"
    errors: list | None = [] if args.errors else None
    met = report(f"{title}: {len(entries)} replies, norms {norms.version[:12]}", evaluate(entries, norms, errors))
    if args.frozen:
        print(f"\nThe frozen part has now been read {log_frozen_reading(norms.version)} time(s) "
              f"({READS_LOG.relative_to(ROOT)}).")
    for name, kind, entry in errors or ():
        print(f"{name:<20} {kind:<7} {entry.get('id', '')} {entry['text']}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
