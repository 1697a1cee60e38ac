"""Question types: what a question is, what the browser may see of it, and how it is graded.

Pure (no Flask, no database). Each type is a class in the ``QUESTION_TYPES`` registry (the CTFd
flag-registry shape) with four duties:

- ``parse(source, report)``: read the type's answer block of a bank question (formats §2);
- ``public_view(question, order, answer)``: the data the attempt page may show — stem, options in
  the drawn order, the trainee's saved answer — and never the key or the explanation;
- ``normalise(question, order, values)``: turn submitted form values (strings, in form order,
  given in *displayed* positions) into the canonical stored answer (indexes into the question as
  written), or raise ``InvalidAnswer``;
- ``grade(question, answer) -> float`` in [0, 1] from a canonical answer (``None`` = unanswered).

Displayed positions never reveal the written order, which for ordering questions *is* the key.
An ``order`` is the permutation drawn for an attempt slot: ``order[shown_position]`` is the
written index of the option shown there (see ``draw_order``).
"""
from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

#: A fill question's blank in the stem: four or more underscores.
BLANK = re.compile(r"_{4,}")
#: Longest fill answer we store (characters); longer input is cut.
MAX_FILL_LENGTH = 200
TRUE_FALSE_OPTIONS = ("对", "错")

Report = Callable[[int, str], None]  # report(line, message)


class InvalidAnswer(ValueError):
    """Submitted values that do not fit the question (bad index, wrong shape)."""


@dataclass(frozen=True)
class Question:
    """One question of a bank, as written (one version: ``content_hash``)."""

    id: str
    type: str
    stem: str  # Markdown
    explanation: str  # Markdown, shown only on review
    difficulty: int
    tags: tuple[str, ...]
    lesson: str
    #: choices (single, multiple, truefalse), items in the correct order (ordering),
    #: left items (matching); inline Markdown
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()  # indexes of the right choices (single, multiple, truefalse)
    accepted: tuple[str, ...] = ()  # fill: accepted answers as written
    matches: tuple[str, ...] = ()  # matching: the right item of each left item
    source: str = ""  # the question's section of its bank file (canonical: no trailing spaces)
    content_hash: str = ""  # sha256 of source
    line: int = 0  # line of the question's heading in its bank file

    @property
    def question_type(self) -> QuestionType:
        return QUESTION_TYPES[self.type]


@dataclass(frozen=True)
class ListItem:
    text: str  # inline Markdown of the item
    line: int
    checked: bool | None  # task list state; None for a plain item


@dataclass(frozen=True)
class AnswerBlock:
    """What the bank parser hands a type: the parts of a question that carry its key."""

    line: int  # the question heading's line
    stem: str
    meta_answer: str | None  # the ``answer:`` value, if any
    list_kind: str | None  # "bullet", "ordered" or None when the question has no answer list
    items: tuple[ListItem, ...] = ()
    list_line: int = 0


@dataclass(frozen=True)
class AnswerKey:
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    accepted: tuple[str, ...] = ()
    matches: tuple[str, ...] = ()


