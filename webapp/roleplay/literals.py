"""Every occurrence of any of some literal strings in a text (pure, deterministic)."""
from __future__ import annotations

from typing import Any

import ahocorasick_rs


class Literals:
    """Every occurrence of any of some literal strings in a text, overlapping ones included, each
    literal with a value. The automaton is ahocorasick-rs's: pyahocorasick searches a trie node's
    children one by one, and the norms' root has over a thousand (a tenth of the scorer's time
    went there)."""

    def __init__(self, literals: dict[str, Any]):
        kept = {literal: value for literal, value in literals.items() if literal}  # "" occurs nowhere
        self.literals = list(kept)
        self.values = list(kept.values())
        self._automaton = ahocorasick_rs.AhoCorasick(self.literals, matchkind=ahocorasick_rs.MatchKind.Standard)

    def __len__(self) -> int:
        return len(self.literals)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(literal's index, start, end) of every occurrence, offsets in characters."""
        return self._automaton.find_matches_as_indexes(text, overlapping=True)
