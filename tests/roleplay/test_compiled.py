"""The reply scorer as it runs: compiled by Cython (setup.py), with the same results as its source."""
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from webapp.roleplay import learned, literals, meaning, ngrams, scoring
from webapp.roleplay.norms import FOLD_TABLE, fold


def test_the_scorer_runs_compiled():
    """bench/scorer.py's figures are those of the compiled modules, which pip install -e . and
    tests/conftest.py build in place."""
    for module in (ngrams, scoring, learned, meaning, literals):
        assert Path(module.__file__).suffix == ".so", module.__file__


# replies are mostly CJK with full-width punctuation; the rest of Unicode must fold the same way too
_TEXT = st.text(st.one_of(st.sampled_from("您好，请问？！。ＡＢａｂ１２　 \t\u200bİΣ"), st.characters()), max_size=12)


@given(_TEXT)
def test_the_quick_fold_is_the_fold_of_every_character(text):
    assert fold(text) == text.translate(FOLD_TABLE)
