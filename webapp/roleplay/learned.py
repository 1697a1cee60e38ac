"""Categories judged by a model learned from labelled replies (pure, deterministic).

Rules catch what their lists name; a writer who never saw them words rudeness or empathy in
ways no list foresees ("您自己不看短信，现在来问谁呢"). A logistic regression per category over
the reply's character 1–3-grams (tf-idf, as scikit-learn computes it), trained by
``scripts/train_reply_model.py`` on every labelled reply outside the corpus's frozen part, is
shipped as JSON beside this module and evaluated here without scikit-learn. The norms choose which
categories consult it and from which probability (``learned:`` on a category); the evidence is
the clause whose n-grams weigh most towards the category, with those n-grams as the cues.
"""
from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import ahocorasick
import numpy as np

MODEL_PATH = Path(__file__).with_name("reply_model.json")
NGRAM_MAX = 3
CUES = 3  # n-grams named as the evidence of one judgement


class ReplyModel:
    def __init__(self, ngrams: Sequence[str], idf: Sequence[float], categories: dict[str, dict],
                 replies: int):
        self.ngrams = list(ngrams)
        self.lengths = [len(ngram) for ngram in self.ngrams]
        # one automaton finds every known n-gram of a reply in a single pass (C, not a slice per n-gram)
        self.automaton = ahocorasick.Automaton()
        for position, ngram in enumerate(self.ngrams):
            self.automaton.add_word(ngram, position)
        self.automaton.make_automaton()
        self.idf = np.asarray(idf, dtype=float)
        self.categories = {name: position for position, name in enumerate(categories)}  # name → column
        self.intercepts = [float(spec["intercept"]) for spec in categories.values()]
        # n-gram × category, C-contiguous: a reply's rows are gathered with one ``take`` (a transposed
        # view would gather twelve far-apart columns per n-gram)
        self.weights = np.ascontiguousarray(np.array([spec["weights"] for spec in categories.values()], dtype=float).T)
        self._tf = np.zeros(1)  # 1 + log(count) by count, grown as counts need (see Reading)
        self.replies = replies  # how many labelled replies it learned from
        #: per category, the model of the replies its phrases hit (norms ``learned.veto_with_hits``)
        self.hits: dict[str, ReplyModel] = {}

    @classmethod
    def from_json(cls, text: str) -> "ReplyModel":
        data = json.loads(text)
        if data.get("ngram_max") != NGRAM_MAX:
            raise ValueError(f"reply model: n-grams up to {data.get('ngram_max')}, this scorer reads {NGRAM_MAX}")
        model = cls(data["ngrams"], data["idf"], data["categories"], data["replies"])
        model.hits = {category: cls(part["ngrams"], part["idf"], part["categories"], part["replies"])
                      for category, part in data.get("hits", {}).items()}
        return model

    def tf(self, counts: np.ndarray) -> np.ndarray:
        """1 + log(count) of each count, looked up in a table of numpy's own values (so the same
        numbers as computing it on the counts)."""
        largest = int(counts.max())
        if largest >= len(self._tf):
            self._tf = np.concatenate(([0.0], 1.0 + np.log(np.arange(1, 2 * largest + 1, dtype=float))))
        return self._tf[counts]

    def read(self, folded: str) -> "Reading":
        """The reply's n-gram vector; probabilities and evidence are computed from it on demand."""
        return Reading(self, list(self.automaton.iter(folded)) if folded else [])


class Reading:
    def __init__(self, model: ReplyModel, matches: list[tuple[int, int]]):
        self.model = model
        self.matches = matches  # (last index, n-gram) in text order: a reading of any part reuses them
        self.counts = counts = Counter(map(itemgetter(1), matches))
        self.features = np.fromiter(counts, dtype=np.intp, count=len(counts))
        # sublinear tf · idf, then the l2 norm: exactly TfidfVectorizer(sublinear_tf=True). An n-gram
        # found once has tf 1 + log 1 = 1.0, and idf · 1.0 is idf: the tf factor is applied only
        # when some n-gram repeats (the product is the same number in either order).
        values = model.idf[self.features]
        if len(counts) < len(matches):
            values *= model.tf(np.fromiter(counts.values(), dtype=np.intp, count=len(counts)))
        norm = math.sqrt(float(values @ values))
        self.values = values / norm if norm else values
        self._scores: list[float] | None = None

    def within(self, start: int, end: int) -> "Reading":
        """The reading of the text's [start:end] part, from this reading's matches (no second scan):
        an n-gram the part holds whole is found there in the same order."""
        lengths = self.model.lengths
        return Reading(self.model, [(last, feature) for last, feature in self.matches
                                    if start <= last - lengths[feature] + 1 and last < end])

    def probability(self, category: str) -> float:
        if self._scores is None:  # every category at once: one small matrix product
            self._scores = (self.values @ self.model.weights.take(self.features, axis=0)).tolist()
        column = self.model.categories[category]
        # the logistic function of one number in plain Python: numpy's fixed cost per call is
        # several times the arithmetic on a vector of twelve
        return 1.0 / (1.0 + math.exp(-(self.model.intercepts[column] + self._scores[column])))

    def evidence(self, category: str, clauses: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], tuple[str, ...]]:
        """The clause whose n-grams weigh most towards ``category`` (each n-gram's weight goes to
        the clause it starts in) and, as cues, its heaviest n-grams of two characters or more."""
        model = self.model
        column = model.weights[:, model.categories[category]]
        share = {int(feature): float(column[feature] * value) / self.counts[int(feature)]
                 for feature, value in zip(self.features, self.values)}
        weight = [0.0] * len(clauses)
        cues: list[dict[str, float]] = [{} for _ in clauses]
        starts_of = [lo for lo, _ in clauses]
        for last, feature in self.matches:
            ngram = model.ngrams[feature]
            number = max(0, bisect_right(starts_of, last - len(ngram) + 1) - 1)
            part = share[feature]
            weight[number] += part
            if part > 0 and len(ngram) > 1:  # one character names nothing
                cues[number][ngram] = cues[number].get(ngram, 0.0) + part
        best = max(range(len(clauses)), key=lambda number: (weight[number], -number))
        heaviest = sorted(cues[best].items(), key=lambda item: (-item[1], item[0]))[:CUES]
        return clauses[best], tuple(ngram for ngram, _ in heaviest)


@lru_cache(maxsize=1)
def shipped_model() -> ReplyModel:
    return ReplyModel.from_json(MODEL_PATH.read_text(encoding="utf-8"))
