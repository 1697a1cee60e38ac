"""Drawing an attempt's questions (pure): reproducible from (seed, blueprint, banks, seen).

Rules are drawn in blueprint order from one ``random.Random(seed)``. Each rule takes questions
of its pool that the trainee has not seen before when there are enough, and tops up with seen
ones only when there are not; no question appears twice in an attempt. Then the slots are
shuffled (``shuffle_questions``) and every slot gets its option order from the same generator.
"""
from __future__ import annotations

import random
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .bank import Bank
from .questions import Question

if TYPE_CHECKING:
    from .blueprint import Blueprint, DrawRule


class DrawError(ValueError):
    """The banks cannot satisfy the blueprint (``blueprint.check_draw`` reports this earlier)."""


@dataclass(frozen=True)
class DrawnSlot:
    position: int  # 0-based place in the attempt
    question: Question
    option_order: tuple[int, ...]  # option_order[shown position] = written index (see questions)


class BankIndex:
    """A bank with the pool of each draw filter computed once and reused by every draw."""

    def __init__(self, bank: Bank):
        self.bank = bank
        self._pools: dict[tuple, tuple[Question, ...]] = {}
        self._pool_ids: dict[tuple, frozenset[str]] = {}

    def pool(self, rule: DrawRule) -> tuple[Question, ...]:
        pool = self._pools.get(rule.filter_key)
        if pool is None:
            pool = self._pools[rule.filter_key] = tuple(q for q in self.bank.questions if rule.matches(q))
        return pool

    def pool_ids(self, rule: DrawRule) -> frozenset[str]:
        ids = self._pool_ids.get(rule.filter_key)
        if ids is None:
            ids = self._pool_ids[rule.filter_key] = frozenset(q.id for q in self.pool(rule))
        return ids


def draw_attempt(
    seed: int, blueprint: Blueprint, banks: Mapping[str, BankIndex], seen: Set[str] = frozenset()
) -> tuple[DrawnSlot, ...]:
    rng = random.Random(seed)
    taken: set[str] = set()
    questions: list[Question] = []
    for rule in blueprint.draw:
        if rule.bank not in banks:
            raise DrawError(f"unknown bank {rule.bank}")
        chosen = _pick(rng, banks[rule.bank].pool(rule), rule.count, seen, taken)
        if not blueprint.shuffle_questions:
            chosen.sort(key=lambda question: question.line)  # as written in the bank
        taken.update(question.id for question in chosen)
        questions += chosen
    if blueprint.shuffle_questions:
        rng.shuffle(questions)
    return tuple(
        DrawnSlot(position, question, question.question_type.draw_order(question, rng, blueprint.shuffle_options))
        for position, question in enumerate(questions)
    )


def _pick(rng: random.Random, pool: Sequence[Question], count: int, seen: Set[str], taken: Set[str]) -> list[Question]:
    """``count`` questions of ``pool`` not in ``taken``, unseen ones first, uniformly at random.

    When at most half the pool can be excluded and enough unseen questions are certain to remain,
    rejection sampling costs O(count) instead of a scan of the pool (large banks stay fast).
    """
    excluded_at_most = len(seen) + len(taken)
    if len(pool) - excluded_at_most >= count and 2 * excluded_at_most <= len(pool):
        chosen: dict[str, Question] = {}
        while len(chosen) < count:
            question = pool[rng.randrange(len(pool))]
            if question.id not in seen and question.id not in taken:
                chosen.setdefault(question.id, question)
        return list(chosen.values())
    fresh = [q for q in pool if q.id not in seen and q.id not in taken]
    if len(fresh) >= count:
        return rng.sample(fresh, count)
    stale = [q for q in pool if q.id in seen and q.id not in taken]
    if len(fresh) + len(stale) < count:
        raise DrawError(f"a rule asks for {count} questions but only {len(fresh) + len(stale)} are left")
    return fresh + rng.sample(stale, count - len(fresh))