def normalise_text(text: str) -> str:
    """Fill comparison form: NFKC, case-folded, without whitespace and punctuation.

    NFKC maps full-width letters and digits to half-width ones; punctuation (Unicode categories
    P*, full-width or half-width) and separators/whitespace are dropped; symbols such as ¥ or +
    are kept.
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PZ")


def _index(value: str, size: int) -> int | None:
    """A displayed position from a form value; "" means no choice."""
    if value == "":
        return None
    try:
        position = int(value)
    except ValueError:
        raise InvalidAnswer(f"not a position: {value!r}") from None
    if not 0 <= position < size:
        raise InvalidAnswer(f"position out of range: {position}")
    return position


class QuestionType:
    name: ClassVar[str]
    #: "never" (no option order), "optional" (follows the quiz's shuffle_options), "always"
    shuffle: ClassVar[str] = "never"

    def parse(self, block: AnswerBlock, report: Report) -> AnswerKey:
        raise NotImplementedError

    def shuffled_count(self, question: Question) -> int:
        """How many things the drawn order permutes."""
        return len(question.options)

    def draw_order(self, question: Question, rng: random.Random, shuffle_options: bool) -> tuple[int, ...]:
        size = self.shuffled_count(question)
        if self.shuffle == "always" or (self.shuffle == "optional" and shuffle_options):
            return tuple(rng.sample(range(size), size))
        return tuple(range(size))

    def public_view(self, question: Question, order: Sequence[int], answer: Any = None) -> dict:
        raise NotImplementedError

    def normalise(self, question: Question, order: Sequence[int], values: Sequence[str]) -> Any:
        raise NotImplementedError

    def grade(self, question: Question, answer: Any) -> float:
        raise NotImplementedError

    def correct_answer(self, question: Question) -> Any:
        """The canonical answer that earns full marks (for review pages)."""
        raise NotImplementedError

    def describe(self, question: Question, answer: Any) -> list[str]:
        """A canonical answer as lines of inline Markdown, for review pages and exports."""
        raise NotImplementedError

    def _no_list(self, block: AnswerBlock, report: Report) -> None:
        if block.list_kind is not None:
            report(block.list_line, f"a {self.name} question takes no answer list")

    def _no_meta_answer(self, block: AnswerBlock, report: Report) -> None:
        if block.meta_answer is not None:
            report(block.line, f"'answer:' is only for truefalse questions, not {self.name}")


class _ChoiceType(QuestionType):
    """Shared by single, multiple and truefalse: pick among options."""

    def public_view(self, question, order, answer=None):
        chosen = set(answer if isinstance(answer, list) else [] if answer is None else [answer])
        return {
            "type": self.name,
            "stem": question.stem,
            "choices": [
                {"value": shown, "text": question.options[written], "selected": written in chosen}
                for shown, written in enumerate(self._order(question, order))
            ],
        }

    def _order(self, question: Question, order: Sequence[int]) -> Sequence[int]:
        return order or range(len(question.options))

    def describe(self, question, answer):
        picked = answer if isinstance(answer, list) else [] if answer is None else [answer]
        return [question.options[index] for index in picked]

    def _parse_task_list(self, block: AnswerBlock, report: Report) -> AnswerKey | None:
        self._no_meta_answer(block, report)
        if block.list_kind != "bullet" or not block.items:
            report(block.list_line or block.line, f"a {self.name} question needs a task list (- [ ] / - [x])")
            return None
        for item in block.items:
            if item.checked is None:
                report(item.line, "every option must be a task list item: - [ ] or - [x]")
                return None
        return AnswerKey(
            options=tuple(item.text for item in block.items),
            correct=tuple(i for i, item in enumerate(block.items) if item.checked),
        )


class SingleChoice(_ChoiceType):
    name = "single"
    shuffle = "optional"

    def parse(self, block, report):
        key = self._parse_task_list(block, report)
        if key and len(key.correct) != 1:
            report(block.list_line, f"a single question needs exactly one - [x], found {len(key.correct)}")
        if key and len(key.options) < 2:
            report(block.list_line, "a single question needs at least two options")
        return key or AnswerKey()

    def normalise(self, question, order, values):
        if len(values) > 1:
            raise InvalidAnswer("one choice expected")
        shown = _index(values[0], len(question.options)) if values else None
        return None if shown is None else self._order(question, order)[shown]

    def grade(self, question, answer):
        return 1.0 if answer is not None and answer in question.correct else 0.0

    def correct_answer(self, question):
        return question.correct[0]


class TrueFalse(SingleChoice):
    name = "truefalse"
    shuffle = "never"

    def parse(self, block, report):
        self._no_list(block, report)
        if block.meta_answer not in TRUE_FALSE_OPTIONS:
            report(block.line, "a truefalse question needs 'answer: 对' or 'answer: 错'")
            return AnswerKey(options=TRUE_FALSE_OPTIONS)
        return AnswerKey(options=TRUE_FALSE_OPTIONS, correct=(TRUE_FALSE_OPTIONS.index(block.meta_answer),))

    def shuffled_count(self, question):
        return 0


class MultipleChoice(_ChoiceType):
    name = "multiple"
    shuffle = "optional"

    def parse(self, block, report):
        key = self._parse_task_list(block, report)
        if key and not key.correct:
            report(block.list_line, "a multiple question needs at least one - [x]")
        if key and len(key.correct) == len(key.options):
            report(block.list_line, "a multiple question needs at least one - [ ]")
        return key or AnswerKey()

    def normalise(self, question, order, values):
        written = self._order(question, order)
        shown = {_index(value, len(question.options)) for value in values} - {None}
        return sorted(written[position] for position in shown)

    def grade(self, question, answer):
        """Partial credit: max(0, (right picks − wrong picks) / number of correct options)."""
        if not answer or not question.correct:
            return 0.0
        picks = set(answer)
        right = len(picks & set(question.correct))
        wrong = len(picks) - right
        return max(0.0, (right - wrong) / len(question.correct))

    def correct_answer(self, question):
        return list(question.correct)


class Fill(QuestionType):
    name = "fill"

    def parse(self, block, report):
        self._no_meta_answer(block, report)
        blanks = len(BLANK.findall(block.stem))
        if blanks != 1:
            report(block.line, f"a fill question's stem needs exactly one blank ____ (found {blanks})")
        if block.list_kind != "bullet" or not block.items:
            report(block.list_line or block.line, "a fill question needs a bullet list of accepted answers")
            return AnswerKey()
        for item in block.items:
            if item.checked is not None:
                report(item.line, "accepted answers are plain bullets, not task list items")
            elif not normalise_text(item.text):
                report(item.line, "an accepted answer must contain letters or digits")
        return AnswerKey(accepted=tuple(item.text for item in block.items))

    def shuffled_count(self, question):
        return 0

    def public_view(self, question, order, answer=None):
        return {"type": self.name, "stem": question.stem, "text": answer or ""}

    def normalise(self, question, order, values):
        if len(values) > 1:
            raise InvalidAnswer("one text expected")
        text = (values[0] if values else "").strip()[:MAX_FILL_LENGTH]
        return text or None

    def grade(self, question, answer):
        if not answer:
            return 0.0
        given = normalise_text(answer)
        return 1.0 if any(given == normalise_text(accepted) for accepted in question.accepted) else 0.0

    def correct_answer(self, question):
        return question.accepted[0]

    def describe(self, question, answer):
        return [answer] if answer else []


class Ordering(QuestionType):
    """Items written in the correct order, shown shuffled; the answer is a sequence of items."""

    name = "ordering"
    shuffle = "always"

    def parse(self, block, report):
        self._no_meta_answer(block, report)
        if block.list_kind != "ordered" or len(block.items) < 2:
            report(block.list_line or block.line, "an ordering question needs an ordered list (1. 2. …) of two or more items")
            return AnswerKey()
        if len({item.text for item in block.items}) != len(block.items):
            report(block.list_line, "ordering items must differ from each other")
        return AnswerKey(options=tuple(item.text for item in block.items))

    def draw_order(self, question, rng, shuffle_options):
        """Always shuffled, and never shown already in the correct order."""
        size = len(question.options)
        order = tuple(rng.sample(range(size), size))
        if size > 1 and order == tuple(range(size)):
            order = order[1:] + order[:1]
        return order

    def public_view(self, question, order, answer=None):
        shown_of = {written: shown for shown, written in enumerate(order)}
        sequence = [None if written is None else shown_of[written] for written in (answer or [None] * len(order))]
        return {
            "type": self.name,
            "stem": question.stem,
            "items": [question.options[written] for written in order],
            "sequence": sequence,  # shown position of the item placed 1st, 2nd, … (None = empty)
        }

    def normalise(self, question, order, values):
        """values[k] = shown position of the item the trainee puts in place k."""
        size = len(question.options)
        if len(values) != size:
            raise InvalidAnswer(f"{size} places expected")
        sequence = [_index(value, size) for value in values]
        placed = [position for position in sequence if position is not None]
        if len(placed) != len(set(placed)):
            raise InvalidAnswer("an item is placed twice")
        return [None if position is None else order[position] for position in sequence]

    def grade(self, question, answer):
        """Share of items in their correct place."""
        if not answer:
            return 0.0
        return sum(1 for place, written in enumerate(answer) if written == place) / len(question.options)

    def correct_answer(self, question):
        return list(range(len(question.options)))

    def describe(self, question, answer):
        if not any(written is not None for written in answer or []):
            return []
        return [f"{place}. {question.options[written] if written is not None else '—'}"
                for place, written in enumerate(answer, start=1)]


class Matching(QuestionType):
    """Left items shown in order, each with a choice among the (distinct) right items, shuffled."""

    name = "matching"
    shuffle = "always"

    def parse(self, block, report):
        self._no_meta_answer(block, report)
        if block.list_kind != "bullet" or len(block.items) < 2:
            report(block.list_line or block.line, "a matching question needs a bullet list of two or more pairs - 左项 => 右项")
            return AnswerKey()
        lefts, rights = [], []
        for item in block.items:
            left, arrow, right = item.text.partition("=>")
            if not arrow or not left.strip() or not right.strip() or item.checked is not None:
                report(item.line, "a matching pair is written - 左项 => 右项")
                continue
            lefts.append(left.strip())
            rights.append(right.strip())
        if len(set(lefts)) != len(lefts):
            report(block.list_line, "matching left items must differ from each other")
        return AnswerKey(options=tuple(lefts), matches=tuple(rights))

    @staticmethod
    def choices(question: Question) -> tuple[str, ...]:
        """The distinct right items, in written order (two lefts may share a right item)."""
        return tuple(dict.fromkeys(question.matches))

    def shuffled_count(self, question):
        return len(self.choices(question))

    def public_view(self, question, order, answer=None):
        choices = self.choices(question)
        shown_of = {written: shown for shown, written in enumerate(order)}
        selected = [None if written is None else shown_of[written] for written in (answer or [None] * len(question.options))]
        return {
            "type": self.name,
            "stem": question.stem,
            "prompts": list(question.options),
            "choices": [choices[written] for written in order],
            "selected": selected,  # shown position of the choice picked for each prompt
        }

    def normalise(self, question, order, values):
        """values[k] = shown position of the choice picked for left item k."""
        if len(values) != len(question.options):
            raise InvalidAnswer(f"{len(question.options)} choices expected")
        size = len(order)
        return [None if (shown := _index(value, size)) is None else order[shown] for value in values]

    def grade(self, question, answer):
        """Share of correct pairs."""
        if not answer:
            return 0.0
        choices = self.choices(question)
        right = sum(1 for left, picked in enumerate(answer) if picked is not None and choices[picked] == question.matches[left])
        return right / len(question.options)

    def correct_answer(self, question):
        choices = self.choices(question)
        return [choices.index(right) for right in question.matches]

    def describe(self, question, answer):
        if not any(picked is not None for picked in answer or []):
            return []
        choices = self.choices(question)
        return [f"{left} → {choices[picked] if picked is not None else '—'}"
                for left, picked in zip(question.options, answer)]


QUESTION_TYPES: dict[str, QuestionType] = {
    kind.name: kind() for kind in (SingleChoice, MultipleChoice, TrueFalse, Fill, Ordering, Matching)
}


_TUPLE_FIELDS = ("tags", "options", "correct", "accepted", "matches")


def question_to_data(question: Question) -> dict:
    """A JSON-able dict of the question, stored with its version (which keeps the source apart)."""
    return {name: list(value) if name in _TUPLE_FIELDS else value
            for name, value in vars(question).items() if name != "source"}


def question_from_data(data: dict) -> Question:
    return Question(**{name: tuple(value) if name in _TUPLE_FIELDS else value for name, value in data.items()})
