"""Train the reply scorer's learned model from the development part of the blind corpus.

    .venv/bin/python scripts/train_reply_model.py            # writes webapp/roleplay/reply_model.json
    .venv/bin/python scripts/train_reply_model.py --table    # … after the leave-one-batch-out table

One logistic regression per category over character 1–3-grams of the folded reply (tf-idf with
sublinear term frequency, as scikit-learn computes it), trained on the development part of the
blind corpus and the project's other labelled sets (tests/roleplay/*_replies*.yaml, labelled to the
same GUIDE) — the frozen part is never read here. ``--table`` first prints how each category would have done on
a batch it was not trained on (each batch left out in turn: its writer's wording is unseen), for
the model alone and together with the rules, at several probabilities; the norms' ``learned``
settings of a category are chosen from that table on batches the rules were not yet written for,
never from the frozen part (docs/authoring/norms.md).

Needs scikit-learn (the test extra); the app reads the JSON with webapp.roleplay.learned and does
not import scikit-learn.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from tests.roleplay.corpus import training_set  # noqa: E402
from webapp.roleplay.learned import MODEL_PATH, NGRAM_MAX  # noqa: E402
from webapp.roleplay.norms import ALL_CATEGORIES, fold, load_norms  # noqa: E402
from webapp.roleplay.scoring import score_reply  # noqa: E402

NORMS = ROOT / "quizzes" / "roleplay" / "norms.yaml"
MIN_DOCUMENTS = 2  # an n-gram seen in one reply only says nothing about the next writer
REGULARISATION = 4.0  # LogisticRegression's C
# Rudeness is worded in more ways than any other category, so its model needs more n-grams to
# weigh: a weaker penalty read unseen batches better at every threshold (norms.md §9, 2026-12-06).
REGULARISATION_OF = {"forbidden_phrase": 16.0}
# Categories that also get a model learned from their phrase hits alone (the norms'
# ``learned.veto_with_hits``): it decides whether a listed word was meant as the category.
HITS_MODELS = ("forbidden_phrase",)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
DIGITS = 4  # weights rounded in the JSON: far below any threshold's margin


def vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char", ngram_range=(1, NGRAM_MAX), min_df=MIN_DOCUMENTS,
                           sublinear_tf=True, lowercase=False)


def classifier(category: str) -> LogisticRegression:
    # tol 1e-6: at the default 1e-4 lbfgs once stopped forbidden_phrase after 7 iterations (training
    # accuracy 0.983) when 638 replies were added, and the model's verdicts moved on hundreds of replies
    return LogisticRegression(C=REGULARISATION_OF.get(category, REGULARISATION), class_weight="balanced",
                              max_iter=5000, tol=1e-6)


def labels(entries: list[dict], category: str) -> np.ndarray:
    return np.array([category in (entry["elements"] or ()) or category in (entry["violations"] or ())
                     for entry in entries])


def train(texts: list[str], entries: list[dict]) -> tuple[TfidfVectorizer, dict[str, LogisticRegression]]:
    vectors = vectorizer()
    matrix = vectors.fit_transform(texts)
    return vectors, {category: classifier(category).fit(matrix, labels(entries, category)) for category in ALL_CATEGORIES}


def train_hits(texts: list[str], entries: list[dict]) -> dict[str, tuple[TfidfVectorizer, LogisticRegression, int]]:
    """Per category of HITS_MODELS, a model of the replies its phrases hit, with n-grams and idf
    of those replies alone: there the listed words are common and weigh little, so the model
    learns from what surrounds them (who they are about, a reason, a next step)."""
    hits = {}
    for category in HITS_MODELS:
        hit = phrase_hits(entries, category)
        vectors = vectorizer()
        matrix = vectors.fit_transform([text for text, chosen in zip(texts, hit) if chosen])
        hits[category] = (vectors, classifier(category).fit(matrix, labels(entries, category)[hit]), int(hit.sum()))
    return hits


def phrase_hits(entries: list[dict], category: str) -> np.ndarray:
    """Which replies the norms' phrases find ``category`` in, before the model is consulted —
    kept or cancelled by a context rule: a reply whose listed word the norms already cancel (a
    polite phrase, an unless-word) still shows the model how that word is used harmlessly, so
    fixing a rule does not take its counter-examples away from the model."""
    norms = load_norms(NORMS)
    rules_only = replace(norms, categories={**norms.categories,
                                            category: replace(norms.categories[category], learned=None)})
    verdicts = [score_reply(entry["text"], rules_only) for entry in entries]
    return np.array([any(hit.category == category and not hit.by_model and not hit.by_structure
                         for hit in verdict.elements + verdict.violations)
                     or any(item.category == category for item in verdict.suppressed)
                     for verdict in verdicts])


def unseen_batch_table(texts: list[str], entries: list[dict]) -> None:
    """Each batch scored by a model trained on the others, beside the rules."""
    norms = load_norms(NORMS)
    verdicts = [score_reply(entry["text"], norms) for entry in entries]
    batch = np.array([entry["batch"] for entry in entries])
    probability = {category: np.zeros(len(entries)) for category in ALL_CATEGORIES}
    for name in sorted(set(batch)):
        held = batch == name
        vectors, models = train([t for t, h in zip(texts, held) if not h], [e for e, h in zip(entries, held) if not h])
        matrix = vectors.transform([t for t, h in zip(texts, held) if h])
        for category, model in models.items():
            probability[category][held] = model.predict_proba(matrix)[:, 1]

    def figures(predicted: np.ndarray, truth: np.ndarray) -> str:
        tp, fp, fn = (int((predicted & truth).sum()), int((predicted & ~truth).sum()),
                      int((~predicted & truth).sum()))
        return f"{tp / max(1, tp + fp):.3f}/{tp / max(1, tp + fn):.3f}"

    print("Each batch left out in turn; precision/recall on the left-out batches")
    print(f"{'category':<20} {'rules':>11} " + " ".join(f"{'model≥' + str(t):>11} {'or≥' + str(t):>11}"
                                                      for t in THRESHOLDS))
    for category in ALL_CATEGORIES:
        truth = labels(entries, category)
        rules = np.array([category in verdict.element_names or category in verdict.violation_names
                          for verdict in verdicts])
        cells = [figures(rules, truth)]
        for threshold in THRESHOLDS:
            cells += [figures(probability[category] >= threshold, truth),
                      figures((probability[category] >= threshold) | rules, truth)]
        print(f"{category:<20} " + " ".join(f"{cell:>11}" for cell in cells))
    print("(the rules were written on these batches: 'rules' and 'or' overstate them on unseen wording)")


def model_json(vectors: TfidfVectorizer, models: dict[str, LogisticRegression], replies: int,
               hits: dict[str, tuple[TfidfVectorizer, LogisticRegression, int]]) -> dict:
    return {
        "about": "Reply scorer's learned model: scripts/train_reply_model.py, from the development part "
                 "of tests/roleplay/corpus. Logistic regression per category over tf-idf character "
                 "n-grams of the folded reply; under 'hits', a category's model of the replies its "
                 "phrases hit, over n-grams of those replies alone.",
        "ngram_max": NGRAM_MAX,
        **_weights(vectors, models, replies),
        "hits": {category: _weights(hit_vectors, {category: model}, count)
                 for category, (hit_vectors, model, count) in hits.items()},
    }


def _weights(vectors: TfidfVectorizer, models: dict[str, LogisticRegression], replies: int) -> dict:
    return {
        "replies": replies,
        "ngrams": vectors.get_feature_names_out().tolist(),
        "idf": [round(float(value), DIGITS + 2) for value in vectors.idf_],
        "categories": {
            category: {"intercept": round(float(model.intercept_[0]), DIGITS),
                       "weights": [round(float(value), DIGITS) for value in model.coef_[0]]}
            for category, model in models.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true", help="print the unseen-batch table first (minutes)")
    arguments = parser.parse_args()
    entries = training_set()
    texts = [fold(entry["text"]) for entry in entries]
    if arguments.table:
        unseen_batch_table(texts, entries)
    vectors, models = train(texts, entries)
    hits = train_hits(texts, entries)
    MODEL_PATH.write_text(json.dumps(model_json(vectors, models, len(entries), hits), ensure_ascii=False,
                                     separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)}: {len(vectors.idf_)} n-grams, {len(entries)} replies")


if __name__ == "__main__":
    main()
