"""The blind labelled corpus of agent replies (tests/roleplay/corpus/) and its frozen split.

Each batch file was written by one writer who never saw the scorer nor another batch, and
labelled a second time, blind, by another labeller; ``resolved`` entries record how a
disagreement was settled. About a third of the entries, chosen by a hash of their id, form the
frozen test part: it is scored only when a change is finished (``bench/scorer_eval.py
--frozen``, which counts every reading in ``frozen_reads.log``) and nothing is ever tuned to it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent
FROZEN_PERCENT = 35


def is_frozen(entry_id: str) -> bool:
    return int(hashlib.sha256(entry_id.encode()).hexdigest(), 16) % 100 < FROZEN_PERCENT


def load(part: str) -> list[dict]:
    """``part`` is "dev" or "frozen": entries with text, elements and violations."""
    entries = []
    for path in sorted(CORPUS.glob("batch-*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            if is_frozen(entry["id"]) == (part == "frozen"):
                entries.append(entry)
    return entries
