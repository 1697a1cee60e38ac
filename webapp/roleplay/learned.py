"""Categories judged by a model learned from labelled replies (pure, deterministic).

Rules catch what their lists name; a writer who never saw them words rudeness or empathy in
ways no list foresees ("您自己不看短信，现在来问谁呢"). A logistic regression per category over
the reply's character 1–3-grams (tf-idf, as scikit-learn computes it), trained by
``scripts/train_reply_model.py`` on the development part of the blind corpus only, is shipped
as JSON beside this module and evaluated here without scikit-learn. The norms choose which
categories consult it and from which probability (``learned:`` on a category); the evidence is
the clause whose n-grams weigh most towards the category, with those n-grams as the cues.
"""
from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("reply_model.json")
NGRAM_MAX = 3
CUES = 3  # n-grams named as the evidence of one judgement


class ReplyModel:
    def __init__(self, ngrams: Sequence[str], idf: Sequence[float], categories: dict[str, dict],
                 replies: int):
        self.ngrams = ngrams
        self.index = {ngram: position for position, ngram in enumerate(ngrams)}
        self.idf = idf
        self.categories = {name: (float(spec["intercept"]), spec["weights"]) for name, spec in categories.items()}
        self.replies = replies  # how many labelled replies it learned from

    @classmethod
    def from_json(cls, text: str) -> "ReplyModel":
        data = json.loads(text)
        if data.get("ngram_max") != NGRAM_MAX:
            raise ValueError(f"reply model: n-grams up to {data.get('ngram_max')}, this scorer reads {NGRAM_MAX}")
        return cls(data["ngrams"], data["idf"], data["categories"], data["replies"])

    def read(self, folded: str) -> "Reading":
        """The reply's n-gram vector; probabilities and evidence are computed from it on demand."""
        positions: dict[int, list[int]] = {}
        index = self.index
        for size in range(1, NGRAM_MAX + 1):
            for start in range(len(folded) - size + 1):
                feature = index.get(folded[start:start + size])
                if feature is not None:
                    positions.setdefault(feature, []).append(start)
        # sublinear tf · idf, then the l2 norm: exactly TfidfVectorizer(sublinear_tf=True)
        values = {feature: (1.0 + math.log(len(starts))) * self.idf[feature] for feature, starts in positions.items()}
        norm = math.sqrt(sum(value * value for value in values.values())) or 1.0
        return Reading(self, positions, {feature: value / norm for feature, value in values.items()})


class Reading:
    def __init__(self, model: ReplyModel, positions: dict[int, list[int]], values: dict[int, float]):
        self.model, self.positions, self.values = model, positions, values

    def probability(self, category: str) -> float:
        intercept, weights = self.model.categories[category]
        score = intercept + sum(weights[feature] * value for feature, value in self.values.items())
        return 1.0 / (1.0 + math.exp(-score))

    def evidence(self, category: str, clauses: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], tuple[str, ...]]:
        """The clause whose n-grams weigh most towards ``category`` (each n-gram's weight goes to
        the clause it starts in) and, as cues, its heaviest n-grams of two characters or more."""
        weights = self.model.categories[category][1]
        ngrams = self.model.ngrams
        weight = [0.0] * len(clauses)
        cues: list[dict[str, float]] = [{} for _ in clauses]
        starts_of = [lo for lo, _ in clauses]
        for feature, value in self.values.items():
            starts = self.positions[feature]
            part = weights[feature] * value / len(starts)
            for start in starts:
                number = max(0, bisect_right(starts_of, start) - 1)
                weight[number] += part
                if part > 0 and len(ngrams[feature]) > 1:  # one character names nothing
                    cues[number][ngrams[feature]] = cues[number].get(ngrams[feature], 0.0) + part
        best = max(range(len(clauses)), key=lambda number: (weight[number], -number))
        heaviest = sorted(cues[best].items(), key=lambda item: (-item[1], item[0]))[:CUES]
        return clauses[best], tuple(ngram for ngram, _ in heaviest)


@lru_cache(maxsize=1)
def shipped_model() -> ReplyModel:
    return ReplyModel.from_json(MODEL_PATH.read_text(encoding="utf-8"))
