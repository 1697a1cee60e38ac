"""Categories judged by a model learned from labelled replies (pure, deterministic).

Rules catch what their lists name; a writer who never saw them words rudeness or empathy in
ways no list foresees ("您自己不看短信，现在来问谁呢"). A logistic regression per category over
the reply's character 1–3-grams (tf-idf, as scikit-learn computes it), trained by
``scripts/train_reply_model.py`` on every labelled reply outside the corpus's frozen part, is
shipped as JSON beside this module and evaluated here without scikit-learn. The norms choose which
categories consult it and from which probability (``learned:`` on a category); the evidence is
the clause whose n-grams weigh most towards the category, with those n-grams as the cues.

A reading's n-gram lookup and arithmetic run in C (``ngrams.pyx``, built by setup.py).
"""
from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import cython
import numpy as np

from webapp.roleplay.ngrams import NgramTable

MODEL_PATH = Path(__file__).with_name("reply_model.json")
NGRAM_MAX = 3
CUES = 3  # n-grams named as the evidence of one judgement


class ReplyModel:
    def __init__(self, ngrams: Sequence[str], idf: Sequence[float], categories: dict[str, dict],
                 replies: int):
        self.ngrams = list(ngrams)
        self.idf = np.ascontiguousarray(idf, dtype=float)
        self.categories = {name: position for position, name in enumerate(categories)}  # name → column
        intercepts = [float(spec["intercept"]) for spec in categories.values()]
        #: name → (column, intercept): a probability reads both in one lookup
        self.columns = {name: (column, intercepts[column]) for name, column in self.categories.items()}
        # n-gram × category, C-contiguous: each n-gram of a reply reads one row of adjacent numbers
        self.weights = np.ascontiguousarray(np.array([spec["weights"] for spec in categories.values()], dtype=float).T)
        self.table = NgramTable(self.ngrams, self.idf, self.weights)
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

    def read(self, folded: str) -> "Reading":
        """The reply's n-gram vector; probabilities and evidence are computed from it on demand."""
        return Reading(self, folded)


@cython.cclass
class Reading:
    model = cython.declare(object, visibility="public")
    text = cython.declare(object, visibility="public")
    _scores = cython.declare(object, visibility="public")

    def __init__(self, model: ReplyModel, text: str):
        self.model = model
        self.text = text
        self._scores: list[float] | None = None

    def within(self, start: int, end: int) -> "Reading":
        """The reading of the text's [start:end] part: the n-grams it holds whole (its evidence,
        if asked for, is in the part's own offsets)."""
        return Reading(self.model, self.text[start:end])

    def probability(self, category: str) -> float:
        if self._scores is None:  # every category at once
            self._scores = self.model.table.scores(self.text)
        column, intercept = self.model.columns[category]
        return 1.0 / (1.0 + math.exp(-(intercept + self._scores[column])))

    def evidence(self, category: str, clauses: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], tuple[str, ...]]:
        """The clause whose n-grams weigh most towards ``category`` (each n-gram's weight goes to
        the clause it starts in) and, as cues, its heaviest n-grams of two characters or more."""
        model = self.model
        matches = model.table.matches(self.text)  # (last index, n-gram)
        counts = Counter(feature for _, feature in matches)
        # each n-gram's tf-idf value (as the scores are computed) times its weight, shared among
        # its occurrences: one vector operation each, not numpy scalars per n-gram
        features = np.fromiter(counts, dtype=np.intp, count=len(counts))
        repeats = np.fromiter(counts.values(), dtype=float, count=len(counts))
        tfidf = model.idf[features] * (1.0 + np.log(repeats))
        norm = math.sqrt(float(tfidf @ tfidf)) or 1.0
        parts = model.weights[features, model.categories[category]] * tfidf / norm / repeats
        share = dict(zip(features.tolist(), parts.tolist()))
        weight = [0.0] * len(clauses)
        cues: list[dict[str, float]] = [{} for _ in clauses]
        starts_of = [lo for lo, _ in clauses]
        for last, feature in matches:
            ngram = model.ngrams[feature]
            first = last - len(ngram) + 1
            number = max(0, bisect_right(starts_of, first) - 1)
            if not clauses[number][0] <= first < max(clauses[number][1], clauses[number][0] + 1):
                continue  # in no clause offered (one left out as another element's alone)
            part = share[feature]
            weight[number] += part
            if part > 0 and len(ngram) > 1:  # one character names nothing
                cues[number][ngram] = cues[number].get(ngram, 0.0) + part
        # an empty clause (before a leading "。") holds nothing to show: the evidence has words in it
        candidates = [number for number, (lo, hi) in enumerate(clauses) if hi > lo] or range(len(clauses))
        best = max(candidates, key=lambda number: (weight[number], -number))
        heaviest = sorted(cues[best].items(), key=lambda item: (-item[1], item[0]))[:CUES]
        return clauses[best], tuple(ngram for ngram, _ in heaviest)


@lru_cache(maxsize=1)
def shipped_model() -> ReplyModel:
    return ReplyModel.from_json(MODEL_PATH.read_text(encoding="utf-8"))
