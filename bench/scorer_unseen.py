"""The whole scorer — rules and the learned model — on batches its model never learned from.

    .venv/bin/python bench/scorer_unseen.py             # the last four groups of four batches
    .venv/bin/python bench/scorer_unseen.py --errors    # … and every disagreement, to work on
    .venv/bin/python bench/scorer_unseen.py --groups 2  # fewer groups: quicker, noisier

``bench/scorer_eval.py`` reads the development part with the shipped model, which learned from
that very part: its figures flatter the model. Here each group of batches is scored by a model
trained (as ``scripts/train_reply_model.py`` trains it) on every other labelled reply, so a
setting of the norms — a veto, a threshold, a structural rule — is judged on writers whose
wording the model has not seen. Only the development part of a group is scored; the frozen part
stays out of training and out of sight, as everywhere else. The rules were written with these
batches' development part in view, so the rules' own figures still flatter them a little.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train_reply_model as training  # noqa: E402

from bench.scorer_eval import evaluate, report  # noqa: E402
from tests.roleplay.corpus import training_set  # noqa: E402
from webapp.roleplay import learned  # noqa: E402
from webapp.roleplay.norms import ALL_CATEGORIES, fold, load_norms  # noqa: E402
from webapp.roleplay.scoring import score_reply  # noqa: E402

NORMS = ROOT / "quizzes" / "roleplay" / "norms.yaml"
GROUP_SIZE = 4  # batches written in one round: one round's writers left out together


def corpus_groups(entries: list[dict], count: int) -> list[list[str]]:
    """The last ``count`` rounds of corpus batches (w58–w61, w62–w65, …), newest last."""
    numbered = sorted({int(entry["batch"][1:]) for entry in entries
                       if entry["batch"].startswith("w") and entry["batch"][1:].isdigit()})
    rounds = [numbered[start:start + GROUP_SIZE] for start in range(len(numbered) - GROUP_SIZE * count,
                                                                   len(numbered), GROUP_SIZE)]
    return [[f"w{number}" for number in round_] for round_ in rounds]


def held_out_model(entries: list[dict], held: set[str], path: Path) -> None:
    kept = [entry for entry in entries if entry["batch"] not in held]
    texts = [fold(entry["text"]) for entry in kept]
    vectors, models = training.train(texts, kept)
    hits = training.train_hits(texts, kept)
    path.write_text(json.dumps(training.model_json(vectors, models, len(kept), hits), ensure_ascii=False),
                    encoding="utf-8")


def _grounds(text: str, category: str, norms) -> str:
    verdict = score_reply(text, norms)
    return "; ".join(f"{hit.evidence} ({'model' if hit.by_model else hit.phrase})"
                     for hit in verdict.elements + verdict.violations if hit.category == category)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=4, help="how many of the latest rounds to leave out in turn")
    parser.add_argument("--errors", action="store_true", help="list the disagreements")
    arguments = parser.parse_args()
    entries = training_set()  # the development part and the other labelled sets: never the frozen part
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    listed: list = []
    shipped = learned.MODEL_PATH
    with tempfile.TemporaryDirectory() as folder:
        for group in corpus_groups(entries, arguments.groups):
            path = Path(folder) / f"model-{group[0]}.json"
            held_out_model(entries, set(group), path)  # its phrase hits are read with the shipped model
            learned.MODEL_PATH = path
            learned.shipped_model.cache_clear()
            try:
                norms = load_norms(NORMS)
                scored = [entry for entry in entries if entry["batch"] in group]
                errors: list | None = [] if arguments.errors else None
                counts = evaluate(scored, norms, errors)
                # while this group's model is loaded: what each extra hit rests on
                listed += [(name, kind, entry, _grounds(entry["text"], name, norms) if kind == "extra" else "")
                           for name, kind, entry in errors or ()]
            finally:
                learned.MODEL_PATH = shipped
                learned.shipped_model.cache_clear()
            report(f"{group[0]}–{group[-1]}, development part ({len(scored)} replies), model trained without them",
                   counts)
            for name, value in counts.items():
                totals[name] = [total + part for total, part in zip(totals[name], value)]
    report("all groups pooled", {name: tuple(totals[name]) for name in ALL_CATEGORIES})
    for name, kind, entry, grounds in sorted(listed, key=lambda error: (error[0], error[1])):
        print(f"{name:<20} {kind:<7} {entry['id']} {entry['text']}{'  ← ' + grounds if grounds else ''}")


if __name__ == "__main__":
    main()
