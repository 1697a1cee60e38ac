"""Precision and recall of the reply scorer per category on the labelled replies.

    .venv/bin/python bench/scorer_eval.py            # all, development and held-out figures
    .venv/bin/python bench/scorer_eval.py --errors   # also list every disagreement (dev only)
    .venv/bin/python bench/scorer_eval.py --set tests/roleplay/blind_replies.yaml [--errors]
                                                     # another set (same schema), all entries

Held-out split: entries whose 0-based position i has i % 10 in {2, 5, 8} (30 %). They were
written with the rest before the scorer existed; --errors never lists them, so they stay a fair
estimate of how the norms do on replies nobody tuned against.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.roleplay.norms import ALL_CATEGORIES, load_norms  # noqa: E402
from webapp.roleplay.scoring import score_reply  # noqa: E402

LABELLED = ROOT / "tests" / "roleplay" / "labelled_replies.yaml"
NORMS = ROOT / "quizzes" / "roleplay" / "norms.yaml"
HELD_OUT_REMAINDERS = (2, 5, 8)
PRECISION_TARGET, RECALL_TARGET = 0.95, 0.90


def is_held_out(index: int) -> bool:
    return index % 10 in HELD_OUT_REMAINDERS


def load_labelled() -> list[dict]:
    return yaml.safe_load(LABELLED.read_text(encoding="utf-8"))


def evaluate(entries: list[tuple[int, dict]], norms) -> dict[str, tuple[int, int, int]]:
    """Per category: (true positives, false positives, false negatives)."""
    counts = {name: [0, 0, 0] for name in ALL_CATEGORIES}
    for _, entry in entries:
        verdict = score_reply(entry["text"], norms)
        predicted = set(verdict.element_names) | set(verdict.violation_names)
        expected = set(entry["elements"]) | set(entry["violations"])
        for name in ALL_CATEGORIES:
            if name in predicted and name in expected:
                counts[name][0] += 1
            elif name in predicted:
                counts[name][1] += 1
            elif name in expected:
                counts[name][2] += 1
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
        flag = "" if met else "   below target"
        print(f"{name:<22}{tp + fn:>8}{precision:>11.3f}{recall:>9.3f}{flag}")
    return all_met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list development-set disagreements")
    parser.add_argument("--set", dest="set_path", type=Path, default=None,
                        help="evaluate another labelled set (same schema), no held-out split")
    parser.add_argument("--norms", type=Path, default=NORMS, help="norms file (default: shipped)")
    args = parser.parse_args()
    norms = load_norms(args.norms)
    if args.set_path is not None:
        entries = list(enumerate(yaml.safe_load(args.set_path.read_text(encoding="utf-8"))))
        print(f"norms {norms.version[:12]}  ({norms.phrase_count} phrases after expansion)")
        ok = report(f"{args.set_path.name} ({len(entries)} replies)", evaluate(entries, norms))
        if args.errors:
            print("\nDisagreements:")
            print_disagreements(entries, norms)
        return 0 if ok else 1
    entries = list(enumerate(load_labelled()))
    development = [(i, e) for i, e in entries if not is_held_out(i)]
    held_out = [(i, e) for i, e in entries if is_held_out(i)]
    print(f"norms {norms.version[:12]}  ({norms.phrase_count} phrases after expansion)")
    ok = report(f"ALL ({len(entries)} replies)", evaluate(entries, norms))
    report(f"DEVELOPMENT ({len(development)} replies)", evaluate(development, norms))
    report(f"HELD-OUT ({len(held_out)} replies)", evaluate(held_out, norms))
    if args.errors:
        print("\nDevelopment disagreements:")
        print_disagreements(development, norms)
    return 0 if ok else 1


def print_disagreements(entries: list[tuple[int, dict]], norms) -> None:
    for index, entry in entries:
        verdict = score_reply(entry["text"], norms)
        predicted = set(verdict.element_names) | set(verdict.violation_names)
        expected = set(entry["elements"]) | set(entry["violations"])
        if predicted != expected:
            print(f"#{index} {entry['text']}\n   missing {sorted(expected - predicted)}"
                  f"  extra {sorted(predicted - expected)}")


if __name__ == "__main__":
    sys.exit(main())
