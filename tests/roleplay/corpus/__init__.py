"""The blind labelled corpus of agent replies (tests/roleplay/corpus/) and its frozen split.

Each batch file was written by one writer who never saw the scorer nor another batch, and
labelled a second time, blind, by another labeller; ``resolved`` entries record how a
disagreement was settled. About a third of the entries, chosen by a hash of their id, form the
frozen test part: it is scored only when a change is finished (``bench/scorer_eval.py
--frozen``, which counts every reading in ``frozen_reads.log``) and nothing is ever tuned to it.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent
FROZEN_PERCENT = 35


def is_frozen(entry_id: str) -> bool:
    return int(hashlib.sha256(entry_id.encode()).hexdigest(), 16) % 100 < FROZEN_PERCENT


@lru_cache(maxsize=None)
def _batch(path: Path) -> tuple[dict, ...]:
    return tuple(yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def load(part: str) -> list[dict]:
    """``part`` is "dev" or "frozen": entries with text, elements and violations."""
    entries = []
    for path in sorted(CORPUS.glob("batch-*.yaml")):
        for entry in _batch(path):
            if is_frozen(entry["id"]) == (part == "frozen"):
                entries.append(entry)
    return entries


#: Labelled to the same GUIDE, outside the corpus (each file one batch): regression sets of the
#: rules that the learned model trains on too.
OTHER_SETS = ("labelled_replies.yaml", "blind_replies.yaml", "blind_replies_2.yaml", "blind_replies_3.yaml",
              "blind_replies_4.yaml")


def validation_batches() -> list[Path]:
    """Batches kept outside the split (validation/README.md): whole, never frozen."""
    return sorted((CORPUS / "validation").glob("batch-*.yaml"))


def training_set() -> list[dict]:
    """What the learned model may learn from: every labelled reply but the frozen part, each with
    ``batch`` naming who wrote it (scripts/train_reply_model.py)."""
    entries = [{**entry, "batch": entry["id"].split("-")[0]} for entry in load("dev")]
    for path in validation_batches():
        entries += [{**entry, "batch": entry["id"].split("-")[0]} for entry in _batch(path)]
    for name in OTHER_SETS:
        entries += [{**row, "batch": name.removesuffix(".yaml")} for row in _batch(CORPUS.parent / name)]
    return entries
