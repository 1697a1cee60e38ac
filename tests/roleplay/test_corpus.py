"""The blind labelled corpus (tests/roleplay/corpus/): its shape, and the scorer on its
development part. The frozen test part is never scored here (bench/scorer_eval.py --frozen)."""
import pytest

from bench.scorer_eval import PRECISION_TARGET, RECALL_TARGET, evaluate
from tests.roleplay.corpus import CORPUS, is_frozen, load
from tests.roleplay.test_blind import ROOT
from webapp.roleplay.norms import ALL_CATEGORIES, ELEMENT_CATEGORIES, VIOLATION_CATEGORIES, load_norms


@pytest.fixture(scope="module")
def norms():
    return load_norms(ROOT / "quizzes/roleplay/norms.yaml")


def test_corpus_is_large_blind_split_and_well_formed():
    development, frozen = load("dev"), load("frozen")
    entries = development + frozen
    assert len(entries) >= 1500 and len(frozen) >= 500
    assert len({entry["id"] for entry in entries}) == len(entries)
    assert len({entry["text"] for entry in entries}) == len(entries), "duplicate replies"
    assert {entry["id"][:2] for entry in frozen} == {entry["id"][:2] for entry in development}, \
        "every writer's batch is in both parts"
    for entry in entries:
        assert set(entry["elements"]) <= set(ELEMENT_CATEGORIES), entry
        assert set(entry["violations"]) <= set(VIOLATION_CATEGORIES), entry
        assert entry["channel"] in {"hotline", "hall", "chat"}, entry
        assert not entry.get("resolved") or entry["resolved"]["reason"], entry
    assert all(is_frozen(entry["id"]) for entry in frozen)
    assert (CORPUS / "GUIDE.md").is_file()


def test_every_category_has_support_in_both_parts():
    for part in ("dev", "frozen"):
        entries = load(part)
        for name in ALL_CATEGORIES:
            support = sum(name in entry["elements"] + entry["violations"] for entry in entries)
            assert support >= 30, (part, name, support)


@pytest.fixture(scope="module")
def development_counts(norms):
    return evaluate(load("dev"), norms)


@pytest.mark.parametrize("category", ALL_CATEGORIES)
def test_scorer_meets_the_bar_on_the_development_part(development_counts, category):
    tp, fp, fn = development_counts[category]
    assert tp / max(1, tp + fp) >= PRECISION_TARGET, (category, tp, fp, fn)
    assert tp / max(1, tp + fn) >= RECALL_TARGET, (category, tp, fp, fn)
